// A ceremony's folder: the CA certificate, the CA key (encrypted under the CA passphrase), and this
// host's certificate and key (encrypted under the host passphrase, another one), which let it open
// SCP11a sessions with the ceremony's cards.
#pragma once

#include <string>

#include "crypto/certificate.hpp"
#include "host/base/error.hpp"
#include "host/card/secure_channel.hpp"

namespace quorum::host {

// The CA key or the host key did not open with the passphrase given: another try may work.
class WrongPassphraseError : public AttemptError {
public:
    using AttemptError::AttemptError;
};

// A host key written unencrypted (before host keys were encrypted): refused until
// `ceremony host-key-protect` encrypts it in place.
class UnprotectedHostKeyError : public FatalError {
public:
    using FatalError::FatalError;
};

// Whether a PEM private key is encrypted PKCS#8 (what every key this project writes is).
bool isEncryptedKeyPem(const std::string& pem);

// Refuses (UsageError) a CA passphrase or host passphrase too short, or the two the same.
void requireCeremonyPassphrases(const std::string& caPassphrase, const std::string& hostPassphrase);

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

    // Refuses (UsageError naming the file) a folder that holds a ceremony's CA or host files
    // already: what create() would refuse, told before anybody types a passphrase.
    void refuseExistingCeremony() const;
    // Creates the folder (mode 0700) when it does not exist.
    void makeFolder() const;
    // Creates the folder with a new CA (random card-set id; key encrypted under `caPassphrase`)
    // and host credentials named `hostName` (key encrypted under `hostPassphrase`, which must differ
    // from the CA's). Refuses to overwrite any existing file; when a file cannot be written (a full
    // disk), removes the ones it wrote, so that the folder is as it was and ca-create can run again.
    crypto::CeremonyCa create(const std::string& caName, const std::string& caPassphrase, const std::string& hostName,
                              const std::string& hostPassphrase) const;

    // Removes the files create() writes (after the log refused to record them).
    void removeCreated() const;

    crypto::Certificate caCertificate() const;
    // The CA with its key; WrongPassphraseError naming the file when the passphrase is wrong.
    crypto::CeremonyCa loadCa(const std::string& passphrase) const;
    // This host's credentials, its key opened with `passphrase`: WrongPassphraseError when it does
    // not open, UnprotectedHostKeyError (naming host-key-protect) when the key is not encrypted.
    HostCredentials loadHost(const std::string& passphrase) const;
    // Encrypts an unencrypted host key in place under `passphrase` (durably; no plaintext copy
    // stays); false when it was encrypted already, and then nothing is changed.
    bool protectHostKey(const std::string& passphrase) const;
    // Whether this host's key is encrypted (as every key written since host keys were).
    bool hostKeyProtected() const;

    // Issues credentials for another host (e.g. a remote signing site) into PREFIX.pem and
    // PREFIX-key.pem, the key encrypted under `hostPassphrase`; returns the certificate. A
    // certificate that cannot be written takes the key written before it away again: both files or
    // neither.
    crypto::Certificate issueHost(const crypto::CeremonyCa& ca, const std::string& name, const std::string& prefix,
                                  const std::string& hostPassphrase) const;

private:
    // FatalError naming both files when `key` is not the key of this host's `certificate`.
    void requireHostPair(const crypto::EcPrivateKey& key, const crypto::Certificate& certificate) const;

    std::string folder_;
};

// This ceremony's CA certificate and this host's credentials, loaded from the folder: whom the
// host trusts when no manifest names a set (the folder's own CA and card set).
struct FolderTrust {
    crypto::Certificate ca;
    HostCredentials host;
    FolderTrust(const CeremonyFiles& files, const std::string& hostPassphrase)
        : ca(files.caCertificate()), host(files.loadHost(hostPassphrase)) {}
    CeremonyTrust trust() const { return {host, ca, ca.info().cardSetId}; }
};

}  // namespace quorum::host
