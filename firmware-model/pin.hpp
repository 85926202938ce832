// How the card compares secrets. PIN policy and PIN blocks are protocol/pin.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quorum::card {

// Constant-time equality of two equally long secrets (CRYPTO_memcmp).
bool secretsEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size);

}  // namespace quorum::card
