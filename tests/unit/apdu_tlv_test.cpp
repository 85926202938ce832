// BER-TLV: tags of 1-3 bytes, minimal lengths, padding, limits and error offsets.
#include <doctest/doctest.h>

#include <string>

#include "apdu/bytes.hpp"
#include "apdu/error.hpp"
#include "tests/support/thrown.hpp"
#include "apdu/tlv.hpp"

using namespace quorum;
using namespace quorum::apdu;
using test::brokenRule;
using test::contains;

namespace {

std::string parseRule(std::string_view hex, const TlvLimits& limits = {}) {
    const Bytes raw = fromHex(hex);
    return brokenRule([&] { parseTlv(raw, limits); });
}

std::string parseMessage(std::string_view hex, const TlvLimits& limits = {}) {
    const Bytes raw = fromHex(hex);
    return test::thrownMessage([&] { parseTlv(raw, limits); });
}

// `head` (hex) followed by `count` bytes 00 01 02 ... (mod 256).
Bytes withBody(std::string_view head, std::size_t count) {
    Bytes out = fromHex(head);
    for (std::size_t i = 0; i < count; ++i) out.push_back(static_cast<std::uint8_t>(i & 0xFF));
    return out;
}

// A DF name (84) wrapped in `levels` A5 templates: the 84 sits at depth `levels`.
Tlv nested(std::size_t levels) {
    Tlv object = Tlv::primitive(0x84, {0x01});
    for (std::size_t i = 0; i < levels; ++i) object = Tlv::constructedOf(0xA5, {object});
    return object;
}

// An FCI as a card returns it: DF name 84 and a proprietary template A5 with C0 and C2.
constexpr const char* kFci = "6F 11  84 07 A0 00 00 00 03 10 10  A5 06 C0 01 01 C2 01 07";

}  // namespace

TEST_CASE("an FCI parses into a tree whose values are kept") {
    const auto objects = parseTlv(fromHex(kFci));
    REQUIRE(objects.size() == 1);
    const Tlv& fci = objects[0];
    CHECK(fci.tag == 0x6F);
    CHECK(fci.constructed());
    CHECK(toHex(fci.value) == "8407A0000000031010A506C00101C20107");
    REQUIRE(fci.children.size() == 2);

    const Tlv* name = fci.find(0x84);
    REQUIRE(name != nullptr);
    CHECK_FALSE(name->constructed());
    CHECK(toHex(name->value) == "A0000000031010");
    CHECK(name->children.empty());

    const Tlv* proprietary = fci.find(0xA5);
    REQUIRE(proprietary != nullptr);
    REQUIRE(proprietary->children.size() == 2);
    CHECK(proprietary->children[0].tag == 0xC0);
    CHECK(toHex(proprietary->find(0xC2)->value) == "07");
    CHECK(fci.find(0xC2) == nullptr);  // find looks at direct children only

    CHECK(toHex(encodeTlv(objects)) == toHex(fromHex(kFci)));
}

TEST_CASE("constructedOf builds the same FCI, value and all") {
    const Tlv fci = Tlv::constructedOf(
        0x6F,
        {Tlv::primitive(0x84, fromHex("A0000000031010")),
         Tlv::constructedOf(0xA5, {Tlv::primitive(0xC0, {0x01}), Tlv::primitive(0xC2, {0x07})})});
    CHECK(toHex(fci.encode()) == toHex(fromHex(kFci)));
    CHECK(toHex(fci.value) == "8407A0000000031010A506C00101C20107");
    CHECK(fci.children.size() == 2);
}

TEST_CASE("encode uses the children when there are any, the value otherwise") {
    auto objects = parseTlv(fromHex("A5 03 C0 01 01"));
    REQUIRE(objects.size() == 1);
    objects[0].children[0].value = {0x02, 0x03};
    CHECK(toHex(objects[0].encode()) == "A504C0020203");

    Tlv raw;
    raw.tag = 0xA5;
    raw.value = fromHex("C0 01 09");
    CHECK(toHex(raw.encode()) == "A503C00109");

    // A primitive object's value is never parsed, even when it looks like TLV.
    const auto primitive = parseTlv(fromHex("84 03 C0 01 01"));
    CHECK(primitive[0].children.empty());
}

TEST_CASE("multi-byte tags are stored big-endian") {
    const auto two = parseTlv(fromHex("5F 2D 02 65 6E"));
    REQUIRE(two.size() == 1);
    CHECK(two[0].tag == 0x5F2D);
    CHECK(toHex(two[0].value) == "656E");
    CHECK_FALSE(two[0].constructed());

    const auto three = parseTlv(fromHex("DF 81 05 01 AA"));
    REQUIRE(three.size() == 1);
    CHECK(three[0].tag == 0xDF8105);
    CHECK(toHex(three[0].value) == "AA");

    const auto constructedTwo = parseTlv(fromHex("BF 21 03 84 01 AA"));
    CHECK(constructedTwo[0].tag == 0xBF21);
    CHECK(constructedTwo[0].constructed());
    CHECK(constructedTwo[0].children.size() == 1);

    CHECK(toHex(Tlv::primitive(0x5F2D, fromHex("656E")).encode()) == "5F2D02656E");
    CHECK(toHex(Tlv::primitive(0xDF8105, {0xAA}).encode()) == "DF810501AA");
    CHECK(tagSize(0x84) == 1);
    CHECK(tagSize(0x5F2D) == 2);
    CHECK(tagSize(0xDF8105) == 3);
}

TEST_CASE("bad tags: more than 3 bytes, or a leading zero in the tag number") {
    CHECK(parseRule("DF 81 82 03 00") == ruleName(Rule::TlvBadTag));
    CHECK(contains(parseMessage("84 00 DF 81 82 03 00"), "offset 2"));
    CHECK(parseRule("5F 80 01 00") == ruleName(Rule::TlvBadTag));
}

TEST_CASE("encode refuses tags that would not read back") {
    const std::uint32_t bad[] = {
        0x00,        // padding
        0x1F,        // announces a subsequent byte
        0x84FF,      // a two-byte tag whose first byte lacks 11111
        0x5F80,      // leading zero in the tag number
        0x5F81,      // last byte announces another
        0xBF2101,    // second byte 21 ends the tag, so 01 would be read as a length
        0xFF2D,      // FF is padding
        0x5F818101,  // four bytes
    };
    for (const auto tag : bad) {
        CAPTURE(tag);
        CHECK(brokenRule([&] { Tlv::primitive(tag, {}).encode(); }) == ruleName(Rule::TlvBadTag));
    }
    CHECK(brokenRule([] { Tlv::constructedOf(0x84, {}); }) == ruleName(Rule::TlvBadTag));
}

TEST_CASE("lengths: 00-7F, then 81, 82 and 83 in their shortest form") {
    auto lengthOf = [](std::string_view head, std::size_t count) {
        const auto objects = parseTlv(withBody(head, count));
        REQUIRE(objects.size() == 1);
        return objects[0].value.size();
    };
    CHECK(lengthOf("84 00", 0) == 0);
    CHECK(lengthOf("84 7F", 127) == 127);
    CHECK(lengthOf("84 81 80", 128) == 128);
    CHECK(lengthOf("84 81 FF", 255) == 255);
    CHECK(lengthOf("84 82 01 00", 256) == 256);
    CHECK(lengthOf("84 82 FF FF", 65535) == 65535);
    CHECK(lengthOf("84 83 01 00 00", 65536) == 65536);
}

TEST_CASE("encode picks the shortest length form") {
    auto head = [](std::size_t size) {
        const Bytes encoded = Tlv::primitive(0x84, Bytes(size, 0xEE)).encode();
        return toHex(Bytes(encoded.begin(), encoded.end() - static_cast<std::ptrdiff_t>(size)));
    };
    CHECK(head(0) == "8400");
    CHECK(head(127) == "847F");
    CHECK(head(128) == "848180");
    CHECK(head(255) == "8481FF");
    CHECK(head(256) == "84820100");
    CHECK(head(65535) == "8482FFFF");
    CHECK(head(65536) == "8483010000");
    CHECK(brokenRule([] { Tlv::primitive(0x84, Bytes(0x1000000)).encode(); }) ==
          ruleName(Rule::TlvBadLength));
}

TEST_CASE("bad lengths: indefinite, too many bytes, not minimal") {
    CHECK(parseRule("84 80 00 00") == ruleName(Rule::TlvBadLength));
    CHECK(contains(parseMessage("84 80 00 00"), "indefinite"));
    CHECK(parseRule("84 84 00 00 00 01 AA") == ruleName(Rule::TlvBadLength));
    CHECK(parseRule("84 85") == ruleName(Rule::TlvBadLength));
    CHECK(parseRule("84 81 7F") == ruleName(Rule::TlvBadLength));
    CHECK(parseRule("84 82 00 FF") == ruleName(Rule::TlvBadLength));
    CHECK(parseRule("84 83 00 FF FF") == ruleName(Rule::TlvBadLength));
    CHECK(contains(parseMessage("84 00 84 81 05 01 02 03 04 05"), "offset 3 is 8105 = 5"));
}

TEST_CASE("truncation of the tag, the length or the value names the offset") {
    CHECK(parseRule("5F") == ruleName(Rule::TlvTruncated));
    CHECK(parseRule("DF 81") == ruleName(Rule::TlvTruncated));
    CHECK(parseRule("84") == ruleName(Rule::TlvTruncated));
    CHECK(parseRule("84 82 01") == ruleName(Rule::TlvTruncated));
    CHECK(parseRule("84 05 01 02") == ruleName(Rule::TlvTruncated));
    CHECK(contains(parseMessage("84 01 AA 84 05 01 02"),
                   "object at offset 3 (tag 84) says its value is 5 bytes but only 2 remain"));
    // Inside a constructed object the end of its value is the limit, not the end of the input.
    CHECK(parseRule("6F 03 84 05 01  02 03 04 05") == ruleName(Rule::TlvTruncated));
    CHECK(contains(parseMessage("6F 03 84 05 01  02 03 04 05"), "ends at offset 5"));
}

TEST_CASE("00 and FF padding is skipped before, between and after objects, at any level") {
    const auto objects = parseTlv(fromHex("00 FF 84 01 AA 00 00 C0 01 01 FF"));
    REQUIRE(objects.size() == 2);
    CHECK(objects[0].tag == 0x84);
    CHECK(objects[1].tag == 0xC0);

    const auto padded = parseTlv(fromHex("A5 05 00 C0 01 01 FF"));
    REQUIRE(padded.size() == 1);
    REQUIRE(padded[0].children.size() == 1);
    CHECK(padded[0].children[0].tag == 0xC0);

    CHECK(parseTlv({}).empty());
    CHECK(parseTlv(fromHex("00 FF 00")).empty());
}

TEST_CASE("nesting deeper than the limit is refused") {
    // A1 > A2 > A3 > 84: the 84 sits inside three constructed objects, at offset 6.
    const char* deep = "A1 06 A2 04 A3 02 84 00";
    CHECK(parseRule(deep, TlvLimits{3, 1024}) == "(no ApduError thrown)");
    CHECK(parseRule(deep, TlvLimits{2, 1024}) == ruleName(Rule::TlvTooDeep));
    CHECK(contains(parseMessage(deep, TlvLimits{2, 1024}), "offset 6 sits inside 3"));
    CHECK(parseRule("A1 02 A2 00", TlvLimits{1, 1024}) == "(no ApduError thrown)");
    CHECK(parseRule("84 00 A5 00", TlvLimits{0, 1024}) == "(no ApduError thrown)");

    // The default allows 8 enclosing objects, not 9.
    CHECK(parseTlv(nested(8).encode()).size() == 1);
    CHECK(brokenRule([] { parseTlv(nested(9).encode()); }) == ruleName(Rule::TlvTooDeep));
}

TEST_CASE("more objects than the limit, counted at every level, are refused") {
    CHECK(parseRule("84 00 84 00 84 00", TlvLimits{8, 3}) == "(no ApduError thrown)");
    CHECK(parseRule("84 00 84 00 84 00 84 00", TlvLimits{8, 3}) == ruleName(Rule::TlvTooMany));
    CHECK(contains(parseMessage("84 00 84 00 84 00 84 00", TlvLimits{8, 3}), "offset 6"));
    CHECK(parseRule("A5 04 84 00 84 00", TlvLimits{8, 3}) == "(no ApduError thrown)");
    CHECK(parseRule("A5 04 84 00 84 00", TlvLimits{8, 2}) == ruleName(Rule::TlvTooMany));

    Bytes many;
    for (int i = 0; i < 1025; ++i) many.insert(many.end(), {0x84, 0x00});
    CHECK(brokenRule([&] { parseTlv(many); }) == ruleName(Rule::TlvTooMany));
    many.resize(2048);
    CHECK(parseTlv(many).size() == 1024);
}

TEST_CASE("find returns the first direct child with the tag") {
    const auto objects = parseTlv(fromHex("A5 06 C0 01 01 C0 01 02"));
    REQUIRE(objects.size() == 1);
    const Tlv* first = objects[0].find(0xC0);
    REQUIRE(first != nullptr);
    CHECK(toHex(first->value) == "01");
    CHECK(objects[0].find(0xC1) == nullptr);
}
