// quorum-conformance against cards in a reader: the card model passes every case of the three schemes
// and its recorded vectors (and the ones in tests/vectors/) replay; each seeded fault of the card
// model fails the case named for it. Cards go into readers only through the Room and the harness.
#include <doctest/doctest.h>

#include <json/json.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "host/card/quorum_card.hpp"
#include "tests/system/harness.hpp"
#include "tests/system/room.hpp"

namespace quorum::test {

namespace {

// The id of the card in reader 0, as SELECT shows it.
std::string cardIdInReader0() {
    PcscStack stack(kReader0);
    return toHex(host::QuorumCard(stack.link()).select().cardId);
}

// quorum-conformance on the card in reader 0 with the room's ceremony `ceremony`; `report` gets
// the JSON report.
CommandResult conformance(Room& room, const std::string& ceremony, const std::string& report,
                          const std::string& more) {
    return runCommand(builtProgram("quorum-conformance") + " --reader '" + kReader0 + "' --ceremony " + ceremony +
                      " --passphrase-file " + room.passphraseFile() +
                      " --host-passphrase-file " + room.hostPassphraseFile() + " --json " + report + " " + more);
}

// Each case's outcome in a JSON report ("PASS", "FAIL", "SKIP").
std::map<std::string, std::string> outcomes(const std::string& reportPath) {
    Json::Value root;
    std::istringstream in(readFile(reportPath));
    REQUIRE(Json::parseFromStream(Json::CharReaderBuilder(), in, &root, nullptr));
    std::map<std::string, std::string> out;
    for (const auto& c : root["cases"]) out[c["id"].asString()] = c["outcome"].asString();
    return out;
}

std::set<std::string> withOutcome(const std::map<std::string, std::string>& all, const std::string& outcome) {
    std::set<std::string> out;
    for (const auto& [id, o] : all)
        if (o == outcome) out.insert(id);
    return out;
}

// A fresh BLANK card `name` in reader 0 runs every case (destructive ones too) of `scheme`.
std::map<std::string, std::string> runAll(Room& room, const std::string& ceremony, const std::string& name,
                                          const std::string& scheme, const std::string& more = "") {
    room.insert(name);
    const std::string report = room.file(name + "-report.json");
    const auto run = conformance(room, ceremony, report,
                                 "--scheme " + scheme + " --allow-destructive --test-card " + cardIdInReader0() + " " + more);
    INFO(run.output);
    CHECK(run.exitCode == 0);
    CHECK(run.output.find("0 failed") != std::string::npos);
    room.pull(name);
    return outcomes(report);
}

}  // namespace

TEST_CASE("conformance: the card model passes every case of the three schemes, and the vectors it records replay") {
    Room room;
    const std::string ceremony = room.createCeremony("conformance");
    std::map<std::string, std::map<std::string, std::string>> runs;

    runs["shamir"] = runAll(room, ceremony, "shamir-card", "shamir", "--record " + room.file("vectors-shamir"));
    CHECK(withOutcome(runs["shamir"], "FAIL").empty());
    // Only the other schemes' cases do not run (a card holds one kind of share, taken one way),
    // and RETIRE: a card ends only once, here by its PUK.
    CHECK(withOutcome(runs["shamir"], "SKIP") ==
          std::set<std::string>{"partial-sign.single", "partial-sign.batch", "shares.reshare-in", "lifecycle.retire"});
    CHECK(runs["shamir"].size() > 40);

    runs["shoup"] = runAll(room, ceremony, "shoup-card", "shoup", "--record " + room.file("vectors-shoup"));
    CHECK(withOutcome(runs["shoup"], "FAIL").empty());
    CHECK(withOutcome(runs["shoup"], "SKIP") ==
          std::set<std::string>{"shares.get-share", "shares.reshare-in", "lifecycle.retire"});

    // A share from RESHARE IN, then every Feldman case on it; the card ends RETIRED.
    runs["reshare"] = runAll(room, ceremony, "reshare-card", "reshare", "--retire --record " + room.file("vectors-reshare"));
    CHECK(withOutcome(runs["reshare"], "FAIL").empty());
    CHECK(withOutcome(runs["reshare"], "SKIP") ==
          std::set<std::string>{"shares.store", "partial-sign.single", "partial-sign.batch", "puk.terminated"});

    // The recorded vectors replay against other blank cards, with another card id and key.
    for (const std::string scheme : {"shamir", "shoup", "reshare"}) {
        const std::string folder = room.file("vectors-" + scheme);
        REQUIRE(std::filesystem::exists(folder + "/test-values.json"));
        const auto replayed = runAll(room, ceremony, "replay-" + scheme, scheme, "--replay " + folder);
        CHECK(withOutcome(replayed, "PASS").size() == withOutcome(runs[scheme], "PASS").size());
        CHECK(withOutcome(replayed, "FAIL").empty());
    }
}

TEST_CASE("conformance: the vectors in tests/vectors replay against the card model, made by another ceremony") {
    Room room;
    const std::string ceremony = room.createCeremony("other-ceremony");
    for (const std::string scheme : {"shamir", "shoup", "reshare"}) {
        const auto replayed = runAll(room, ceremony, "card-" + scheme, scheme,
                                     std::string("--replay ") + QUORUM_SOURCE_DIR + "/tests/vectors/conformance-" + scheme);
        CHECK(withOutcome(replayed, "FAIL").empty());
        CHECK(withOutcome(replayed, "SKIP").empty());
        CHECK(replayed.size() > 30);
    }
}

TEST_CASE("conformance: a vector whose pattern the card does not meet fails its case") {
    Room room;
    const std::string ceremony = room.createCeremony("tampered-vectors");
    const std::string folder = room.file("vectors");
    std::filesystem::copy(std::string(QUORUM_SOURCE_DIR) + "/tests/vectors/conformance-shamir", folder);
    // The FCI's format version byte, C0 01 01, as if the card had to answer version 2.
    const std::string select = folder + "/001-select.fci.json";
    std::string text = readFile(select);
    const auto at = text.find("C0 01 01");
    REQUIRE(at != std::string::npos);
    text.replace(at, 8, "C0 01 02");
    std::filesystem::remove(select);
    std::ofstream(select) << text;
    room.insert("card");
    const std::string report = room.file("report.json");
    const auto run = conformance(room, ceremony, report,
                                 "--replay " + folder + " --allow-destructive --test-card " + cardIdInReader0());
    INFO(run.output);
    CHECK(run.exitCode == 1);
    CHECK(outcomes(report).at("select.fci") == "FAIL");
}

TEST_CASE("conformance: destructive cases need the card named as a test card") {
    Room room;
    const std::string ceremony = room.createCeremony("careful");
    room.insert("card");
    const auto unnamed = conformance(room, ceremony, room.file("r1.json"), "--allow-destructive");
    CHECK(unnamed.exitCode == 2);
    CHECK(unnamed.output.find("--test-card CARDID") != std::string::npos);
    const auto other = conformance(room, ceremony, room.file("r2.json"),
                                   "--allow-destructive --test-card 00112233445566778899AABBCCDDEEFF");
    CHECK(other.exitCode == 2);
    CHECK(other.output.find("names another card") != std::string::npos);
    // Nothing ran: the card is still BLANK and takes a whole run.
    const auto run = conformance(room, ceremony, room.file("r3.json"), "");
    INFO(run.output);
    CHECK(run.exitCode == 0);
    const auto result = outcomes(room.file("r3.json"));
    CHECK(result.at("pin.blocked") == "SKIP");
    CHECK(result.at("pin.try-counter") == "PASS");
}

TEST_CASE("conformance: each seeded fault of the card model fails the case named for it") {
    // fault -> the case that must catch it, and the scheme of the run (the real card model passes
    // each of these, above)
    const std::map<std::string, std::pair<std::string, std::string>> expected{
        {"pin-compared-first", {"pin.try-counter", "shamir"}},
        {"no-response-mac", {"scp11a.response-mac", "shamir"}},
        {"replay-accepted", {"scp11a.replay", "shamir"}},
        {"pending-response-kept", {"iso.pending-discarded", "shamir"}},
        {"usage-counter-not-stored", {"shares.get-share", "shamir"}},
        {"reshare-out-uncounted", {"reshare.out", "shamir"}},
        {"reshare-in-replaces-used", {"reshare.in-refused", "reshare"}},
    };
    Room room;
    const std::string ceremony = room.createCeremony("faults");
    for (const auto& [faultName, catcher] : expected) {
        const std::string fault = faultName;  // a copy: a structured binding cannot be captured (C++17)
        const std::string& caseId = catcher.first;
        CAPTURE(fault);
        const std::string report = room.file(fault + "-report.json");
        CommandResult run;
        {
            FaultyCard card(fault, room.image(fault), room.file(fault + ".log"));
            run = conformance(room, ceremony, report, "--scheme " + catcher.second);
        }
        INFO(run.output);
        CHECK(run.exitCode == 1);
        const auto result = outcomes(report);
        CHECK(result.at(caseId) == "FAIL");
        CHECK(run.output.find("FAIL  " + caseId) != std::string::npos);
    }
}

}  // namespace quorum::test
