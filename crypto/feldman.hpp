// Feldman verifiable secret sharing over P-256, for activating a card set with k of its n cards.
//
// The dealer picks a random polynomial f(x) = a_0 + a_1 x + ... + a_{k-1} x^{k-1} over the
// integers mod q (q = the order of the P-256 base point G), every coefficient in [1, q-1]. The
// secret is a_0. Card x (x = 1..n) keeps the share s_x = f(x) mod q; everybody may see the
// commitments C_j = a_j * G (j = 0..k-1). A share is genuine when s_x * G == sum_j x^j * C_j, so a
// card holder can check a share without learning anything about the secret, and a forged or
// damaged share is caught before it spoils a reconstruction. Any k genuine shares give back a_0
// by Lagrange interpolation at 0; fewer reveal nothing about it.
//
// The secret is never used directly as a key. activationKey() derives the 32-byte activation key
// of a card set with HKDF-SHA256 (RFC 5869):
//     IKM  = a_0 as a 32-byte big-endian scalar
//     salt = empty (RFC 5869 2.2: HashLen zero bytes)
//     info = "quorum-cards activation key v1" || cardSetId   (the ASCII text, no terminator)
//     L    = 32
// so one secret serves one card set only.
//
// Encoded commitments (FeldmanCommitments::encode):  k (1 byte, 1..255) || C_0 || ... || C_{k-1},
// each C_j a 65-byte uncompressed point 04 || X || Y. It is canonical: decode() accepts nothing
// else, and digest() (SHA-256 of the encoding) names a deal.
//
// Secrets (coefficients, shares, the reconstructed a_0) live in OpenSSL secure-heap BIGNUMs that
// are cleared when freed, and in Bytes, which zeroize their buffers.
//
// Errors: bad arguments to deal() throw std::invalid_argument; malformed commitments and failed
// reconstructions throw FeldmanError; failures inside OpenSSL throw CryptoError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::crypto {

constexpr std::size_t kFeldmanScalarSize = 32;  // shares, coefficients and the secret
constexpr int kFeldmanMaxShares = 255;          // share indexes are one byte, 1..255

// A share that cannot be used, commitments that cannot be read, or shares that do not
// reconstruct. index() is the card (share index) at fault, when one is.
class FeldmanError : public std::runtime_error {
public:
    explicit FeldmanError(const std::string& message, std::optional<int> index = std::nullopt)
        : std::runtime_error(message), index_(index) {}
    std::optional<int> index() const noexcept { return index_; }

private:
    std::optional<int> index_;
};

struct FeldmanShare {
    std::uint8_t index = 0;  // x, 1..255 (the card's place in the set)
    Bytes value;             // f(x) mod q, 32-byte big-endian scalar; secret
};

struct FeldmanCommitments {
    std::vector<Bytes> points;  // C_j = a_j * G, 65-byte uncompressed points, j = 0..k-1

    // k (1 byte) || C_0 || ... || C_{k-1}. Throws FeldmanError unless there are 1..255 points,
    // each a valid uncompressed P-256 point.
    Bytes encode() const;
    // The inverse of encode(); throws FeldmanError for a wrong length (truncated or trailing
    // bytes), a count of 0, or a point that is not an uncompressed point on P-256.
    static FeldmanCommitments decode(const Bytes& encoded);
    // SHA-256 of encode().
    Bytes digest() const;
    // k: how many shares reconstruct the secret.
    std::size_t threshold() const { return points.size(); }
};

struct FeldmanDeal {
    std::vector<FeldmanShare> shares;  // indexes 1..n, in order
    FeldmanCommitments commitments;
    Bytes secret;  // a_0, 32 bytes
};

// A k-of-n deal with fresh random coefficients (OpenSSL's private CSPRNG), each in [1, q-1].
// Throws std::invalid_argument naming the bad value unless 1 <= k <= n <= 255.
FeldmanDeal deal(int k, int n);

// The same with the coefficients given (a_0 first; k = coefficients.size()), for known-answer
// tests. Each must be a 32-byte big-endian scalar in [1, q-1]; throws std::invalid_argument
// naming the bad coefficient or count otherwise.
FeldmanDeal deal(const std::vector<Bytes>& coefficients, int n);

// Whether s_x * G == sum_j x^j * C_j. False for index 0, a value that is not a 32-byte scalar
// below q, or commitments that are not 1..255 valid points.
bool verifyShare(const FeldmanShare& share, const FeldmanCommitments& commitments);

// The secret a_0 from exactly threshold() shares with distinct nonzero indexes. Every share is
// checked against the commitments first (all at once, with random 128-bit weights: k point
// multiplications instead of k per share; a failing batch is halved until the first bad share
// is found), and a_0 * G against C_0 last. Throws FeldmanError
// naming the problem ("3 shares are needed, 2 given", "card 4 appears twice", "share of card 5
// does not match the commitments"); index() tells the card at fault when there is one.
Bytes combine(const std::vector<FeldmanShare>& shares, const FeldmanCommitments& commitments);

// The 32-byte activation key of the card set `cardSetId` (HKDF-SHA256, see the top of this
// file). Throws CryptoError unless `secret` is 32 bytes.
Bytes activationKey(const Bytes& secret, const Bytes& cardSetId);

}  // namespace quorum::crypto
