// Redistribution of a Feldman-shared P-256 secret to a new set of cards, with a new threshold,
// without the secret ever existing in one place (Y. Desmedt and S. Jajodia, "Redistributing
// secret shares to new access structures and its applications", 1997; verifiable as in T. Wong,
// C. Wang and J. Wing, "Verifiable secret redistribution for archive systems", 2002).
//
// The old set holds shares s_i = f(i) of a_0 with Feldman commitments C_l = a_l * G
// (crypto/feldman.hpp). Any k old cards B (k = the old threshold) redistribute to n' new cards
// with threshold k':
//
//   1. Old card i picks g_i(x) = s_i + b_i1 x + ... + b_i,k'-1 x^{k'-1} mod q (each b_il random
//      in [1, q-1]), publishes D_il = b_il * G (so D_i0 = s_i * G), and sends new card j the
//      sub-share g_i(j), sealed for j alone (below).
//   2. Anybody checks that D_i0 == Y_i = sum_l i^l C_l: old card i shared its real share
//      (fromShareHolder).
//   3. New card j opens its boxes, checks g_i(j) * G == sum_l j^l D_il for each i in B, and keeps
//      s'_j = sum_{i in B} lambda_i g_i(j) mod q, lambda_i = prod_{m in B, m != i} m / (m - i)
//      (Lagrange at 0 over B). Then s'_j = f'(j) for f' = sum_i lambda_i g_i, and f'(0) =
//      sum_i lambda_i s_i = a_0: the same secret, shared k'-of-n'.
//   4. The new commitments are C'_l = sum_{i in B} lambda_i D_il (combinedCommitments); C'_0 ==
//      C_0 when every D_i0 passed step 2.
//
// No party ever holds a_0 or another card's s_i: an old card's answer holds only D_i and boxes
// that only their new card can open, and fewer than k' of the g_i(j) tell nothing about s_i.
//
// A box (Sealed) carries g_i(j) from old card i to new card j (ECIES with one-time keys):
//     E   = e * G, e a fresh random scalar (the 65-byte `ephemeral`)
//     Z   = the x coordinate of e * P_j (ECDH with new card j's certified key P_j)
//     key = HKDF-SHA256(IKM = Z, salt = E || P_j,
//                       info = "quorum reshare v1" || context || i || j, L = 32)
//     box = AES-256-GCM(key, nonce = 12 zero bytes (each key seals one box),
//                       aad = i || j || SHA-256(encoded D_i), plaintext = g_i(j) as 32 bytes)
//         = 32 bytes of ciphertext || the 16-byte tag
// with i and j one byte each, and the encoded D_i as FeldmanCommitments::encode() writes it. A
// box therefore opens only for card j, in this redistribution (`context`: any bytes both sides
// agree on, naming it), with old card i's commitments as published.
//
// Secrets (s_i, the b_il, g_i(j), s'_j, e, the box keys) live in OpenSSL secure-heap BIGNUMs and
// in Bytes, which zeroize their buffers; the checks compare encoded points with CRYPTO_memcmp.
//
// Errors: bad arguments to redistribute() throw std::invalid_argument; inputs that fail a check
// throw ReshareError naming the old card at fault when there is one; failures inside OpenSSL
// throw CryptoError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"

namespace quorum::crypto::reshare {

constexpr std::size_t kBoxSize = 48;  // g_i(j) encrypted (32) || GCM tag (16)

// What went wrong, so that a card can answer it with its own status word.
enum class Fault {
    Input,     // malformed or inconsistent input (bad points, another k', an old card twice, ...)
    Box,       // an old card's box for this card is missing or does not open
    SubShare,  // an old card's sub-share does not match its own commitments D_i
};

// A redistribution that cannot be used; from() is the old card at fault, when one is.
class ReshareError : public std::runtime_error {
public:
    explicit ReshareError(const std::string& message, std::optional<int> from = std::nullopt,
                          Fault fault = Fault::Input)
        : std::runtime_error(message), from_(from), fault_(fault) {}
    std::optional<int> from() const noexcept { return from_; }
    Fault fault() const noexcept { return fault_; }

private:
    std::optional<int> from_;
    Fault fault_;
};

// A card of the new set: its index j (1..255) and the P-256 key its certificate carries.
struct NewCard {
    std::uint8_t index = 0;
    Bytes publicKey;  // 65-byte uncompressed point
};

// g_i(j), sealed by old card `from` (i) for new card `to` (j) alone (see the top of this file).
struct Sealed {
    std::uint8_t from = 0;
    std::uint8_t to = 0;
    Bytes ephemeral;  // E, 65-byte uncompressed point
    Bytes box;        // kBoxSize bytes
};

// What old card `from` publishes: D_il, l = 0..k'-1, and one box per new card.
struct Redistribution {
    std::uint8_t from = 0;
    FeldmanCommitments commitments;
    std::vector<Sealed> sealed;
};

// Old card share.index's redistribution to `newCards` with threshold `newK`: fresh random
// b_il, D_il, and g_i(j) sealed for every new card j, in the order of `newCards`. Throws
// std::invalid_argument unless 1 <= newK <= n' <= 255, the new indexes are distinct and in
// 1..255, every key is a valid point, and the share is an index 1..255 with a nonzero scalar
// below q.
Redistribution redistribute(const FeldmanShare& share, int newK, const std::vector<NewCard>& newCards,
                            const Bytes& context);

// One box: `subShare` (32 bytes) sealed by old card `from` for `to`, bound to `commitments` (the
// D_i it must match) and `context`. What redistribute() does for each new card; public so that
// a test can play an old card that cheats. Throws std::invalid_argument for a bad key or value.
Sealed seal(std::uint8_t from, const NewCard& to, const Bytes& subShare,
            const FeldmanCommitments& commitments, const Bytes& context);

// The public check that old card r.from redistributed its real share: D_i0 == sum_l i^l C_l.
// False too for an index 0 or commitments that are not valid points.
bool fromShareHolder(const Redistribution& r, const FeldmanCommitments& oldCommitments);

// The new set's commitments C'_l = sum_{i in B} lambda_i D_il, B the old cards of `b`. Throws
// ReshareError for no redistribution, an old card twice or index 0, commitments that are not
// valid points, redistributions of different k', or a C'_l at infinity; from() names the old
// card where one is at fault.
FeldmanCommitments combinedCommitments(const std::vector<Redistribution>& b);

// New card j's share s'_j = sum_{i in B} lambda_i g_i(j), with `cardKey` its private key: opens
// its box from each redistribution and checks g_i(j) * G == sum_l j^l D_il. Throws ReshareError
// naming the first old card (in the order of `b`) whose box for j is missing or does not open
// (Fault::Box) or whose sub-share fails its commitments (Fault::SubShare); and for inputs that
// cannot be combined at all (Fault::Input: as combinedCommitments refuses them).
FeldmanShare receive(std::uint8_t j, const EcPrivateKey& cardKey, const std::vector<Redistribution>& b,
                     const Bytes& context);

}  // namespace quorum::crypto::reshare
