#include "host/ceremonies/ceremony_context.hpp"

#include "host/ceremonies/ceremony_files.hpp"
#include "host/documents/pgp_words.hpp"

namespace quorum::host {

namespace {
// The words people read aloud for a fingerprint.
std::string readAloud(const Bytes& digest) { return pgpWords(Bytes(digest.begin(), digest.begin() + 8)); }
}  // namespace

Json::Value details(std::initializer_list<std::pair<const char*, std::string>> fields) {
    Json::Value v(Json::objectValue);
    for (const auto& [key, value] : fields) v[key] = value;
    return v;
}

CeremonyContext::CeremonyContext(std::optional<crypto::CeremonyCa> ca, crypto::Certificate caCertificate,
                                 HostCredentials host, Bytes cardSetId, AuditLog audit, std::ostream& out)
    : ca_(std::move(ca)),
      caCertificate_(std::move(caCertificate)),
      host_(std::move(host)),
      cardSetId_(std::move(cardSetId)),
      audit_(std::move(audit)),
      out_(out) {}

CeremonyContext CeremonyContext::withCa(const std::string& ceremonyDir, const std::string& caPassphrase,
                                        std::ostream& out) {
    const CeremonyFiles files(ceremonyDir);
    crypto::CeremonyCa ca = files.loadCa(caPassphrase);
    HostCredentials host = files.loadHost();
    crypto::Certificate certificate = ca.certificate();
    Bytes setId = ca.cardSetId();
    return CeremonyContext(std::move(ca), std::move(certificate), std::move(host), std::move(setId),
                           AuditLog::open(files.auditLogPath()), out);
}

CeremonyContext CeremonyContext::forSet(const std::string& ceremonyDir, const Manifest& manifest, std::ostream& out) {
    const CeremonyFiles files(ceremonyDir);
    HostCredentials host = files.loadHost();
    return CeremonyContext(std::nullopt, crypto::Certificate::fromPem(manifest.caCertificatePem), std::move(host),
                           manifest.cardSetId, AuditLog::open(files.auditLogPath()), out);
}

const crypto::CeremonyCa& CeremonyContext::ca() const {
    if (!ca_) throw std::logic_error("this ceremony was not opened with the CA key");
    return *ca_;
}

void CeremonyContext::finish(const std::string& event, const Json::Value& entryDetails) {
    closeAudit(audit_, event, entryDetails, out_);
}

void CeremonyContext::showFingerprint(const std::string& label, const Bytes& digest) {
    out_ << "  " << label << " SHA-256: " << toHex(digest) << "\n  read aloud: " << readAloud(digest) << "\n";
}

void closeAudit(AuditLog& audit, const std::string& event, const Json::Value& entryDetails, std::ostream& out) {
    const Bytes last = fromHex(audit.append(event, entryDetails));
    out << "Audit log: last entry SHA-256 " << toHex(last) << "\n  read aloud and write down: " << readAloud(last)
        << std::endl;
}

}  // namespace quorum::host
