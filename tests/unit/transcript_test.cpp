// The transcript of a scripted ceremony: JSON round trip, the text the witnesses sign, the
// outcome names, and what it picks out of a step's screen (fingerprints, the last audit hash).
#include "host/documents/transcript.hpp"

#include <doctest/doctest.h>
#include <json/json.h>

#include <sstream>
#include <string>

#include "crypto/primitives.hpp"
#include "host/documents/pgp_words.hpp"

using namespace quorum;
using host::RunOutcome;
using host::StepOutcome;
using host::Transcript;
using host::TranscriptError;
using host::TranscriptStep;

namespace {

const Bytes kInputDigest = crypto::sha256(Bytes{'k', 's', 'r'});
const Bytes kAuditHash = crypto::sha256(Bytes{'l', 'o', 'g'});

// What `ceremony sign` shows, in the shapes of CeremonyContext::showFingerprint and closeAudit.
std::string signScreen() {
    return "To be signed: ksr.xml (3 bytes)\n"
           "  its SHA-256: " + toHex(kInputDigest) +
           "\n  read aloud: " + host::pgpWordLines(kInputDigest, std::string(14, ' ')) +
           "\n(confirmed beforehand: --yes)\n"
           "Insert a card of set 0A0B0C0D... (0 of 2 shares).\n"
           "Signed: ksr.sig (256 bytes)\n"
           "Audit log: last entry SHA-256 " + toHex(kAuditHash) +
           "\n  read aloud and write down: " + host::pgpWordLines(kAuditHash, std::string(29, ' ')) + "\n";
}

TranscriptStep step(int number, const std::string& command, StepOutcome outcome, const std::string& output = "") {
    TranscriptStep s;
    s.number = number;
    s.command = command;
    s.outcome = outcome;
    if (outcome != StepOutcome::NotRun) {
        s.started = "2027-01-12T03:0" + std::to_string(number) + ":00Z";
        s.ended = "2027-01-12T03:0" + std::to_string(number) + ":30Z";
    }
    s.output = output;
    s.fingerprints = host::fingerprintLines(output);
    return s;
}

Transcript sample() {
    Transcript t;
    t.title = "KSK ceremony 2027-Q1, card set A";
    t.scriptPath = "/srv/c/ksk.script";
    t.scriptSha256 = crypto::sha256(Bytes{'s'});
    t.started = "2027-01-12T03:00:00Z";
    t.ended = "2027-01-12T03:04:00Z";
    t.outcome = RunOutcome::Failed;
    t.confirmedByYes = false;
    t.lastAuditHash = toHex(kAuditHash);
    t.steps.push_back(step(1, "sign --ceremony /srv/c --manifest /srv/c/set.json --in ksr.xml --out ksr.sig",
                           StepOutcome::Done, signScreen()));
    TranscriptStep failed = step(2, "sign --ceremony /srv/c --manifest /srv/c/set.json --in ksr.xml --out ksr.sig",
                                 StepOutcome::Failed, "");
    failed.error = "the --out ksr.sig exists already";
    t.steps.push_back(failed);
    t.steps.push_back(step(3, "audit-verify --log /srv/c/audit.log", StepOutcome::NotRun));
    return t;
}

// The sample's JSON after `change` to its members.
template <typename Change>
std::string changed(Change change) {
    Json::Value root;
    std::istringstream in(sample().toJson());
    REQUIRE(Json::parseFromStream(Json::CharReaderBuilder(), in, &root, nullptr));
    change(root);
    return Json::writeString(Json::StreamWriterBuilder(), root);
}

}  // namespace

TEST_CASE("transcript: the outcomes' names") {
    CHECK(std::string(host::outcomeName(StepOutcome::Done)) == "done");
    CHECK(std::string(host::outcomeName(StepOutcome::Failed)) == "failed");
    CHECK(std::string(host::outcomeName(StepOutcome::Stopped)) == "stopped");
    CHECK(std::string(host::outcomeName(StepOutcome::NotRun)) == "not run");
    CHECK(std::string(host::outcomeName(RunOutcome::InProgress)) == "in progress");
    CHECK(std::string(host::outcomeName(RunOutcome::Done)) == "done");
    CHECK(std::string(host::outcomeName(RunOutcome::Failed)) == "failed");
    CHECK(std::string(host::outcomeName(RunOutcome::Stopped)) == "stopped");
}

TEST_CASE("transcript: JSON round trip of every field") {
    const Transcript t = sample();
    const std::string json = t.toJson();
    CHECK(json.find("\"format\" : \"quorum-ceremony-transcript\"") != std::string::npos);
    CHECK(json.find("\"version\" : 1") != std::string::npos);
    CHECK(json.find("\"outcome\" : \"not run\"") != std::string::npos);
    CHECK(json.find("\"confirmed_by\" : \"typed\"") != std::string::npos);

    const Transcript back = Transcript::fromJson(json);
    CHECK(back.toJson() == json);
    CHECK(back.title == t.title);
    CHECK(back.scriptPath == t.scriptPath);
    CHECK(back.scriptSha256 == t.scriptSha256);
    CHECK(back.started == t.started);
    CHECK(back.ended == t.ended);
    CHECK(back.outcome == RunOutcome::Failed);
    CHECK_FALSE(back.confirmedByYes);
    CHECK(back.lastAuditHash == toHex(kAuditHash));
    REQUIRE(back.steps.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(back.steps[i].number == t.steps[i].number);
        CHECK(back.steps[i].command == t.steps[i].command);
        CHECK(back.steps[i].started == t.steps[i].started);
        CHECK(back.steps[i].ended == t.steps[i].ended);
        CHECK(back.steps[i].outcome == t.steps[i].outcome);
        CHECK(back.steps[i].error == t.steps[i].error);
        CHECK(back.steps[i].fingerprints == t.steps[i].fingerprints);
        CHECK(back.steps[i].output == t.steps[i].output);
    }
    Transcript rehearsal = t;
    rehearsal.confirmedByYes = true;
    CHECK(rehearsal.toJson().find("\"confirmed_by\" : \"--yes\"") != std::string::npos);
    CHECK(Transcript::fromJson(rehearsal.toJson()).confirmedByYes);
    CHECK(json.find("\"error\" : \"the --out ksr.sig exists already\"") != std::string::npos);
    CHECK(sample().steps[0].error.empty());  // and no "error" member for it
    CHECK(Transcript::fromJson(json).steps[0].error.empty());
}

TEST_CASE("transcript: a damaged document is refused, naming the field") {
    CHECK(Transcript::fromJson(changed([](Json::Value&) {})).toJson() == sample().toJson());
    CHECK_THROWS_WITH_AS(Transcript::fromJson(changed([](Json::Value& t) { t["steps"][2]["outcome"] = "skipped"; })),
                         doctest::Contains("steps[2]: \"outcome\" \"skipped\" is not an outcome"), TranscriptError);
    CHECK_THROWS_WITH_AS(Transcript::fromJson(changed([](Json::Value& t) { t["format"] = "quorum-audit"; })),
                         doctest::Contains("\"format\""), TranscriptError);
    CHECK_THROWS_WITH_AS(Transcript::fromJson(changed([](Json::Value& t) { t["confirmed_by"] = "nodded"; })),
                         doctest::Contains("\"confirmed_by\""), TranscriptError);
    CHECK_THROWS_WITH_AS(Transcript::fromJson(changed([](Json::Value& t) { t["steps"][1]["number"] = "2"; })),
                         doctest::Contains("steps[1]: \"number\" is not an integer"), TranscriptError);
    CHECK_THROWS_WITH_AS(Transcript::fromJson(changed([](Json::Value& t) { t.removeMember("last_audit_hash"); })),
                         doctest::Contains("\"last_audit_hash\" is missing"), TranscriptError);
    CHECK_THROWS_AS(Transcript::fromJson("[]"), TranscriptError);
}

TEST_CASE("transcript: the text for people has every step, its screen and its outcome") {
    const std::string text = sample().toText();
    INFO(text);
    CHECK(text.find("CEREMONY TRANSCRIPT: KSK ceremony 2027-Q1, card set A") != std::string::npos);
    CHECK(text.find("Script:   /srv/c/ksk.script") != std::string::npos);
    CHECK(text.find(toHex(crypto::sha256(Bytes{'s'}))) != std::string::npos);
    CHECK(text.find(host::pgpWordLines(crypto::sha256(Bytes{'s'}), std::string(14, ' '))) != std::string::npos);
    CHECK(text.find("Started:  2027-01-12T03:00:00Z (UTC)") != std::string::npos);
    CHECK(text.find("typed at the terminal before it ran") != std::string::npos);
    CHECK(text.find("Step 1 of 3: sign --ceremony /srv/c --manifest /srv/c/set.json --in ksr.xml --out ksr.sig\n"
                    "  started 2027-01-12T03:01:00Z, ended 2027-01-12T03:01:30Z\n  outcome: done\n") !=
          std::string::npos);
    CHECK(text.find("  | Signed: ksr.sig (256 bytes)\n") != std::string::npos);
    CHECK(text.find("Step 2 of 3: sign") != std::string::npos);
    CHECK(text.find("  outcome: failed\n  error: the --out ksr.sig exists already\n") != std::string::npos);
    CHECK(text.find("Step 3 of 3: audit-verify --log /srv/c/audit.log\n  outcome: not run\n") != std::string::npos);
    CHECK(text.find("Outcome:  failed at step 2 of 3") != std::string::npos);
    CHECK(text.find("Last audit log hash shown: " + toHex(kAuditHash)) != std::string::npos);
    CHECK(text.find("Signature:") != std::string::npos);

    Transcript done = sample();
    done.outcome = RunOutcome::Done;
    done.steps.resize(1);
    CHECK(done.toText().find("Outcome:  done (1 of 1 steps done)") != std::string::npos);
    Transcript going = sample();
    going.outcome = RunOutcome::InProgress;
    going.ended.clear();
    CHECK(going.toText().find("Outcome:  in progress: this transcript was written before step 2 ended") !=
          std::string::npos);
    CHECK(going.toText().find("Ended:    (not yet)") != std::string::npos);
    Transcript rehearsal = sample();
    rehearsal.confirmedByYes = true;
    rehearsal.lastAuditHash.clear();
    CHECK(rehearsal.toText().find("with --yes (nobody typed a confirmation)") != std::string::npos);
    CHECK(rehearsal.toText().find("No step showed an audit log hash.") != std::string::npos);
}

TEST_CASE("transcript: what people were asked to compare, and the last audit hash") {
    const std::vector<std::string> lines = host::fingerprintLines(signScreen());
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "its SHA-256: " + toHex(kInputDigest));
    CHECK(lines[1] == "read aloud: " + host::pgpWords(kInputDigest));  // the 4 lines of words as one
    CHECK(lines[2] == "Audit log: last entry SHA-256 " + toHex(kAuditHash));
    CHECK(lines[3] == "read aloud and write down: " + host::pgpWords(kAuditHash));
    CHECK(host::fingerprintLines("Signed: x.sig\nSHA-256 of the message 0123456789ABCDEF...\n").empty());

    CHECK(host::lastAuditHash(signScreen()) == toHex(kAuditHash));
    const std::string verified = "audit.log: 9 entries, chain intact\n  last entry SHA-256: " + toHex(kInputDigest) +
                                 "\n  read aloud: ...\n";
    CHECK(host::lastAuditHash(signScreen() + verified) == toHex(kInputDigest));  // the last one shown
    CHECK(host::lastAuditHash("no audit here\n").empty());
    CHECK(host::lastAuditHash("last entry SHA-256 0123\n").empty());

    const std::string now = host::utcNow();
    CHECK(now.size() == 20);
    CHECK(now.back() == 'Z');
    CHECK(now[10] == 'T');
}
