// The vpcd framing as card-sim parses and writes it.
#include <doctest/doctest.h>

#include <stdexcept>

#include "card-sim/vpcd_protocol.hpp"

using namespace quorum;
using sim::VpcdEndpoint;
using sim::VpcdFrameParser;

TEST_CASE("frames are cut out of a stream however it is split") {
    // power on, get ATR, then a SELECT, all in one read
    const Bytes stream = fromHex("0001 01  0001 04  0005 00A4040000");
    VpcdFrameParser parser;
    parser.feed(stream.data(), stream.size());
    CHECK(toHex(parser.next().value()) == "01");
    CHECK(toHex(parser.next().value()) == "04");
    CHECK(toHex(parser.next().value()) == "00A4040000");
    CHECK_FALSE(parser.next().has_value());

    // The same stream one byte at a time: a frame appears only when complete.
    VpcdFrameParser slow;
    std::vector<std::string> frames;
    for (std::uint8_t b : stream) {
        slow.feed(&b, 1);
        while (auto f = slow.next()) frames.push_back(toHex(*f));
    }
    CHECK(frames == std::vector<std::string>{"01", "04", "00A4040000"});
    CHECK(slow.buffered() == 0);
}

TEST_CASE("a frame's length is big-endian and may be up to 65535") {
    Bytes big(300, 0x5A);
    const Bytes framed = sim::vpcdFrame(big);
    CHECK(framed.size() == 302);
    CHECK(framed[0] == 0x01);
    CHECK(framed[1] == 0x2C);
    VpcdFrameParser parser;
    parser.feed(framed.data(), 100);
    CHECK_FALSE(parser.next().has_value());
    CHECK(parser.buffered() == 100);
    parser.feed(framed.data() + 100, framed.size() - 100);
    CHECK(parser.next().value() == big);

    CHECK(sim::vpcdFrame(Bytes(65535, 1)).size() == 65537);
    CHECK_THROWS_AS(sim::vpcdFrame(Bytes(65536, 1)), std::length_error);
    CHECK_THROWS_AS(sim::vpcdFrame(Bytes{}), std::length_error);  // vpcd would hang on it
}

TEST_CASE("vpcd addresses") {
    CHECK(VpcdEndpoint::parse("127.0.0.1:35963").str() == "127.0.0.1:35963");
    CHECK(VpcdEndpoint::parse("35964").port == 35964);
    CHECK(VpcdEndpoint::parse("35964").host == "127.0.0.1");
    CHECK(VpcdEndpoint::parse("localhost:1").host == "localhost");
    CHECK(VpcdEndpoint::parse("[::1]:35963").host == "::1");
    CHECK(VpcdEndpoint::parse("[::1]:35963").str() == "[::1]:35963");
    CHECK_THROWS_WITH_AS(VpcdEndpoint::parse("host:0"), doctest::Contains("outside 1..65535"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(VpcdEndpoint::parse("host:99999"), doctest::Contains("outside"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(VpcdEndpoint::parse("host:port"), doctest::Contains("not a number"),
                         std::invalid_argument);
    CHECK_THROWS_AS(VpcdEndpoint::parse(""), std::invalid_argument);
    CHECK_THROWS_AS(VpcdEndpoint::parse(":35963"), std::invalid_argument);
    CHECK_THROWS_AS(VpcdEndpoint::parse("[::1]35963"), std::invalid_argument);
}
