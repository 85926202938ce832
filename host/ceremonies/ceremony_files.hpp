// A ceremony's folder: the CA certificate, the CA key (encrypted under a passphrase), and this
// host's certificate and key, which let it open SCP11a sessions with the ceremony's cards.
#pragma once

#include <string>

#include "crypto/certificate.hpp"
#include "host/base/error.hpp"
#include "host/card/secure_channel.hpp"

namespace quorum::host {

// The CA key did not open with the passphrase given: another try may work.
class WrongPassphraseError : public AttemptError {
public:
    using AttemptError::AttemptError;
};

class CeremonyFiles {
public:
    explicit CeremonyFiles(std::string folder) : folder_(std::move(folder)) {}

    std::string caCertificatePath() const { return folder_ + "/ca.pem"; }
    std::string caKeyPath() const { return folder_ + "/ca-key.pem"; }
    std::string hostCertificatePath() const { return folder_ + "/host.pem"; }
    std::string hostKeyPath() const { return folder_ + "/host-key.pem"; }
    std::string auditLogPath() const { return folder_ + "/audit.log"; }
    std::string keygenJournalPath() const { return folder_ + "/keygen-journal.json"; }
    // A reshare in progress: its new cards' issuance (a keygen journal) and the rest.
    std::string reshareIssuancePath() const { return folder_ + "/reshare-issuance.json"; }
    std::string reshareJournalPath() const { return folder_ + "/reshare-journal.json"; }
    const std::string& folder() const { return folder_; }

    // Creates the folder with a new CA (random card-set id; key encrypted under `passphrase`)
    // and host credentials named `hostName`. Refuses to overwrite any existing file.
    crypto::CeremonyCa create(const std::string& caName, const std::string& passphrase,
                              const std::string& hostName) const;

    crypto::Certificate caCertificate() const;
    // The CA with its key; WrongPassphraseError naming the file when the passphrase is wrong.
    crypto::CeremonyCa loadCa(const std::string& passphrase) const;
    HostCredentials loadHost() const;

    // Issues credentials for another host (e.g. a remote signing site) into PREFIX.pem and
    // PREFIX-key.pem; returns the certificate. A certificate that cannot be written takes the key
    // written before it away again: both files or neither.
    crypto::Certificate issueHost(const crypto::CeremonyCa& ca, const std::string& name, const std::string& prefix) const;

private:
    std::string folder_;
};

// This ceremony's CA certificate and this host's credentials, loaded from the folder: whom the
// host trusts when no manifest names a set (the folder's own CA and card set).
struct FolderTrust {
    crypto::Certificate ca;
    HostCredentials host;
    explicit FolderTrust(const CeremonyFiles& files) : ca(files.caCertificate()), host(files.loadHost()) {}
    CeremonyTrust trust() const { return {host, ca, ca.info().cardSetId}; }
};

}  // namespace quorum::host
