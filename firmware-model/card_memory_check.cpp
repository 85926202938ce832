#include "firmware-model/card_memory_check.hpp"

#include <optional>
#include <string>

#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "firmware-model/card.hpp"
#include "protocol/shares.hpp"

namespace quorum::card {

namespace {

[[noreturn]] void refuse(const char* name, const std::string& what) {
    throw NvmError(std::string("field \"") + name + "\" " + what);
}

const Bytes* find(const NvmImage& image, const char* name) {
    const auto it = image.find(name);
    return it == image.end() ? nullptr : &it->second;
}

void requireSize(const NvmImage& image, const char* name, std::size_t size) {
    if (const Bytes* value = find(image, name); value && value->size() != size)
        refuse(name, "has " + std::to_string(value->size()) + " bytes, not " + std::to_string(size));
}

// A P-256 scalar in 1..n-1, as a private key or a share value is.
bool isScalar(const Bytes& value) {
    try {
        crypto::EcPrivateKey::fromScalar(value);
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

void checkTries(const NvmImage& image, const char* name, const std::optional<PinPolicy>& policy, int allowed) {
    const Bytes* tries = find(image, name);
    if (!tries) return;
    if (tries->size() != 1) refuse(name, "has " + std::to_string(tries->size()) + " bytes, not 1");
    if (policy && (*tries)[0] > allowed)
        refuse(name, "is " + std::to_string((*tries)[0]) + ", more than the " + std::to_string(allowed) +
                         " tries of the card's PIN policy");
}

}  // namespace

void checkCardMemory(const NvmImage& image) {
    requireSize(image, field::kCardId, protocol::kCardIdSize);
    std::optional<Lifecycle> lifecycle;
    if (const Bytes* state = find(image, field::kLifecycle)) {
        if (state->size() != 1 || !(lifecycle = protocol::lifecycleFromByte((*state)[0])))
            refuse(field::kLifecycle, "is not a lifecycle state");
    }
    if (lifecycle == Lifecycle::Terminated) {  // its secrets are overwritten with zeros, nothing else
        for (const char* name : {field::kPin, field::kPuk, field::kCardPrivateKey, field::kShare, field::kRsaShare})
            if (const Bytes* secret = find(image, name))
                for (const std::uint8_t byte : *secret)
                    if (byte != 0) refuse(name, "is not zeroized, as a TERMINATED card's secrets are");
        return;
    }
    std::optional<PinPolicy> policy;
    if (const Bytes* encoded = find(image, field::kPinPolicy)) {
        policy = PinPolicy::decode(*encoded);
        if (!policy) refuse(field::kPinPolicy, "is not a PIN policy the card accepts (PIN min <= max, lengths and tries "
                                               "within docs/apdu-spec.md)");
    }
    if (const Bytes* pin = find(image, field::kPin)) {
        if (pin->empty()) refuse(field::kPin, "is empty");
        if (policy) {  // stored as a PIN block: the PIN, then FF up to the policy's longest PIN
            std::size_t length = 0;
            while (length < pin->size() && (*pin)[length] != 0xFF) ++length;
            bool padded = pin->size() == policy->pinMax;
            for (std::size_t i = length; i < pin->size(); ++i) padded = padded && (*pin)[i] == 0xFF;
            if (!padded || length < policy->pinMin)
                refuse(field::kPin, "is not a PIN block the card's PIN policy allows (" + policy->pinLengthText() +
                                        ", then FF up to " + std::to_string(policy->pinMax) + " bytes)");
        }
    }
    if (const Bytes* puk = find(image, field::kPuk)) {
        if (puk->empty()) refuse(field::kPuk, "is empty");
        if (policy && puk->size() != policy->pukLength)
            refuse(field::kPuk, "has " + std::to_string(puk->size()) + " bytes where the policy says " +
                                    std::to_string(policy->pukLength));
    }
    checkTries(image, field::kPinTries, policy, policy ? policy->pinTries : 0);
    checkTries(image, field::kPukTries, policy, policy ? policy->pukTries : 0);
    if (const Bytes* flag = find(image, field::kPinChangeRequired); flag && (flag->size() != 1 || (*flag)[0] > 1))
        refuse(field::kPinChangeRequired, "is not 00 or 01");
    if (const Bytes* point = find(image, field::kCaPublicKey)) {
        try {
            crypto::EcPublicKey::fromPoint(*point);
        } catch (const std::exception&) {
            refuse(field::kCaPublicKey, "is not a point on P-256");
        }
    }
    if (const Bytes* key = find(image, field::kCardPrivateKey); key && !isScalar(*key))
        refuse(field::kCardPrivateKey, "is not a P-256 private key (32 bytes, 1..n-1)");
    if (const Bytes* der = find(image, field::kCardCertificate)) {
        try {
            crypto::Certificate::fromDer(*der);
        } catch (const std::exception&) {
            refuse(field::kCardCertificate, "is not an X.509 certificate");
        }
    }
    if (const Bytes* share = find(image, field::kShare)) {
        const auto record = protocol::ShareRecord::decode(*share);
        if (!record) refuse(field::kShare, "has " + std::to_string(share->size()) + " bytes, not " +
                                               std::to_string(protocol::ShareRecord::kEncodedSize));
        if (record->index == 0 || !isScalar(record->value))
            refuse(field::kShare, "holds no share (index 0, or a value outside 1..n-1)");
    }
    if (const Bytes* share = find(image, field::kRsaShare); share && !protocol::RsaShareRecord::decode(*share))
        refuse(field::kRsaShare, "is not a threshold RSA share record");
    requireSize(image, field::kUsageCounter, protocol::kUsageCounterSize);
    requireSize(image, field::kReshareContext, 32);
    if (lifecycle == Lifecycle::Personalized || lifecycle == Lifecycle::Operational)
        for (const char* name : {field::kPinPolicy, field::kPin, field::kPuk, field::kPinTries, field::kPukTries})
            if (!find(image, name))
                refuse(name, std::string("is missing, which a ") + protocol::lifecycleName(*lifecycle) +
                                 " card cannot be without");
}

}  // namespace quorum::card
