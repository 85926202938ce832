#include "host/ceremony_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/primitives.hpp"

namespace quorum::host {

namespace {

// Writes a new file (never over an existing one), readable by its owner only.
void writeNewFile(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno) +
                                 (errno == EEXIST ? " (a ceremony is already set up there)" : ""));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error("cannot fsync " + path + ": " + std::strerror(errno));
}

std::string readFile(const std::string& path, const char* what) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read the ") + what + " " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

crypto::CeremonyCa CeremonyFiles::create(const std::string& caName, const std::string& passphrase,
                                         const std::string& hostName) const {
    if (passphrase.size() < 8)
        throw std::invalid_argument("the CA key passphrase must have at least 8 characters");
    if (::mkdir(folder_.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + folder_ + ": " + std::strerror(errno));
    auto ca = crypto::CeremonyCa::create(caName, crypto::randomBytes(crypto::kCardSetIdSize));
    std::string keyPem = ca.key().toPem(passphrase);
    writeNewFile(caKeyPath(), keyPem);
    secureZero(keyPem.data(), keyPem.size());
    writeNewFile(caCertificatePath(), ca.certificate().pem());
    issueHost(ca, hostName, folder_ + "/host");
    return ca;
}

void CeremonyFiles::issueHost(const crypto::CeremonyCa& ca, const std::string& name,
                              const std::string& prefix) const {
    const auto key = crypto::EcPrivateKey::generate();
    const auto certificate = ca.issueHost(key.publicKey(), name);
    std::string keyPem = key.toPem();
    writeNewFile(prefix + "-key.pem", keyPem);
    secureZero(keyPem.data(), keyPem.size());
    writeNewFile(prefix + ".pem", certificate.pem());
}

crypto::Certificate CeremonyFiles::caCertificate() const {
    return crypto::Certificate::fromPem(readFile(caCertificatePath(), "CA certificate"));
}

crypto::CeremonyCa CeremonyFiles::loadCa(const std::string& passphrase) const {
    std::string keyPem = readFile(caKeyPath(), "CA key");
    try {
        auto ca = crypto::CeremonyCa::load(readFile(caCertificatePath(), "CA certificate"), keyPem, passphrase);
        secureZero(keyPem.data(), keyPem.size());
        return ca;
    } catch (const std::exception& e) {
        secureZero(keyPem.data(), keyPem.size());
        throw std::runtime_error(caKeyPath() + ": " + e.what());
    }
}

HostCredentials CeremonyFiles::loadHost() const {
    return HostCredentials::load(hostCertificatePath(), hostKeyPath());
}

}  // namespace quorum::host
