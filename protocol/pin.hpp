// PIN policy, PIN blocks and PIN status (docs/apdu-spec.md: "PIN blocks", PUT DATA 00 C5,
// GET DATA 00 C4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::protocol {

// PINs are padded with FF to `pin max` bytes, so FF is not allowed inside a PIN.
constexpr std::uint8_t kPinPadding = 0xFF;

struct PinPolicy {
    // The spec's limits for each field.
    static constexpr int kMinPinLength = 4;
    static constexpr int kMaxPinLength = 16;
    static constexpr int kMinPukLength = 6;
    static constexpr int kMaxPukLength = 16;
    static constexpr int kMaxTries = 15;  // 63Cx has four bits for the count
    static constexpr std::size_t kEncodedSize = 6;

    std::uint8_t pinMin = 6;
    std::uint8_t pinMax = 8;
    std::uint8_t pukLength = 8;
    std::uint8_t pinTries = 3;
    std::uint8_t pukTries = 3;
    bool changeBeforeUse = true;

    // What about this policy the spec does not allow, as a sentence; empty when it is valid.
    std::string problem() const;
    // The 6 bytes of PUT DATA 00 C5; std::invalid_argument (problem()) for an invalid policy.
    Bytes encode() const;
    // The policy in `encoded`, or nullopt when it is not 6 bytes or a value is out of range.
    static std::optional<PinPolicy> decode(const Bytes& encoded);

    // "6 to 8 characters" (or "8 characters" when min == max): for prompts and messages.
    std::string pinLengthText() const;
};

// Why a PIN does not fit a policy.
enum class PinProblem { None, TooShort, TooLong, ContainsPadding };

// A PIN as a holder types it: pinMin..pinMax bytes, none of them FF.
PinProblem checkPin(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy);
inline PinProblem checkPin(const Bytes& pin, const PinPolicy& policy) {
    return checkPin(pin.data(), pin.size(), policy);
}
inline bool isValidPin(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy) {
    return checkPin(pin, size, policy) == PinProblem::None;
}

// A PIN block: exactly pinMax bytes, a valid PIN followed by FF padding.
bool isValidPinBlock(const std::uint8_t* block, std::size_t size, const PinPolicy& policy);

// The PIN padded with FF to pinMax bytes (the form that travels, and that the card stores and
// compares). The caller checks the PIN first.
Bytes pinBlock(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy);
inline Bytes pinBlock(const Bytes& pin, const PinPolicy& policy) {
    return pinBlock(pin.data(), pin.size(), policy);
}

// GET DATA 00 C4: tries left and limits of the PIN and the PUK, and whether the transport PIN
// must still be changed.
struct PinStatus {
    static constexpr std::size_t kEncodedSize = 5;
    std::uint8_t pinTriesLeft = 0;
    std::uint8_t pinTryLimit = 0;
    std::uint8_t pukTriesLeft = 0;
    std::uint8_t pukTryLimit = 0;
    bool changeRequired = false;

    Bytes encode() const;
    // nullopt unless exactly 5 bytes with counts within their limits.
    static std::optional<PinStatus> decode(const Bytes& encoded);
};

}  // namespace quorum::protocol
