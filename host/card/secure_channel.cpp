#include "host/card/secure_channel.hpp"

#include "apdu/status.hpp"
#include "crypto/primitives.hpp"
#include "crypto/scp11.hpp"
#include "host/base/file_io.hpp"
#include "protocol/commands.hpp"
#include "protocol/identifiers.hpp"

namespace quorum::host {

namespace {
namespace scp11 = crypto::scp11;
}  // namespace

SecureChannel::SecureChannel(apdu::CardChannel& inner, const CeremonyTrust& trust) : inner_(inner) {
    // 1. The card's certificate (GP Amendment F: GET DATA BF21 naming the SCP11a key).
    apdu::CommandApdu getCertificate = protocol::command::getData(protocol::tag::kCertificateStore);
    getCertificate.data = scp11::certificateKeyReference();
    const auto stored = inner_.transmit(getCertificate);
    if (stored.sw == apdu::sw::kReferencedDataNotFound)
        throw CardAuthenticationError("the card has no certificate: it was never issued by a ceremony CA");
    if (!stored.ok())
        throw CardAuthenticationError("reading the card's certificate failed: " + apdu::sw::name(stored.sw));
    try {
        cardCertificate_ = crypto::Certificate::fromDer(stored.data);
        card_ = crypto::verifyCertificate(*cardCertificate_, trust.ca, crypto::CertRole::Card,
                                          trust.cardSetId);
    } catch (const std::exception& e) {
        throw CardAuthenticationError(std::string("card refused: ") + e.what());
    }

    // 2. The host's certificate, then the key agreement.
    scp11::HostHandshake handshake(trust.host.key, {trust.host.certificate},
                                   cardCertificate_->publicKey());
    for (const auto& command : handshake.certificateCommands()) {
        const auto answer = inner_.transmit(command);
        if (answer.sw == apdu::sw::kSecurityStatusNotSatisfied)
            throw CardAuthenticationError(
                "the card refused this host's certificate: it was not issued by the card's CA", card_.cardIndex);
        if (!answer.ok())
            throw CardAuthenticationError("the card refused the host certificate: " + apdu::sw::name(answer.sw),
                                          card_.cardIndex);
    }
    try {
        session_.emplace(handshake.finish(inner_.transmit(handshake.mutualAuthenticate())));
    } catch (const scp11::HandshakeError& e) {
        throw CardAuthenticationError(std::string("SCP11a handshake failed: ") + e.what(), card_.cardIndex);
    }
}

apdu::ResponseApdu SecureChannel::transmit(const apdu::CommandApdu& command) {
    if (!session_)
        throw SecureChannelError("the secure channel is closed (" + brokenBecause_ + "); open a new one",
                                 card_.cardIndex);
    const auto wrapped = session_->wrapCommand(command);
    const auto answer = inner_.transmit(wrapped);
    try {
        // A bare 6982 always ends the card's session (docs/apdu-spec.md, Secure messaging).
        if (answer.sw == apdu::sw::kSecurityStatusNotSatisfied && answer.data.empty()) {
            session_.reset();
            brokenBecause_ = "the card refused a protected command (6982: security status not "
                             "satisfied) and closed the session";
            throw SessionClosedByCardError(brokenBecause_, card_.cardIndex);
        }
        return session_->unwrapResponse(answer);
    } catch (const crypto::SecureMessagingError& e) {
        session_.reset();
        brokenBecause_ = std::string("a response failed its check: ") + e.what();
        throw SecureChannelError(brokenBecause_ + " - it was altered on the way or did not come from the card",
                                 card_.cardIndex);
    }
}

}  // namespace quorum::host
