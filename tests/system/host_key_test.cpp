// This host's key at rest: written encrypted under a host passphrase of its own, opened before the
// first card, and an old unencrypted one refused until host-key-protect encrypts it in place.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "tests/system/room.hpp"

using namespace quorum::test;

namespace {

bool has(const CommandResult& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

bool startsWith(const std::string& text, const std::string& start) { return text.rfind(start, 0) == 0; }

constexpr const char* kEncryptedKey = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

// `openssl pkey` opening KEY with `passin` (pass:TEXT, file:PATH): whether it read.
bool opensslOpens(const std::string& key, const std::string& passin) {
    return runCommand("openssl pkey -noout -in " + key + " -passin " + passin + " 2>&1").exitCode == 0;
}

// The names of the files in `folder`.
std::set<std::string> namesIn(const std::string& folder) {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) names.insert(entry.path().filename().string());
    return names;
}

}  // namespace

TEST_CASE("host key: ca-create and host-issue write it encrypted under the host passphrase, never the CA's") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string key = dir + "/host-key.pem";
    CHECK(startsWith(readFile(key), kEncryptedKey));
    CHECK_FALSE(opensslOpens(key, "pass:WRONG"));
    CHECK_FALSE(opensslOpens(key, "file:" + room.passphraseFile()));  // not the CA's
    CHECK(opensslOpens(key, "file:" + room.hostPassphraseFile()));

    const std::string remotePassphrase = room.secrets("remote-passphrase", {"remote site passphrase"});
    const auto issued = room.ceremony("host-issue --ceremony " + dir + " --name remote --out " + room.file("remote") +
                                      " --passphrase-file " + room.passphraseFile() + " --host-passphrase-file " +
                                      remotePassphrase);
    INFO(issued.output);
    REQUIRE(issued.exitCode == 0);
    const std::string remoteKey = room.file("remote-key.pem");
    CHECK(startsWith(readFile(remoteKey), kEncryptedKey));
    CHECK_FALSE(opensslOpens(remoteKey, "pass:WRONG"));
    CHECK(opensslOpens(remoteKey, "file:" + remotePassphrase));

    // One passphrase for both keys is refused, before anything is written.
    const auto same = room.ceremony("ca-create --ceremony " + room.file("d") + " --passphrase-file " +
                                    room.passphraseFile() + " --host-passphrase-file " + room.passphraseFile());
    CHECK(same.exitCode == 1);
    CHECK(has(same, "the host key passphrase is the CA key passphrase: choose another one"));
    CHECK_FALSE(std::filesystem::exists(room.file("d")));
}

TEST_CASE("host key: a wrong host passphrase stops sign before any card is asked for") {
    Room room;
    const CardSet set = makeCardSet(room, "s", 2, 2);
    const std::string auditBefore = readFile(set.ceremonyDir + "/audit.log");
    room.insertTogether(set.card(1), set.card(2));
    const std::string logBefore = room.cardLog(set.card(1));
    const std::string wrong = room.secrets("wrong-host-passphrase", {"not the host passphrase"});
    const auto refused =
        room.unattended("sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --in " +
                        set.manifest + " --out " + room.file("sig") + " --pin-file " +
                        room.secrets("pins", {CardSet::pin(1), CardSet::pin(2)}) + " --host-passphrase-file " + wrong +
                        " --card-timeout 5");
    INFO(refused.output);
    CHECK(refused.exitCode == 1);
    CHECK(has(refused, set.ceremonyDir + "/host-key.pem: the host passphrase does not open this host's key"));
    CHECK_FALSE(has(refused, "Insert"));
    CHECK(room.cardLog(set.card(1)) == logBefore);  // no card was spoken to
    CHECK(readFile(set.ceremonyDir + "/audit.log") == auditBefore);
    CHECK_FALSE(std::filesystem::exists(room.file("sig")));
}

TEST_CASE("host key: an old unencrypted one is refused, naming host-key-protect, which encrypts it in place") {
    Room room;
    const CardSet set = makeCardSet(room, "old", 1, 1);
    const std::string dir = set.ceremonyDir;
    const std::string key = dir + "/host-key.pem";
    // The folder as a ceremony made before host keys were encrypted left it.
    REQUIRE(runCommand("openssl pkey -in " + key + " -passin file:" + room.hostPassphraseFile() + " -out " +
                       room.file("plain.pem") + " && mv " + room.file("plain.pem") + " " + key + " && chmod 600 " + key)
                .exitCode == 0);
    const std::string plaintext = readFile(key);
    REQUIRE(startsWith(plaintext, "-----BEGIN PRIVATE KEY-----"));

    room.insert(set.card(1));
    const std::string status = "pin status --ceremony " + dir + " --wait 5 --host-passphrase-file ";
    const auto refused = room.unattended(status + room.hostPassphraseFile());
    INFO(refused.output);
    CHECK(refused.exitCode == 1);
    CHECK(has(refused, "the host key " + key + " is not encrypted"));
    CHECK(has(refused, "ceremony host-key-protect --ceremony " + dir));

    const std::set<std::string> filesBefore = namesIn(dir);
    const std::string fresh = room.secrets("fresh-host-passphrase", {"a fresh host passphrase"});
    const auto protect = room.unattended("host-key-protect --ceremony " + dir + " --host-passphrase-file " + fresh);
    INFO(protect.output);
    REQUIRE(protect.exitCode == 0);
    CHECK(startsWith(readFile(key), kEncryptedKey));
    CHECK(opensslOpens(key, "file:" + fresh));
    CHECK(namesIn(dir) == filesBefore);  // no temporary or backup left beside it
    for (const auto& name : namesIn(dir)) {
        const std::string path = dir + "/" + name;
        if (!std::filesystem::is_regular_file(path)) continue;
        const std::string content = readFile(path);
        CHECK_MESSAGE(content.find("-----BEGIN PRIVATE KEY-----") == std::string::npos, path);
        CHECK_MESSAGE(content.find(plaintext.substr(28, 40)) == std::string::npos, path);
    }
    CHECK(readFile(dir + "/audit.log").find("\"host-key-protected\"") != std::string::npos);

    // Usable again with the new passphrase; a second run has nothing to do.
    const auto opened = room.unattended(status + fresh);
    INFO(opened.output);
    CHECK(opened.exitCode == 0);
    CHECK(has(opened, "PIN:"));
    const auto again = room.unattended("host-key-protect --ceremony " + dir + " --host-passphrase-file " + fresh);
    CHECK(again.exitCode == 0);
    CHECK(has(again, "is encrypted already: nothing to do"));
}
