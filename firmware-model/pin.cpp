#include "firmware-model/pin.hpp"

#include <openssl/crypto.h>

namespace quorum::card {

namespace {
constexpr std::uint8_t kMinPinLength = 4;
constexpr std::uint8_t kMaxPinLength = 16;
constexpr std::uint8_t kMinPukLength = 6;
constexpr std::uint8_t kMaxPukLength = 16;
constexpr std::uint8_t kMaxTries = 15;  // 63Cx has four bits for the count
constexpr std::uint8_t kFlagChangeBeforeUse = 0x01;
}  // namespace

std::optional<PinPolicy> PinPolicy::decode(const Bytes& encoded) {
    if (encoded.size() != kEncodedSize) return std::nullopt;
    PinPolicy p;
    p.pinMin = encoded[0];
    p.pinMax = encoded[1];
    p.pukLength = encoded[2];
    p.pinTries = encoded[3];
    p.pukTries = encoded[4];
    const std::uint8_t flags = encoded[5];
    p.changeBeforeUse = (flags & kFlagChangeBeforeUse) != 0;
    const bool valid = p.pinMin >= kMinPinLength && p.pinMax >= p.pinMin &&
                       p.pinMax <= kMaxPinLength && p.pukLength >= kMinPukLength &&
                       p.pukLength <= kMaxPukLength && p.pinTries >= 1 && p.pinTries <= kMaxTries &&
                       p.pukTries >= 1 && p.pukTries <= kMaxTries &&
                       (flags & ~kFlagChangeBeforeUse) == 0;
    if (!valid) return std::nullopt;
    return p;
}

Bytes PinPolicy::encode() const {
    return {pinMin, pinMax, pukLength, pinTries, pukTries,
            static_cast<std::uint8_t>(changeBeforeUse ? kFlagChangeBeforeUse : 0)};
}

bool isValidPin(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy) {
    if (size < policy.pinMin || size > policy.pinMax) return false;
    for (std::size_t i = 0; i < size; ++i)
        if (pin[i] == kPinPadding) return false;
    return true;
}

bool isValidPinBlock(const std::uint8_t* block, std::size_t size, const PinPolicy& policy) {
    if (size != policy.pinMax) return false;
    std::size_t length = 0;
    while (length < size && block[length] != kPinPadding) ++length;
    for (std::size_t i = length; i < size; ++i)
        if (block[i] != kPinPadding) return false;
    return length >= policy.pinMin;
}

Bytes pinBlock(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy) {
    Bytes block(pin, pin + size);
    block.resize(policy.pinMax, kPinPadding);
    return block;
}

bool secretsEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size) {
    return CRYPTO_memcmp(a, b, size) == 0;
}

}  // namespace quorum::card
