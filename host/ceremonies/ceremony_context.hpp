// What every ceremony on a card set shares, built once: the ceremony's folder (CA, this host's
// credentials), whom it trusts (the CA and the card set), its audit log, and the screen the
// people in the room read.
#pragma once

#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include <json/value.h>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "host/card/secure_channel.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// An audit entry's details from name/value pairs.
Json::Value details(std::initializer_list<std::pair<const char*, std::string>> fields);

class CeremonyContext {
public:
    // A ceremony that makes a card set: the CA with its key (opened with `caPassphrase`), trust in
    // the CA's own card set; this host's key opened with `hostPassphrase`.
    static CeremonyContext withCa(const std::string& ceremonyDir, const std::string& caPassphrase,
                                  const std::string& hostPassphrase, std::ostream& out);
    // A ceremony on an existing card set: trust in the manifest's CA and set; this host's key
    // opened with `hostPassphrase` (before any card is asked for).
    static CeremonyContext forSet(const std::string& ceremonyDir, const Manifest& manifest,
                                  const std::string& hostPassphrase, std::ostream& out);

    CeremonyTrust trust() const { return {host_, caCertificate_, cardSetId_}; }
    const Bytes& cardSetId() const { return cardSetId_; }
    // The CA with its key (withCa only).
    const crypto::CeremonyCa& ca() const;
    AuditLog& audit() { return audit_; }
    std::ostream& out() { return out_; }

    // Appends the ceremony's last entry and tells the people in the room its hash, to write down:
    // only a hash kept outside the log shows later that nothing was cut from its end or changed
    // in its last entry (ceremony audit-verify --last-hash).
    void finish(const std::string& event, const Json::Value& entryDetails);
    // The ceremony could not go on (Ctrl-C, an error): records `event` with the reason and shows
    // the last hash, so the log and the people in the room see how far it went.
    void stopped(const std::string& event, const std::string& reason);
    // Tells the people that pcscd went away or came back, and records it: for CardDoor.
    void serviceChanged(bool available);
    // Shows what is about to be signed - the file's name, size, SHA-256 in hex and as 32 PGP words
    // (what kskm's tools show for a KSR, to be compared with what was received another way) -
    // and asks the people to confirm it before any PIN, unless `confirmed` (--yes). Records it.
    // FatalError when they say no.
    void confirmInput(const std::string& path, const Bytes& content, bool confirmed);
    // "  LABEL SHA-256: HEX" and the words to read aloud, for a fingerprint people compare.
    void showFingerprint(const std::string& label, const Bytes& digest);

private:
    CeremonyContext(std::optional<crypto::CeremonyCa> ca, crypto::Certificate caCertificate, HostCredentials host,
                    Bytes cardSetId, AuditLog audit, std::ostream& out);

    std::optional<crypto::CeremonyCa> ca_;
    crypto::Certificate caCertificate_;
    HostCredentials host_;
    Bytes cardSetId_;
    AuditLog audit_;
    std::ostream& out_;
};

// Whether a ceremony can ask for typed confirmations: UsageError before anything happens when it
// cannot (no terminal) and was not told `confirmed` (--yes), naming `what` it would ask about.
void requireConfirmation(bool confirmed, const std::string& what);

// Appends `event` to `audit` as a ceremony's last entry and shows its hash on `out` (see
// CeremonyContext::finish), for ceremonies without a context (combine).
void closeAudit(AuditLog& audit, const std::string& event, const Json::Value& entryDetails, std::ostream& out);

}  // namespace quorum::host
