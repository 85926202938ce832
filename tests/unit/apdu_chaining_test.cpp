// Response chaining (61xx / 6Cxx) and command chaining (CLA b5) against a scripted card.
// Each script is the conversation on the wire: the command the decorator must send (hex) and
// the response the card gives (data + SW, hex), one commented step per line.
#include <doctest/doctest.h>

#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/error.hpp"
#include "tests/support/thrown.hpp"
#include "apdu/response_chaining.hpp"

using namespace quorum;
using namespace quorum::apdu;
using test::brokenRule;
using test::contains;

namespace {

struct Step {
    std::string command;   // expected command APDU, hex
    std::string response;  // the card's answer, hex
};

// A card that expects exactly the scripted commands in order.
class ScriptedCard : public CardChannel {
public:
    ScriptedCard(std::initializer_list<Step> steps) : steps_(steps) {}

    ResponseApdu transmit(const CommandApdu& command) override {
        const std::string sent = toHex(command.encode());
        REQUIRE_MESSAGE(next_ < steps_.size(), "unscripted command " << sent);
        const Step& step = steps_[next_++];
        CHECK_MESSAGE(sent == toHex(fromHex(step.command)), "step " << next_);
        return ResponseApdu::parse(fromHex(step.response));
    }

    // True once every scripted command has been sent.
    bool done() const { return next_ == steps_.size(); }

private:
    std::vector<Step> steps_;
    std::size_t next_ = 0;
};

// A card that answers every command through `answer`, counting them.
class EndlessCard : public CardChannel {
public:
    explicit EndlessCard(std::function<ResponseApdu(const CommandApdu&)> answer)
        : answer_(std::move(answer)) {}
    ResponseApdu transmit(const CommandApdu& command) override {
        ++sent;
        return answer_(command);
    }
    std::size_t sent = 0;

private:
    std::function<ResponseApdu(const CommandApdu&)> answer_;
};

// `count` bytes of `value`, as hex.
std::string fill(std::size_t count, std::uint8_t value) {
    return toHex(Bytes(count, value));
}

// Bytes [from, from + count) of `data`, as hex.
std::string slice(const Bytes& data, std::size_t from, std::size_t count) {
    return toHex(data.data() + from, count);
}

Bytes counting(std::size_t count) {
    Bytes out(count);
    for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + i / 256);
    return out;
}

const Bytes kAid = fromHex("A0 00 00 00 03 10 10");

}  // namespace

TEST_CASE("61xx: GET RESPONSE until the card is done, 61 00 meaning 256") {
    ScriptedCard card({
        {"00A4040007A0000000031010 10", fill(16, 0xA1) + "61 00"},  // 16 bytes now, 256+ remain
        {"00C00000 00", fill(256, 0xA2) + "61 10"},                 // GET RESPONSE 256: 16 remain
        {"00C00000 10", fill(16, 0xA3) + "90 00"},                  // GET RESPONSE 16: done
    });
    ResponseChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu::select(kAid, 16));
    CHECK(card.done());
    CHECK(answer.sw == 0x9000);
    CHECK(toHex(answer.data) == fill(16, 0xA1) + fill(256, 0xA2) + fill(16, 0xA3));
}

TEST_CASE("61xx: the last GET RESPONSE's status word is the result") {
    ScriptedCard card({
        {"00B00000 04", "01020304 61 08"},    // READ BINARY: 4 bytes, 8 more
        {"00C00000 08", "0506070809 61 02"},  // GET RESPONSE 8: the card sends only 5, 2 more
        {"00C00000 02", "0A0B 62 82"},        // GET RESPONSE 2: end of file reached early
    });
    ResponseChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 4, false});
    CHECK(card.done());
    CHECK(answer.sw == 0x6282);
    CHECK(toHex(answer.data) == "0102030405060708090A0B");
}

TEST_CASE("61xx without data, for a command that had no Le") {
    ScriptedCard card({
        {"00A4040007A0000000031010", "61 05"},  // SELECT without Le: FCI waits, 5 bytes
        {"00C00000 05", "6F03840100 9000"},     // GET RESPONSE 5: the FCI
    });
    ResponseChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu::select(kAid, std::nullopt));
    CHECK(card.done());
    CHECK(answer.ok());
    CHECK(toHex(answer.data) == "6F03840100");
}

TEST_CASE("GET RESPONSE keeps the logical channel of the command it continues") {
    ScriptedCard card({
        {"01CA00C1 04", "AABBCCDD 61 02"},  // basic-range channel 1
        {"01C00000 02", "EEFF 90 00"},      // GET RESPONSE on channel 1
        {"4DCA00C1 02", "0102 61 01"},      // further interindustry class, channel 4 + 13
        {"4DC00000 01", "03 90 00"},        // GET RESPONSE on channel 17
        {"80CA00C1 01", "0A 61 01"},        // proprietary class
        {"00C00000 01", "0B 90 00"},        // GET RESPONSE in the interindustry class
    });
    ResponseChainingChannel channel(card);
    CHECK(toHex(channel.transmit(CommandApdu{0x01, 0xCA, 0x00, 0xC1, {}, 4, false}).data) ==
          "AABBCCDDEEFF");
    CHECK(toHex(channel.transmit(CommandApdu{0x4D, 0xCA, 0x00, 0xC1, {}, 2, false}).data) ==
          "010203");
    CHECK(toHex(channel.transmit(CommandApdu{0x80, 0xCA, 0x00, 0xC1, {}, 1, false}).data) ==
          "0A0B");
    CHECK(card.done());
}

TEST_CASE("6Cxx: the command is resent once with the exact length") {
    ScriptedCard card({
        {"00CA00C1 00", "6C 10"},                   // asked for 256: wrong Le, exactly 16
        {"00CA00C1 10", fill(16, 0xC1) + "90 00"},  // the same command with Le 16
    });
    ResponseChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu::getData(0x00C1));
    CHECK(card.done());
    CHECK(answer.ok());
    CHECK(toHex(answer.data) == fill(16, 0xC1));
}

TEST_CASE("6C 00 means 256, and the retried command may go on with 61xx") {
    ScriptedCard card({
        {"00B00000 10", "6C 00"},                    // wrong Le: exactly 256
        {"00B00000 00", fill(256, 0xB1) + "61 04"},  // resent with Le 256: 4 more after that
        {"00C00000 04", "01020304 90 00"},           // GET RESPONSE 4
    });
    ResponseChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 16, false});
    CHECK(card.done());
    CHECK(answer.ok());
    CHECK(toHex(answer.data) == fill(256, 0xB1) + "01020304");
}

TEST_CASE("6Cxx a second time is a protocol error") {
    ScriptedCard card({
        {"00CA00C1 00", "6C 10"},  // wrong Le: exactly 16
        {"00CA00C1 10", "6C 08"},  // resent with 16: now it says 8
    });
    ResponseChainingChannel channel(card);
    const std::string message =
        test::thrownMessage([&] { channel.transmit(CommandApdu::getData(0x00C1)); });
    CHECK(card.done());
    CHECK(contains(message, "APDU rule broken (response protocol)"));
    CHECK(contains(message, "6C 08"));
}

TEST_CASE("runaway 61xx: the byte limit stops the loop before it is passed") {
    ScriptedCard card({
        {"00CA00C1 10", fill(16, 0x01) + "61 10"},  // 16 bytes, 16 more
        {"00C00000 10", fill(16, 0x02) + "61 10"},  // 32 so far, 16 more
        {"00C00000 10", fill(16, 0x03) + "61 10"},  // 48 so far, 16 more
        {"00C00000 10", fill(16, 0x04) + "61 10"},  // 64 so far: 16 more would pass the limit
    });
    ResponseChainingChannel channel(card, 64);
    const std::string message =
        test::thrownMessage([&] { channel.transmit(CommandApdu::getData(0x00C1, 16)); });
    CHECK(card.done());
    CHECK(contains(message, "response protocol"));
    CHECK(contains(message, "16 more bytes after 64, beyond the limit of 64"));
}

TEST_CASE("runaway 61xx: a card that dribbles a byte at a time is cut off") {
    EndlessCard card([](const CommandApdu&) { return ResponseApdu{{0x55}, 0x6101}; });
    ResponseChainingChannel channel(card);
    CHECK(brokenRule([&] { channel.transmit(CommandApdu::getData(0x00C1, 1)); }) ==
          ruleName(Rule::ResponseProtocol));
    CHECK(card.sent == 1 + 1024);  // the command and 1024 GET RESPONSEs
}

TEST_CASE("61xx answered to GET RESPONSE without data is a protocol error") {
    ScriptedCard card({
        {"00CA00C1 10", fill(16, 0x01) + "61 10"},  // 16 bytes, 16 more
        {"00C00000 10", "61 10"},                   // GET RESPONSE: nothing, yet 16 more
    });
    ResponseChainingChannel channel(card);
    CHECK(brokenRule([&] { channel.transmit(CommandApdu::getData(0x00C1, 16)); }) ==
          ruleName(Rule::ResponseProtocol));
    CHECK(card.done());
}

TEST_CASE("more data than Ne asked for is a protocol error") {
    ScriptedCard longAnswer({
        {"00CA00C1 04", "0102030405 90 00"},  // asked for 4, got 5
    });
    ResponseChainingChannel first(longAnswer);
    const std::string message =
        test::thrownMessage([&] { first.transmit(CommandApdu::getData(0x00C1, 4)); });
    CHECK(contains(message, "returned 5 bytes to the command that asked for at most 4"));

    ScriptedCard noLe({
        {"00A4040007A0000000031010", "6F00 90 00"},  // no Le field, yet data
    });
    ResponseChainingChannel second(noLe);
    CHECK(brokenRule([&] { second.transmit(CommandApdu::select(kAid, std::nullopt)); }) ==
          ruleName(Rule::ResponseProtocol));

    ScriptedCard longGetResponse({
        {"00CA00C1 02", "0102 61 02"},    // 2 bytes, 2 more
        {"00C00000 02", "030405 90 00"},  // GET RESPONSE 2: got 3
    });
    ResponseChainingChannel third(longGetResponse);
    CHECK(brokenRule([&] { third.transmit(CommandApdu::getData(0x00C1, 2)); }) ==
          ruleName(Rule::ResponseProtocol));
    CHECK(longGetResponse.done());
}

TEST_CASE("a first answer already beyond the limit is refused") {
    ScriptedCard card({
        {"00CA00C1 10", fill(16, 0x01) + "90 00"},  // 16 bytes against a limit of 8
    });
    ResponseChainingChannel channel(card, 8);
    CHECK(brokenRule([&] { channel.transmit(CommandApdu::getData(0x00C1, 16)); }) ==
          ruleName(Rule::ResponseProtocol));
}

TEST_CASE("other status words and GET RESPONSE itself pass through untouched") {
    ScriptedCard card({
        {"00A4040007A0000000031010 00", "6A 82"},   // not found: returned as it is
        {"00C00000 10", fill(16, 0x07) + "61 10"},  // caller's own GET RESPONSE: not continued
    });
    ResponseChainingChannel channel(card);
    const auto notFound = channel.transmit(CommandApdu::select(kAid));
    CHECK(notFound.sw == 0x6A82);
    CHECK(notFound.data.empty());
    const auto raw = channel.transmit(CommandApdu::getResponse(16));
    CHECK(raw.sw == 0x6110);
    CHECK(toHex(raw.data) == fill(16, 0x07));
    CHECK(card.done());
}

TEST_CASE(
    "splitChain cuts 600 bytes into 255, 255 and 90 with the chaining bit on all but the last") {
    const Bytes data = counting(600);
    const CommandApdu command{0x04, 0xDA, 0x01, 0x00, data, 256, false};
    const auto parts = splitChain(command);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].cla == 0x14);
    CHECK(parts[1].cla == 0x14);
    CHECK(parts[2].cla == 0x04);
    CHECK(parts[0].data.size() == 255);
    CHECK(parts[1].data.size() == 255);
    CHECK(parts[2].data.size() == 90);
    CHECK_FALSE(parts[0].ne.has_value());
    CHECK_FALSE(parts[1].ne.has_value());
    CHECK(parts[2].ne == 256u);
    for (const auto& part : parts) {
        CHECK(part.ins == 0xDA);
        CHECK(part.p1 == 0x01);
        CHECK(part.p2 == 0x00);
        CHECK_FALSE(part.isExtended());
    }
    CHECK(toHex(parts[0].encode()) == "14DA0100FF" + slice(data, 0, 255));
    CHECK(toHex(parts[1].encode()) == "14DA0100FF" + slice(data, 255, 255));
    CHECK(toHex(parts[2].encode()) == "04DA01005A" + slice(data, 510, 90) + "00");
}

TEST_CASE("splitChain at the boundaries") {
    const CommandApdu fits{0x00, 0xDA, 0x01, 0x00, counting(255), std::nullopt, false};
    const auto one = splitChain(fits);
    REQUIRE(one.size() == 1);
    CHECK(one[0].encode() == fits.encode());

    const CommandApdu twoFull{0x00, 0xDA, 0x01, 0x00, counting(510), std::nullopt, false};
    const auto two = splitChain(twoFull);
    REQUIRE(two.size() == 2);  // no empty third part
    CHECK(two[1].data.size() == 255);
    CHECK(two[1].cla == 0x00);

    const CommandApdu small{0x00, 0xDA, 0x01, 0x00, counting(10), 16, false};
    const auto pieces = splitChain(small, 4);
    REQUIRE(pieces.size() == 3);
    CHECK(toHex(pieces[0].encode()) ==
          "10DA0100"
          "04" +
              slice(small.data, 0, 4));
    CHECK(toHex(pieces[1].encode()) ==
          "10DA0100"
          "04" +
              slice(small.data, 4, 4));
    CHECK(toHex(pieces[2].encode()) ==
          "00DA0100"
          "02" +
              slice(small.data, 8, 2) + "10");

    CHECK_THROWS_AS(splitChain(small, 0), std::invalid_argument);
}

TEST_CASE("CommandChainingChannel sends a 600-byte command as a chain") {
    const Bytes data = counting(600);
    ScriptedCard card({
        {"10DA0100FF" + slice(data, 0, 255), "90 00"},    // part 1, CLA b5 set: more follow
        {"10DA0100FF" + slice(data, 255, 255), "90 00"},  // part 2, more follow
        {"00DA01005A" + slice(data, 510, 90) + "00", "AB 90 00"},  // last part, original CLA, Le
    });
    CommandChainingChannel channel(card);
    const auto answer = channel.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, data, 256, false});
    CHECK(card.done());
    CHECK(answer.ok());
    CHECK(toHex(answer.data) == "AB");
}

TEST_CASE("a chain stops at the first part the card refuses") {
    const Bytes data = counting(600);
    ScriptedCard unsupported({
        {"10DA0100FF" + slice(data, 0, 255), "68 84"},  // part 1: chaining not supported
    });
    CommandChainingChannel first(unsupported);
    const auto refused = first.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, data, 256, false});
    CHECK(unsupported.done());
    CHECK(refused.sw == 0x6884);

    ScriptedCard fullMemory({
        {"10DA0100FF" + slice(data, 0, 255), "90 00"},    // part 1 accepted
        {"10DA0100FF" + slice(data, 255, 255), "6A 84"},  // part 2: not enough memory
    });
    CommandChainingChannel second(fullMemory);
    const auto full = second.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, data, 256, false});
    CHECK(fullMemory.done());  // the last part was never sent
    CHECK(full.sw == 0x6A84);
}

TEST_CASE("a command that fits passes through CommandChainingChannel unchanged") {
    ScriptedCard card({
        {"00DA0100 000003 AABBCC", "90 00"},         // forced extended form survives
        {"00DA0100 FF" + fill(255, 0x11), "90 00"},  // exactly maxChunk: not chained
    });
    CommandChainingChannel channel(card);
    CHECK(
        channel.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, fromHex("AABBCC"), std::nullopt, true})
            .ok());
    CHECK(
        channel.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, Bytes(255, 0x11), std::nullopt, false})
            .ok());
    CHECK(card.done());
    CHECK_THROWS_AS(CommandChainingChannel(card, 0), std::invalid_argument);
}

TEST_CASE("command chaining below response chaining: the last part's 61xx is collected") {
    const Bytes data = counting(300);
    ScriptedCard card({
        {"10DA0100FF" + slice(data, 0, 255), "90 00"},               // part 1, more follow
        {"00DA01002D" + slice(data, 255, 45) + "02", "0102 61 03"},  // last part: 2 bytes, 3 more
        {"00C00000 03", "030405 90 00"},                             // GET RESPONSE 3
    });
    CommandChainingChannel chaining(card);
    ResponseChainingChannel channel(chaining);
    const auto answer = channel.transmit(CommandApdu{0x00, 0xDA, 0x01, 0x00, data, 2, false});
    CHECK(card.done());
    CHECK(answer.ok());
    CHECK(toHex(answer.data) == "0102030405");
}

TEST_CASE("ChainAssembler puts a split command back together") {
    const CommandApdu original{0x00, 0xDA, 0x01, 0x00, counting(600), 256, false};
    ChainAssembler assembler;
    CHECK_FALSE(assembler.inProgress());
    const auto parts = splitChain(original);
    REQUIRE(parts.size() == 3);
    CHECK_FALSE(assembler.add(parts[0]).has_value());
    CHECK(assembler.inProgress());
    CHECK(assembler.continues(parts[1]));
    CHECK_FALSE(assembler.add(parts[1]).has_value());
    const auto whole = assembler.add(parts[2]);
    REQUIRE(whole.has_value());
    CHECK_FALSE(assembler.inProgress());
    CHECK(whole->cla == 0x00);
    CHECK_FALSE(whole->isChained());
    CHECK(whole->ins == 0xDA);
    CHECK(whole->p1 == 0x01);
    CHECK(whole->data == original.data);
    CHECK(whole->ne == 256u);
    CHECK(whole->encode() == original.encode());
}

TEST_CASE("ChainAssembler: single commands, Le of the last part, reset") {
    ChainAssembler assembler;
    const auto single = assembler.add(CommandApdu::parse(fromHex("00CA00C110")));
    REQUIRE(single.has_value());
    CHECK(toHex(single->encode()) == "00CA00C110");
    CHECK_FALSE(assembler.continues(CommandApdu::parse(fromHex("00CA00C110"))));

    // An Le on an intermediate part does not count; the last part's (none here) does.
    CHECK_FALSE(assembler.add(CommandApdu::parse(fromHex("10DA0100 02 AABB 10"))).has_value());
    const auto whole = assembler.add(CommandApdu::parse(fromHex("00DA0100 01 CC")));
    REQUIRE(whole.has_value());
    CHECK(toHex(whole->encode()) == "00DA010003AABBCC");

    // reset drops the partial chain: the next command stands alone.
    CHECK_FALSE(assembler.add(CommandApdu::parse(fromHex("10DA0100 02 AABB"))).has_value());
    assembler.reset();
    CHECK_FALSE(assembler.inProgress());
    const auto fresh = assembler.add(CommandApdu::parse(fromHex("00DA0100 01 CC")));
    REQUIRE(fresh.has_value());
    CHECK(toHex(fresh->data) == "CC");
}

TEST_CASE("ChainAssembler rejects a part whose header differs from the chain's") {
    const char* mismatches[] = {
        "00DB0100 01 CC",  // INS
        "00DA0200 01 CC",  // P1
        "00DA0101 01 CC",  // P2
        "01DA0100 01 CC",  // CLA beyond the chaining bit
        "11DA0100 01 CC",  // the same, on an intermediate part
    };
    for (const char* part : mismatches) {
        CAPTURE(part);
        ChainAssembler assembler;
        CHECK_FALSE(assembler.add(CommandApdu::parse(fromHex("10DA0100 02 AABB"))).has_value());
        const auto next = CommandApdu::parse(fromHex(part));
        CHECK_FALSE(assembler.continues(next));
        CHECK(brokenRule([&] { assembler.add(next); }) == ruleName(Rule::ChainMismatch));
        CHECK(assembler.inProgress());  // left for the caller to reset
    }
    ChainAssembler assembler;
    assembler.add(CommandApdu::parse(fromHex("10DA0100 02 AABB")));
    CHECK(contains(
        test::thrownMessage([&] { assembler.add(CommandApdu::parse(fromHex("00DB0100 01 CC"))); }),
        "INS DA P1 01 P2 00 but this part has CLA 00 INS DB"));
}

TEST_CASE("ChainAssembler refuses a chain that grows past its limit") {
    const auto parts =
        splitChain(CommandApdu{0x00, 0xDA, 0x01, 0x00, counting(510), std::nullopt, false});
    REQUIRE(parts.size() == 2);

    ChainAssembler exact(510);
    CHECK_FALSE(exact.add(parts[0]).has_value());
    CHECK(exact.add(parts[1]).has_value());

    ChainAssembler small(509);
    CHECK_FALSE(small.add(parts[0]).has_value());
    CHECK(brokenRule([&] { small.add(parts[1]); }) == ruleName(Rule::DataTooLong));

    ChainAssembler tiny(100);
    CHECK(brokenRule([&] { tiny.add(parts[0]); }) == ruleName(Rule::DataTooLong));
    CHECK_FALSE(tiny.inProgress());
}
