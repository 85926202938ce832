// Command APDUs: the seven ISO 7816-4 cases, their boundaries and every rejection of the strict
// parser. Vectors are written out by hand; long data fields are a hand-written header followed
// by a generated run of bytes.
#include <doctest/doctest.h>

#include <string>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "apdu/error.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::apdu;
using test::brokenRule;
using test::contains;

namespace {

std::string parseRule(const Bytes& raw) {
    return brokenRule([&] { CommandApdu::parse(raw); });
}

std::string parseMessage(const Bytes& raw) {
    return test::thrownMessage([&] { CommandApdu::parse(raw); });
}

// `head` (hex) followed by `count` bytes 00 01 02 ... (mod 256), then `tail` (hex).
Bytes withBody(std::string_view head, std::size_t count, std::string_view tail = "") {
    Bytes out = fromHex(head);
    for (std::size_t i = 0; i < count; ++i) out.push_back(static_cast<std::uint8_t>(i & 0xFF));
    const Bytes end = fromHex(tail);
    out.insert(out.end(), end.begin(), end.end());
    return out;
}

Bytes counting(std::size_t count) {
    return withBody("", count);
}

}  // namespace

TEST_CASE("case 1: header only") {
    const Bytes raw = fromHex("00 44 00 00");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.cla == 0x00);
    CHECK(c.ins == 0x44);
    CHECK(c.p1 == 0x00);
    CHECK(c.p2 == 0x00);
    CHECK(c.data.empty());
    CHECK_FALSE(c.ne.has_value());
    CHECK_FALSE(c.isExtended());
    CHECK(c.encode() == raw);
    CHECK(toHex(CommandApdu{0x80, 0xE8, 0x01, 0x02, {}, std::nullopt, false}.encode()) ==
          "80E80102");
}

TEST_CASE("case 2S: Le only, 00 meaning 256") {
    const Bytes raw = fromHex("00 CA 00 C1 10");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.ins == 0xCA);
    CHECK(c.p2 == 0xC1);
    CHECK(c.data.empty());
    CHECK(c.ne == 16u);
    CHECK_FALSE(c.isExtended());
    CHECK(c.encode() == raw);

    // A 5-byte APDU with P3 = 00 is Ne = 256, not a forbidden Lc of zero.
    const Bytes max = fromHex("00 C0 00 00 00");
    const auto m = CommandApdu::parse(max);
    CHECK(m.ne == 256u);
    CHECK(m.data.empty());
    CHECK_FALSE(m.isExtended());
    CHECK(m.encode() == max);
}

TEST_CASE("case 3S: Lc and data") {
    const Bytes raw = fromHex("00 DA 01 00 03 AA BB CC");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.p1 == 0x01);
    CHECK(toHex(c.data) == "AABBCC");
    CHECK_FALSE(c.ne.has_value());
    CHECK_FALSE(c.isExtended());
    CHECK(c.encode() == raw);
}

TEST_CASE("case 4S: Lc, data and Le") {
    const Bytes raw = fromHex("00 A4 04 00 07 A0 00 00 00 03 10 10 00");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.ins == 0xA4);
    CHECK(c.p1 == 0x04);
    CHECK(toHex(c.data) == "A0000000031010");
    CHECK(c.ne == 256u);
    CHECK(c.encode() == raw);

    const Bytes small = fromHex("00 A4 04 00 02 3F 00 1C");
    CHECK(CommandApdu::parse(small).ne == 0x1Cu);
    CHECK(CommandApdu::parse(small).encode() == small);
}

TEST_CASE("case 2E: 00 and a 2-byte Le, 0000 meaning 65536") {
    const Bytes raw = fromHex("00 B0 00 00 00 01 01");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.data.empty());
    CHECK(c.ne == 257u);
    CHECK(c.isExtended());
    CHECK(c.encode() == raw);

    const Bytes max = fromHex("00 B0 00 00 00 00 00");
    CHECK(CommandApdu::parse(max).ne == 65536u);
    CHECK(CommandApdu::parse(max).encode() == max);

    // A 7-byte APDU with P3 = 00 is always case 2E, even when the Le would fit the short form;
    // parse remembers the form so the bytes survive a round trip.
    const Bytes small = fromHex("00 B0 00 00 00 00 10");
    const auto s = CommandApdu::parse(small);
    CHECK(s.ne == 16u);
    CHECK(s.data.empty());
    CHECK(s.forceExtended);
    CHECK(s.encode() == small);
}

TEST_CASE("case 3E: 00, a 2-byte Lc and data") {
    const Bytes raw = withBody("00 DA 01 00 00 01 00", 256);
    const auto c = CommandApdu::parse(raw);
    CHECK(c.data == counting(256));
    CHECK_FALSE(c.ne.has_value());
    CHECK(c.isExtended());
    CHECK(c.encode() == raw);

    const Bytes forced = fromHex("00 DA 01 00 00 00 02 AB CD");
    const auto f = CommandApdu::parse(forced);
    CHECK(toHex(f.data) == "ABCD");
    CHECK(f.forceExtended);
    CHECK(f.encode() == forced);
}

TEST_CASE("case 4E: extended Lc, data and a 2-byte Le without a second 00") {
    const Bytes raw = fromHex("00 2A 80 86 00 00 03 11 22 33 01 01");
    const auto c = CommandApdu::parse(raw);
    CHECK(c.ins == 0x2A);
    CHECK(c.p1 == 0x80);
    CHECK(c.p2 == 0x86);
    CHECK(toHex(c.data) == "112233");
    CHECK(c.ne == 257u);
    CHECK(c.encode() == raw);

    const Bytes max = fromHex("00 2A 80 86 00 00 03 11 22 33 00 00");
    CHECK(CommandApdu::parse(max).ne == 65536u);
    CHECK(CommandApdu::parse(max).encode() == max);
}

TEST_CASE("encode builds each case from fields") {
    CommandApdu c;
    c.ins = 0x2A;
    c.p1 = 0x80;
    c.p2 = 0x86;
    c.data = fromHex("112233");
    CHECK(toHex(c.encode()) == "002A808603112233");  // 3S
    c.ne = 16;
    CHECK(toHex(c.encode()) == "002A80860311223310");  // 4S
    c.forceExtended = true;
    CHECK(toHex(c.encode()) ==
          "002A8086000003112233"
          "0010");  // 4E, forced
    c.data.clear();
    CHECK(toHex(c.encode()) ==
          "002A8086"
          "000010");  // 2E, forced
    c.forceExtended = false;
    CHECK(toHex(c.encode()) == "002A808610");  // 2S
    c.ne = 65536;
    CHECK(toHex(c.encode()) ==
          "002A8086"
          "000000");  // 2E
    c.data = fromHex("AB");
    CHECK(toHex(c.encode()) ==
          "002A8086"
          "000001AB"
          "0000");  // 4E

    // Case 1 has no length field, so forcing the extended form changes nothing on the wire.
    CommandApdu bare{0x00, 0x44, 0x00, 0x00, {}, std::nullopt, true};
    CHECK(bare.isExtended());
    CHECK(toHex(bare.encode()) == "00440000");
}

TEST_CASE("Nc boundary: 255 is short, 256 extended, 65535 the maximum") {
    CommandApdu c{0x00, 0xDA, 0x01, 0x00, counting(255), std::nullopt, false};
    CHECK_FALSE(c.isExtended());
    CHECK(c.encode() == withBody("00 DA 01 00 FF", 255));
    CHECK(CommandApdu::parse(withBody("00 DA 01 00 FF", 255)).data == counting(255));

    c.data = counting(256);
    CHECK(c.isExtended());
    CHECK(c.encode() == withBody("00 DA 01 00 00 01 00", 256));

    c.data = counting(65535);
    CHECK(c.encode() == withBody("00 DA 01 00 00 FF FF", 65535));
    CHECK(CommandApdu::parse(withBody("00 DA 01 00 00 FF FF", 65535)).data.size() == 65535);

    c.data = counting(65536);
    CHECK(brokenRule([&] { c.encode(); }) == ruleName(Rule::DataTooLong));
    CHECK(contains(test::thrownMessage([&] { c.encode(); }), "65536 bytes"));
}

TEST_CASE("Ne boundary: 256 is short, 257 extended, 65536 the maximum") {
    CommandApdu c{0x00, 0xB0, 0x00, 0x00, {}, 256, false};
    CHECK_FALSE(c.isExtended());
    CHECK(toHex(c.encode()) == "00B0000000");
    c.ne = 257;
    CHECK(c.isExtended());
    CHECK(toHex(c.encode()) == "00B00000000101");
    c.ne = 65535;
    CHECK(toHex(c.encode()) == "00B0000000FFFF");
    c.ne = 65536;
    CHECK(toHex(c.encode()) == "00B00000000000");
    CHECK(CommandApdu::parse(fromHex("00B0000000FFFF")).ne == 65535u);

    // Short data with a long Le: both length fields take the extended form.
    CommandApdu mixed{0x00, 0xDA, 0x01, 0x00, counting(255), 257, false};
    CHECK(mixed.encode() == withBody("00 DA 01 00 00 00 FF", 255, "01 01"));
    mixed.data = counting(256);
    mixed.ne = 1;
    CHECK(mixed.encode() == withBody("00 DA 01 00 00 01 00", 256, "00 01"));
    CHECK(CommandApdu::parse(mixed.encode()).ne == 1u);
}

TEST_CASE("encode refuses an Ne it cannot express") {
    CommandApdu c{0x00, 0xB0, 0x00, 0x00, {}, 0, false};
    CHECK(brokenRule([&] { c.encode(); }) == ruleName(Rule::LeOutOfRange));
    CHECK(contains(test::thrownMessage([&] { c.encode(); }), "Ne is 0"));
    c.ne = 65537;
    CHECK(brokenRule([&] { c.encode(); }) == ruleName(Rule::LeOutOfRange));
    CHECK(contains(test::thrownMessage([&] { c.encode(); }), "65537"));
    c.ne = 1;
    CHECK(toHex(c.encode()) == "00B0000001");
}

TEST_CASE("isExtended follows forceExtended, Nc > 255 and Ne > 256") {
    CommandApdu c{0x00, 0xDA, 0x01, 0x00, counting(255), 256, false};
    CHECK_FALSE(c.isExtended());
    c.forceExtended = true;
    CHECK(c.isExtended());
    c.forceExtended = false;
    c.data.push_back(0x00);
    CHECK(c.isExtended());
    c.data.pop_back();
    c.ne = 257;
    CHECK(c.isExtended());
}

TEST_CASE("fewer than 4 bytes is too short") {
    CHECK(parseRule({}) == ruleName(Rule::TooShort));
    CHECK(parseRule(fromHex("00")) == ruleName(Rule::TooShort));
    CHECK(parseRule(fromHex("00 A4 04")) == ruleName(Rule::TooShort));
    CHECK(contains(parseMessage(fromHex("00 A4 04")), "only 3 bytes"));
}

TEST_CASE("an Lc announcing more data than present is a truncated body") {
    const Bytes shortLc = fromHex("00 A4 04 00 10 01 02 03");
    CHECK(parseRule(shortLc) == ruleName(Rule::TruncatedBody));
    CHECK(parseMessage(shortLc) ==
          "APDU rule broken (truncated body): Lc says 16 data bytes but only 3 follow");

    const Bytes extendedLc = fromHex("00 DA 01 00 00 01 00 AA BB");
    CHECK(parseRule(extendedLc) == ruleName(Rule::TruncatedBody));
    CHECK(contains(parseMessage(extendedLc), "extended Lc says 256 data bytes but only 2 follow"));

    CHECK(parseRule(withBody("00 DA 01 00 FF", 254)) == ruleName(Rule::TruncatedBody));
}

TEST_CASE("bytes left after the last field are trailing bytes") {
    const Bytes afterShort = fromHex("00 DA 01 00 02 AA BB 00 11 22 33");
    CHECK(parseRule(afterShort) == ruleName(Rule::TrailingBytes));
    CHECK(contains(parseMessage(afterShort), "4 bytes are left over"));

    // After an extended Lc the Le is exactly 2 bytes; a 3-byte 00-prefixed Le is not allowed.
    const Bytes afterExtended = fromHex("00 DA 01 00 00 00 02 AA BB 00 01 00");
    CHECK(parseRule(afterExtended) == ruleName(Rule::TrailingBytes));
    CHECK(contains(parseMessage(afterExtended), "3 bytes are left over"));
}

TEST_CASE("an Lc of zero is rejected, but a lone P3 of 00 is Ne = 256") {
    // 6 bytes with P3 = 00: neither a short Lc (0 is forbidden) nor a complete extended field.
    const Bytes six = fromHex("00 A4 04 00 00 10");
    CHECK(parseRule(six) == ruleName(Rule::ZeroLc));

    const Bytes extendedZero = fromHex("00 DA 01 00 00 00 00 AA BB");
    CHECK(parseRule(extendedZero) == ruleName(Rule::ZeroLc));
    CHECK(contains(parseMessage(extendedZero), "00 00 00"));

    CHECK(parseRule(fromHex("00 A4 04 00 00")) == "(no ApduError thrown)");
}

TEST_CASE("an extended Lc followed by a 1-byte Le") {
    const Bytes raw = fromHex("00 DA 01 00 00 00 02 AA BB 10");
    CHECK(parseRule(raw) == ruleName(Rule::ExtendedLcShortLe));
    CHECK(parseRule(withBody("00 DA 01 00 00 01 00", 256, "00")) ==
          ruleName(Rule::ExtendedLcShortLe));
}

TEST_CASE("a short Lc followed by a 2- or 3-byte extended-looking Le") {
    CHECK(parseRule(fromHex("00 A4 04 00 02 3F 00 01 00")) == ruleName(Rule::ShortLcExtendedLe));
    CHECK(parseRule(fromHex("00 A4 04 00 02 3F 00 00 01 00")) == ruleName(Rule::ShortLcExtendedLe));
    CHECK(contains(parseMessage(fromHex("00 A4 04 00 02 3F 00 01 00")), "2 bytes remain"));
    // One more byte and it is no longer a plausible Le.
    CHECK(parseRule(fromHex("00 A4 04 00 02 3F 00 00 00 01 00")) == ruleName(Rule::TrailingBytes));
}

TEST_CASE("a 2-byte Lc written without its 00 marker") {
    // 01 2C = 300 would fit the 300 data bytes (3E) or leave a 2-byte Le (4E), but as a short
    // Lc it is 1 followed by 300 stray bytes.
    const Bytes threeE = withBody("00 DA 01 00 01 2C", 300);
    CHECK(parseRule(threeE) == ruleName(Rule::BadExtendedMarker));
    CHECK(
        contains(parseMessage(threeE), "an Lc of 300, which would fit exactly the 300 data bytes"));
    CHECK(parseRule(withBody("00 DA 01 00 01 2C", 300, "01 00")) ==
          ruleName(Rule::BadExtendedMarker));
    // The same bytes with the marker are a valid case 3E.
    CHECK(CommandApdu::parse(withBody("00 DA 01 00 00 01 2C", 300)).data == counting(300));
}

TEST_CASE("7-byte APDUs: P3 decides between case 2E and the short cases") {
    const auto twoE = CommandApdu::parse(fromHex("00 B0 00 00 00 12 34"));
    CHECK(twoE.ne == 0x1234u);
    CHECK(twoE.data.empty());

    const auto threeS = CommandApdu::parse(fromHex("00 A4 00 0C 02 3F 00"));
    CHECK(toHex(threeS.data) == "3F00");
    CHECK_FALSE(threeS.ne.has_value());

    const auto fourS = CommandApdu::parse(fromHex("00 A4 04 00 01 3F 00"));
    CHECK(toHex(fourS.data) == "3F");
    CHECK(fourS.ne == 256u);

    CHECK(parseRule(fromHex("00 A4 04 00 03 3F 00")) == ruleName(Rule::TruncatedBody));
}

TEST_CASE("named factories") {
    const Bytes aid = fromHex("A0 00 00 00 03 10 10");
    CHECK(toHex(CommandApdu::select(aid).encode()) == "00A4040007A000000003101000");
    CHECK(toHex(CommandApdu::select(aid, 0x20).encode()) == "00A4040007A000000003101020");
    CHECK(toHex(CommandApdu::select(aid, std::nullopt).encode()) == "00A4040007A0000000031010");
    CHECK(toHex(CommandApdu::getResponse(0x1A).encode()) == "00C000001A");
    CHECK(toHex(CommandApdu::getResponse(256).encode()) == "00C0000000");
    CHECK(toHex(CommandApdu::getData(0x9F7F).encode()) == "00CA9F7F00");
    CHECK(toHex(CommandApdu::getData(0x00C1, 16).encode()) == "00CA00C110");
}

TEST_CASE("the chaining bit is read from CLA") {
    CHECK(CommandApdu::parse(fromHex("10 DA 01 00 01 AA")).isChained());
    CHECK_FALSE(CommandApdu::parse(fromHex("00 DA 01 00 01 AA")).isChained());
    CHECK_FALSE(CommandApdu::parse(fromHex("0C DA 01 00 01 AA")).isChained());
}
