// The Shamir ceremonies end to end through real pcscd + vpcd + card-sim: `ceremony keygen`
// issues seven cards one after another in one reader, then `ceremony sign` collects three of
// them and the signature is checked with the openssl command line.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/system/room.hpp"

using namespace quorum::test;

TEST_CASE("shamir: keygen of 3-of-7 on virtual cards, then signing with three of them") {
    Room room;
    // Key generation: seven BLANK cards, one after another in the same reader.
    const CardSet set = makeCardSet(room, "ceremony", 3, 7);
    CHECK(readFile(room.file("ceremony-keygen.out")).find("read aloud: ") != std::string::npos);

    // Signing: card 6, then card 6 again (ignored), then a card of another set, then card 2
    // pulled in the middle of the exchange and inserted again, then card 4.
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "the root zone's key signing request\n";
    const std::string signature = room.file("message.sig");
    // PINs in the order the cards come: 6, 2 (pulled: asked again), 2, 4. Card 6 the second time
    // (already counted) and the foreign card are refused before any PIN is asked.
    const std::string holderPins = room.secrets(
        "holder-pins", {CardSet::pin(6), CardSet::pin(2), CardSet::pin(2), CardSet::pin(4)});
    const std::string foreignDir = room.createCeremony("foreign");
    room.insert("foreign");
    REQUIRE(room.ceremony("issue-card --ceremony " + foreignDir + " --index 1 --no-pin-change --pin-file " +
                          room.secrets("f-pins", {"111111", "11111111"}) + " --passphrase-file " +
                          room.passphraseFile()).exitCode == 0);
    CHECK(room.pull("foreign") == 0);
    {
        LiveCeremony sign(room,
                          {"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest, "--in", message, "--out",
                           signature, "--pin-file", holderPins, "--card-timeout", "30"},
                          "sign");
        sign.waitFor("(0 of 3 shares)");
        sign.offer(set.card(6), "Remove the card from", 1);
        sign.offer(set.card(6), "Remove the card from", 2);
        sign.offer("foreign", "Remove the card from", 3);
        // Pulled after 9 APDUs: after the handshake and the look at the PIN tries, before VERIFY
        // is answered.
        sign.offer(set.card(2), "Remove the card from", 4, {"--pull-after", "9"});
        sign.offer(set.card(2), "Remove the card from", 5);
        sign.offer(set.card(4), "Signed: ");
        CHECK(sign.exitCode() == 0);
        const std::string out = sign.screen();
        INFO(out);
        CHECK(out.find("card 6 accepted: 1 of 3 shares") != std::string::npos);
        CHECK(out.find("card 6 was already counted") != std::string::npos);
        CHECK(out.find("This card is refused") != std::string::npos);
        CHECK(out.find("The card was pulled or stopped answering") != std::string::npos);
        CHECK(out.find("card 2 accepted: 2 of 3 shares") != std::string::npos);
        CHECK(out.find("card 4 accepted: 3 of 3 shares") != std::string::npos);
    }

    // `ceremony cards`: each card's story as the audit log tells it.
    const auto cards = room.ceremony("cards --ca " + set.ceremonyDir + "/ca.pem --manifest " + set.manifest + " --log " + set.ceremonyDir + "/audit.log");
    INFO(cards.output);
    CHECK(cards.exitCode == 0);
    CHECK(cards.output.find("card 6 (id ") != std::string::npos);
    CHECK(cards.output.find(": OPERATIONAL, 1 share released (the card counts 1), refused 1 time") != std::string::npos);
    CHECK(cards.output.find("card 5 (id ") != std::string::npos);
    CHECK(cards.output.find(": ISSUED, 0 shares released") != std::string::npos);  // never used

    // Anyone can check the signature with the public key in the manifest.
    const auto extracted = runCommand("/usr/bin/python3 -c \"import json,sys; "
                                      "sys.stdout.write(json.load(open('" + set.manifest +
                                      "'))['signing_key']['public_key'])\" > " + room.file("pub.pem"));
    REQUIRE(extracted.exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + room.file("pub.pem") + " -signature " +
                                     signature + " " + message);
    INFO(verified.output);
    CHECK(verified.exitCode == 0);
    CHECK(verified.output.find("Verified OK") != std::string::npos);
    // The audit log holds the whole story, and its chain is intact.
    const std::string audit = readFile(set.ceremonyDir + "/audit.log");
    CHECK(audit.find("\"event\":\"keygen-done\"") != std::string::npos);
    CHECK(audit.find("\"event\":\"sign-done\"") != std::string::npos);
    CHECK(audit.find("123456") == std::string::npos);  // no PIN in the log
}
