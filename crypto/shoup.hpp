// Threshold RSA signatures after V. Shoup, "Practical Threshold Signatures" (Eurocrypt 2000),
// protocol 1: any k of n key holders each compute a partial signature with a proof that it is
// correct; anybody combines k of them into an ordinary RSASSA-PKCS1-v1_5 SHA-256 signature. The
// private exponent never exists anywhere after dealing.
//
// Notation (the paper's):
//   N = p q, p = 2p' + 1, q = 2q' + 1 safe primes, m = p' q', e = 65537 (prime, > n).
//   d = e^-1 mod m; f(X) = d + a_1 X + ... + a_{k-1} X^{k-1}, a_j uniform in [0, m).
//   Share of player i (i = 1..n): s_i = f(i) mod m.
//   v: a generator of Q_N (the squares mod N); verification keys v_i = v^{s_i} mod N.
//   Delta = n!.
//   x = EMSA-PKCS1-v1_5(SHA-256 digest) as an integer (RFC 8017 9.2), 0 < x < N.
//   Partial signature x_i = x^{2 Delta s_i} mod N.
//   Proof that log_v(v_i) = log_{x~}(x_i^2), x~ = x^{4 Delta}:
//     r uniform in [0, 2^{L(N) + 2 L1}), L(N) = bits of N, L1 = 256 (SHA-256);
//     v' = v^r, x' = x~^r, c = H(v, x~, v_i, x_i^2, v', x'), z = s_i c + r.
//   H: SHA-256 over the six values, each as a big-endian integer of exactly modulusSize() bytes,
//     concatenated in that order; c is the 32-byte digest read as a big-endian integer.
//   Verification: c == H(v, x~, v_i, x_i^2, v^z v_i^-c, x~^z x_i^-2c).
//   Combination over a set S of k indexes: lambda_j = Delta * prod_{j' in S, j' != j} j'/(j' - j)
//     (an integer); w = prod_j x_j^{2 lambda_j}; w^e = x^{e'} with e' = 4 Delta^2; with
//     a e' + b e = 1, y = w^a x^b; y^e == x is checked before y is returned.
//
// Batch (docs/batch-proof.md; M. Bellare, J. Garay, T. Rabin, "Fast batch verification for
// modular exponentiation and digital signatures", Eurocrypt 1998, small-exponent test, made
// non-interactive with Fiat-Shamir): one player signs digests d_1..d_m (2 <= m <= 16) with one
// proof. x_{i,j} = x_j^{2 Delta s_i}, x~_j = x_j^{4 Delta}; 128-bit weights
//   seed = SHA-256("QUORUM/SHOUP/BATCH/1" || L (2 bytes) || n || i || m (1 byte each) || N || v ||
//                  v_i || d_1 .. d_m || x_{i,1} .. x_{i,m}),
//   w_j = the first 16 bytes of SHA-256(seed || j (1 byte)), big-endian;
// X~ = prod x~_j^{w_j}, X_i = prod x_{i,j}^{w_j}, and Shoup's proof above with x~ = X~ and
// x_i = X_i: c = H(v, X~, v_i, X_i^2, v^r, X~^r), z = s_i c + r (same sizes). Any wrong x_{i,j}^2
// makes the proof fail except with probability about 2^-128 per hash the prover tries.
//
// Encodings: every integer is big-endian. Modulus-sized values (N, v, v_i, x_i) are exactly
// modulusSize() bytes, left-padded with zeros; s_i too. The challenge c is 32 bytes; the response
// z is responseSize() = modulusSize() + 65 bytes (z < 2^{L(N) + 513}).
//
// Secrets: p, q, p', q', m, d and the polynomial live in BN_secure_new BIGNUMs cleared when freed;
// shares and r in Bytes, which zeroize their buffers. Nothing secret is ever part of an
// exception message.
//
// Errors: bad arguments throw std::invalid_argument naming the value; malformed keys, partials
// that fail their proof and combinations that cannot be made throw ShoupError; failures inside
// OpenSSL throw CryptoError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::crypto::shoup {

constexpr int kMaxPlayers = 16;                // n <= 16, so Delta = n! < 2^45
constexpr std::uint32_t kPublicExponent = 65537;
constexpr std::size_t kChallengeSize = 32;     // L1 = 256 bits
constexpr std::size_t kDigestSize = 32;        // SHA-256
// Modulus sizes deal() generates. dealWithPrimes() accepts any modulus of kMinTestModulusBits
// or more (for tests and known answers), since EMSA-PKCS1-v1_5 SHA-256 needs 62 bytes at least.
constexpr int kModulusSizes[] = {2048, 3072, 4096};
constexpr int kMinTestModulusBits = 512;

constexpr std::size_t kMinBatch = 2;  // digests in one batch: one is a single partial
constexpr std::size_t kMaxBatch = 16;
constexpr std::size_t kWeightSize = 16;  // batch weights w_j: 128 bits

inline std::size_t responseSize(std::size_t modulusSize) { return modulusSize + 65; }
// Bytes of the proof's random r: ceil((L(N) + 512) / 8) for a modulus of modulusSize bytes whose
// top byte is nonzero, i.e. modulusSize + 64; its excess top bits are zero.
inline std::size_t randomSize(std::size_t modulusSize) { return modulusSize + 64; }

// A key, a share or a partial that cannot be used, or a combination that cannot be made.
// index() is the player (card index) at fault, when there is one.
class ShoupError : public std::runtime_error {
public:
    explicit ShoupError(const std::string& message, std::optional<int> index = std::nullopt)
        : std::runtime_error(message), index_(index) {}
    std::optional<int> index() const noexcept { return index_; }

private:
    std::optional<int> index_;
};

// Everything public about a dealt key.
struct PublicKey {
    int k = 0;                            // threshold: partials needed
    int n = 0;                            // players; Delta = n!
    Bytes modulus;                        // N, modulusSize() bytes, top byte nonzero
    Bytes v;                              // generator of Q_N, modulusSize() bytes
    std::vector<Bytes> verificationKeys;  // v_1 .. v_n, modulusSize() bytes each

    std::size_t modulusSize() const { return modulus.size(); }
    int modulusBits() const;
    // Throws ShoupError naming the field unless 1 <= k <= n <= 16, N is odd with its top byte
    // nonzero and at least kMinTestModulusBits bits, and v and every v_i are in [2, N-1]
    // with exactly modulusSize() bytes and n verification keys.
    void check() const;
    // v_i for player `index` (1..n); throws ShoupError otherwise.
    const Bytes& verificationKey(int index) const;
    // The RSA public key (N, 65537) as a PEM SubjectPublicKeyInfo, for `openssl dgst -verify`.
    std::string toPem() const;
};

// What one player keeps secret.
struct KeyShare {
    int index = 0;  // i, 1..n
    Bytes value;    // s_i, modulusSize() bytes
};

struct Deal {
    PublicKey publicKey;
    std::vector<KeyShare> shares;  // indexes 1..n, in order
};

// Called now and then while safe primes are searched for (which takes seconds to minutes);
// may be empty.
using Progress = std::function<void()>;

// A fresh k-of-n key: two safe primes of modulusBits/2 bits each (searched for in parallel,
// so N has exactly modulusBits bits), a random polynomial and a random v, all from OpenSSL's
// private CSPRNG. Throws std::invalid_argument naming the bad value unless modulusBits is one of
// kModulusSizes and 1 <= k <= n <= 16.
Deal deal(int modulusBits, int k, int n, const Progress& progress = {});

// The same from given values, for known-answer tests: p and q distinct safe primes (big-endian)
// whose product has at least kMinTestModulusBits bits and whose p', q' are larger than both n
// and e; coefficients a_1..a_{k-1} (so k = coefficients.size() + 1), each below m; vSeed in
// [2, N-1], with v = vSeed^2 mod N, which must generate Q_N. Throws std::invalid_argument naming
// what is wrong (the primes are checked with BN_check_prime; their values never appear in a
// message).
Deal dealWithPrimes(const Bytes& p, const Bytes& q, const std::vector<Bytes>& coefficients,
                    const Bytes& vSeed, int n);

// EMSA-PKCS1-v1_5 encoding (RFC 8017 9.2) of a SHA-256 digest for a modulus of modulusSize
// bytes: 00 01 FF..FF 00 || DigestInfo(SHA-256) || digest. Throws std::invalid_argument unless
// the digest is 32 bytes and modulusSize >= 62.
Bytes encodeMessage(const Bytes& digest, std::size_t modulusSize);

// n! as a big-endian integer without leading zeros; throws std::invalid_argument unless
// 1 <= n <= 16.
Bytes delta(int n);

// c = SHA-256(v || xTilde || vi || xiSquared || vPrime || xPrime), each value left-padded to
// modulusSize bytes (a value longer than that, or an empty one, throws std::invalid_argument).
Bytes challenge(std::size_t modulusSize, const Bytes& v, const Bytes& xTilde, const Bytes& vi,
                const Bytes& xiSquared, const Bytes& vPrime, const Bytes& xPrime);

struct Partial {
    int index = 0;     // i
    Bytes value;       // x_i, modulusSize() bytes
    Bytes challenge;   // c, kChallengeSize bytes; empty when made without a proof
    Bytes response;    // z, responseSize() bytes; empty when made without a proof
};

// x_i and its proof for `digest` (32 bytes). `r` is for known-answer tests only: when given it
// must be exactly randomSize(modulusSize()) bytes and below 2^{L(N)+512}; otherwise r is drawn
// from OpenSSL's private CSPRNG. Exponentiations with secret
// exponents are constant time (BN_mod_exp_mont_consttime). Throws std::invalid_argument for a
// share or digest of the wrong shape.
Partial partialSign(const PublicKey& key, const KeyShare& share, const Bytes& digest,
                    const std::optional<Bytes>& r = std::nullopt);

// x_i alone, without a proof (what the benchmark compares with one modular exponentiation).
Partial partialSignWithoutProof(const PublicKey& key, const KeyShare& share, const Bytes& digest);

// Whether `partial` is x_i for `digest` with a valid proof against key.verificationKey(index).
// False (never an exception) for any malformed partial: wrong sizes, index out of range, x_i
// not in [1, N-1] or not invertible, z too long, a missing proof.
bool verifyPartial(const PublicKey& key, const Partial& partial, const Bytes& digest);

// One player's partial signatures of m digests with one proof for all of them.
struct BatchPartial {
    std::vector<Bytes> values;  // x_{i,1} .. x_{i,m}, modulusSize() bytes each
    Bytes challenge;            // c, kChallengeSize bytes
    Bytes response;             // z, responseSize() bytes

    // x_{i,j} (j from 0) as a Partial of card `index` without a proof, for combine() once the
    // batch was verified.
    Partial partial(int index, std::size_t j) const;
};

// The weights w_1..w_m (kWeightSize bytes each) of a batch by player `index` of an n-player key
// with modulus N, generator v and verification key v_i, for `digests` (32 bytes each) and
// `values` x_{i,j} (exactly N's size each), as the header comment defines them. Throws
// std::invalid_argument for values of the wrong size, m outside kMinBatch..kMaxBatch or digests
// and values of different counts.
std::vector<Bytes> batchWeights(const Bytes& modulus, const Bytes& v, const Bytes& vi, int n,
                                int index, const std::vector<Bytes>& digests,
                                const std::vector<Bytes>& values);

// x_{i,1..m} and the batch proof for `digests` (kMinBatch..kMaxBatch of them, 32 bytes each).
// `r` as for partialSign. Throws std::invalid_argument for a share, digest count or digest of the
// wrong shape.
BatchPartial partialSignBatch(const PublicKey& key, const KeyShare& share,
                              const std::vector<Bytes>& digests,
                              const std::optional<Bytes>& r = std::nullopt);

// Whether `batch` holds x_{i,j} for every digest, proven together against
// key.verificationKey(index). False (never an exception) for anything malformed: a count that is
// not digests.size() or outside kMinBatch..kMaxBatch, wrong sizes, an index out of range, a value
// not in [1, N-1], X_i not invertible, z too long.
bool verifyBatch(const PublicKey& key, int index, const BatchPartial& batch,
                 const std::vector<Bytes>& digests);

// The RSASSA-PKCS1-v1_5 SHA-256 signature (modulusSize() bytes) from exactly k partials with
// distinct indexes. With verifyProofs (the default) every proof is checked first. Throws
// ShoupError naming the problem ("3 partials are needed, 2 given", "card 4 appears twice",
// "the partial signature of card 5 fails its proof"), with index() set to the card at fault
// when there is one; and when y^e != x at the end, which only partials without proofs allow.
Bytes combine(const PublicKey& key, const std::vector<Partial>& partials, const Bytes& digest,
              bool verifyProofs = true);

}  // namespace quorum::crypto::shoup
