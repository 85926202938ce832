// The threshold RSA (Shoup) ceremonies end to end through real pcscd + vpcd + card-sim:
// `ceremony keygen --scheme shoup` deals a 2048-bit key and issues seven cards; `ceremony sign`
// collects three partial signatures in the room, naming a tampered card and going on without
// it; then three holders sign remotely with `ceremony partial-sign` and anybody combines their
// files with `ceremony combine`. Every signature is checked with the openssl command line.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <csignal>
#include <fstream>
#include <string>

#include "tests/system/ceremony_script.hpp"
#include "tests/system/harness.hpp"

using namespace quorum::test;

namespace {

// Runs python3 on `script` with `args`; returns the command's result.
CommandResult python(const std::string& script, const std::string& args) {
    return runCommand("/usr/bin/python3 -c '" + script + "' " + args + " 2>&1");
}

// Changes the last hex digit of the card's s_i in a card image, and re-seals the image's
// SHA-256, as a forger with access to the card's memory would: the card loads it and signs.
const char* kTamperShare = R"PY(
import hashlib, json, sys
path = sys.argv[1]
image = json.load(open(path))
fields = image["fields"]
share = fields["rsa_share"]
last = share[-1]
fields["rsa_share"] = share[:-1] + ("0" if last != "0" else "1")
canonical = "".join(name + "=" + fields[name] + "\n" for name in sorted(fields))
digest = hashlib.sha256(canonical.encode()).hexdigest()
image["sha256"] = digest.upper() if image["sha256"].isupper() else digest
json.dump(image, open(path, "w"), indent=2)
)PY";

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

// Runs `ceremony partial-sign` for the card in `image`, whose holder's PIN is `pin`.
void partialSign(const TempFolder& folder, const std::string& ceremonyDir, const std::string& manifest,
                 const std::string& message, const std::string& image, const std::string& pin,
                 const std::string& output) {
    const std::string log = output + ".log";
    const std::string pins = writeFile(output + ".pin", pin + "\n");
    ChildProcess sign({builtProgram("ceremony"), "partial-sign", "--ceremony", ceremonyDir, "--manifest", manifest,
                       "--in", message, "--out", output, "--pin-file", pins, "--card-timeout", "30"},
                      log);
    waitForOutput(sign, log, "Insert your card");
    insertCard(sign, log, image, "Partial signature written", 1, folder);
    const int status = sign.stop(0, std::chrono::seconds(30));
    INFO(readFile(log));
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("shoup: keygen 3-of-7 on virtual cards, signing in the room, remote partials and combine") {
    TempFolder folder;
    PrivatePcscd pcscd(folder);
    const std::string ceremony = builtProgram("ceremony");
    const std::string ceremonyDir = folder.file("ceremony");
    const std::string passphrase = writeFile(folder.file("passphrase"), "correct horse battery\n");
    REQUIRE(runCommand(ceremony + " ca-create --ceremony " + ceremonyDir + " --passphrase-file " + passphrase)
                .exitCode == 0);
    std::string issuerPins;
    for (int i = 1; i <= 7; ++i) issuerPins += "12345" + std::to_string(i) + "\n8765432" + std::to_string(i) + "\n";
    const std::string pinFile = writeFile(folder.file("issuer-pins"), issuerPins);
    const std::string manifest = folder.file("set.json");
    auto image = [&](int index) { return folder.file("card" + std::to_string(index) + ".json"); };

    // Key generation: a 2048-bit key (two safe primes: seconds to a minute or two), seven cards.
    const std::string keygenLog = folder.file("keygen.log");
    {
        ChildProcess keygen({ceremony, "keygen", "--scheme", "shoup", "--ceremony", ceremonyDir, "--manifest",
                             manifest, "-k", "3", "-n", "7", "--no-pin-change", "--pin-file", pinFile,
                             "--passphrase-file", passphrase, "--card-timeout", "30"},
                            keygenLog);
        waitForOutput(keygen, keygenLog, "Insert BLANK card 1 of 7", 1, std::chrono::seconds(300));
        for (int i = 1; i <= 7; ++i) {
            waitForOutput(keygen, keygenLog, "Insert BLANK card " + std::to_string(i) + " of 7");
            insertCard(keygen, keygenLog, image(i), "Card " + std::to_string(i) + " of 7 issued", 1, folder);
        }
        const int status = keygen.stop(0, std::chrono::seconds(30));
        INFO(readFile(keygenLog));
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
    }
    const std::string keygenOut = readFile(keygenLog);
    CHECK(keygenOut.find("Dealing a 2048-bit threshold RSA key, 3 of 7") != std::string::npos);
    CHECK(keygenOut.find("read aloud: ") != std::string::npos);
    // The manifest carries the public key and the seven verification keys; the key is 2048 bits.
    const std::string publicKey = folder.file("public.pem");
    REQUIRE(runCommand(ceremony + " public-key --manifest " + manifest + " > " + publicKey).exitCode == 0);
    const auto described = python(
        "import json,sys; m=json.load(open(sys.argv[1])); t=m[\"threshold_rsa\"]; "
        "print(m[\"scheme\"], m[\"signing_key\"][\"type\"], t[\"modulus_bits\"], len(t[\"verification_keys\"]))",
        manifest);
    CHECK(described.output == "shoup-rsa rsa2048 2048 7\n");
    const auto keyText = runCommand("openssl pkey -pubin -in " + publicKey + " -noout -text 2>&1");
    CHECK(keyText.output.find("Public-Key: (2048 bit)") != std::string::npos);
    CHECK(keyText.output.find("Exponent: 65537") != std::string::npos);

    const std::string message = folder.file("message.txt");
    std::ofstream(message) << "the root zone's key signing request\n";

    // In the room: card 3 was tampered with (its share altered, its image re-sealed): its partial
    // fails the proof against the manifest's v_3, it is named, and cards 5, 1 and 7 sign.
    const auto tampered = python(kTamperShare, image(3));
    REQUIRE(tampered.exitCode == 0);
    const std::string signature = folder.file("message.sig");
    const std::string signLog = folder.file("sign.log");
    {
        const std::string holderPins = writeFile(folder.file("holder-pins"), "123453\n123455\n123451\n123457\n");
        ChildProcess sign({ceremony, "sign", "--scheme", "shoup", "--ceremony", ceremonyDir, "--manifest", manifest,
                           "--in", message, "--out", signature, "--pin-file", holderPins, "--card-timeout", "30"},
                          signLog);
        waitForOutput(sign, signLog, "(0 of 3 partial signatures)");
        insertCard(sign, signLog, image(3), "Remove the card.", 1, folder);
        insertCard(sign, signLog, image(5), "Remove the card.", 2, folder);
        insertCard(sign, signLog, image(1), "Remove the card.", 3, folder);
        insertCard(sign, signLog, image(7), "Signed: ", 1, folder);
        const int status = sign.stop(0, std::chrono::seconds(30));
        const std::string out = readFile(signLog);
        INFO(out);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        CHECK(out.find("card 3's partial signature fails its proof against the manifest") != std::string::npos);
        CHECK(out.find("card 5 accepted: 1 of 3 partial signatures") != std::string::npos);
        CHECK(out.find("card 1 accepted: 2 of 3 partial signatures") != std::string::npos);
        CHECK(out.find("card 7 accepted: 3 of 3 partial signatures") != std::string::npos);
    }
    checkWithOpenssl(publicKey, signature, message);
    // `sign --scheme shamir` refuses this card set before any card is asked for.
    const auto wrongScheme = runCommand(ceremony + " sign --scheme shamir --ceremony " + ceremonyDir +
                                        " --manifest " + manifest + " --in " + message + " --out " +
                                        folder.file("never.sig") + " 2>&1");
    CHECK(wrongScheme.exitCode != 0);
    CHECK(wrongScheme.output.find("is a card set of the shoup scheme, not shamir") != std::string::npos);

    // Remote: three holders each make a partial signature file at their own site.
    const std::string p2 = folder.file("partial-2.json"), p4 = folder.file("partial-4.json"),
                      p6 = folder.file("partial-6.json"), bad4 = folder.file("partial-4-altered.json");
    {
        // The tampered card cannot make a partial signature file at a holder's site either.
        const std::string log = folder.file("partial-3.log");
        const std::string pins = writeFile(folder.file("partial-3.pin"), "123453\n");
        ChildProcess sign({ceremony, "partial-sign", "--ceremony", ceremonyDir, "--manifest", manifest, "--in", message,
                           "--out", folder.file("partial-3.json"), "--pin-file", pins, "--card-timeout", "30"},
                          log);
        waitForOutput(sign, log, "Insert your card");
        CardSim sim(image(3), folder.file("card-sim.log"));
        const int status = sign.stop(0, std::chrono::seconds(30));
        CHECK(sim.stop(SIGTERM) == 0);
        waitForCard(kReader0, false);
        const std::string out = readFile(log);
        INFO(out);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 1));
        CHECK(out.find("card 3's partial signature fails its proof against the manifest") != std::string::npos);
        CHECK(out.find("no partial signature written") != std::string::npos);
        CHECK(readFile(folder.file("partial-3.json")).empty());
    }
    partialSign(folder, ceremonyDir, manifest, message, image(2), "123452", p2);
    partialSign(folder, ceremonyDir, manifest, message, image(4), "123454", p4);
    partialSign(folder, ceremonyDir, manifest, message, image(6), "123456", p6);
    const auto fileFields = python("import json,sys; p=json.load(open(sys.argv[1])); "
                                   "print(p[\"format\"], p[\"card_index\"], p[\"usage_counter\"], len(p[\"partial\"]))",
                                   p4);
    CHECK(fileFields.output == "quorum-partial-signature 4 1 512\n");
    REQUIRE(python(kTamperPartial, p4 + " " + bad4).exitCode == 0);

    // Combining needs no secret and no card. An altered partial is named and skipped; with only
    // two good ones nothing is written.
    const std::string remoteSignature = folder.file("remote.sig");
    const auto tooFew = runCommand(ceremony + " combine --manifest " + manifest + " --in " + message + " --out " +
                                   remoteSignature + " " + bad4 + " " + p2 + " " + p6 + " 2>&1");
    INFO(tooFew.output);
    CHECK(tooFew.exitCode != 0);
    CHECK(tooFew.output.find("card 4's partial signature fails its proof") != std::string::npos);
    CHECK(tooFew.output.find("only 2 of 3 partial signatures are good") != std::string::npos);
    CHECK(readFile(remoteSignature).empty());

    // A file whose card id is not the manifest's card at its index is refused, by name.
    const std::string otherId = folder.file("partial-2-other-id.json");
    REQUIRE(python("import json,sys; p=json.load(open(sys.argv[1])); p[\"card_id\"]=\"00\"*16; "
                   "json.dump(p, open(sys.argv[2], \"w\"))",
                   p2 + " " + otherId)
                .exitCode == 0);
    const auto wrongCard = runCommand(ceremony + " combine --manifest " + manifest + " --out " + remoteSignature + " " +
                                      otherId + " " + p4 + " " + p6);
    CHECK(wrongCard.exitCode != 0);
    CHECK(wrongCard.output.find("card 2 of this set has card id") != std::string::npos);

    const auto combined = runCommand(ceremony + " combine --manifest " + manifest + " --in " + message + " --out " +
                                     remoteSignature + " " + bad4 + " " + p2 + " " + p4 + " " + p6 + " 2>&1");
    INFO(combined.output);
    REQUIRE(combined.exitCode == 0);
    CHECK(combined.output.find("card 4's partial signature fails its proof") != std::string::npos);
    CHECK(combined.output.find("card 6 accepted: 3 of 3 partial signatures") != std::string::npos);
    checkWithOpenssl(publicKey, remoteSignature, message);
    // RSA signatures are deterministic: the room's three cards and the remote three agree.
    CHECK(readFile(remoteSignature) == readFile(signature));

    // Without the message, the partials' digest says what is signed.
    const std::string fromDigest = folder.file("digest.sig");
    const auto digestOnly = runCommand(ceremony + " combine --manifest " + manifest + " --out " + fromDigest + " " +
                                       p6 + " " + p2 + " " + p4 + " 2>&1");
    INFO(digestOnly.output);
    CHECK(digestOnly.exitCode == 0);
    CHECK(readFile(fromDigest) == readFile(signature));

    // The audit log's chain holds, and it ends with the entry whose hash the last holder was shown.
    const std::string auditLog = ceremonyDir + "/audit.log";
    const std::string lastOut = readFile(p6 + ".log");
    const auto shown = lastOut.find("last entry SHA-256 ");
    REQUIRE(shown != std::string::npos);
    const std::string lastHash = lastOut.substr(shown + 19, 64);
    const auto intact = runCommand(ceremony + " audit-verify --log " + auditLog + " --last-hash " + lastHash);
    INFO(intact.output);
    CHECK(intact.exitCode == 0);
    CHECK(intact.output.find("chain intact, ends with the expected entry") != std::string::npos);
    const auto cut = runCommand("head -n -1 " + auditLog + " > " + folder.file("cut.log") + " && " + ceremony +
                                " audit-verify --log " + folder.file("cut.log") + " --last-hash " + lastHash);
    CHECK(cut.exitCode != 0);  // the last entry is gone: only the written-down hash shows it
    const auto altered = runCommand("sed 's/\"outcome\":\"bad-proof\"/\"outcome\":\"accepted\"/' " + auditLog +
                                    " > " + folder.file("altered.log") + " && " + ceremony + " audit-verify --log " +
                                    folder.file("altered.log"));
    INFO(altered.output);
    CHECK(altered.exitCode != 0);
    CHECK(altered.output.find("line") != std::string::npos);

    const std::string audit = readFile(auditLog);
    CHECK(audit.find("\"event\":\"keygen-done\"") != std::string::npos);
    CHECK(audit.find("\"outcome\":\"bad-proof\"") != std::string::npos);
    CHECK(audit.find("\"event\":\"partial-made\"") != std::string::npos);
    CHECK(audit.find("123452") == std::string::npos);  // no PIN in the log
}
