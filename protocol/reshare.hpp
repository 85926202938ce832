// What RESHARE OUT and RESHARE IN carry (docs/apdu-spec.md): a Feldman share redistributed from
// old cards to new ones (crypto/reshare.hpp has the maths), as bytes both sides encode and
// decode. Points and boxes are only sized here; whether a point is on P-256 or a box opens is
// crypto/'s to say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::protocol {

constexpr std::size_t kReshareMaxCards = 255;         // indexes, k' and counts are one byte
constexpr std::size_t kReshareMaxContextSize = 255;   // bytes of context
constexpr std::size_t kResharePointSize = 65;         // 04 || X || Y
constexpr std::size_t kReshareBoxSize = 48;           // sub-share (32) || GCM tag (16)

// RESHARE IN's refusals that name an old card: SW1 below, SW2 the old card's index i.
constexpr std::uint8_t kBoxRefusedSw1 = 0x9C;       // its box for this card is missing or does not open
constexpr std::uint8_t kSubShareRefusedSw1 = 0x9D;  // its sub-share does not match its commitments D_i

// One new card's box: j (1) || E (65) || box (48).
struct SealedShare {
    static constexpr std::size_t kEncodedSize = 1 + kResharePointSize + kReshareBoxSize;
    std::uint8_t to = 0;  // j, the new card it is for
    Bytes ephemeral;      // E
    Bytes box;
};

// An old card's redistribution, as RESHARE OUT answers it and RESHARE IN takes it:
//   i (1) || k' (1) || D_i0 .. D_i,k'-1 (65 each) || m (1) || m boxes (SealedShare, 114 each)
// The part k' || D_i0 .. is FeldmanCommitments::encode() of D_i.
struct RedistributionRecord {
    std::uint8_t from = 0;         // i, the old card's index, 1..255
    Bytes commitments;             // k' (1..255) || D_i0 .. D_i,k'-1
    std::vector<SealedShare> sealed;  // 0..255 boxes for distinct new cards 1..255

    // std::invalid_argument for what decode() would refuse.
    Bytes encode() const;
    // Throws DecodeError naming what is wrong: a length that does not add up, index 0 (old or
    // new card), k' of 0, a new card's box twice.
    static RedistributionRecord decode(const Bytes& encoded);
};

// Converts a crypto::reshare::Redistribution (or any type with its fields) to the record and back:
// written once for both sides without this layer depending on crypto/. The record's boxes all
// come from its old card, so each box's `from` is the record's.
template <typename Redistribution>
RedistributionRecord recordOf(const Redistribution& r) {
    RedistributionRecord record{r.from, r.commitments.encode(), {}};
    for (const auto& sealed : r.sealed) record.sealed.push_back({sealed.to, sealed.ephemeral, sealed.box});
    return record;
}
// The commitments are decoded (and checked) by the type's own decode().
template <typename Redistribution>
Redistribution redistributionOf(const RedistributionRecord& record) {
    using Commitments = decltype(Redistribution::commitments);
    Redistribution r{record.from, Commitments::decode(record.commitments), {}};
    for (const SealedShare& sealed : record.sealed) r.sealed.push_back({record.from, sealed.to, sealed.ephemeral, sealed.box});
    return r;
}

// RESHARE OUT's data: BER-TLV, these primitive objects in this order and nothing else:
//   80 k' (1 byte) | 81 context (0..255 bytes) | 82 a new card's DER certificate, n' times
struct ReshareOutRequest {
    std::uint8_t newK = 0;
    Bytes context;
    std::vector<Bytes> certificates;  // 1..255

    // std::invalid_argument for what decode() would refuse.
    Bytes encode() const;
    // nullopt for another layout, k' outside 1..n', an empty certificate or a context too long.
    static std::optional<ReshareOutRequest> decode(const Bytes& encoded);
};

// RESHARE OUT's answer: the redistribution record, then the usage counter after this use (4).
struct ReshareOutAnswer {
    RedistributionRecord redistribution;
    std::uint32_t usageCount = 0;

    Bytes encode() const;
    // Throws DecodeError for a malformed record or fewer than 4 bytes after it.
    static ReshareOutAnswer decode(const Bytes& encoded);
};

// RESHARE IN's data: BER-TLV, these primitive objects in this order and nothing else:
//   81 context (0..255 bytes) | 83 an old card's RedistributionRecord, once per old card (1..255)
struct ReshareInRequest {
    Bytes context;
    std::vector<RedistributionRecord> redistributions;

    // std::invalid_argument for what decode() would refuse.
    Bytes encode() const;
    // nullopt for another layout, a record decode() refuses, or a context too long.
    static std::optional<ReshareInRequest> decode(const Bytes& encoded);
};

// RESHARE IN's answer: the public part of the share record the card stored, its index j (1) and
// the SHA-256 of the new set's commitments C' it computed (32).
struct ReshareInAnswer {
    static constexpr std::size_t kEncodedSize = 33;
    std::uint8_t index = 0;
    Bytes commitmentsDigest;

    Bytes encode() const;
    // Throws DecodeError for any other size.
    static ReshareInAnswer decode(const Bytes& encoded);
};

}  // namespace quorum::protocol
