// A ceremony folder's host key: encrypted under the host passphrase, refused unencrypted, and
// encrypted in place by protectHostKey.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "host/ceremonies/ceremony_files.hpp"
#include "tests/support/processes.hpp"

using namespace quorum;
using quorum::host::CeremonyFiles;
using quorum::test::readFile;
using quorum::test::TempFolder;

namespace {
const std::string kCa = "ca passphrase";
const std::string kHost = "host passphrase";
}  // namespace

TEST_CASE("ceremony files: the host key is written encrypted and opens only with the host passphrase") {
    TempFolder folder;
    const CeremonyFiles files(folder.file("c"));
    const auto ca = files.create("test CA", kCa, "test host", kHost);
    CHECK(readFile(files.hostKeyPath()).rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
    CHECK(files.hostKeyProtected());
    CHECK(files.loadHost(kHost).certificate.publicKey().point() ==
          crypto::Certificate::fromPem(readFile(files.hostCertificatePath())).publicKey().point());
    CHECK_THROWS_AS(files.loadHost("wrong passphrase"), host::WrongPassphraseError);
    CHECK_THROWS_AS(files.loadHost(kCa), host::WrongPassphraseError);

    files.issueHost(ca, "remote", folder.file("remote"), "remote passphrase");
    CHECK(host::isEncryptedKeyPem(readFile(folder.file("remote-key.pem"))));

    CHECK_THROWS_AS(CeremonyFiles(folder.file("same")).create("CA", kCa, "host", kCa), host::UsageError);
    CHECK_FALSE(std::filesystem::exists(folder.file("same")));
    CHECK_THROWS_AS(CeremonyFiles(folder.file("short")).create("CA", kCa, "host", "short"), host::UsageError);
}

TEST_CASE("ceremony files: an unencrypted host key is refused until protectHostKey encrypts it in place") {
    TempFolder folder;
    const CeremonyFiles files(folder.file("c"));
    files.create("test CA", kCa, "test host", kHost);
    const std::string plain = files.loadHost(kHost).key.toPem();
    std::ofstream(files.hostKeyPath(), std::ios::trunc) << plain;  // as ca-create wrote it before
    CHECK_FALSE(files.hostKeyProtected());
    try {
        files.loadHost(kHost);
        FAIL("an unencrypted host key was accepted");
    } catch (const host::UnprotectedHostKeyError& e) {
        CHECK(std::string(e.what()).find("ceremony host-key-protect --ceremony " + files.folder()) != std::string::npos);
    }

    const auto before = std::distance(std::filesystem::directory_iterator(files.folder()), {});
    CHECK(files.protectHostKey("new host passphrase"));
    CHECK(files.hostKeyProtected());
    CHECK(std::distance(std::filesystem::directory_iterator(files.folder()), {}) == before);
    CHECK(readFile(files.hostKeyPath()).find(plain.substr(30, 40)) == std::string::npos);
    struct stat st {};
    REQUIRE(::stat(files.hostKeyPath().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    files.loadHost("new host passphrase");
    CHECK_FALSE(files.protectHostKey("new host passphrase"));  // encrypted already: left alone
}
