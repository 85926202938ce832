// The shares a card holds and what it answers when it uses them (docs/apdu-spec.md: PUT DATA
// 00 C9 and 00 CB, GET SHARE, PARTIAL SIGN, GET DATA 00 C3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::protocol {

// The usage counter: 4 bytes, big-endian (GET DATA 00 C3, and at the end of every answer that
// released a share or a partial signature).
constexpr std::size_t kUsageCounterSize = 4;
Bytes encodeUsageCounter(std::uint32_t count);
// nullopt unless exactly 4 bytes.
std::optional<std::uint32_t> decodeUsageCounter(const Bytes& encoded);

// PUT DATA 00 C9: a Feldman share of the activation key, x (1) || s_x (32) || the SHA-256 of the
// set's public commitments (32).
struct ShareRecord {
    static constexpr std::size_t kValueSize = 32;   // a P-256 scalar
    static constexpr std::size_t kDigestSize = 32;  // SHA-256
    static constexpr std::size_t kEncodedSize = 1 + kValueSize + kDigestSize;

    std::uint8_t index = 0;   // x; 0 is never a share (f(0) is the secret)
    Bytes value;              // s_x
    Bytes commitmentsDigest;

    // std::invalid_argument for fields of the wrong size or index 0.
    Bytes encode() const;
    // nullopt unless exactly kEncodedSize bytes (index 0 included: the card answers it apart).
    static std::optional<ShareRecord> decode(const Bytes& encoded);
};

// GET SHARE's answer: the share record, then the usage counter after this release.
struct ShareRelease {
    static constexpr std::size_t kEncodedSize = ShareRecord::kEncodedSize + kUsageCounterSize;
    ShareRecord record;
    std::uint32_t usageCount = 0;

    Bytes encode() const;
    // Throws DecodeError for any other size.
    static ShareRelease decode(const Bytes& encoded);
};

// PUT DATA 00 CB: a threshold RSA (Shoup) key share and what its proofs need, as seven primitive
// BER-TLV objects in this order: 80 index, 81 n, 82 k (one byte each), 83 N, 84 v, 85 v_i,
// 86 s_i (each exactly as long as N, big-endian).
struct RsaShareRecord {
    static constexpr int kMaxCards = 16;                // n <= 16
    static constexpr std::size_t kMinModulusSize = 64;  // 512 bits (tests and known answers)
    static constexpr std::size_t kMaxModulusSize = 512; // 4096 bits

    std::uint8_t index = 0;
    std::uint8_t n = 0;
    std::uint8_t k = 0;
    Bytes modulus;
    Bytes v;
    Bytes vi;
    Bytes share;

    Bytes encode() const;
    // The fields, or nullopt for anything the spec does not allow (order, sizes, ranges, an
    // even modulus, a value not below N).
    static std::optional<RsaShareRecord> decode(const Bytes& encoded);
};

// PARTIAL SIGN's proof of correctness sizes for a modulus of L bytes.
constexpr std::size_t kChallengeSize = 32;                       // c, a SHA-256 digest
inline std::size_t proofResponseSize(std::size_t modulusSize) { return modulusSize + 65; }  // z

// A partial signature with its proof: x_i (L) || c (32) || z (L + 65).
struct PartialSignature {
    Bytes value;       // x_i
    Bytes challenge;   // c
    Bytes response;    // z

    static std::size_t encodedSize(std::size_t modulusSize) {
        return modulusSize + kChallengeSize + proofResponseSize(modulusSize);
    }
    Bytes encode() const;
    // Throws DecodeError unless exactly encodedSize(modulusSize) bytes.
    static PartialSignature decode(const Bytes& encoded, std::size_t modulusSize);
};

// PARTIAL SIGN's answer: the partial signature and its proof, then the usage counter after this
// use: 2L + 101 bytes.
struct PartialSignAnswer {
    PartialSignature partial;
    std::uint32_t usageCount = 0;

    static std::size_t encodedSize(std::size_t modulusSize) {
        return PartialSignature::encodedSize(modulusSize) + kUsageCounterSize;
    }
    Bytes encode() const;
    // Throws DecodeError unless exactly encodedSize(modulusSize) bytes.
    static PartialSignAnswer decode(const Bytes& encoded, std::size_t modulusSize);
};

// PARTIAL SIGN's data: m SHA-256 digests, 1 <= m <= 16; one digest is the single form above, more
// are a batch with one proof for all (docs/batch-proof.md).
constexpr std::size_t kPartialSignDigestSize = 32;
constexpr std::size_t kMaxPartialSignDigests = 16;

// A batch of m >= 2 partial signatures with one proof: x_{i,1} .. x_{i,m} (L each) || c (32) ||
// z (L + 65).
struct PartialSignatureBatch {
    std::vector<Bytes> values;  // x_{i,1} .. x_{i,m}
    Bytes challenge;            // c
    Bytes response;             // z

    static std::size_t encodedSize(std::size_t modulusSize, std::size_t count) {
        return count * modulusSize + kChallengeSize + proofResponseSize(modulusSize);
    }
    Bytes encode() const;
    // Throws DecodeError unless 2 <= count <= 16 and exactly encodedSize(modulusSize, count) bytes.
    static PartialSignatureBatch decode(const Bytes& encoded, std::size_t modulusSize,
                                        std::size_t count);
};

// PARTIAL SIGN's answer to m >= 2 digests: the batch, then the usage counter after it (m uses
// more): (m + 1) L + 101 bytes.
struct PartialSignBatchAnswer {
    PartialSignatureBatch batch;
    std::uint32_t usageCount = 0;

    static std::size_t encodedSize(std::size_t modulusSize, std::size_t count) {
        return PartialSignatureBatch::encodedSize(modulusSize, count) + kUsageCounterSize;
    }
    Bytes encode() const;
    // Throws DecodeError unless 2 <= count <= 16 and exactly encodedSize(modulusSize, count) bytes.
    static PartialSignBatchAnswer decode(const Bytes& encoded, std::size_t modulusSize,
                                         std::size_t count);
};

// GENERATE ASYMMETRIC KEY PAIR's answer: 7F49 { 86 <uncompressed P-256 point> }.
Bytes encodePublicKeyTemplate(const Bytes& point);
// The point; throws DecodeError for anything else.
Bytes decodePublicKeyTemplate(const Bytes& encoded);

}  // namespace quorum::protocol
