// The `ceremony` program as key holders and scripts use it, through real pcscd + card-sim.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "tests/system/harness.hpp"

using namespace quorum::test;

namespace {

// Runs `ceremony ARGS` with the secrets piped to --pin-fd 0; returns exit code and output.
CommandResult ceremony(const std::string& args, const std::string& secrets = "") {
    const std::string program = builtProgram("ceremony");
    if (secrets.empty()) return runCommand(program + " " + args + " </dev/null");
    return runCommand("printf '" + secrets + "' | " + program + " " + args + " --pin-fd 0");
}

bool has(const CommandResult& r, const std::string& text) {
    return r.output.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("ceremony readers and probe show the reader, the ATR and the SELECT answer") {
    TempFolder folder;
    PrivatePcscd pcscd(folder);
    auto empty = ceremony("readers");
    CHECK(empty.exitCode == 0);
    CHECK(has(empty, "0: Virtual PCD 00 00\n   no card"));
    CHECK(ceremony("probe").exitCode == 1);  // no card anywhere

    CardSim sim(folder.file("card.json"), folder.file("card-sim.log"));
    waitForCard(kReader0, true);
    auto listed = ceremony("readers");
    INFO(listed.output);
    CHECK(has(listed, "card present, ATR 3B 8F 80 01 80 56 51 55 4F 52 55 4D 73 80 00 C0 82 90 00 F8"));
    auto probe = ceremony("probe");
    INFO(probe.output);
    CHECK(probe.exitCode == 0);
    CHECK(has(probe, "answer: 6F 27 84 0B F0 51 55 4F 52 55 4D 43 41 52 44"));
    CHECK(has(probe, "lifecycle: BLANK"));
}

TEST_CASE("a key holder's PIN life through the ceremony program") {
    TempFolder folder;
    PrivatePcscd pcscd(folder);
    CardSim sim(folder.file("card.json"), folder.file("card-sim.log"));
    waitForCard(kReader0, true);

    // The issuer personalizes from a private file; a file others can read is refused.
    const std::string pinFile = folder.file("issuer-secrets");
    std::ofstream(pinFile) << "123456\n12345678\n";
    ::chmod(pinFile.c_str(), 0644);
    auto refused = ceremony("personalize --pin-file " + pinFile);
    CHECK(refused.exitCode == 1);
    CHECK(has(refused, "readable by others"));
    ::chmod(pinFile.c_str(), 0600);
    auto issued = ceremony("personalize --pin-file " + pinFile);
    INFO(issued.output);
    CHECK(issued.exitCode == 0);
    CHECK(has(issued, "the holder must change the transport PIN first"));

    auto pending = ceremony("pin status");
    CHECK(has(pending, "PERSONALIZED"));
    CHECK(has(pending, "PIN: 3 tries left"));
    CHECK(has(pending, "must be changed"));

    auto changed = ceremony("pin change", "123456\\n87654321\\n");
    CHECK(changed.exitCode == 0);
    CHECK(has(changed, "PIN changed."));
    CHECK(has(ceremony("pin status"), "OPERATIONAL"));

    auto wrong = ceremony("pin verify", "000000\\n");
    CHECK(wrong.exitCode == 1);
    CHECK(has(wrong, "PIN: wrong, 2 tries left"));
    CHECK(ceremony("pin verify", "87654321\\n").exitCode == 0);  // and the counter is full again
    CHECK(has(ceremony("pin status"), "PIN: 3 of 3 tries left"));

    for (int i = 0; i < 2; ++i) ceremony("pin verify", "000000\\n");
    auto last = ceremony("pin verify", "000000\\n");
    CHECK(has(last, "the PIN is now blocked"));
    auto blocked = ceremony("pin verify", "87654321\\n");
    CHECK(blocked.exitCode == 1);
    CHECK(has(blocked, "the PIN is blocked; unblock it with the PUK"));
    CHECK(has(ceremony("pin status"), "BLOCKED"));

    auto unblocked = ceremony("pin unblock", "12345678\\n111111\\n");
    CHECK(unblocked.exitCode == 0);
    CHECK(ceremony("pin verify", "111111\\n").exitCode == 0);

    // No terminal and no --pin-fd/--pin-file: a clear error instead of a hang.
    auto noTerminal = runCommand("setsid " + builtProgram("ceremony") + " pin verify </dev/null");
    CHECK(noTerminal.exitCode == 1);
    CHECK(has(noTerminal, "no terminal to ask for a PIN"));
}
