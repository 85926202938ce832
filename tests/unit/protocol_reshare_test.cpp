// The bytes of RESHARE OUT and RESHARE IN (protocol/reshare.hpp): records and requests round-trip,
// and every layout docs/apdu-spec.md does not allow is refused.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "apdu/tlv.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/reshare.hpp"

using namespace quorum;
using namespace quorum::protocol;

namespace {

// Old card 3's record with k' = 2 and boxes for new cards 1 and 4 (values are only sized here).
RedistributionRecord record() {
    RedistributionRecord r;
    r.from = 3;
    r.commitments = {0x02};
    r.commitments.resize(1 + 2 * kResharePointSize, 0x04);
    for (const std::uint8_t to : {std::uint8_t{1}, std::uint8_t{4}})
        r.sealed.push_back({to, Bytes(kResharePointSize, to), Bytes(kReshareBoxSize, 0xB0)});
    return r;
}

}  // namespace

TEST_CASE("protocol: a redistribution record is i || k' || D || m || boxes, and nothing else") {
    const Bytes encoded = record().encode();
    CHECK(encoded.size() == 1 + 1 + 2 * 65 + 1 + 2 * 114);
    CHECK(encoded[0] == 3);
    CHECK(encoded[1] == 2);
    CHECK(encoded[132] == 2);
    CHECK(encoded[133] == 1);
    const RedistributionRecord decoded = RedistributionRecord::decode(encoded);
    CHECK(decoded.from == 3);
    CHECK(decoded.commitments == record().commitments);
    REQUIRE(decoded.sealed.size() == 2);
    CHECK(decoded.sealed[1].to == 4);
    CHECK(decoded.sealed[1].ephemeral == Bytes(65, 4));
    CHECK(decoded.sealed[1].box == Bytes(48, 0xB0));

    auto refused = [](Bytes bytes) {
        try {
            (void)RedistributionRecord::decode(bytes);
        } catch (const DecodeError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    Bytes cut = encoded;
    cut.pop_back();
    CHECK(refused(cut).find("361 bytes, not 360") != std::string::npos);
    Bytes longer = encoded;
    longer.push_back(0);
    CHECK(refused(longer).find("361 bytes, not 362") != std::string::npos);
    Bytes zero = encoded;
    zero[0] = 0;
    CHECK(refused(zero).find("old card 0") != std::string::npos);
    Bytes noThreshold = encoded;
    noThreshold[1] = 0;
    CHECK(refused(noThreshold).find("threshold of 0") != std::string::npos);
    Bytes twice = encoded;
    twice[133 + 114] = 1;
    CHECK(refused(twice).find("two boxes for new card 1") != std::string::npos);
    Bytes toZero = encoded;
    toZero[133] = 0;
    CHECK(refused(toZero).find("new card 0") != std::string::npos);
    CHECK(refused({3, 2}).find("too few") != std::string::npos);

    RedistributionRecord none = record();  // no box at all: the new card names the old card
    none.sealed.clear();
    CHECK(RedistributionRecord::decode(none.encode()).sealed.empty());
    RedistributionRecord badBox = record();
    badBox.sealed[0].box.pop_back();
    CHECK_THROWS_AS(badBox.encode(), std::invalid_argument);
}

TEST_CASE("protocol: RESHARE OUT's and RESHARE IN's data and answers") {
    const ReshareOutRequest out{2, {'c', 't', 'x'}, {Bytes(300, 0x30), Bytes(5, 0x31)}};
    const Bytes data = out.encode();
    CHECK(toHex(Bytes(data.begin(), data.begin() + 10)) == "8001028103637478" "8282");
    const auto decoded = ReshareOutRequest::decode(data);
    REQUIRE(decoded);
    CHECK(decoded->newK == 2);
    CHECK(decoded->context == out.context);
    CHECK(decoded->certificates == out.certificates);
    CHECK_THROWS_AS((ReshareOutRequest{3, {}, {Bytes(5, 1), Bytes(5, 2)}}.encode()), std::invalid_argument);  // k' > n'
    CHECK_THROWS_AS((ReshareOutRequest{0, {}, {Bytes(5, 1)}}.encode()), std::invalid_argument);
    CHECK_THROWS_AS((ReshareOutRequest{1, Bytes(256, 0), {Bytes(5, 1)}}.encode()), std::invalid_argument);
    CHECK_THROWS_AS((ReshareOutRequest{1, {}, {}}.encode()), std::invalid_argument);
    CHECK_THROWS_AS((ReshareOutRequest{1, {}, {Bytes{}}}.encode()), std::invalid_argument);
    // Another order, another tag, a constructed object: refused.
    using apdu::Tlv;
    CHECK_FALSE(ReshareOutRequest::decode(apdu::encodeTlv({Tlv::primitive(0x81, {}), Tlv::primitive(0x80, {1}),
                                                           Tlv::primitive(0x82, {1})})));
    CHECK_FALSE(ReshareOutRequest::decode(apdu::encodeTlv({Tlv::primitive(0x80, {1}), Tlv::primitive(0x81, {}),
                                                           Tlv::primitive(0x83, {1})})));
    CHECK_FALSE(ReshareOutRequest::decode(apdu::encodeTlv({Tlv::primitive(0x80, {1}), Tlv::primitive(0x81, {}),
                                                           Tlv::constructedOf(0xA2, {Tlv::primitive(0x82, {1})})})));

    const ReshareOutAnswer answer{record(), 7};
    const Bytes answered = answer.encode();
    CHECK(toHex(Bytes(answered.end() - 4, answered.end())) == "00000007");
    CHECK(ReshareOutAnswer::decode(answered).usageCount == 7);
    CHECK(ReshareOutAnswer::decode(answered).redistribution.sealed.size() == 2);
    CHECK_THROWS_AS(ReshareOutAnswer::decode(Bytes(answered.begin(), answered.end() - 1)), DecodeError);

    const ReshareInRequest in{{'c', 't', 'x'}, {record(), record()}};
    const auto back = ReshareInRequest::decode(in.encode());
    REQUIRE(back);
    CHECK(back->context == in.context);
    CHECK(back->redistributions.size() == 2);
    CHECK_THROWS_AS((ReshareInRequest{{}, {}}.encode()), std::invalid_argument);
    Bytes cut = in.encode();
    cut.pop_back();
    CHECK_FALSE(ReshareInRequest::decode(cut));

    const ReshareInAnswer stored{4, Bytes(32, 0xD1)};
    CHECK(ReshareInAnswer::decode(stored.encode()).index == 4);
    CHECK_THROWS_AS(ReshareInAnswer::decode(Bytes(32, 1)), DecodeError);
    CHECK_THROWS_AS(ReshareInAnswer::decode(Bytes(33, 0)), DecodeError);
}
