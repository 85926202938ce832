// The `ceremony` program as key holders and scripts use it, through real pcscd + card-sim.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "tests/system/room.hpp"

using namespace quorum::test;

namespace {

// Runs `ceremony ARGS` with the secrets piped to --pin-fd 0; returns exit code and output.
CommandResult ceremony(const std::string& args, const std::string& secrets = "") {
    const std::string program = builtProgram("ceremony");
    if (secrets.empty()) return runCommand(program + " " + args + " </dev/null");
    return runCommand("printf '" + secrets + "' | " + program + " " + args + " --pin-fd 0");
}

// The same for a command that opens the room's host key: with the room's host passphrase.
CommandResult ceremony(const Room& room, const std::string& args, const std::string& secrets = "") {
    return ceremony(room.withHostPassphrase(args), secrets);
}

bool has(const CommandResult& r, const std::string& text) {
    return r.output.find(text) != std::string::npos;
}

// What `ceremony probe` says the card's lifecycle is ("BLANK", ...), or its whole output.
std::string lifecycle() {
    auto probe = ceremony("probe");
    const auto at = probe.output.find("lifecycle: ");
    if (at == std::string::npos) return probe.output;
    return probe.output.substr(at + 11, probe.output.find('\n', at) - at - 11);
}

}  // namespace

TEST_CASE("ceremony readers and probe show the reader, the ATR and the SELECT answer") {
    Room room;
    auto empty = ceremony("readers");
    CHECK(empty.exitCode == 0);
    CHECK(has(empty, "0: Virtual PCD 00 00\n   no card"));
    CHECK(ceremony("probe").exitCode == 1);  // no card anywhere

    room.insert("card");
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
    Room room;
    room.insert("card");

    // The ceremony: its CA (key under a passphrase from a private file) and this host.
    const std::string dir = room.createCeremony("ceremony");
    const std::string issue = "issue-card --ceremony " + dir + " --index 1 --passphrase-file " + room.passphraseFile();

    // The issuer personalizes from a private file; a file others can read is refused.
    const std::string pinFile = room.secrets("issuer-secrets", {"123456", "12345678"}, 0644);
    auto refused = ceremony(room, issue + " --pin-file " + pinFile);
    CHECK(refused.exitCode == 1);
    CHECK(has(refused, "readable by others"));
    CHECK(lifecycle() == "BLANK");                              // nothing was written to the card
    ::chmod(pinFile.c_str(), 0600);
    auto issued = ceremony(room, issue + " --pin-file " + pinFile);
    INFO(issued.output);
    CHECK(issued.exitCode == 0);
    CHECK(has(issued, "stored as card 1 of set "));
    CHECK(has(issued, "card 1 personalized over SCP11a"));
    CHECK(has(issued, "the holder must change the transport PIN first"));
    CHECK(lifecycle() == "PERSONALIZED");

    const std::string pin = "pin --ceremony " + dir + " ";
    auto pending = ceremony(room, pin + "status");
    CHECK(pending.exitCode == 0);
    CHECK(has(pending, "PERSONALIZED"));
    CHECK(has(pending, "PIN: 3 tries left"));
    CHECK(has(pending, "must be changed"));

    auto changed = ceremony(room, pin + "change", "123456\\n87654321\\n");
    CHECK(changed.exitCode == 0);
    CHECK(has(changed, "PIN changed."));
    CHECK(has(ceremony(room, pin + "status"), "OPERATIONAL"));

    auto wrong = ceremony(room, pin + "verify", "000000\\n");
    CHECK(wrong.exitCode == 1);
    CHECK(has(wrong, "PIN: wrong, 2 tries left"));
    CHECK(has(ceremony(room, pin + "status"), "PIN: 2 of 3 tries left"));
    CHECK(ceremony(room, pin + "verify", "87654321\\n").exitCode == 0);  // and the counter is full again
    CHECK(has(ceremony(room, pin + "status"), "PIN: 3 of 3 tries left"));

    for (int i = 0; i < 2; ++i) ceremony(room, pin + "verify", "000000\\n");
    // The last try: without a terminal to confirm it, nothing is sent unless --yes says so.
    auto unconfirmed = ceremony(room, pin + "verify", "000000\\n");
    CHECK(unconfirmed.exitCode == 1);
    CHECK(has(unconfirmed, "has one PIN try left"));
    CHECK(has(ceremony(room, pin + "status"), "PIN: 1 of 3 tries left"));
    auto last = ceremony(room, pin + "verify --yes", "000000\\n");
    CHECK(has(last, "the PIN is now blocked"));
    auto blocked = ceremony(room, pin + "verify", "87654321\\n");
    CHECK(blocked.exitCode == 1);
    CHECK(has(blocked, "the PIN is blocked; unblock it with the PUK"));
    CHECK(has(ceremony(room, pin + "status"), "BLOCKED"));

    auto unblocked = ceremony(room, pin + "unblock", "12345678\\n111111\\n");
    CHECK(unblocked.exitCode == 0);
    CHECK(ceremony(room, pin + "verify", "111111\\n").exitCode == 0);

    // No terminal and no --pin-fd/--pin-file: a clear error instead of a hang.
    auto noTerminal = runCommand("setsid " + builtProgram("ceremony") + " " + room.withHostPassphrase(pin + "verify") +
                                 " </dev/null");
    CHECK(noTerminal.exitCode == 1);
    CHECK(has(noTerminal, "no terminal to ask for a PIN"));
}

TEST_CASE("ceremony: a card issued by another ceremony is refused, with the reason") {
    Room room;
    room.insert("card");
    const std::string passphrase = room.passphraseFile();
    const std::string dirA = room.createCeremony("ceremony-a");
    const std::string dirB = room.createCeremony("ceremony-b");
    const std::string pinFile = room.secrets("issuer-secrets", {"123456", "12345678"});
    auto issued = ceremony(room, "issue-card --ceremony " + dirA + " --index 1 --pin-file " + pinFile +
                           " --passphrase-file " + passphrase);
    INFO(issued.output);
    REQUIRE(issued.exitCode == 0);

    // A freshly issued card (PERSONALIZED, PIN change pending).
    auto status = ceremony(room, "pin status --ceremony " + dirB);
    INFO(status.output);
    CHECK(status.exitCode == 1);
    CHECK(has(status, "error: this card is not one of this ceremony's"));
    CHECK(has(status, "not issued by this ceremony's CA"));
    auto change = ceremony(room, "pin change --ceremony " + dirB, "123456\\n87654321\\n");
    CHECK(change.exitCode == 1);
    CHECK(has(change, "not issued by this ceremony's CA"));
    CHECK(has(ceremony(room, "pin status --ceremony " + dirA), "PIN: 3 tries left"));  // no try spent

    // The same card, taken over by its holder (OPERATIONAL): anything that needs a session is
    // refused too (for `pin status` on such a card, see the next test case).
    REQUIRE(ceremony(room, "pin change --ceremony " + dirA, "123456\\n87654321\\n").exitCode == 0);
    auto verify = ceremony(room, "pin verify --ceremony " + dirB, "87654321\\n");
    INFO(verify.output);
    CHECK(verify.exitCode == 1);
    CHECK(has(verify, "not issued by this ceremony's CA"));
    auto unblock = ceremony(room, "pin unblock --ceremony " + dirB, "12345678\\n111111\\n");
    CHECK(unblock.exitCode == 1);
    CHECK(has(unblock, "not issued by this ceremony's CA"));
    CHECK(has(ceremony(room, "pin status --ceremony " + dirA), "PIN: 3 of 3 tries left"));  // no try spent
    CHECK(has(ceremony(room, "pin status --ceremony " + dirA), "PUK: 3 of 3 tries left"));

    // Ceremony B cannot issue it again either: it is not BLANK.
    auto reissue = ceremony(room, "issue-card --ceremony " + dirB + " --index 2 --pin-file " + pinFile +
                            " --passphrase-file " + passphrase);
    CHECK(reissue.exitCode == 1);
    CHECK(has(reissue, "only a BLANK card can be issued"));
}

TEST_CASE("ceremony: issue-card with a wrong CA passphrase fails clearly and leaves the card BLANK") {
    Room room;
    room.insert("card");
    const std::string dir = room.createCeremony("ceremony");
    const std::string pinFile = room.secrets("issuer-secrets", {"123456", "12345678"});
    const std::string wrongPassphrase = room.secrets("wrong-passphrase", {"incorrect horse battery"});

    auto failed = ceremony(room, "issue-card --ceremony " + dir + " --index 1 --pin-file " + pinFile +
                           " --passphrase-file " + wrongPassphrase);
    INFO(failed.output);
    CHECK(failed.exitCode == 1);
    CHECK(has(failed, "error: " + dir + "/ca-key.pem: cannot decrypt the CA key: wrong passphrase?"));
    CHECK(lifecycle() == "BLANK");

    // Nothing reached the card: it takes its identity (the CA key is "once only") from the
    // right passphrase now.
    auto issued = ceremony(room, "issue-card --ceremony " + dir + " --index 1 --pin-file " + pinFile +
                           " --passphrase-file " + room.passphraseFile());
    INFO(issued.output);
    CHECK(issued.exitCode == 0);
    CHECK(lifecycle() == "PERSONALIZED");
}

// `pin status` authenticates the card before showing anything, whatever its state.
TEST_CASE("ceremony: pin status refuses an OPERATIONAL card of another ceremony") {
    Room room;
    room.insert("card");
    const std::string dirA = room.createCeremony("ceremony-a");
    const std::string dirB = room.createCeremony("ceremony-b");
    const std::string pinFile = room.secrets("issuer-secrets", {"123456", "12345678"});
    REQUIRE(ceremony(room, "issue-card --ceremony " + dirA + " --index 1 --pin-file " + pinFile +
                     " --passphrase-file " + room.passphraseFile()).exitCode == 0);
    REQUIRE(ceremony(room, "pin change --ceremony " + dirA, "123456\\n87654321\\n").exitCode == 0);
    REQUIRE(lifecycle() == "OPERATIONAL");

    auto status = ceremony(room, "pin status --ceremony " + dirB);
    INFO(status.output);
    CHECK(status.exitCode == 1);
    CHECK(has(status, "not issued by this ceremony's CA"));
}

TEST_CASE("ceremony: keygen refuses what it cannot do before anybody types a secret") {
    Room room;
    const std::string keygen = "setsid " + builtProgram("ceremony") + " keygen --ceremony " + room.file("c") +
                               " --manifest " + room.file("set.json") + " ";
    // No terminal, no PIN or passphrase file: had it asked, the error would be about the terminal.
    auto p256 = runCommand(keygen + "--scheme shoup --key-type p256 </dev/null");
    CHECK(p256.exitCode == 1);
    CHECK(has(p256, "the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096"));
    auto seventeen = runCommand(keygen + "--scheme shoup -k 3 -n 17 </dev/null");
    CHECK(has(seventeen, "allows at most 16 cards (n = 17)"));
    auto kAboveN = runCommand(keygen + "-k 4 -n 3 </dev/null");
    CHECK(has(kAboveN, "-k 4 -n 3: need 1 <= k <= n"));
    std::ofstream(room.file("set.json")) << "{}";
    auto existing = runCommand(keygen + "</dev/null");
    CHECK(has(existing, "set.json exists already"));
    // A passphrase file others can read is named as such.
    const std::string open = room.secrets("open-passphrase", {"x"}, 0644);
    auto readable = room.ceremony("ca-create --ceremony " + room.file("d") + " --passphrase-file " + open);
    CHECK(has(readable, "passphrase file " + open + " is readable by others"));
}
