// The threshold RSA (Shoup) ceremonies end to end through real pcscd + vpcd + card-sim:
// `ceremony keygen --scheme shoup` deals a 2048-bit key and issues seven cards; `ceremony sign`
// collects three partial signatures in the room, naming a tampered card and going on without
// it; then three holders sign remotely with `ceremony partial-sign` and anybody combines their
// files with `ceremony combine`. Every signature is checked with the openssl command line.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <fstream>
#include <string>

#include "tests/system/room.hpp"

using namespace quorum::test;

namespace {

// Runs python3 on `script` with `args`; returns the command's result.
CommandResult python(const std::string& script, const std::string& args) {
    return runCommand("/usr/bin/python3 -c '" + script + "' " + args + " 2>&1");
}

// Flips one hex digit of the partial signature value in a partial file.
const char* kTamperPartial = R"PY(
import json, sys
partial = json.load(open(sys.argv[1]))
value = partial["partial"]
middle = len(value) // 2
partial["partial"] = value[:middle] + ("1" if value[middle] == "0" else "0") + value[middle + 1:]
json.dump(partial, open(sys.argv[2], "w"), indent=2)
)PY";

void checkWithOpenssl(const std::string& publicKey, const std::string& signature, const std::string& message) {
    const auto verified = runCommand("openssl dgst -sha256 -verify " + publicKey + " -signature " + signature +
                                     " " + message + " 2>&1");
    INFO(verified.output);
    CHECK(verified.exitCode == 0);
    CHECK(verified.output.find("Verified OK") != std::string::npos);
}

// `ceremony partial-sign` at the site of the holder of card `index` of `set`, who will type the
// right PIN; its screen is the room's file partial-INDEX.out, its output partial-INDEX.json.
// Returns once it asks for the card.
LiveCeremony partialSign(Room& room, const CardSet& set, const std::string& message, int index) {
    const std::string name = "partial-" + std::to_string(index);
    LiveCeremony sign(room,
                      {"partial-sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest, "--in", message,
                       "--out", room.file(name + ".json"), "--pin-file",
                       room.secrets(name + ".pin", {CardSet::pin(index)}), "--card-timeout", "30"},
                      name);
    sign.waitFor("Insert your card");
    return sign;
}

}  // namespace

TEST_CASE("shoup: keygen 3-of-7 on virtual cards, signing in the room, remote partials and combine") {
    Room room;
    // Key generation: a 2048-bit key (two safe primes: seconds to a minute or two), seven cards.
    const CardSet set = makeCardSet(room, "ceremony", 3, 7, "shoup");
    const std::string manifest = set.manifest;
    const std::string keygenOut = readFile(room.file("ceremony-keygen.out"));
    CHECK(keygenOut.find("Dealing a 2048-bit threshold RSA key, 3 of 7") != std::string::npos);
    CHECK(keygenOut.find("read aloud: ") != std::string::npos);
    // The manifest carries the public key and the seven verification keys; the key is 2048 bits.
    const std::string publicKey = room.file("public.pem");
    REQUIRE(room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + manifest + " > " + publicKey).exitCode == 0);
    const auto described = python(
        "import json,sys; m=json.load(open(sys.argv[1])); t=m[\"threshold_rsa\"]; "
        "print(m[\"scheme\"], m[\"signing_key\"][\"type\"], t[\"modulus_bits\"], len(t[\"verification_keys\"]))",
        manifest);
    CHECK(described.output == "shoup-rsa rsa2048 2048 7\n");
    const auto keyText = runCommand("openssl pkey -pubin -in " + publicKey + " -noout -text 2>&1");
    CHECK(keyText.output.find("Public-Key: (2048 bit)") != std::string::npos);
    CHECK(keyText.output.find("Exponent: 65537") != std::string::npos);

    const std::string message = room.file("message.txt");
    std::ofstream(message) << "the root zone's key signing request\n";

    // In the room: card 3 was tampered with (its share altered, its image re-sealed): its partial
    // fails the proof against the manifest's v_3, it is named, and cards 5, 1 and 7 sign.
    const auto tampered = runCommand("/usr/bin/python3 " QUORUM_SOURCE_DIR "/tests/system/tamper_share.py " +
                                     room.image(set.card(3)) + " 2>&1");
    REQUIRE(tampered.exitCode == 0);
    const std::string signature = room.file("message.sig");
    {
        const std::string holderPins =
            room.secrets("holder-pins", {CardSet::pin(3), CardSet::pin(5), CardSet::pin(1), CardSet::pin(7)});
        LiveCeremony sign(room,
                          {"sign", "--yes", "--scheme", "shoup", "--ceremony", set.ceremonyDir, "--manifest", manifest, "--in",
                           message, "--out", signature, "--pin-file", holderPins, "--card-timeout", "30"},
                          "sign");
        sign.waitFor("(0 of 3 partial signatures)");
        sign.offer(set.card(3), "Remove the card from", 1);
        sign.offer(set.card(5), "Remove the card from", 2);
        sign.offer(set.card(1), "Remove the card from", 3);
        sign.offer(set.card(7), "Signed: ");
        CHECK(sign.exitCode() == 0);
        const std::string out = sign.screen();
        INFO(out);
        CHECK(out.find("card 3's partial signature fails its proof against the manifest") != std::string::npos);
        CHECK(out.find("card 5 accepted: 1 of 3 partial signatures") != std::string::npos);
        CHECK(out.find("card 1 accepted: 2 of 3 partial signatures") != std::string::npos);
        CHECK(out.find("card 7 accepted: 3 of 3 partial signatures") != std::string::npos);
    }
    checkWithOpenssl(publicKey, signature, message);
    // `sign --scheme shamir` refuses this card set before any card is asked for.
    const auto wrongScheme = room.ceremony("sign --scheme shamir --ceremony " + set.ceremonyDir + " --manifest " +
                                           manifest + " --in " + message + " --out " + room.file("never.sig"));
    CHECK(wrongScheme.exitCode != 0);
    CHECK(wrongScheme.output.find("is a card set of the shoup scheme, not shamir") != std::string::npos);

    // Remote: three holders each make a partial signature file at their own site.
    const std::string p2 = room.file("partial-2.json"), p4 = room.file("partial-4.json"),
                      p6 = room.file("partial-6.json"), bad4 = room.file("partial-4-altered.json");
    {
        // The tampered card cannot make a partial signature file at a holder's site either.
        LiveCeremony sign = partialSign(room, set, message, 3);
        room.insert(set.card(3));
        const int status = sign.process().stop(0, std::chrono::seconds(30));
        CHECK(room.pull(set.card(3)) == 0);
        const std::string out = sign.screen();
        INFO(out);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 1));
        CHECK(out.find("card 3's partial signature fails its proof against the manifest") != std::string::npos);
        CHECK(out.find("no partial signature written") != std::string::npos);
        CHECK(readFile(room.file("partial-3.json")).empty());
    }
    for (const int index : {2, 4, 6}) {
        LiveCeremony sign = partialSign(room, set, message, index);
        sign.offer(set.card(index), "Partial signature written");
        REQUIRE(sign.exitCode() == 0);
    }
    const auto fileFields = python("import json,sys; p=json.load(open(sys.argv[1])); "
                                   "print(p[\"format\"], p[\"card_index\"], p[\"usage_counter\"], len(p[\"partial\"]))",
                                   p4);
    CHECK(fileFields.output == "quorum-partial-signature 4 1 512\n");
    REQUIRE(python(kTamperPartial, p4 + " " + bad4).exitCode == 0);

    // Combining needs no secret and no card. An altered partial is named and skipped; with only
    // two good ones nothing is written.
    const std::string remoteSignature = room.file("remote.sig");
    const auto tooFew = room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + manifest + " --in " + message + " --out " +
                                      remoteSignature + " " + bad4 + " " + p2 + " " + p6);
    INFO(tooFew.output);
    CHECK(tooFew.exitCode != 0);
    CHECK(tooFew.output.find("card 4's partial signature fails its proof") != std::string::npos);
    CHECK(tooFew.output.find("only 2 of 3 partial signatures are good") != std::string::npos);
    CHECK(readFile(remoteSignature).empty());

    // A file whose card id is not the manifest's card at its index is refused, by name.
    const std::string otherId = room.file("partial-2-other-id.json");
    REQUIRE(python("import json,sys; p=json.load(open(sys.argv[1])); p[\"card_id\"]=\"00\"*16; "
                   "json.dump(p, open(sys.argv[2], \"w\"))",
                   p2 + " " + otherId)
                .exitCode == 0);
    const auto wrongCard = room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + manifest + " --out " + remoteSignature + " " +
                                         otherId + " " + p4 + " " + p6);
    CHECK(wrongCard.exitCode != 0);
    CHECK(wrongCard.output.find("card 2 of this set has card id") != std::string::npos);

    const auto combined = room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + manifest + " --in " + message + " --out " +
                                        remoteSignature + " " + bad4 + " " + p2 + " " + p4 + " " + p6);
    INFO(combined.output);
    REQUIRE(combined.exitCode == 0);
    CHECK(combined.output.find("card 4's partial signature fails its proof") != std::string::npos);
    CHECK(combined.output.find("card 6 accepted: 3 of 3 partial signatures") != std::string::npos);
    checkWithOpenssl(publicKey, remoteSignature, message);
    // RSA signatures are deterministic: the room's three cards and the remote three agree.
    CHECK(readFile(remoteSignature) == readFile(signature));

    // Without the message, the partials' digest says what is signed.
    const std::string fromDigest = room.file("digest.sig");
    const auto digestOnly = room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + manifest + " --out " + fromDigest + " " + p6 + " " +
                                          p2 + " " + p4);
    INFO(digestOnly.output);
    CHECK(digestOnly.exitCode == 0);
    CHECK(readFile(fromDigest) == readFile(signature));

    // The audit log's chain holds, and it ends with the entry whose hash the last holder was shown.
    const std::string auditLog = set.ceremonyDir + "/audit.log";
    const std::string lastOut = readFile(room.file("partial-6.out"));
    const auto shown = lastOut.find("last entry SHA-256 ");
    REQUIRE(shown != std::string::npos);
    const std::string lastHash = lastOut.substr(shown + 19, 64);
    const auto intact = room.ceremony("audit-verify --log " + auditLog + " --last-hash " + lastHash);
    INFO(intact.output);
    CHECK(intact.exitCode == 0);
    CHECK(intact.output.find("chain intact, ends with the expected entry") != std::string::npos);
    const auto cut = runCommand("head -n -1 " + auditLog + " > " + room.file("cut.log") + " && " +
                                builtProgram("ceremony") + " audit-verify --log " + room.file("cut.log") +
                                " --last-hash " + lastHash);
    CHECK(cut.exitCode != 0);  // the last entry is gone: only the written-down hash shows it
    const auto altered = runCommand("sed 's/\"outcome\":\"bad-proof\"/\"outcome\":\"accepted\"/' " + auditLog +
                                    " > " + room.file("altered.log") + " && " + builtProgram("ceremony") +
                                    " audit-verify --log " + room.file("altered.log"));
    INFO(altered.output);
    CHECK(altered.exitCode != 0);
    CHECK(altered.output.find("line") != std::string::npos);

    const std::string audit = readFile(auditLog);
    CHECK(audit.find("\"event\":\"keygen-done\"") != std::string::npos);
    CHECK(audit.find("\"outcome\":\"bad-proof\"") != std::string::npos);
    CHECK(audit.find("\"event\":\"partial-made\"") != std::string::npos);
    CHECK(audit.find("123452") == std::string::npos);  // no PIN in the log
}
