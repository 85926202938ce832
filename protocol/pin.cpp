#include "protocol/pin.hpp"

#include <stdexcept>

namespace quorum::protocol {

namespace {
constexpr std::uint8_t kFlagChangeBeforeUse = 0x01;

std::string range(int low, int high) { return std::to_string(low) + ".." + std::to_string(high); }
}  // namespace

std::string PinPolicy::problem() const {
    if (pinMin < kMinPinLength || pinMin > kMaxPinLength)
        return "the shortest PIN must be " + range(kMinPinLength, kMaxPinLength) + " characters, not " +
               std::to_string(int{pinMin});
    if (pinMax < pinMin || pinMax > kMaxPinLength)
        return "the longest PIN must be " + range(int{pinMin}, kMaxPinLength) + " characters, not " + std::to_string(int{pinMax});
    if (pukLength < kMinPukLength || pukLength > kMaxPukLength)
        return "the PUK must have " + range(kMinPukLength, kMaxPukLength) + " characters, not " +
               std::to_string(int{pukLength});
    if (pinTries < 1 || pinTries > kMaxTries)
        return "the PIN tries must be " + range(1, kMaxTries) + ", not " + std::to_string(int{pinTries});
    if (pukTries < 1 || pukTries > kMaxTries)
        return "the PUK tries must be " + range(1, kMaxTries) + ", not " + std::to_string(int{pukTries});
    return {};
}

Bytes PinPolicy::encode() const {
    const std::string wrong = problem();
    if (!wrong.empty()) throw std::invalid_argument("PIN policy: " + wrong);
    return {pinMin, pinMax, pukLength, pinTries, pukTries,
            static_cast<std::uint8_t>(changeBeforeUse ? kFlagChangeBeforeUse : 0)};
}

std::optional<PinPolicy> PinPolicy::decode(const Bytes& encoded) {
    if (encoded.size() != kEncodedSize) return std::nullopt;
    if ((encoded[5] & ~kFlagChangeBeforeUse) != 0) return std::nullopt;
    PinPolicy policy{encoded[0], encoded[1], encoded[2], encoded[3], encoded[4],
                     (encoded[5] & kFlagChangeBeforeUse) != 0};
    if (!policy.problem().empty()) return std::nullopt;
    return policy;
}

std::string PinPolicy::pinLengthText() const {
    if (pinMin == pinMax) return std::to_string(int{pinMin}) + " characters";
    return std::to_string(int{pinMin}) + " to " + std::to_string(int{pinMax}) + " characters";
}

PinProblem checkPin(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy) {
    if (size < policy.pinMin) return PinProblem::TooShort;
    if (size > policy.pinMax) return PinProblem::TooLong;
    for (std::size_t i = 0; i < size; ++i)
        if (pin[i] == kPinPadding) return PinProblem::ContainsPadding;
    return PinProblem::None;
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

Bytes PinStatus::encode() const {
    return {pinTriesLeft, pinTryLimit, pukTriesLeft, pukTryLimit, static_cast<std::uint8_t>(changeRequired ? 1 : 0)};
}

std::optional<PinStatus> PinStatus::decode(const Bytes& v) {
    if (v.size() != kEncodedSize || (v[4] & ~1) != 0 || v[0] > v[1] || v[2] > v[3]) return std::nullopt;
    return PinStatus{v[0], v[1], v[2], v[3], (v[4] & 1) != 0};
}

}  // namespace quorum::protocol
