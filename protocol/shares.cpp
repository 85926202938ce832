#include "protocol/shares.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/error.hpp"
#include "apdu/tlv.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/identifiers.hpp"

namespace quorum::protocol {

namespace {

Bytes concat(std::initializer_list<const Bytes*> parts) {
    Bytes out;
    for (const Bytes* part : parts) out.insert(out.end(), part->begin(), part->end());
    return out;
}

// Cuts `encoded` into consecutive pieces of the given sizes (which must add up to its size).
std::vector<Bytes> split(const Bytes& encoded, std::initializer_list<std::size_t> sizes) {
    std::vector<Bytes> parts;
    auto at = encoded.begin();
    for (std::size_t size : sizes) {
        parts.emplace_back(at, at + static_cast<std::ptrdiff_t>(size));
        at += static_cast<std::ptrdiff_t>(size);
    }
    return parts;
}

void requireSize(const Bytes& encoded, std::size_t expected, const std::string& what) {
    if (encoded.size() != expected)
        throw DecodeError(what + " has " + std::to_string(encoded.size()) + " bytes, expected " +
                          std::to_string(expected));
}

// For the batch codecs: DecodeError unless 2 <= count <= 16 and `encoded` has `expected` bytes
// (`what`, for a key of `modulusSize` bytes, names it).
void requireBatch(const Bytes& encoded, std::size_t count, std::size_t expected,
                  const std::string& what, std::size_t modulusSize) {
    if (count < 2 || count > kMaxPartialSignDigests)
        throw DecodeError("a batch of partial signatures has 2 to " +
                          std::to_string(kMaxPartialSignDigests) + " of them, not " +
                          std::to_string(count));
    requireSize(encoded, expected, what + " for a " + std::to_string(modulusSize * 8) + "-bit key");
}

bool below(const Bytes& value, const Bytes& modulus) {
    return value.size() == modulus.size() &&
           std::lexicographical_compare(value.begin(), value.end(), modulus.begin(), modulus.end());
}

}  // namespace

Bytes encodeUsageCounter(std::uint32_t count) {
    return {static_cast<std::uint8_t>(count >> 24), static_cast<std::uint8_t>(count >> 16),
            static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
}

std::optional<std::uint32_t> decodeUsageCounter(const Bytes& encoded) {
    if (encoded.size() != kUsageCounterSize) return std::nullopt;
    std::uint32_t count = 0;
    for (std::uint8_t b : encoded) count = (count << 8) | b;
    return count;
}

Bytes ShareRecord::encode() const {
    if (index == 0 || value.size() != kValueSize || commitmentsDigest.size() != kDigestSize)
        throw std::invalid_argument("a share record is an index 1..255, a 32-byte value and a 32-byte digest");
    const Bytes head{index};
    return concat({&head, &value, &commitmentsDigest});
}

std::optional<ShareRecord> ShareRecord::decode(const Bytes& encoded) {
    if (encoded.size() != kEncodedSize) return std::nullopt;
    const auto parts = split(encoded, {1, kValueSize, kDigestSize});
    return ShareRecord{parts[0][0], parts[1], parts[2]};
}

Bytes ShareRelease::encode() const {
    const Bytes head = record.encode();
    const Bytes counter = encodeUsageCounter(usageCount);
    return concat({&head, &counter});
}

ShareRelease ShareRelease::decode(const Bytes& encoded) {
    requireSize(encoded, kEncodedSize, "GET SHARE's answer");
    const auto parts = split(encoded, {ShareRecord::kEncodedSize, kUsageCounterSize});
    return {*ShareRecord::decode(parts[0]), *decodeUsageCounter(parts[1])};
}

Bytes RsaShareRecord::encode() const {
    using apdu::Tlv;
    return apdu::encodeTlv({Tlv::primitive(0x80, {index}), Tlv::primitive(0x81, {n}), Tlv::primitive(0x82, {k}),
                            Tlv::primitive(0x83, modulus), Tlv::primitive(0x84, v), Tlv::primitive(0x85, vi),
                            Tlv::primitive(0x86, share)});
}

std::optional<RsaShareRecord> RsaShareRecord::decode(const Bytes& encoded) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(encoded, {1, 8});
    } catch (const apdu::ApduError&) {
        return std::nullopt;
    }
    if (objects.size() != 7) return std::nullopt;
    for (std::size_t i = 0; i < objects.size(); ++i)
        if (objects[i].tag != 0x80 + i || objects[i].constructed()) return std::nullopt;
    for (std::size_t i = 0; i < 3; ++i)
        if (objects[i].value.size() != 1) return std::nullopt;
    RsaShareRecord record{objects[0].value[0], objects[1].value[0], objects[2].value[0], objects[3].value,
                          objects[4].value,    objects[5].value,    objects[6].value};
    const Bytes& modulus = record.modulus;
    if (modulus.size() < kMinModulusSize || modulus.size() > kMaxModulusSize || modulus.front() == 0 ||
        (modulus.back() & 1) == 0)
        return std::nullopt;
    if (record.n < 1 || record.n > kMaxCards || record.k < 1 || record.k > record.n || record.index < 1 ||
        record.index > record.n)
        return std::nullopt;
    if (!below(record.v, modulus) || !below(record.vi, modulus) || !below(record.share, modulus))
        return std::nullopt;
    return record;
}

Bytes PartialSignature::encode() const { return concat({&value, &challenge, &response}); }

PartialSignature PartialSignature::decode(const Bytes& encoded, std::size_t modulusSize) {
    requireSize(encoded, encodedSize(modulusSize),
                "a partial signature with its proof for a " + std::to_string(modulusSize * 8) + "-bit key");
    auto parts = split(encoded, {modulusSize, kChallengeSize, proofResponseSize(modulusSize)});
    return {std::move(parts[0]), std::move(parts[1]), std::move(parts[2])};
}

Bytes PartialSignAnswer::encode() const {
    const Bytes head = partial.encode();
    const Bytes counter = encodeUsageCounter(usageCount);
    return concat({&head, &counter});
}

PartialSignAnswer PartialSignAnswer::decode(const Bytes& encoded, std::size_t modulusSize) {
    requireSize(encoded, encodedSize(modulusSize),
                "PARTIAL SIGN's answer for a " + std::to_string(modulusSize * 8) + "-bit key");
    const auto parts = split(encoded, {PartialSignature::encodedSize(modulusSize), kUsageCounterSize});
    return {PartialSignature::decode(parts[0], modulusSize), *decodeUsageCounter(parts[1])};
}

Bytes PartialSignatureBatch::encode() const {
    Bytes out;
    for (const Bytes& value : values) out.insert(out.end(), value.begin(), value.end());
    return concat({&out, &challenge, &response});
}

PartialSignatureBatch PartialSignatureBatch::decode(const Bytes& encoded, std::size_t modulusSize,
                                                    std::size_t count) {
    requireBatch(encoded, count, encodedSize(modulusSize, count),
                 "a batch of " + std::to_string(count) + " partial signatures with its proof",
                 modulusSize);
    PartialSignatureBatch batch;
    auto at = encoded.begin();
    for (std::size_t j = 0; j < count; ++j, at += static_cast<std::ptrdiff_t>(modulusSize))
        batch.values.emplace_back(at, at + static_cast<std::ptrdiff_t>(modulusSize));
    auto proof = split(Bytes(at, encoded.end()), {kChallengeSize, proofResponseSize(modulusSize)});
    batch.challenge = std::move(proof[0]);
    batch.response = std::move(proof[1]);
    return batch;
}

Bytes PartialSignBatchAnswer::encode() const {
    const Bytes head = batch.encode();
    const Bytes counter = encodeUsageCounter(usageCount);
    return concat({&head, &counter});
}

PartialSignBatchAnswer PartialSignBatchAnswer::decode(const Bytes& encoded, std::size_t modulusSize,
                                                      std::size_t count) {
    requireBatch(encoded, count, encodedSize(modulusSize, count),
                 "PARTIAL SIGN's answer to " + std::to_string(count) + " digests", modulusSize);
    const auto parts =
        split(encoded, {PartialSignatureBatch::encodedSize(modulusSize, count), kUsageCounterSize});
    return {PartialSignatureBatch::decode(parts[0], modulusSize, count),
            *decodeUsageCounter(parts[1])};
}

Bytes encodePublicKeyTemplate(const Bytes& point) {
    return apdu::Tlv::constructedOf(kPublicKeyTemplate, {apdu::Tlv::primitive(kPublicKeyPoint, point)}).encode();
}

Bytes decodePublicKeyTemplate(const Bytes& encoded) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(encoded);
    } catch (const apdu::ApduError& e) {
        throw DecodeError(std::string("the generated public key is not valid BER-TLV: ") + e.what());
    }
    const apdu::Tlv* point =
        objects.size() == 1 && objects[0].tag == kPublicKeyTemplate ? objects[0].find(kPublicKeyPoint) : nullptr;
    if (point == nullptr) throw DecodeError("the generated public key is not 7F49 { 86 point }");
    return point->value;
}

}  // namespace quorum::protocol
