#include "host/ceremonies/ceremony_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include <openssl/crypto.h>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"

namespace quorum::host {

namespace {

// Every file of a ceremony's folder is its owner's only.
constexpr mode_t kPrivate = 0600;

constexpr std::size_t kShortestPassphrase = 8;

// The host key is the one thing besides the cards that opens SCP11a sessions: as much a secret
// as the CA key, but a different one, so holding one passphrase never gives both keys.
void requireHostPassphrase(const std::string& hostPassphrase) {
    if (hostPassphrase.size() < kShortestPassphrase)
        throw UsageError("the host key passphrase must have at least 8 characters");
}

}  // namespace

void CeremonyFiles::requireHostPair(const crypto::EcPrivateKey& key, const crypto::Certificate& certificate) const {
    if (key.publicKey().point() != certificate.publicKey().point())
        throw FatalError("host key " + hostKeyPath() + " does not belong to certificate " + hostCertificatePath());
}

bool isEncryptedKeyPem(const std::string& pem) {
    return pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos;
}

void requireCeremonyPassphrases(const std::string& caPassphrase, const std::string& hostPassphrase) {
    if (caPassphrase.size() < kShortestPassphrase)
        throw UsageError("the CA key passphrase must have at least 8 characters");
    requireHostPassphrase(hostPassphrase);
    if (caPassphrase.size() == hostPassphrase.size() &&
        CRYPTO_memcmp(caPassphrase.data(), hostPassphrase.data(), caPassphrase.size()) == 0)
        throw UsageError("the host key passphrase is the CA key passphrase: choose another one, so that whoever "
                         "runs ceremonies on this host does not hold the CA key too");
}

crypto::CeremonyCa CeremonyFiles::create(const std::string& caName, const std::string& caPassphrase,
                                         const std::string& hostName, const std::string& hostPassphrase) const {
    requireCeremonyPassphrases(caPassphrase, hostPassphrase);
    makeFolder();
    refuseExistingCeremony();
    auto ca = crypto::CeremonyCa::create(caName, crypto::randomBytes(crypto::kCardSetIdSize));
    std::string keyPem = ca.key().toPem(caPassphrase);
    std::vector<std::string> written;  // removed again when a later file cannot be written
    try {
        writeNewFile(caKeyPath(), keyPem, kPrivate, "CA key");
        written.push_back(caKeyPath());
        secureZero(keyPem.data(), keyPem.size());
        writeNewFile(caCertificatePath(), ca.certificate().pem(), kPrivate, "CA certificate");
        written.push_back(caCertificatePath());
        issueHost(ca, hostName, folder_ + "/host", hostPassphrase);  // both host files or neither
    } catch (...) {
        secureZero(keyPem.data(), keyPem.size());
        removeQuietly(written);
        throw;
    }
    return ca;
}

void CeremonyFiles::refuseExistingCeremony() const {
    for (const auto& [path, what] : {std::pair{caKeyPath(), "CA key"}, std::pair{caCertificatePath(), "CA certificate"},
                                     std::pair{hostKeyPath(), "host key"},
                                     std::pair{hostCertificatePath(), "host certificate"}}) {
        std::error_code error;
        if (std::filesystem::symlink_status(path, error).type() != std::filesystem::file_type::not_found)
            throw UsageError(std::string("the ") + what + " " + path + " exists: " + folder_ +
                             " holds a ceremony already; choose a new folder for a new ceremony");
    }
}

void CeremonyFiles::makeFolder() const {
    if (::mkdir(folder_.c_str(), 0700) != 0 && errno != EEXIST)
        throw FileError("cannot create " + folder_ + ": " + std::strerror(errno));
}

void CeremonyFiles::removeCreated() const {
    removeQuietly({caKeyPath(), caCertificatePath(), hostKeyPath(), hostCertificatePath()});
}

crypto::Certificate CeremonyFiles::issueHost(const crypto::CeremonyCa& ca, const std::string& name,
                                             const std::string& prefix, const std::string& hostPassphrase) const {
    requireHostPassphrase(hostPassphrase);
    const auto key = crypto::EcPrivateKey::generate();
    const auto certificate = ca.issueHost(key.publicKey(), name);
    std::string keyPem = key.toPem(hostPassphrase);
    writeNewFile(prefix + "-key.pem", keyPem, kPrivate, "host key");
    secureZero(keyPem.data(), keyPem.size());
    try {
        writeNewFile(prefix + ".pem", certificate.pem(), kPrivate, "host certificate");
    } catch (...) {
        removeQuietly({prefix + "-key.pem"});
        throw;
    }
    return certificate;
}

crypto::Certificate CeremonyFiles::caCertificate() const {
    return crypto::Certificate::fromPem(readWholeFile(caCertificatePath(), "CA certificate"));
}

crypto::CeremonyCa CeremonyFiles::loadCa(const std::string& passphrase) const {
    const std::string certificatePem = readWholeFile(caCertificatePath(), "CA certificate");
    std::string keyPem = readWholeFile(caKeyPath(), "CA key");
    try {
        auto ca = crypto::CeremonyCa::load(certificatePem, keyPem, passphrase);
        secureZero(keyPem.data(), keyPem.size());
        return ca;
    } catch (const std::exception& e) {
        secureZero(keyPem.data(), keyPem.size());
        throw WrongPassphraseError(caKeyPath() + ": " + e.what());
    }
}

HostCredentials CeremonyFiles::loadHost(const std::string& passphrase) const {
    auto certificate = crypto::Certificate::fromPem(readWholeFile(hostCertificatePath(), "host certificate"));
    std::string pem = readWholeFile(hostKeyPath(), "host key");
    if (!isEncryptedKeyPem(pem)) {
        secureZero(pem.data(), pem.size());
        throw UnprotectedHostKeyError("the host key " + hostKeyPath() +
                                      " is not encrypted (it was written before host keys were): encrypt it under a "
                                      "host passphrase first with `ceremony host-key-protect --ceremony " + folder_ +
                                      "`, then run this command again");
    }
    std::optional<crypto::EcPrivateKey> key;
    try {
        key.emplace(crypto::EcPrivateKey::fromPem(pem, passphrase));
    } catch (const std::exception&) {
        secureZero(pem.data(), pem.size());
        throw WrongPassphraseError(hostKeyPath() +
                                   ": the host passphrase does not open this host's key (a wrong passphrase, or a "
                                   "damaged file); nothing was done");
    }
    secureZero(pem.data(), pem.size());
    requireHostPair(*key, certificate);
    return {std::move(*key), std::move(certificate)};
}

bool CeremonyFiles::hostKeyProtected() const {
    std::string pem = readWholeFile(hostKeyPath(), "host key");
    const bool encrypted = isEncryptedKeyPem(pem);
    secureZero(pem.data(), pem.size());
    return encrypted;
}

bool CeremonyFiles::protectHostKey(const std::string& passphrase) const {
    std::string pem = readWholeFile(hostKeyPath(), "host key");
    if (isEncryptedKeyPem(pem)) {
        secureZero(pem.data(), pem.size());
        return false;
    }
    requireHostPassphrase(passphrase);
    const auto certificate = crypto::Certificate::fromPem(readWholeFile(hostCertificatePath(), "host certificate"));
    std::optional<crypto::EcPrivateKey> key;
    try {
        key.emplace(crypto::EcPrivateKey::fromPem(pem, ""));
    } catch (const std::exception& e) {
        secureZero(pem.data(), pem.size());
        throw FatalError("the host key " + hostKeyPath() + " does not read: " + e.what());
    }
    secureZero(pem.data(), pem.size());
    requireHostPair(*key, certificate);
    std::string encrypted = key->toPem(passphrase);
    // The plaintext file stays open while the encrypted one is renamed over it, then its bytes are
    // overwritten with zeros: no PATH.tmp, backup or readable old content of the key in clear remains.
    const int old = ::open(hostKeyPath().c_str(), O_WRONLY | O_CLOEXEC);
    if (old < 0) throw FileError("cannot open host key " + hostKeyPath() + ": " + std::strerror(errno));
    struct stat st {};
    const bool sized = ::fstat(old, &st) == 0;
    try {
        replaceFile(hostKeyPath(), encrypted, kPrivate, "host key");
    } catch (...) {
        ::close(old);
        secureZero(encrypted.data(), encrypted.size());
        throw;
    }
    secureZero(encrypted.data(), encrypted.size());
    if (sized) {
        const std::string zeros(static_cast<std::size_t>(st.st_size), '\0');
        [[maybe_unused]] const ssize_t n = ::pwrite(old, zeros.data(), zeros.size(), 0);
        ::fsync(old);
    }
    ::close(old);
    return true;
}

}  // namespace quorum::host
