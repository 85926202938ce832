// The card's identity and SCP11a: the CA key it trusts, its own key pair and certificate, the
// host certificate (PERFORM SECURITY OPERATION) and the key agreement (MUTUAL AUTHENTICATE).
// GlobalPlatform Card Specification 2.3, Amendment F; docs/apdu-spec.md.
#include "apdu/status.hpp"
#include "crypto/certificate.hpp"
#include "crypto/scp11.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/card_response.hpp"
#include "protocol/shares.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
namespace scp11 = crypto::scp11;
using answer::status;

ResponseApdu Card::putCaKey(const CommandApdu& command) {
    if (nvm_.read(field::kCaPublicKey)) return status(sw::kConditionsNotSatisfied);  // for ever
    if (command.data.size() != crypto::kP256PointSize) return status(sw::kWrongLength);
    try {
        crypto::EcPublicKey::fromPoint(command.data);
    } catch (const std::exception&) {
        return status(sw::kWrongData);  // not a point on P-256
    }
    nvm_.write(field::kCaPublicKey, command.data);
    return status(sw::kSuccess);
}

ResponseApdu Card::generateKeyPair(const CommandApdu& command) {
    if (command.p1 != protocol::kGenerateKeyPairP1 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty()) return status(sw::kWrongLength);
    // Once certified, the key is the card's identity: it cannot be replaced.
    if (nvm_.read(field::kCardCertificate)) return status(sw::kConditionsNotSatisfied);
    const crypto::EcPrivateKey key = crypto::EcPrivateKey::generate();
    nvm_.write(field::kCardPrivateKey, key.scalar());
    return ResponseApdu{protocol::encodePublicKeyTemplate(key.publicKey().point()), sw::kSuccess};
}

ResponseApdu Card::putCertificate(const CommandApdu& command) {
    if (nvm_.read(field::kCardCertificate)) return status(sw::kConditionsNotSatisfied);  // for ever
    const auto caPoint = nvm_.read(field::kCaPublicKey);
    const auto scalar = nvm_.read(field::kCardPrivateKey);
    if (!caPoint || !scalar) return status(sw::kConditionsNotSatisfied);
    if (command.data.empty()) return status(sw::kWrongLength);
    try {
        const auto certificate = crypto::Certificate::fromDer(command.data);
        const auto caKey = crypto::EcPublicKey::fromPoint(*caPoint);
        const auto ownPoint = crypto::EcPrivateKey::fromScalar(*scalar).publicKey().point();
        if (certificate.publicKey().point() != ownPoint ||
            !crypto::verifySignedWithRole(certificate, caKey, crypto::CertRole::Card))
            return status(sw::kWrongData);  // not this card's key, or not from its CA
    } catch (const std::exception&) {
        return status(sw::kWrongData);
    }
    nvm_.write(field::kCardCertificate, command.data);
    return status(sw::kSuccess);
}

ResponseApdu Card::getCertificate(const CommandApdu& command) {
    // GP Amendment F: the key reference may be given; it can only name the SCP11a key.
    if (!command.data.empty() && command.data != scp11::certificateKeyReference())
        return status(sw::kReferencedDataNotFound);
    const auto certificate = nvm_.read(field::kCardCertificate);
    if (!certificate) return status(sw::kReferencedDataNotFound);
    return ResponseApdu{*certificate, sw::kSuccess};
}

ResponseApdu Card::performSecurityOperation(const CommandApdu& command) {
    dropSession();
    if (command.p1 != scp11::kCardKeyVersion) return status(sw::kIncorrectP1P2);
    if ((command.p2 & 0x7F) != scp11::kHostKeyId) return status(sw::kReferencedDataNotFound);
    // The ceremony CA signs host certificates directly: the chain is the one certificate.
    if ((command.p2 & scp11::kMoreCertificates) != 0) return status(sw::kWrongData);
    const auto caPoint = nvm_.read(field::kCaPublicKey);
    if (!caPoint || !nvm_.read(field::kCardCertificate)) return status(sw::kConditionsNotSatisfied);
    try {
        const auto certificate = crypto::Certificate::fromDer(command.data);
        if (!crypto::verifySignedWithRole(certificate, crypto::EcPublicKey::fromPoint(*caPoint),
                                          crypto::CertRole::Host))
            return status(sw::kSecurityStatusNotSatisfied);  // not a host of this card's CA
        hostKey_ = certificate.publicKey();
    } catch (const std::exception&) {
        return status(sw::kWrongData);
    }
    return status(sw::kSuccess);
}

ResponseApdu Card::mutualAuthenticate(const CommandApdu& command) {
    if (command.p1 != scp11::kCardKeyVersion || command.p2 != scp11::kCardKeyId)
        return status(sw::kReferencedDataNotFound);
    if (!hostKey_) return status(sw::kConditionsNotSatisfied);  // PSO first
    const crypto::EcPublicKey hostKey = *hostKey_;
    dropSession();
    const auto scalar = nvm_.read(field::kCardPrivateKey);
    if (!scalar) return status(sw::kConditionsNotSatisfied);
    try {
        auto result = scp11::cardMutualAuthenticate(crypto::EcPrivateKey::fromScalar(*scalar), hostKey,
                                                    command.data, crypto::EcPrivateKey::generate());
        session_.emplace(std::move(result.session));
        return ResponseApdu{std::move(result.responseData), sw::kSuccess};
    } catch (const scp11::HandshakeError&) {
        return status(sw::kWrongData);
    }
}

}  // namespace quorum::card
