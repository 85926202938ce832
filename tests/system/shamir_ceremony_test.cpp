// The Shamir ceremonies end to end through real pcscd + vpcd + card-sim: `ceremony keygen`
// issues seven cards one after another in one reader, then `ceremony sign` collects three of
// them and the signature is checked with the openssl command line.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "tests/system/ceremony_script.hpp"
#include "tests/system/harness.hpp"

using namespace quorum::test;


TEST_CASE("shamir: keygen of 3-of-7 on virtual cards, then signing with three of them") {
    TempFolder folder;
    PrivatePcscd pcscd(folder);
    const std::string ceremonyDir = folder.file("ceremony");
    const std::string passphrase = writeFile(folder.file("passphrase"), "correct horse battery\n");
    REQUIRE(runCommand(builtProgram("ceremony") + " ca-create --ceremony " + ceremonyDir +
                       " --passphrase-file " + passphrase).exitCode == 0);
    std::string issuerPins;
    for (int i = 1; i <= 7; ++i) issuerPins += "12345" + std::to_string(i) + "\n8765432" + std::to_string(i) + "\n";
    const std::string pinFile = writeFile(folder.file("issuer-pins"), issuerPins);
    const std::string manifest = folder.file("set.json");

    // Key generation: seven BLANK cards, one after another in the same reader.
    const std::string keygenLog = folder.file("keygen.log");
    {
        ChildProcess keygen({builtProgram("ceremony"), "keygen", "--ceremony", ceremonyDir, "--manifest", manifest,
                             "-k", "3", "-n", "7", "--no-pin-change", "--pin-file", pinFile,
                             "--passphrase-file", passphrase, "--card-timeout", "30"},
                            keygenLog);
        for (int i = 1; i <= 7; ++i) {
            waitForOutput(keygen, keygenLog, "Insert BLANK card " + std::to_string(i) + " of 7");
            insertCard(keygen, keygenLog, folder.file("card" + std::to_string(i) + ".json"),
                       "Card " + std::to_string(i) + " of 7 issued", 1, folder);
        }
        const int status = keygen.stop(0, std::chrono::seconds(30));
        INFO(readFile(keygenLog));
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
    }
    CHECK(readFile(keygenLog).find("read aloud: ") != std::string::npos);

    // Signing: card 6, then card 6 again (ignored), then a card of another set, then card 2
    // pulled in the middle of the exchange and inserted again, then card 4.
    const std::string message = folder.file("message.txt");
    std::ofstream(message) << "the root zone's key signing request\n";
    const std::string signLog = folder.file("sign.log");
    const std::string signature = folder.file("message.sig");
    // PINs in the order the cards come: 6, 6 (asked again: the card is authenticated first),
    // 2 (pulled: asked again), 2, 4. The foreign card is refused before any PIN is asked.
    const std::string holderPins =
        writeFile(folder.file("holder-pins"), "123456\n123456\n123452\n123452\n123454\n");
    const std::string foreignDir = folder.file("foreign");
    REQUIRE(runCommand(builtProgram("ceremony") + " ca-create --ceremony " + foreignDir +
                       " --passphrase-file " + passphrase).exitCode == 0);
    REQUIRE(runCommand("printf '111111\\n11111111\\n' > " + folder.file("f-pins") + " && chmod 600 " +
                       folder.file("f-pins")).exitCode == 0);
    {
        CardSim foreignCard(folder.file("foreign.json"), folder.file("foreign.log"));
        waitForCard(kReader0, true);
        REQUIRE(runCommand(builtProgram("ceremony") + " issue-card --ceremony " + foreignDir +
                           " --index 1 --no-pin-change --pin-file " + folder.file("f-pins") +
                           " --passphrase-file " + passphrase).exitCode == 0);
        CHECK(foreignCard.stop(SIGTERM) == 0);
        waitForCard(kReader0, false);
    }
    {
        ChildProcess sign({builtProgram("ceremony"), "sign", "--ceremony", ceremonyDir, "--manifest", manifest,
                           "--in", message, "--out", signature, "--pin-file", holderPins, "--card-timeout", "30"},
                          signLog);
        waitForOutput(sign, signLog, "(0 of 3 shares)");
        insertCard(sign, signLog, folder.file("card6.json"), "Remove the card.", 1, folder);
        insertCard(sign, signLog, folder.file("card6.json"), "Remove the card.", 2, folder);
        insertCard(sign, signLog, folder.file("foreign.json"), "Remove the card.", 3, folder);
        // Pulled after 8 APDUs: after the handshake, before VERIFY is answered.
        insertCard(sign, signLog, folder.file("card2.json"), "Remove the card.", 4, folder,
                   {"--pull-after", "8"});
        insertCard(sign, signLog, folder.file("card2.json"), "Remove the card.", 5, folder);
        insertCard(sign, signLog, folder.file("card4.json"), "Signed: ", 1, folder);
        const int status = sign.stop(0, std::chrono::seconds(30));
        const std::string out = readFile(signLog);
        INFO(out);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK(out.find("card 6 accepted: 1 of 3 shares") != std::string::npos);
        CHECK(out.find("card 6 was already counted") != std::string::npos);
        CHECK(out.find("This card is refused") != std::string::npos);
        CHECK(out.find("The card was pulled or stopped answering") != std::string::npos);
        CHECK(out.find("card 2 accepted: 2 of 3 shares") != std::string::npos);
        CHECK(out.find("card 4 accepted: 3 of 3 shares") != std::string::npos);
    }

    // Anyone can check the signature with the public key in the manifest.
    const auto extracted = runCommand("/usr/bin/python3 -c \"import json,sys; "
                                      "sys.stdout.write(json.load(open('" + manifest +
                                      "'))['signing_key']['public_key'])\" > " + folder.file("pub.pem"));
    REQUIRE(extracted.exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + folder.file("pub.pem") + " -signature " +
                                     signature + " " + message);
    INFO(verified.output);
    CHECK(verified.exitCode == 0);
    CHECK(verified.output.find("Verified OK") != std::string::npos);
    // The audit log holds the whole story, and its chain is intact.
    const std::string audit = readFile(ceremonyDir + "/audit.log");
    CHECK(audit.find("\"event\":\"keygen-done\"") != std::string::npos);
    CHECK(audit.find("\"event\":\"sign-done\"") != std::string::npos);
    CHECK(audit.find("123456") == std::string::npos);  // no PIN in the log
}
