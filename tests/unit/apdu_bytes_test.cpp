// Hex conversion, the ApduError message format and response APDUs.
#include <doctest/doctest.h>

#include <cctype>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"
#include "apdu/error.hpp"
#include "tests/support/thrown.hpp"
#include "apdu/response.hpp"

using namespace quorum;
using namespace quorum::apdu;
using test::brokenRule;
using test::contains;

namespace {

}  // namespace

TEST_CASE("toHex writes upper-case pairs with an optional separator") {
    const Bytes bytes{0x00, 0xAB, 0x7F, 0x10};
    CHECK(toHex(bytes) == "00AB7F10");
    CHECK(toHex(bytes, " ") == "00 AB 7F 10");
    CHECK(toHex(bytes, ":") == "00:AB:7F:10");
    CHECK(toHex(bytes.data() + 1, 2) == "AB7F");
    CHECK(toHex(Bytes{}) == "");
    CHECK(toHex(Bytes{}, " ") == "");
    CHECK(toHex(Bytes{0xFF}, " ") == "FF");  // no separator after the last byte
}

TEST_CASE("fromHex reads both cases and skips spaces, tabs, newlines and colons") {
    CHECK(fromHex("00ab7F10") == Bytes{0x00, 0xAB, 0x7F, 0x10});
    CHECK(fromHex(" 00 AB\t7f:10\n") == Bytes{0x00, 0xAB, 0x7F, 0x10});
    CHECK(fromHex("0\r\n0") == Bytes{0x00});
    CHECK(fromHex("").empty());
    CHECK(fromHex(" : ").empty());
    CHECK(toHex(fromHex("DEADBEEF")) == "DEADBEEF");
}

TEST_CASE("fromHex names the bad character and its position, or the odd digit count") {
    const std::string bad = test::thrownMessage<std::invalid_argument>([] { fromHex("00 1G"); });
    CHECK(bad.find("'G'") != std::string::npos);
    CHECK(bad.find("position 4") != std::string::npos);

    const std::string control = test::thrownMessage<std::invalid_argument>([] { fromHex("0\x01"); });
    CHECK(control.find("0x01") != std::string::npos);
    CHECK(control.find("position 1") != std::string::npos);

    const std::string odd = test::thrownMessage<std::invalid_argument>([] { fromHex("00 1"); });
    CHECK(odd.find("odd number of hex digits (3)") != std::string::npos);

    CHECK_THROWS_AS(fromHex("0x00"), std::invalid_argument);  // no 0x prefixes
}

TEST_CASE("every rule has its own short lower-case name, and messages start with it") {
    const Rule rules[] = {Rule::TooShort,          Rule::TruncatedBody,
                          Rule::TrailingBytes,     Rule::ZeroLc,
                          Rule::ExtendedLcShortLe, Rule::ShortLcExtendedLe,
                          Rule::BadExtendedMarker, Rule::DataTooLong,
                          Rule::LeOutOfRange,      Rule::TlvTruncated,
                          Rule::TlvBadTag,         Rule::TlvBadLength,
                          Rule::TlvTooDeep,        Rule::TlvTooMany,
                          Rule::ChainMismatch,     Rule::ResponseProtocol};
    std::set<std::string> names;
    for (const Rule rule : rules) {
        const std::string name = ruleName(rule);
        CAPTURE(name);
        CHECK(!name.empty());
        CHECK(name.size() < 40);
        for (const char c : name) CHECK_FALSE(std::isupper(static_cast<unsigned char>(c)));
        names.insert(name);
    }
    CHECK(names.size() == std::size(rules));

    const ApduError error(Rule::TruncatedBody, "Lc says 16 data bytes but only 3 follow");
    CHECK(std::string(error.what()) ==
          "APDU rule broken (truncated body): Lc says 16 data bytes but only 3 follow");
    CHECK(error.rule() == Rule::TruncatedBody);
}

TEST_CASE("a response APDU is its data followed by SW1 SW2") {
    const auto fci = ResponseApdu::parse(fromHex("6F 03 84 01 AA  90 00"));
    CHECK(toHex(fci.data) == "6F038401AA");
    CHECK(fci.sw == 0x9000);
    CHECK(fci.sw1() == 0x90);
    CHECK(fci.sw2() == 0x00);
    CHECK(fci.ok());
    CHECK(toHex(fci.encode()) == "6F038401AA9000");

    const auto notFound = ResponseApdu::parse(fromHex("6A 82"));
    CHECK(notFound.data.empty());
    CHECK(notFound.sw == 0x6A82);
    CHECK_FALSE(notFound.ok());
    CHECK(toHex(notFound.encode()) == "6A82");
    CHECK(toHex(ResponseApdu::status(0x6A82).encode()) == "6A82");
    CHECK(toHex(ResponseApdu{{0x01}, 0x6110}.encode()) == "016110");
}

TEST_CASE("a response APDU without both status bytes is too short") {
    CHECK(brokenRule([] { ResponseApdu::parse({}); }) == ruleName(Rule::TooShort));
    CHECK(brokenRule([] { ResponseApdu::parse({0x90}); }) == ruleName(Rule::TooShort));
    CHECK(brokenRule([] { ResponseApdu::parse({0x90, 0x00}); }) == "(no ApduError thrown)");
}
