// The card's threshold RSA share (PUT DATA 00 CB) and the computation of PARTIAL SIGN, as the
// card does it with its coprocessor (docs/apdu-spec.md). Public so that a benchmark can time
// exactly the card's work.
#pragma once

#include <cstdint>
#include <optional>

#include "apdu/bytes.hpp"
#include "firmware-model/coprocessor.hpp"

namespace quorum::card {

// The record of PUT DATA 00CB, in this order: 80 index, 81 n, 82 k (one byte each), 83 N,
// 84 v, 85 v_i, 86 s_i (each exactly as long as N).
struct RsaShare {
    std::uint8_t index = 0;
    std::uint8_t n = 0;
    std::uint8_t k = 0;
    Bytes modulus;
    Bytes v;
    Bytes vi;
    Bytes share;
};

// The record's fields, or nullopt for anything apdu-spec.md does not allow (order, sizes,
// ranges, an even modulus, a value not below N).
std::optional<RsaShare> parseRsaShare(const Bytes& record);

// x_i || c || z for the SHA-256 `digest` (32 bytes): the partial signature and its proof, with a
// fresh r from the coprocessor's random number generator.
Bytes computePartialSignature(Coprocessor& coprocessor, const RsaShare& key, const Bytes& digest);

}  // namespace quorum::card
