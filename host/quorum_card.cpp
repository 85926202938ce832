#include "host/quorum_card.hpp"

#include "apdu/status.hpp"
#include "apdu/tlv.hpp"

namespace quorum::host {

namespace {
namespace sw = apdu::sw;

constexpr std::uint8_t kPinReference = 0x81;
constexpr std::uint8_t kPinPadding = 0xFF;

apdu::CommandApdu command(std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data) {
    apdu::CommandApdu c;
    c.ins = ins;
    c.p1 = p1;
    c.p2 = p2;
    c.data = std::move(data);
    return c;
}

Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}
}  // namespace

CardRefusedError::CardRefusedError(const std::string& what, std::uint16_t word)
    : std::runtime_error(what), sw_(word) {}

WrongSecretError::WrongSecretError(const std::string& what, std::uint16_t word, int triesLeft)
    : CardRefusedError(what, word), triesLeft_(triesLeft) {}

Bytes PinPolicy::encode() const {
    return {static_cast<std::uint8_t>(pinMin), static_cast<std::uint8_t>(pinMax),
            static_cast<std::uint8_t>(pukLength), static_cast<std::uint8_t>(pinTries),
            static_cast<std::uint8_t>(pukTries), static_cast<std::uint8_t>(changeBeforeUse ? 1 : 0)};
}

PinPolicy PinPolicy::decode(const Bytes& v) {
    if (v.size() != 6) throw CardProtocolError("the card's PIN policy is not 6 bytes");
    return {v[0], v[1], v[2], v[3], v[4], (v[5] & 1) != 0};
}

std::uint16_t QuorumCard::expectSuccess(const apdu::ResponseApdu& answer, const char* what) {
    const std::uint16_t word = answer.sw;
    if (word == sw::kSuccess) return word;
    const std::string prefix = std::string(what) + ": ";
    if ((word & 0xFFF0) == sw::kVerifyFailed) {
        const int left = word & 0x0F;
        const bool puk = std::string(what).find("PUK") != std::string::npos;
        if (left == 0)
            throw WrongSecretError(
                prefix + (puk ? "wrong, and that was the last try: the card is now TERMINATED and "
                                "its secrets are erased"
                              : "wrong, and that was the last try: the PIN is now blocked "
                                "(unblock it with the PUK: ceremony pin unblock)"),
                word, left);
        throw WrongSecretError(prefix + "wrong, " + std::to_string(left) +
                                   (left == 1 ? " try" : " tries") + " left",
                               word, left);
    }
    if (word == sw::kAuthenticationMethodBlocked)
        throw PinBlockedError(prefix + "the PIN is blocked; unblock it with the PUK", word);
    if (word == sw::kSelectedFileTerminated)
        throw CardTerminatedError(prefix + "the card is terminated", word);
    throw CardRefusedError(prefix + "the card answered " + sw::name(word), word);
}

CardInfo QuorumCard::select() {
    secure_.reset();
    const auto answer = plain_.transmit(apdu::CommandApdu::select(kQuorumAid));
    if (answer.sw == sw::kSelectedFileTerminated)
        throw CardTerminatedError("this card is terminated (its PUK was exhausted); it holds no secrets any more",
                                  answer.sw);
    if (answer.sw == sw::kFileNotFound)
        throw CardProtocolError("this card has no quorum application (SELECT answered " +
                                sw::name(answer.sw) + ")");
    expectSuccess(answer, "SELECT");
    CardInfo info = parseFci(answer.data);
    if (!info.pinPolicy.empty()) policy_ = PinPolicy::decode(info.pinPolicy);
    return info;
}

const crypto::CertificateInfo& QuorumCard::openSecureChannel() {
    if (!trust_) throw std::logic_error("no ceremony trust configured for a secure channel");
    select();
    secure_ = std::make_unique<SecureChannel>(plain_, *trust_);
    return secure_->card();
}

apdu::CardChannel& QuorumCard::secureChannel() {
    if (!secure_) openSecureChannel();
    return *secure_;
}

crypto::Certificate QuorumCard::issueIdentity(const crypto::CeremonyCa& ca, int cardIndex) {
    select();
    expectSuccess(plain_.transmit(command(0xDA, 0x00, 0xC8, ca.certificate().publicKey().point())),
                  "storing the CA key");
    apdu::CommandApdu generate = command(0x47, 0x80, 0x00, {});
    generate.ne = 256;
    const auto generated = plain_.transmit(generate);
    expectSuccess(generated, "generating the card's key pair");
    // 7F49 41+ { 86 41 point }
    const auto objects = apdu::parseTlv(generated.data);
    const apdu::Tlv* point = objects.size() == 1 && objects[0].tag == 0x7F49 ? objects[0].find(0x86) : nullptr;
    if (point == nullptr) throw CardProtocolError("GENERATE KEY answered without a 7F49/86 public key");
    crypto::Certificate certificate = ca.issueCard(crypto::EcPublicKey::fromPoint(point->value), cardIndex);
    expectSuccess(plain_.transmit(command(0xDA, 0xBF, 0x21, certificate.der())), "storing the card certificate");
    return certificate;
}

PinStatus QuorumCard::pinStatus() {
    const auto answer = current().transmit(apdu::CommandApdu::getData(0x00C4));
    expectSuccess(answer, "reading the PIN status");
    const Bytes& v = answer.data;
    if (v.size() != 5) throw CardProtocolError("the card's PIN status is not 5 bytes");
    return {v[0], v[1], v[2], v[3], (v[4] & 1) != 0};
}

Bytes QuorumCard::pinBlock(const Bytes& pin) {
    const PinPolicy& policy = knownPolicy();
    const auto pinMax = static_cast<std::size_t>(policy.pinMax);
    if (pin.size() < static_cast<std::size_t>(policy.pinMin) || pin.size() > pinMax)
        throw std::invalid_argument("a PIN on this card has " + std::to_string(policy.pinMin) +
                                    " to " + std::to_string(pinMax) + " characters, this one has " +
                                    std::to_string(pin.size()));
    Bytes block = pin;
    block.resize(pinMax, kPinPadding);
    return block;
}

void QuorumCard::personalize(const PinPolicy& policy, const Bytes& pin, const Bytes& puk) {
    if (pin.size() < static_cast<std::size_t>(policy.pinMin) ||
        pin.size() > static_cast<std::size_t>(policy.pinMax))
        throw std::invalid_argument("the transport PIN must have " + std::to_string(policy.pinMin) +
                                    " to " + std::to_string(policy.pinMax) + " characters");
    if (puk.size() != static_cast<std::size_t>(policy.pukLength))
        throw std::invalid_argument("the PUK must have exactly " + std::to_string(policy.pukLength) +
                                    " characters");
    expectSuccess(secureChannel().transmit(command(0xDA, 0x00, 0xC5, policy.encode())), "storing the PIN policy");
    expectSuccess(secureChannel().transmit(command(0xDA, 0x00, 0xC6, pin)), "storing the transport PIN");
    expectSuccess(secureChannel().transmit(command(0xDA, 0x00, 0xC7, puk)), "storing the PUK");
    expectSuccess(secureChannel().transmit(command(0x44, 0x00, 0x00, {})), "finishing personalization");
    policy_ = policy;
}

std::optional<int> QuorumCard::pinTriesLeft() {
    const auto answer = secureChannel().transmit(command(0x20, 0x00, kPinReference, {}));
    if (answer.sw == sw::kSuccess) return std::nullopt;
    if ((answer.sw & 0xFFF0) == sw::kVerifyFailed) return answer.sw & 0x0F;
    if (answer.sw == sw::kAuthenticationMethodBlocked) return 0;
    expectSuccess(answer, "reading the PIN tries");
    return std::nullopt;
}

void QuorumCard::storeShare(const crypto::FeldmanShare& share, const Bytes& commitmentsDigest) {
    if (share.index == 0 || share.value.size() != crypto::kFeldmanScalarSize || commitmentsDigest.size() != 32)
        throw std::invalid_argument("a share record is an index 1..255, a 32-byte value and a 32-byte digest");
    Bytes record{share.index};
    record.insert(record.end(), share.value.begin(), share.value.end());
    record.insert(record.end(), commitmentsDigest.begin(), commitmentsDigest.end());
    expectSuccess(secureChannel().transmit(command(0xDA, 0x00, 0xC9, record)), "storing the share");
}

ReleasedShare QuorumCard::getShare() {
    apdu::CommandApdu get = command(0x38, 0x00, 0x00, {});
    get.cla = 0x80;
    get.ne = 256;
    const auto answer = secureChannel().transmit(get);
    expectSuccess(answer, "releasing the share");
    const Bytes& v = answer.data;
    if (v.size() != 1 + 32 + 32 + 4) throw CardProtocolError("GET SHARE answered " + std::to_string(v.size()) + " bytes, expected 69");
    ReleasedShare released;
    released.share.index = v[0];
    released.share.value.assign(v.begin() + 1, v.begin() + 33);
    released.commitmentsDigest.assign(v.begin() + 33, v.begin() + 65);
    for (std::size_t i = 65; i < 69; ++i) released.usageCount = (released.usageCount << 8) | v[i];
    return released;
}

Bytes rsaShareRecord(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share) {
    key.check();
    if (share.index < 1 || share.index > key.n || share.value.size() != key.modulusSize())
        throw std::invalid_argument("a threshold RSA share is an index 1..n and a value as long as the modulus");
    using apdu::Tlv;
    auto byte = [](int value) { return Bytes{static_cast<std::uint8_t>(value)}; };
    return apdu::encodeTlv({Tlv::primitive(0x80, byte(share.index)), Tlv::primitive(0x81, byte(key.n)),
                            Tlv::primitive(0x82, byte(key.k)), Tlv::primitive(0x83, key.modulus),
                            Tlv::primitive(0x84, key.v), Tlv::primitive(0x85, key.verificationKey(share.index)),
                            Tlv::primitive(0x86, share.value)});
}

void QuorumCard::storeRsaShare(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share) {
    expectSuccess(secureChannel().transmit(command(0xDA, 0x00, 0xCB, rsaShareRecord(key, share))),
                  "storing the threshold RSA share");
}

SignedPartial QuorumCard::partialSign(const Bytes& digest, std::size_t modulusSize, int index) {
    if (digest.size() != crypto::shoup::kDigestSize) throw std::invalid_argument("PARTIAL SIGN takes a 32-byte SHA-256 digest");
    apdu::CommandApdu sign = command(0x3A, 0x00, 0x00, digest);
    sign.cla = 0x80;
    sign.ne = 256;  // the rest comes with GET RESPONSE
    const auto answer = secureChannel().transmit(sign);
    expectSuccess(answer, "the partial signature");
    const Bytes& v = answer.data;
    const std::size_t expected = modulusSize + crypto::shoup::kChallengeSize + crypto::shoup::responseSize(modulusSize) + 4;
    if (v.size() != expected)
        throw CardProtocolError("PARTIAL SIGN answered " + std::to_string(v.size()) + " bytes, expected " +
                                std::to_string(expected) + " for a " + std::to_string(modulusSize * 8) + "-bit key");
    SignedPartial result;
    result.partial.index = index;
    auto at = v.begin();
    auto take = [&at](std::size_t size) {
        Bytes part(at, at + static_cast<std::ptrdiff_t>(size));
        at += static_cast<std::ptrdiff_t>(size);
        return part;
    };
    result.partial.value = take(modulusSize);
    result.partial.challenge = take(crypto::shoup::kChallengeSize);
    result.partial.response = take(crypto::shoup::responseSize(modulusSize));
    for (; at != v.end(); ++at) result.usageCount = (result.usageCount << 8) | *at;
    return result;
}

void QuorumCard::verifyPin(const Bytes& pin) {
    expectSuccess(secureChannel().transmit(command(0x20, 0x00, kPinReference, pinBlock(pin))), "PIN");
}

const PinPolicy& QuorumCard::knownPolicy() {
    if (!policy_) {
        if (trust_) secureChannel();  // opening it selects, which reads the policy from the FCI
        else select();
    }
    if (!policy_) throw CardProtocolError("the card has no PIN yet (it is not personalized)");
    return *policy_;
}

void QuorumCard::checkNewPin(const Bytes& newPin) {
    const PinPolicy& policy = knownPolicy();
    if (newPin.size() < static_cast<std::size_t>(policy.pinMin) ||
        newPin.size() > static_cast<std::size_t>(policy.pinMax))
        throw std::invalid_argument("the new PIN must have " + std::to_string(policy.pinMin) +
                                    " to " + std::to_string(policy.pinMax) + " characters");
    for (auto c : newPin)
        if (c == kPinPadding) throw std::invalid_argument("the new PIN contains a byte FF");
}

void QuorumCard::changePin(const Bytes& oldPin, const Bytes& newPin) {
    checkNewPin(newPin);
    expectSuccess(secureChannel().transmit(command(0x24, 0x00, kPinReference, concat(pinBlock(oldPin), pinBlock(newPin)))),
                  "current PIN");
}

void QuorumCard::unblockPin(const Bytes& puk, const Bytes& newPin) {
    checkNewPin(newPin);
    expectSuccess(secureChannel().transmit(command(0x2C, 0x00, kPinReference, concat(puk, pinBlock(newPin)))), "PUK");
}

}  // namespace quorum::host
