// BER-TLV (ISO 7816-4 section 6.3 / ISO 8825-1) as used in FCIs and data objects.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::apdu {

struct TlvLimits {
    std::size_t maxDepth = 8;      // nesting of constructed objects
    std::size_t maxObjects = 1024; // objects in the whole parse, at every level together
};

struct Tlv {
    std::uint32_t tag = 0;     // tag bytes as a big-endian number: 0x6F, 0x5F2D, 0xBF8101
    Bytes value;               // raw value bytes (for constructed objects too)
    std::vector<Tlv> children; // parsed value of a constructed object

    bool constructed() const;  // bit 6 of the first tag byte
    // First direct child with `tag`, or nullptr.
    const Tlv* find(std::uint32_t childTag) const;

    // Encodes tag, minimal length (1-3 length bytes after 81/82/83) and value; for a constructed
    // object built with children, the value is the concatenated encoding of the children.
    Bytes encode() const;

    static Tlv primitive(std::uint32_t tag, Bytes value);
    static Tlv constructedOf(std::uint32_t tag, std::vector<Tlv> children);
};

// Parses a sequence of BER-TLV objects filling the whole input; constructed objects are parsed
// recursively. 00 and FF bytes between objects are skipped (ISO 7816-4 padding). Throws
// ApduError (TlvTruncated, TlvBadTag, TlvBadLength, TlvTooDeep, TlvTooMany) naming the offset.
std::vector<Tlv> parseTlv(const Bytes& input, const TlvLimits& limits = {});

// Encodes a sequence of objects back to back.
Bytes encodeTlv(const std::vector<Tlv>& objects);

// Length of a tag's encoding in bytes (1-3) for a tag number as stored in Tlv::tag.
std::size_t tagSize(std::uint32_t tag);

}  // namespace quorum::apdu
