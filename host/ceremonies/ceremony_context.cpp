#include "host/ceremonies/ceremony_context.hpp"

#include "crypto/primitives.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/console.hpp"
#include "host/documents/pgp_words.hpp"

namespace quorum::host {

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
                                        const std::string& hostPassphrase, std::ostream& out) {
    const CeremonyFiles files(ceremonyDir);
    crypto::CeremonyCa ca = files.loadCa(caPassphrase);
    HostCredentials host = files.loadHost(hostPassphrase);
    crypto::Certificate certificate = ca.certificate();
    Bytes setId = ca.cardSetId();
    return CeremonyContext(std::move(ca), std::move(certificate), std::move(host), std::move(setId),
                           AuditLog::open(files.auditLogPath()), out);
}

CeremonyContext CeremonyContext::forSet(const std::string& ceremonyDir, const Manifest& manifest,
                                        const std::string& hostPassphrase, std::ostream& out) {
    const CeremonyFiles files(ceremonyDir);
    HostCredentials host = files.loadHost(hostPassphrase);
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

void CeremonyContext::stopped(const std::string& event, const std::string& reason) {
    out_ << "The ceremony stopped: " << reason << std::endl;
    try {
        closeAudit(audit_, event, details({{"reason", reason}}), out_);
    } catch (const AuditLogError& e) {  // a full disk often stops both: the first error is the one to report
        out_ << "The audit log could not record the stop: " << e.what() << std::endl;
    }
}

void CeremonyContext::serviceChanged(bool available) {
    if (available) {
        out_ << "The PC/SC service is back; the ceremony goes on." << std::endl;
        audit_.append("pcscd-back", Json::Value());
    } else {
        out_ << "The PC/SC service (pcscd) stopped. Waiting for it to come back; nothing collected so far is lost "
                "(Ctrl-C stops the ceremony)."
             << std::endl;
        audit_.append("pcscd-lost", Json::Value());
    }
}

void CeremonyContext::confirmInput(const std::string& path, const Bytes& content, bool confirmed) {
    const Bytes digest = crypto::sha256(content);
    out_ << "To be signed: " << path << " (" << content.size() << " bytes)\n";
    showFingerprint("its", digest);
    Json::Value entry = details({{"file", path}, {"size", std::to_string(content.size())}, {"sha256", toHex(digest)}});
    if (confirmed) {
        out_ << "(confirmed beforehand: --yes)" << std::endl;
        entry["confirmed"] = "--yes";
        audit_.append("input-shown", entry);
        return;
    }
    requireConfirmation(false, "what it signs");
    const bool yes = Console::current()->confirm("Is this what is to be signed (compared with the copy received "
                                                 "another way)?");
    entry["confirmed"] = yes ? "typed yes" : "typed no";
    audit_.append("input-shown", entry);
    if (!yes) throw FatalError("the people in the room did not confirm the input: nothing was signed");
}

void requireConfirmation(bool confirmed, const std::string& what) {
    if (confirmed) return;
    const Console* console = Console::current();
    if (console == nullptr || !console->hasTerminal())
        throw UsageError("this ceremony asks the people in the room to confirm " + what +
                         " at the terminal, and there is none: give --yes when it was checked another way");
}

void CeremonyContext::showFingerprint(const std::string& label, const Bytes& digest) {
    out_ << "  " << label << " SHA-256: " << toHex(digest) << "\n  read aloud: " << pgpWordLines(digest, std::string(14, ' '))
         << "\n";
}

void closeAudit(AuditLog& audit, const std::string& event, const Json::Value& entryDetails, std::ostream& out) {
    const Bytes last = fromHex(audit.append(event, entryDetails));
    out << "Audit log: last entry SHA-256 " << toHex(last)
        << "\n  read aloud and write down: " << pgpWordLines(last, std::string(29, ' ')) << std::endl;
}

}  // namespace quorum::host
