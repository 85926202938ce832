#include "host/ceremonies/ceremony_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"

namespace quorum::host {

namespace {

// Every file of a ceremony's folder is its owner's only.
constexpr mode_t kPrivate = 0600;

}  // namespace

crypto::CeremonyCa CeremonyFiles::create(const std::string& caName, const std::string& passphrase,
                                         const std::string& hostName) const {
    if (passphrase.size() < 8)
        throw UsageError("the CA key passphrase must have at least 8 characters");
    if (::mkdir(folder_.c_str(), 0700) != 0 && errno != EEXIST)
        throw FileError("cannot create " + folder_ + ": " + std::strerror(errno));
    auto ca = crypto::CeremonyCa::create(caName, crypto::randomBytes(crypto::kCardSetIdSize));
    std::string keyPem = ca.key().toPem(passphrase);
    writeNewFile(caKeyPath(), keyPem, kPrivate, "CA key");
    secureZero(keyPem.data(), keyPem.size());
    writeNewFile(caCertificatePath(), ca.certificate().pem(), kPrivate, "CA certificate");
    issueHost(ca, hostName, folder_ + "/host");
    return ca;
}

crypto::Certificate CeremonyFiles::issueHost(const crypto::CeremonyCa& ca, const std::string& name,
                                             const std::string& prefix) const {
    const auto key = crypto::EcPrivateKey::generate();
    const auto certificate = ca.issueHost(key.publicKey(), name);
    std::string keyPem = key.toPem();
    writeNewFile(prefix + "-key.pem", keyPem, kPrivate, "host key");
    secureZero(keyPem.data(), keyPem.size());
    try {
        writeNewFile(prefix + ".pem", certificate.pem(), kPrivate, "host certificate");
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove(prefix + "-key.pem", ignored);
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

HostCredentials CeremonyFiles::loadHost() const {
    return HostCredentials::load(hostCertificatePath(), hostKeyPath());
}

}  // namespace quorum::host
