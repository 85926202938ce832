#include "apdu/tlv.hpp"

#include <string>
#include <utility>

#include "apdu/error.hpp"

namespace quorum::apdu {

namespace {

constexpr std::uint8_t kTagNumberMask = 0x1F;   // ISO 8825-1 8.1.2: 11111 = more tag bytes follow
constexpr std::uint8_t kConstructedBit = 0x20;  // b6 of the first tag byte
constexpr std::uint8_t kMoreBit = 0x80;         // b8 of a subsequent tag byte
constexpr std::size_t kMaxTagBytes = 3;
constexpr std::size_t kMaxLengthBytes = 3;  // 83 xx xx xx
constexpr std::size_t kMaxValueSize = 0xFFFFFF;

std::string hexByte(std::uint8_t value) {
    return toHex(&value, 1);
}

std::string tagHex(std::uint32_t tag) {
    std::string out;
    for (std::size_t i = tagSize(tag); i-- > 0;)
        out += hexByte(static_cast<std::uint8_t>((tag >> (8 * i)) & 0xFF));
    return out;
}

std::uint8_t firstTagByte(std::uint32_t tag) {
    return static_cast<std::uint8_t>(tag >> (8 * (tagSize(tag) - 1)));
}

std::string remaining(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " remains" : " remain");
}

bool isPadding(std::uint8_t b) {
    return b == 0x00 || b == 0xFF;
}

// Why `tag` cannot be written so that parseTlv reads it back, or nullptr when it can.
const char* tagProblem(std::uint32_t tag) {
    const std::size_t size = tagSize(tag);
    if (size > kMaxTagBytes) return "it needs more than 3 bytes";
    const auto first = firstTagByte(tag);
    if (size == 1) {
        if (first == 0x00) return "00 is padding, not a tag";
        if ((first & kTagNumberMask) == kTagNumberMask)
            return "a first byte with b5-b1 = 11111 announces subsequent tag bytes";
        return nullptr;
    }
    if (first == 0xFF) return "a first byte of FF is padding, not a tag";
    if ((first & kTagNumberMask) != kTagNumberMask)
        return "a multi-byte tag's first byte must have b5-b1 = 11111";
    const auto second = static_cast<std::uint8_t>((tag >> (8 * (size - 2))) & 0xFF);
    if (second == kMoreBit)
        return "its first subsequent byte is 80 (a leading zero in the tag number)";
    for (std::size_t i = size - 1; i-- > 1;) {  // every subsequent byte but the last has b8 set
        const auto b = static_cast<std::uint8_t>((tag >> (8 * i)) & 0xFF);
        if ((b & kMoreBit) == 0) return "a subsequent byte before the last has b8 clear";
    }
    if ((tag & kMoreBit) != 0) return "its last byte has b8 set, announcing another byte";
    return nullptr;
}

void putLength(Bytes& out, std::size_t length) {
    // ISO 7816-4 5.2.2.2 / ISO 8825-1 8.1.3: the shortest form that holds the length.
    if (length > kMaxValueSize)
        throw ApduError(Rule::TlvBadLength, "a value of " + std::to_string(length) +
                                                " bytes needs more than 3 length bytes");
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    const std::size_t count = length <= 0xFF ? 1 : length <= 0xFFFF ? 2 : 3;
    out.push_back(static_cast<std::uint8_t>(0x80 | count));
    for (std::size_t i = count; i-- > 0;)
        out.push_back(static_cast<std::uint8_t>((length >> (8 * i)) & 0xFF));
}

class Parser {
public:
    Parser(const Bytes& input, const TlvLimits& limits) : in_(input), limits_(limits) {}

    // Objects in [begin, end), inside `depth` constructed objects.
    std::vector<Tlv> sequence(std::size_t begin, std::size_t end, std::size_t depth) {
        std::vector<Tlv> objects;
        std::size_t pos = begin;
        while (pos < end) {
            // ISO 7816-4 5.2.2: 00 and FF may precede, separate or follow objects.
            if (isPadding(in_[pos])) {
                ++pos;
                continue;
            }
            const std::size_t start = pos;
            if (depth > limits_.maxDepth)
                throw ApduError(Rule::TlvTooDeep, "the object at offset " + std::to_string(start) +
                                                      " sits inside " + std::to_string(depth) +
                                                      " constructed objects; the limit is " +
                                                      std::to_string(limits_.maxDepth));
            if (++count_ > limits_.maxObjects)
                throw ApduError(Rule::TlvTooMany, "the object at offset " + std::to_string(start) +
                                                      " is one more than the limit of " +
                                                      std::to_string(limits_.maxObjects) +
                                                      " objects");
            Tlv object;
            object.tag = readTag(pos, end);
            const std::size_t length = readLength(pos, end, start, object.tag);
            if (end - pos < length)
                throw ApduError(Rule::TlvTruncated,
                                "the object at offset " + std::to_string(start) + " (tag " +
                                    tagHex(object.tag) + ") says its value is " +
                                    std::to_string(length) + " bytes but only " +
                                    remaining(end - pos) + where(end));
            const auto from = in_.begin() + static_cast<std::ptrdiff_t>(pos);
            object.value.assign(from, from + static_cast<std::ptrdiff_t>(length));
            if (object.constructed()) object.children = sequence(pos, pos + length, depth + 1);
            pos += length;
            objects.push_back(std::move(object));
        }
        return objects;
    }

private:
    std::string where(std::size_t end) const {
        return end == in_.size()
                   ? " in the input"
                   : " in the enclosing value (which ends at offset " + std::to_string(end) + ")";
    }

    // ISO 8825-1 8.1.2: one byte, or a first byte with b5-b1 = 11111 and subsequent bytes
    // while b8 is set; ISO 7816-4 5.2.2.1 allows at most 3 tag bytes.
    std::uint32_t readTag(std::size_t& pos, std::size_t end) const {
        const std::size_t start = pos;
        const std::uint8_t first = in_[pos++];
        std::uint32_t value = first;
        if ((first & kTagNumberMask) != kTagNumberMask) return value;
        for (std::size_t size = 1;; ++size) {
            if (pos == end)
                throw ApduError(Rule::TlvTruncated, "the tag at offset " + std::to_string(start) +
                                                        " announces another tag byte but none is "
                                                        "left" +
                                                        where(end));
            const std::uint8_t next = in_[pos++];
            if (size == 1 && next == kMoreBit)
                throw ApduError(Rule::TlvBadTag,
                                "the tag at offset " + std::to_string(start) +
                                    " has 80 as its first subsequent byte, a leading zero in the "
                                    "tag number (ISO 8825-1 8.1.2.4.2)");
            value = (value << 8) | next;
            if ((next & kMoreBit) == 0) return value;
            if (size + 1 == kMaxTagBytes)
                throw ApduError(Rule::TlvBadTag,
                                "the tag at offset " + std::to_string(start) +
                                    " continues past 3 bytes (" + tagHex(value) +
                                    " and more); ISO 7816-4 allows at most 3 tag bytes");
        }
    }

    // ISO 7816-4 5.2.2.2: 00-7F, or 81/82/83 followed by 1-3 bytes, in the shortest form.
    std::size_t readLength(std::size_t& pos, std::size_t end, std::size_t start,
                           std::uint32_t tag) const {
        if (pos == end)
            throw ApduError(Rule::TlvTruncated, "the object at offset " + std::to_string(start) +
                                                    " (tag " + tagHex(tag) +
                                                    ") has no length: nothing follows its tag" +
                                                    where(end));
        const std::size_t at = pos;
        const std::uint8_t first = in_[pos++];
        if (first < 0x80) return first;
        if (first == 0x80)
            throw ApduError(Rule::TlvBadLength, "the length at offset " + std::to_string(at) +
                                                    " is 80, the indefinite form, which ISO "
                                                    "7816-4 does not allow");
        const std::size_t count = first & 0x7Fu;
        if (count > kMaxLengthBytes)
            throw ApduError(Rule::TlvBadLength, "the length at offset " + std::to_string(at) +
                                                    " starts with " + hexByte(first) +
                                                    ", announcing " + std::to_string(count) +
                                                    " length bytes; at most 3 (83) are supported");
        if (end - pos < count)
            throw ApduError(Rule::TlvTruncated, "the length at offset " + std::to_string(at) +
                                                    " announces " + std::to_string(count) +
                                                    " length bytes but only " +
                                                    remaining(end - pos) + where(end));
        std::size_t value = 0;
        for (std::size_t i = 0; i < count; ++i) value = (value << 8) | in_[pos++];
        const std::size_t smallest = count == 1 ? 0x80 : count == 2 ? 0x100 : 0x10000;
        if (value < smallest)
            throw ApduError(Rule::TlvBadLength,
                            "the length at offset " + std::to_string(at) + " is " +
                                toHex(in_.data() + at, count + 1) + " = " + std::to_string(value) +
                                ", which a shorter form holds; lengths must be minimal");
        return value;
    }

    const Bytes& in_;
    const TlvLimits& limits_;
    std::size_t count_ = 0;
};

}  // namespace

std::size_t tagSize(std::uint32_t tag) {
    if (tag <= 0xFF) return 1;
    if (tag <= 0xFFFF) return 2;
    if (tag <= 0xFFFFFF) return 3;
    return 4;  // no valid tag is this long; encode() rejects it
}

bool Tlv::constructed() const {
    return (firstTagByte(tag) & kConstructedBit) != 0;
}

const Tlv* Tlv::find(std::uint32_t childTag) const {
    for (const auto& child : children)
        if (child.tag == childTag) return &child;
    return nullptr;
}

Bytes Tlv::encode() const {
    if (const char* problem = tagProblem(tag))
        throw ApduError(Rule::TlvBadTag, "tag " + tagHex(tag) + " cannot be encoded: " + problem);
    const Bytes fromChildren = children.empty() ? Bytes{} : encodeTlv(children);
    const Bytes& content = children.empty() ? value : fromChildren;
    Bytes out;
    out.reserve(kMaxTagBytes + 1 + kMaxLengthBytes + content.size());
    for (std::size_t i = tagSize(tag); i-- > 0;)
        out.push_back(static_cast<std::uint8_t>((tag >> (8 * i)) & 0xFF));
    putLength(out, content.size());
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

Tlv Tlv::primitive(std::uint32_t tag, Bytes value) {
    Tlv object;
    object.tag = tag;
    object.value = std::move(value);
    return object;
}

Tlv Tlv::constructedOf(std::uint32_t tag, std::vector<Tlv> children) {
    Tlv object;
    object.tag = tag;
    if (!object.constructed())
        throw ApduError(Rule::TlvBadTag, "tag " + tagHex(tag) +
                                             " is primitive (b6 of its first byte is clear) and "
                                             "cannot hold child objects");
    object.value = encodeTlv(children);
    object.children = std::move(children);
    return object;
}

std::vector<Tlv> parseTlv(const Bytes& input, const TlvLimits& limits) {
    Parser parser(input, limits);
    return parser.sequence(0, input.size(), 0);
}

Bytes encodeTlv(const std::vector<Tlv>& objects) {
    Bytes out;
    for (const auto& object : objects) {
        const Bytes encoded = object.encode();
        out.insert(out.end(), encoded.begin(), encoded.end());
    }
    return out;
}

}  // namespace quorum::apdu
