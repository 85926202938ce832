// SCP11a from the host: authenticate the card by its certificate, prove the host's own, and
// wrap every later command (GP Amendment F; crypto/scp11.hpp does the cryptography).
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "apdu/channel.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "crypto/secure_messaging.hpp"

namespace quorum::host {

// The card is not one of this ceremony's: the message names why (other CA, other card set,
// not a card certificate, no certificate at all, failed proof of possession).
class CardAuthenticationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A protected response failed its check (R-MAC, padding) or the session was broken before:
// the channel can no longer be trusted and must be opened again.
class SecureChannelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The card answered a protected command with 6982 and closed its session: a secure messaging
// error on its side, or the command's security condition (e.g. no PIN verified) not met.
class SessionClosedByCardError : public SecureChannelError {
public:
    using SecureChannelError::SecureChannelError;
};

// What the host proves itself with: its key and the certificate the ceremony CA gave it.
struct HostCredentials {
    crypto::EcPrivateKey key;
    crypto::Certificate certificate;
    // Reads a PEM certificate and a PEM key (encrypted under `passphrase` unless empty).
    static HostCredentials load(const std::string& certificatePath, const std::string& keyPath,
                                const std::string& passphrase = "");
};

// What the host trusts: the ceremony CA (pinned) and the card set it expects.
struct CeremonyTrust {
    const HostCredentials& host;
    const crypto::Certificate& ca;
    Bytes cardSetId;
};

class SecureChannel : public apdu::CardChannel {
public:
    // Runs the handshake through `inner`, which must resolve GET RESPONSE and chain long
    // commands (ResponseChainingChannel under CommandChainingChannel). The quorum application
    // must be selected. Throws CardAuthenticationError for a card that is not the ceremony's.
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
