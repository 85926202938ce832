#include "protocol/reshare.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include "apdu/error.hpp"
#include "apdu/tlv.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/shares.hpp"

namespace quorum::protocol {

namespace {

constexpr std::uint32_t kNewThresholdTag = 0x80;
constexpr std::uint32_t kContextTag = 0x81;
constexpr std::uint32_t kCertificateTag = 0x82;
constexpr std::uint32_t kRedistributionTag = 0x83;

// The primitive objects of `encoded`, or nullopt for anything that is not BER-TLV of primitive
// objects only.
std::optional<std::vector<apdu::Tlv>> primitives(const Bytes& encoded) {
    try {
        auto objects = apdu::parseTlv(encoded, {1, 2 + kReshareMaxCards});
        for (const auto& object : objects)
            if (object.constructed()) return std::nullopt;
        return objects;
    } catch (const apdu::ApduError&) {
        return std::nullopt;
    }
}

}  // namespace

Bytes RedistributionRecord::encode() const {
    // decode() is the one place the rules are written; a record it refuses is not sent.
    Bytes out{from};
    out.insert(out.end(), commitments.begin(), commitments.end());
    if (sealed.size() > kReshareMaxCards) throw std::invalid_argument("a redistribution has at most 255 boxes");
    out.push_back(static_cast<std::uint8_t>(sealed.size()));
    for (const SealedShare& box : sealed) {
        if (box.ephemeral.size() != kResharePointSize || box.box.size() != kReshareBoxSize)
            throw std::invalid_argument("a box is a 65-byte point and 48 bytes");
        out.push_back(box.to);
        out.insert(out.end(), box.ephemeral.begin(), box.ephemeral.end());
        out.insert(out.end(), box.box.begin(), box.box.end());
    }
    try {
        (void)decode(out);
    } catch (const DecodeError& e) {
        throw std::invalid_argument(e.what());
    }
    return out;
}

RedistributionRecord RedistributionRecord::decode(const Bytes& encoded) {
    const std::string what = "a redistribution record";
    if (encoded.size() < 3) throw DecodeError(what + " has " + std::to_string(encoded.size()) + " bytes, too few");
    RedistributionRecord record;
    record.from = encoded[0];
    if (record.from == 0) throw DecodeError(what + " comes from old card 0, which cannot exist");
    const std::size_t newK = encoded[1];
    if (newK == 0) throw DecodeError(what + " has a new threshold of 0");
    const std::size_t commitmentsEnd = 2 + newK * kResharePointSize;
    if (encoded.size() < commitmentsEnd + 1)
        throw DecodeError(what + " is cut short in its " + std::to_string(newK) + " commitments");
    record.commitments.assign(encoded.begin() + 1, encoded.begin() + static_cast<std::ptrdiff_t>(commitmentsEnd));
    const std::size_t count = encoded[commitmentsEnd];
    const std::size_t expected = commitmentsEnd + 1 + count * SealedShare::kEncodedSize;
    if (encoded.size() != expected)
        throw DecodeError(what + " with " + std::to_string(newK) + " commitments and " + std::to_string(count) +
                          " boxes has " + std::to_string(expected) + " bytes, not " + std::to_string(encoded.size()));
    std::array<bool, 256> seen{};
    auto at = encoded.begin() + static_cast<std::ptrdiff_t>(commitmentsEnd + 1);
    for (std::size_t n = 0; n < count; ++n) {
        SealedShare box;
        box.to = *at++;
        if (box.to == 0) throw DecodeError(what + " has a box for new card 0, which cannot exist");
        if (seen[box.to]) throw DecodeError(what + " has two boxes for new card " + std::to_string(box.to));
        seen[box.to] = true;
        box.ephemeral.assign(at, at + static_cast<std::ptrdiff_t>(kResharePointSize));
        at += static_cast<std::ptrdiff_t>(kResharePointSize);
        box.box.assign(at, at + static_cast<std::ptrdiff_t>(kReshareBoxSize));
        at += static_cast<std::ptrdiff_t>(kReshareBoxSize);
        record.sealed.push_back(std::move(box));
    }
    return record;
}

Bytes ReshareOutRequest::encode() const {
    std::vector<apdu::Tlv> objects = {apdu::Tlv::primitive(kNewThresholdTag, {newK}),
                                      apdu::Tlv::primitive(kContextTag, context)};
    for (const Bytes& certificate : certificates) objects.push_back(apdu::Tlv::primitive(kCertificateTag, certificate));
    Bytes out = apdu::encodeTlv(objects);
    if (!decode(out))
        throw std::invalid_argument("RESHARE OUT takes 1..255 certificates, none empty, 1 <= k' <= n' and a context "
                                    "of at most 255 bytes");
    return out;
}

std::optional<ReshareOutRequest> ReshareOutRequest::decode(const Bytes& encoded) {
    const auto objects = primitives(encoded);
    if (!objects || objects->size() < 3) return std::nullopt;
    const auto& list = *objects;
    if (list[0].tag != kNewThresholdTag || list[0].value.size() != 1 || list[1].tag != kContextTag ||
        list[1].value.size() > kReshareMaxContextSize)
        return std::nullopt;
    ReshareOutRequest request{list[0].value[0], list[1].value, {}};
    for (std::size_t n = 2; n < list.size(); ++n) {
        if (list[n].tag != kCertificateTag || list[n].value.empty()) return std::nullopt;
        request.certificates.push_back(list[n].value);
    }
    if (request.certificates.size() > kReshareMaxCards || request.newK == 0 ||
        request.newK > request.certificates.size())
        return std::nullopt;
    return request;
}

Bytes ReshareOutAnswer::encode() const {
    Bytes out = redistribution.encode();
    const Bytes counter = encodeUsageCounter(usageCount);
    out.insert(out.end(), counter.begin(), counter.end());
    return out;
}

ReshareOutAnswer ReshareOutAnswer::decode(const Bytes& encoded) {
    if (encoded.size() < kUsageCounterSize)
        throw DecodeError("RESHARE OUT's answer has " + std::to_string(encoded.size()) + " bytes, too few");
    const auto split = encoded.end() - static_cast<std::ptrdiff_t>(kUsageCounterSize);
    return {RedistributionRecord::decode(Bytes(encoded.begin(), split)), *decodeUsageCounter(Bytes(split, encoded.end()))};
}

Bytes ReshareInRequest::encode() const {
    std::vector<apdu::Tlv> objects = {apdu::Tlv::primitive(kContextTag, context)};
    for (const RedistributionRecord& record : redistributions)
        objects.push_back(apdu::Tlv::primitive(kRedistributionTag, record.encode()));
    Bytes out = apdu::encodeTlv(objects);
    if (!decode(out))
        throw std::invalid_argument("RESHARE IN takes 1..255 redistributions and a context of at most 255 bytes");
    return out;
}

std::optional<ReshareInRequest> ReshareInRequest::decode(const Bytes& encoded) {
    const auto objects = primitives(encoded);
    if (!objects || objects->size() < 2 || objects->size() > 1 + kReshareMaxCards) return std::nullopt;
    const auto& list = *objects;
    if (list[0].tag != kContextTag || list[0].value.size() > kReshareMaxContextSize) return std::nullopt;
    ReshareInRequest request{list[0].value, {}};
    for (std::size_t n = 1; n < list.size(); ++n) {
        if (list[n].tag != kRedistributionTag) return std::nullopt;
        try {
            request.redistributions.push_back(RedistributionRecord::decode(list[n].value));
        } catch (const DecodeError&) {
            return std::nullopt;
        }
    }
    return request;
}

Bytes ReshareInAnswer::encode() const {
    if (index == 0 || commitmentsDigest.size() != ShareRecord::kDigestSize)
        throw std::invalid_argument("RESHARE IN's answer is an index 1..255 and a 32-byte digest");
    Bytes out{index};
    out.insert(out.end(), commitmentsDigest.begin(), commitmentsDigest.end());
    return out;
}

ReshareInAnswer ReshareInAnswer::decode(const Bytes& encoded) {
    if (encoded.size() != kEncodedSize || encoded[0] == 0)
        throw DecodeError("RESHARE IN's answer has " + std::to_string(encoded.size()) +
                          " bytes; expected 33, an index 1..255 and a digest");
    return {encoded[0], Bytes(encoded.begin() + 1, encoded.end())};
}

}  // namespace quorum::protocol
