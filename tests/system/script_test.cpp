// `ceremony run`: a whole ceremony from a script - keygen, sign, audit-verify - on virtual cards
// inserted as the run's screen asks, with its transcript; and the scripts that are refused before
// anything runs, and the run that stops at a step that fails.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "crypto/primitives.hpp"
#include "host/documents/transcript.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;
using host::StepOutcome;
using host::Transcript;

namespace {

std::string writeScript(Room& room, const std::string& name, const std::string& text) {
    const std::string path = room.file(name);
    std::ofstream(path) << text;
    return path;
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

Transcript loadTranscript(const std::string& prefix) {
    REQUIRE(exists(prefix + ".txt"));
    REQUIRE(exists(prefix + ".json"));
    return Transcript::fromJson(readFile(prefix + ".json"));
}

std::string sha256Hex(const std::string& path) {
    const std::string content = readFile(path);
    return toHex(crypto::sha256(Bytes(content.begin(), content.end())));
}

bool anyContains(const std::vector<std::string>& lines, const std::string& text) {
    for (const auto& line : lines)
        if (line.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("script: a whole ceremony from a script, with its transcript; a step that fails stops the run") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string manifest = room.file("set.json");
    std::vector<std::string> issuerSecrets;
    for (int i = 1; i <= 3; ++i) {
        issuerSecrets.push_back(CardSet::pin(i));
        issuerSecrets.push_back(CardSet::puk(i));
    }
    const std::string issuerPins = room.secrets("issuer-pins", issuerSecrets);
    const std::string holderPins = room.secrets("holder-pins", {CardSet::pin(1), CardSet::pin(3)});
    const std::string message = room.file("ksr.xml");
    std::ofstream(message) << "the quarter's key signing request\n";
    const std::string signature = room.file("ksr.sig");
    const std::string signStep = "sign --yes --ceremony " + dir + " --manifest " + manifest + " --in \"" + message +
                                 "\" --out " + signature + " --pin-file " + holderPins +
                                 " --host-passphrase-file " + room.hostPassphraseFile() + " --card-timeout 30\n";
    const std::string script = writeScript(
        room, "ceremony.script",
        "title: KSK ceremony 2027-Q1, card set A\n"
        "# the key, dealt to three cards, then its first signature\n"
        "\n"
        "keygen --ceremony " + dir + " --manifest " + manifest + " -k 2 -n 3 --no-pin-change --pin-file " + issuerPins +
            " --passphrase-file " + room.passphraseFile() + " --host-passphrase-file " + room.hostPassphraseFile() +
            " --card-timeout 30\n" +
            signStep + "audit-verify --log " + dir + "/audit.log\n");
    const std::string prefix = room.file("transcript");

    LiveCeremony run(room, {"run", script, "--transcript", prefix, "--yes"}, "run");
    run.waitFor("Step 1 of 3: keygen --ceremony");
    for (int i = 1; i <= 3; ++i) {
        run.waitFor("Insert BLANK card " + std::to_string(i) + " of 3");
        run.offer("card" + std::to_string(i), "Card " + std::to_string(i) + " of 3 issued");
    }
    run.waitFor("Step 2 of 3: sign --yes");
    run.waitFor("(0 of 2 shares)");
    run.offer("card1", "Remove the card from");
    run.offer("card3", "Signed: ");
    REQUIRE(run.exitCode() == 0);
    const std::string screen = run.screen();
    INFO(screen);
    CHECK(screen.find("Step 3 of 3: audit-verify --log") != std::string::npos);
    CHECK(screen.find("Done: 3 of 3 steps.") != std::string::npos);

    // The signature is an ordinary one: openssl checks it with the manifest's public key.
    REQUIRE(room.ceremony("public-key --ceremony " + dir + " --manifest " + manifest + " > " + room.file("pub.pem")).exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + room.file("pub.pem") + " -signature " +
                                     signature + " " + message);
    INFO(verified.output);
    CHECK(verified.output.find("Verified OK") != std::string::npos);

    // The transcript: three steps done, what people compared, the hash they wrote down.
    const auto audited = room.ceremony("audit-verify --log " + dir + "/audit.log");
    REQUIRE(audited.exitCode == 0);
    const auto at = audited.output.find("last entry SHA-256: ");
    REQUIRE(at != std::string::npos);
    const std::string lastHash = audited.output.substr(at + 20, 64);
    const Transcript transcript = loadTranscript(prefix);
    CHECK(transcript.title == "KSK ceremony 2027-Q1, card set A");
    CHECK(transcript.scriptPath == script);
    CHECK(toHex(transcript.scriptSha256) == sha256Hex(script));
    CHECK(transcript.outcome == host::RunOutcome::Done);
    CHECK(transcript.confirmedByYes);
    CHECK_FALSE(transcript.ended.empty());
    CHECK(transcript.lastAuditHash == lastHash);
    REQUIRE(transcript.steps.size() == 3);
    for (const auto& step : transcript.steps) {
        CHECK(step.outcome == StepOutcome::Done);
        CHECK(step.error.empty());
        CHECK(step.started.size() == 20);
        CHECK(step.ended.size() == 20);
    }
    CHECK(transcript.steps[0].command.rfind("keygen --ceremony " + dir, 0) == 0);
    CHECK(transcript.steps[1].command + "\n" == signStep);  // as written, quotes and all
    CHECK(transcript.steps[0].output.find("Card 3 of 3 issued") != std::string::npos);
    CHECK(transcript.steps[1].output.find("card 3 accepted: 2 of 2 shares") != std::string::npos);
    CHECK(anyContains(transcript.steps[1].fingerprints, "its SHA-256: " + sha256Hex(message)));
    CHECK(anyContains(transcript.steps[1].fingerprints, "read aloud: "));
    // sign's last entry is the last of the log: audit-verify, which adds none, shows the same
    CHECK(anyContains(transcript.steps[1].fingerprints, "last entry SHA-256 " + lastHash));
    CHECK(transcript.steps[2].output.find("chain intact") != std::string::npos);
    CHECK(transcript.steps[1].output.find(CardSet::pin(1)) == std::string::npos);  // no PIN in the transcript
    // An independent reader of the JSON agrees.
    const auto python = runCommand("/usr/bin/python3 -c \"import json; t = json.load(open('" + prefix +
                                   ".json')); print(t['format'], t['version'], t['outcome'], "
                                   "[s['outcome'] for s in t['steps']], t['last_audit_hash'])\"");
    CHECK(python.output == "quorum-ceremony-transcript 1 done ['done', 'done', 'done'] " + lastHash + "\n");
    const std::string text = readFile(prefix + ".txt");
    CHECK(text.find("CEREMONY TRANSCRIPT: KSK ceremony 2027-Q1, card set A") != std::string::npos);
    for (const auto& step : transcript.steps) CHECK(text.find(transcript.heading(step)) != std::string::npos);
    CHECK(text.find("Outcome:  done (3 of 3 steps done)") != std::string::npos);

    // A run whose second step fails (its --out exists now): the first is done, the third not run.
    const std::string failing =
        writeScript(room, "failing.script", "audit-verify --log " + dir + "/audit.log\n" + signStep +
                                                "audit-verify --log " + dir + "/audit.log\n");
    const auto failed = room.ceremony("run " + failing + " --transcript " + room.file("failed") + " --yes");
    INFO(failed.output);
    CHECK(failed.exitCode == 1);
    CHECK(failed.output.find("error: --out " + signature + " exists already") != std::string::npos);
    CHECK(failed.output.find("Step 2 failed; the steps after it were not run.") != std::string::npos);
    const Transcript stopped = loadTranscript(room.file("failed"));
    CHECK(stopped.outcome == host::RunOutcome::Failed);
    REQUIRE(stopped.steps.size() == 3);
    CHECK(stopped.steps[0].outcome == StepOutcome::Done);
    CHECK(stopped.steps[1].outcome == StepOutcome::Failed);
    CHECK(stopped.steps[1].error.find("--out " + signature + " exists already") != std::string::npos);
    CHECK(stopped.steps[2].outcome == StepOutcome::NotRun);
    CHECK(stopped.steps[2].started.empty());
    const std::string stoppedText = readFile(room.file("failed") + ".txt");
    CHECK(stoppedText.find("Outcome:  failed at step 2 of 3") != std::string::npos);
    CHECK(stoppedText.find("  outcome: not run") != std::string::npos);
}

TEST_CASE("script: refused before anything runs") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string log = dir + "/audit.log";
    const std::string logBefore = readFile(log);
    const std::string prefix = room.file("t");
    // `ceremony run ARGUMENTS` (after `launcher`), which must be refused with nothing run.
    const auto refused = [&](const std::string& arguments, const std::string& launcher = "") {
        const auto result = runCommand(launcher + builtProgram("ceremony") + " run " + arguments);
        INFO(result.output);
        CHECK(result.exitCode == 1);
        CHECK(result.output.find("chain intact") == std::string::npos);  // step 1 did not run
        CHECK_FALSE(exists(prefix + ".txt"));
        CHECK_FALSE(exists(prefix + ".json"));
        CHECK(readFile(log) == logBefore);
        return result.output;
    };

    // A step that does not parse, named with its line: the steps before it do not run either.
    const std::string bad = writeScript(room, "bad.script",
                                        "# first check the log, then sign\naudit-verify --log " + log +
                                            "\nsign --ceremony " + dir + " --manifest m.json --in x --out y --no-such-option\n");
    CHECK(refused(bad + " --transcript " + prefix + " --yes")
              .find("error: " + bad + " line 3: sign: The following argument was not expected: --no-such-option") !=
          std::string::npos);
    const std::string missing = writeScript(room, "missing.script", "audit-verify --log " + log + "\nsign --in x\n");
    CHECK(refused(missing + " --transcript " + prefix + " --yes")
              .find(missing + " line 2: sign: --ceremony is required") != std::string::npos);
    const std::string setup = writeScript(room, "setup.script", "audit-verify --log " + log + "\nca-create --ceremony x\n");
    CHECK(refused(setup + " --transcript " + prefix + " --yes")
              .find(setup + " line 2: \"ca-create\" cannot be a step of a script (the steps: keygen, sign, "
                            "partial-sign, combine, ksr-sign, sign-rrset, dnskey, cards, audit-verify)") !=
          std::string::npos);
    const std::string quote = writeScript(room, "quote.script", "audit-verify --log " + log + " --last-hash \"abc\n");
    CHECK(refused(quote + " --transcript " + prefix + " --yes").find(quote + " line 1: a double quote is not closed") !=
          std::string::npos);

    // Without a terminal, each step cannot be confirmed: refused unless --yes.
    const std::string good = writeScript(room, "good.script", "audit-verify --log \"" + log + "\"\n");
    // (setsid: a session of its own, without the terminal the tests may have been started from)
    CHECK(refused(good + " --transcript " + prefix + " < /dev/null", "setsid -w ")
              .find("at the terminal, and there is none: give --yes") != std::string::npos);

    // An existing transcript is never overwritten; a missing folder is named.
    std::ofstream(prefix + ".txt") << "yesterday's\n";
    const auto again = room.ceremony("run " + good + " --transcript " + prefix + " --yes");
    CHECK(again.exitCode == 1);
    CHECK(again.output.find("the transcript " + prefix + ".txt exists already") != std::string::npos);
    CHECK(readFile(prefix + ".txt") == "yesterday's\n");
    CHECK_FALSE(exists(prefix + ".json"));
    const auto nowhere = room.ceremony("run " + good + " --transcript " + room.file("no/such/t") + " --yes");
    CHECK(nowhere.exitCode == 1);
    CHECK(nowhere.output.find("the folder " + room.file("no/such") + " does not exist") != std::string::npos);

    // And the good script runs.
    const auto ran = room.ceremony("run " + good + " --transcript " + room.file("good") + " --yes");
    INFO(ran.output);
    CHECK(ran.exitCode == 0);
    CHECK(loadTranscript(room.file("good")).steps.at(0).outcome == StepOutcome::Done);
}
