#include "crypto/scp11.hpp"

#include "apdu/error.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto::scp11 {

namespace {
constexpr std::uint32_t kTagControlReference = 0xA6;
constexpr std::uint32_t kTagScpParameters = 0x90;
constexpr std::uint32_t kTagKeyUsage = 0x95;
constexpr std::uint32_t kTagKeyType = 0x80;
constexpr std::uint32_t kTagKeyLength = 0x81;
constexpr std::uint32_t kTagEphemeralKey = 0x5F49;
constexpr std::uint32_t kTagReceipt = 0x86;

Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

Bytes ephemeralTlv(const Bytes& point) { return apdu::Tlv::primitive(kTagEphemeralKey, point).encode(); }

// The card's ephemeral point from a MUTUAL AUTHENTICATE request, after checking it asks for
// exactly SCP11a with AES-128 and full protection.
Bytes parseRequest(const Bytes& data) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(data);
    } catch (const apdu::ApduError& e) {
        throw HandshakeError(std::string("MUTUAL AUTHENTICATE data is not BER-TLV: ") + e.what());
    }
    if (objects.size() != 2 || objects[0].tag != kTagControlReference ||
        objects[1].tag != kTagEphemeralKey)
        throw HandshakeError("MUTUAL AUTHENTICATE data must be A6 then 5F49");
    const auto& crt = objects[0];
    auto valueOf = [&](std::uint32_t tag) -> Bytes {
        const apdu::Tlv* t = crt.find(tag);
        return t ? t->value : Bytes{};
    };
    if (valueOf(kTagScpParameters) != Bytes{kScpIdentifier, kParameterScp11a})
        throw HandshakeError("MUTUAL AUTHENTICATE does not ask for SCP11a");
    if (valueOf(kTagKeyUsage) != Bytes{kKeyUsageFull} || valueOf(kTagKeyType) != Bytes{kKeyTypeAes} ||
        valueOf(kTagKeyLength) != Bytes{kKeyLengthAes128})
        throw HandshakeError("MUTUAL AUTHENTICATE asks for other than AES-128 with full protection");
    return objects[1].value;
}
}  // namespace

Bytes certificateKeyReference() { return {0xA6, 0x04, 0x83, 0x02, kCardKeyId, kCardKeyVersion}; }

DerivedKeys deriveKeys(const Bytes& shSee, const Bytes& shSes) {
    const Bytes sharedInfo = {kKeyUsageFull, kKeyTypeAes, kKeyLengthAes128};
    Bytes z = concat(shSee, shSes);
    const Bytes material = x963KdfSha256(z, sharedInfo, 5 * kKeyLengthAes128);
    auto key = [&](std::size_t i) {
        return Bytes(material.begin() + static_cast<std::ptrdiff_t>(i * kKeyLengthAes128),
                     material.begin() + static_cast<std::ptrdiff_t>((i + 1) * kKeyLengthAes128));
    };
    return {key(0), SessionKeys{key(1), key(2), key(3), key(4)}};
}

Bytes mutualAuthenticateData(const Bytes& ephemeralPoint) {
    const apdu::Tlv crt = apdu::Tlv::constructedOf(
        kTagControlReference,
        {apdu::Tlv::primitive(kTagScpParameters, {kScpIdentifier, kParameterScp11a}),
         apdu::Tlv::primitive(kTagKeyUsage, {kKeyUsageFull}),
         apdu::Tlv::primitive(kTagKeyType, {kKeyTypeAes}),
         apdu::Tlv::primitive(kTagKeyLength, {kKeyLengthAes128})});
    return concat(crt.encode(), ephemeralTlv(ephemeralPoint));
}

HostHandshake::HostHandshake(const EcPrivateKey& hostKey, std::vector<Certificate> hostChain,
                             EcPublicKey cardKey)
    : hostKey_(hostKey), hostChain_(std::move(hostChain)), cardKey_(std::move(cardKey)) {
    if (hostChain_.empty()) throw HandshakeError("no host certificate to present");
}

std::vector<apdu::CommandApdu> HostHandshake::certificateCommands() const {
    std::vector<apdu::CommandApdu> commands;
    for (std::size_t i = 0; i < hostChain_.size(); ++i) {
        apdu::CommandApdu c;
        c.cla = kClaGlobalPlatform;
        c.ins = kInsPerformSecurityOperation;
        c.p1 = kCardKeyVersion;
        c.p2 = static_cast<std::uint8_t>(kHostKeyId | (i + 1 < hostChain_.size() ? kMoreCertificates : 0));
        c.data = hostChain_[i].der();
        commands.push_back(std::move(c));
    }
    return commands;
}

apdu::CommandApdu HostHandshake::mutualAuthenticate(std::optional<EcPrivateKey> ephemeral) {
    ephemeral_ = ephemeral ? std::move(ephemeral) : EcPrivateKey::generate();
    request_ = mutualAuthenticateData(ephemeral_->publicKey().point());
    apdu::CommandApdu c;
    c.cla = kClaGlobalPlatform;
    c.ins = kInsMutualAuthenticate;
    c.p1 = kCardKeyVersion;
    c.p2 = kCardKeyId;
    c.data = request_;
    c.ne = 256;
    return c;
}

SecureMessaging HostHandshake::finish(const apdu::ResponseApdu& response) {
    if (!ephemeral_) throw HandshakeError("finish() before mutualAuthenticate()");
    if (!response.ok())
        throw HandshakeError("the card refused MUTUAL AUTHENTICATE: " + apdu::sw::name(response.sw));
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(response.data);
    } catch (const apdu::ApduError& e) {
        throw HandshakeError(std::string("MUTUAL AUTHENTICATE response is not BER-TLV: ") + e.what());
    }
    if (objects.size() != 2 || objects[0].tag != kTagEphemeralKey || objects[1].tag != kTagReceipt ||
        objects[1].value.size() != kAesBlock)
        throw HandshakeError("MUTUAL AUTHENTICATE response must be 5F49 (card key) then 86 (receipt)");
    EcPublicKey cardEphemeral = [&] {
        try {
            return EcPublicKey::fromPoint(objects[0].value);
        } catch (const std::exception& e) {
            throw HandshakeError(std::string("the card's ephemeral key is not a P-256 point: ") + e.what());
        }
    }();
    Bytes shSee = ephemeral_->ecdh(cardEphemeral);
    Bytes shSes = hostKey_.ecdh(cardKey_);
    DerivedKeys keys = deriveKeys(shSee, shSes);
    const Bytes receipt = aesCmac(keys.receiptKey, concat(request_, ephemeralTlv(objects[0].value)));
    ephemeral_.reset();
    if (!constantTimeEqual(receipt, objects[1].value))
        throw HandshakeError(
            "the card's receipt does not match: it did not prove possession of the key in its "
            "certificate");
    return SecureMessaging(std::move(keys.session), receipt, SecurityLevel::full());
}

CardHandshakeResult cardMutualAuthenticate(const EcPrivateKey& cardKey, const EcPublicKey& hostKey,
                                           const Bytes& commandData, const EcPrivateKey& ephemeral) {
    const Bytes hostEphemeralPoint = parseRequest(commandData);
    EcPublicKey hostEphemeral = [&] {
        try {
            return EcPublicKey::fromPoint(hostEphemeralPoint);
        } catch (const std::exception& e) {
            throw HandshakeError(std::string("the host's ephemeral key is not a P-256 point: ") + e.what());
        }
    }();
    Bytes shSee = ephemeral.ecdh(hostEphemeral);
    Bytes shSes = cardKey.ecdh(hostKey);
    DerivedKeys keys = deriveKeys(shSee, shSes);
    const Bytes cardEphemeralTlv = ephemeralTlv(ephemeral.publicKey().point());
    const Bytes receipt = aesCmac(keys.receiptKey, concat(commandData, cardEphemeralTlv));
    Bytes responseData = concat(cardEphemeralTlv, apdu::Tlv::primitive(kTagReceipt, receipt).encode());
    return {std::move(responseData), SecureMessaging(std::move(keys.session), receipt, SecurityLevel::full())};
}

}  // namespace quorum::crypto::scp11
