// PIN policy and PIN blocks (docs/apdu-spec.md, "PIN blocks" and PUT DATA 00 C5).
#pragma once

#include <cstdint>
#include <optional>

#include "apdu/bytes.hpp"

namespace quorum::card {

constexpr std::uint8_t kPinPadding = 0xFF;

struct PinPolicy {
    std::uint8_t pinMin = 0;
    std::uint8_t pinMax = 0;
    std::uint8_t pukLength = 0;
    std::uint8_t pinTries = 0;
    std::uint8_t pukTries = 0;
    bool changeBeforeUse = false;

    static constexpr std::size_t kEncodedSize = 6;
    // The policy in `encoded`, or nullopt when a value is outside the ranges of the spec.
    static std::optional<PinPolicy> decode(const Bytes& encoded);
    Bytes encode() const;
};

// A PIN as given at personalization: pinMin..pinMax bytes, none of them FF.
bool isValidPin(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy);

// A PIN block: exactly pinMax bytes, a valid PIN followed by FF padding.
bool isValidPinBlock(const std::uint8_t* block, std::size_t size, const PinPolicy& policy);

// The PIN padded with FF to pinMax bytes (the form the card stores and compares).
Bytes pinBlock(const std::uint8_t* pin, std::size_t size, const PinPolicy& policy);

// Constant-time equality of two equally long secrets (CRYPTO_memcmp).
bool secretsEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size);

}  // namespace quorum::card
