// SCP11a from the host: authenticate the card by its certificate, prove the host's own, and
// wrap every later command (GP Amendment F; crypto/scp11.hpp does the cryptography).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "apdu/channel.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "crypto/secure_messaging.hpp"
#include "host/card/errors.hpp"

namespace quorum::host {

// What the host proves itself with: its key and the certificate the ceremony CA gave it (read
// from a ceremony folder by CeremonyFiles::loadHost).
struct HostCredentials {
    crypto::EcPrivateKey key;
    crypto::Certificate certificate;
};

// What the host trusts: the ceremony CA (pinned) and the card set it expects.
struct CeremonyTrust {
    const HostCredentials& host;
    const crypto::Certificate& ca;
    Bytes cardSetId;
};

class SecureChannel : public apdu::CardChannel {
public:
    // Runs the handshake through `inner`, the card's CardLink (GET RESPONSE and command chaining).
    // The quorum application must be selected. Throws CardAuthenticationError for a card that is
    // not the ceremony's.
    SecureChannel(apdu::CardChannel& inner, const CeremonyTrust& trust);

    // What the card's verified certificate says (card set, index).
    const crypto::CertificateInfo& card() const { return card_; }
    const crypto::Certificate& cardCertificate() const { return *cardCertificate_; }

    // Wraps, sends, unwraps. Throws SecureChannelError when a response fails its check; from
    // then on every call throws (the card has dropped the session too, or will).
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;

private:
    apdu::CardChannel& inner_;
    crypto::CertificateInfo card_;
    std::optional<crypto::Certificate> cardCertificate_;
    std::optional<crypto::SecureMessaging> session_;
    std::string brokenBecause_;
};

}  // namespace quorum::host
