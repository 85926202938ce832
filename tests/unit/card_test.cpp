// The firmware-model card driven in process, one APDU at a time.
#include <doctest/doctest.h>

#include "apdu/command.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/response_chaining.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"
#include "card-sim/in_process_channel.hpp"
#include "firmware-model/card.hpp"
#include "protocol/fci.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
namespace sw = apdu::sw;

namespace {

using Fixture = test::CardFixture;
using test::CountingCoprocessor;

constexpr const char* kSelect = "00A404000BF051554F52554D4341524400";
const std::string kCardId = "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF";
const std::string kFci = "6F27840BF051554F52554D43415244A518C00101C110" + kCardId + "C20101";  // 41 bytes

}  // namespace

TEST_CASE("a new card gets a random id and BLANK state, persisted in one step") {
    Fixture f;
    CHECK(toHex(f.card.cardId()) == kCardId);
    CHECK(f.card.lifecycle() == protocol::Lifecycle::Blank);
    CHECK(f.nvm.persistCount() == 1);
    CHECK(toHex(f.nvm.persisted().at("card_id")) == kCardId);
    CHECK(toHex(f.nvm.persisted().at("lifecycle")) == "01");

    // Reloaded from the same memory, the card keeps its id and generates nothing.
    CountingCoprocessor other;
    card::MemoryNvm copy(f.nvm.persisted());
    card::Card reloaded(copy, other);
    CHECK(toHex(reloaded.cardId()) == kCardId);
    CHECK(copy.persistCount() == 0);
}

TEST_CASE("a card whose memory holds a malformed id or state refuses to start") {
    CountingCoprocessor coprocessor;
    card::MemoryNvm shortId({{"card_id", Bytes(15, 1)}, {"lifecycle", {0x01}}});
    CHECK_THROWS_WITH_AS(card::Card(shortId, coprocessor), doctest::Contains("card id"),
                         std::runtime_error);
    card::MemoryNvm badState({{"card_id", Bytes(16, 1)}, {"lifecycle", {0x42}}});
    CHECK_THROWS_WITH_AS(card::Card(badState, coprocessor), doctest::Contains("lifecycle"),
                         std::runtime_error);
}

TEST_CASE("the ATR is T=1 with historical bytes and a correct TCK") {
    const Bytes atr = card::Card::atr();
    CHECK(toHex(atr) == "3B8F800180565155" "4F52554D738000C0829000" "F8");
    std::uint8_t x = 0;
    for (std::size_t i = 1; i < atr.size(); ++i) x ^= atr[i];
    CHECK(x == 0);  // ISO 7816-3: XOR of T0..TCK is zero
}

TEST_CASE("SELECT by AID answers the FCI") {
    Fixture f;
    CHECK(f.send(kSelect) == kFci + "9000");                         // SELECT, Le 256
    CHECK(f.send("00A404000BF051554F52554D434152440C") == kFci.substr(0, 24) + "611D");  // Le 12
    CHECK(f.send("00A4040C0BF051554F52554D434152") == "6700");       // Lc 11, 10 data bytes
    CHECK(f.send("00A4040C0BF051554F52554D4341524400") == "9000");   // P2 0C: no response data
    CHECK(f.send("00A4040C0BF051554F52554D4341524400") == "9000");
    const auto info = protocol::Fci::decode(fromHex(kFci));
    CHECK(toHex(info.cardId) == kCardId);
    CHECK(info.lifecycleName() == "BLANK");
}

TEST_CASE("SELECT errors: 6A82 unknown AID, 6A86 bad P1/P2, 6700 no AID") {
    Fixture f;
    CHECK(f.sw("00A4040005A00000000300") == sw::kFileNotFound);
    CHECK(f.sw("00A4000002 3F00 00") == sw::kIncorrectP1P2);          // select by file id
    CHECK(f.sw("00A40404 0BF051554F52554D4341524400") == sw::kIncorrectP1P2);  // P2 04: FCP
    CHECK(f.sw("00A4040000") == sw::kWrongLength);                   // case 2: no AID at all
    CHECK(f.sw("00A40400") == sw::kWrongLength);                     // case 1
}

TEST_CASE("class byte checks: 6E00 unknown class, 6881 logical channel, 6882 secure messaging") {
    Fixture f;
    CHECK(f.sw("FFA404000BF051554F52554D4341524400") == sw::kClaNotSupported);
    CHECK(f.sw("40A404000BF051554F52554D4341524400") == sw::kClaNotSupported);
    CHECK(f.sw("E0A404000BF051554F52554D4341524400") == sw::kClaNotSupported);
    CHECK(f.sw("01A404000BF051554F52554D4341524400") == sw::kLogicalChannelNotSupported);
    CHECK(f.sw("0CA404000BF051554F52554D4341524400") == sw::kSecureMessagingNotSupported);
    CHECK(f.sw("80A404000BF051554F52554D4341524400") == sw::kInsNotSupported);  // proprietary class
}

TEST_CASE("6D00 for an unknown instruction, 6700 for malformed lengths") {
    Fixture f;
    CHECK(f.sw("00EE0000") == sw::kInsNotSupported);
    CHECK(f.sw("00A404") == sw::kWrongLength);                       // 3 bytes: not even a header
    CHECK(f.sw("00CA00C10000") == sw::kWrongLength);                 // 6 bytes: Lc 0 then 1 byte
    CHECK(f.sw("00A4040002F05100FF") == sw::kWrongLength);           // trailing bytes
}

TEST_CASE("GET DATA returns the card id, version and state; only with the application selected") {
    Fixture f;
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);        // nothing selected yet
    CHECK(f.sw(kSelect) == sw::kSuccess);
    CHECK(f.send("00CA00C100") == kCardId + "9000");
    CHECK(f.send("00CA00C000") == "019000");
    CHECK(f.send("00CA00C200") == "019000");
    CHECK(f.send("00CA00CE00") == "6A88");                           // no such data object
    CHECK(f.send("00CA00C10101") == "6700");                         // GET DATA with data
    f.card.powerOff();
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);        // power off deselects
    CHECK(f.sw(kSelect) == sw::kSuccess);
    f.card.reset();
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);        // so does a reset
    CHECK(f.sw(kSelect) == sw::kSuccess);
    CHECK(f.sw("00A4040005A00000000300") == sw::kFileNotFound);
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);        // a failed SELECT too
}

TEST_CASE("a response longer than Le comes in parts: 61xx then GET RESPONSE") {
    Fixture f;
    const std::string fci = kFci;  // 41 bytes
    CHECK(f.send("00A404000BF051554F52554D4341524410") == fci.substr(0, 32) + "6119");  // 16, 25 left
    CHECK(f.send("00C0000008") == fci.substr(32, 16) + "6111");      // 8 more, 17 left
    CHECK(f.send("00C0000000") == fci.substr(48) + "9000");          // Le 256: the rest
    CHECK(f.send("00C0000000") == "6985");                           // nothing left
    // Without Le the card says how much is waiting and sends nothing (ISO 7816-4 case 3).
    CHECK(f.send("00A404000BF051554F52554D434152 44") == "6129");
    CHECK(f.send("00C0000029") == fci + "9000");
    // Any other command drops what was waiting.
    CHECK(f.send("00A404000BF051554F52554D4341524404") == fci.substr(0, 8) + "6125");
    CHECK(f.send("00CA00C000") == "019000");
    CHECK(f.send("00C0000000") == "6985");
    CHECK(f.send("00C0010000") == "6A86");                           // P1 must be 00
    CHECK(f.send("00C00000") == "6700");                             // GET RESPONSE without Le
}

TEST_CASE("a command refused before it is read drops what was waiting for GET RESPONSE too") {
    // Each is refused at the class, channel, secure messaging, length or chaining check.
    const char* refused[] = {
        "00CA00",                // too short for a header: 6700
        "FFCA00C000",            // CLA FF: 6E00
        "01CA00C000",            // a logical channel: 6881
        "08CA00C000",            // ISO secure messaging: 6882
        "00CA00C00501",          // Lc 5 with one byte: 6700
        "10C0000000",            // GET RESPONSE in a chain: 6884
    };
    for (const char* command : refused) {
        CAPTURE(command);
        Fixture f;
        const std::string fci = kFci;
        REQUIRE(f.send("00A404000BF051554F52554D4341524404") == fci.substr(0, 8) + "6125");
        const std::string answer = f.send(command);
        CHECK(answer.size() == 4);
        CHECK(answer != "9000");
        CHECK(f.send("00C0000000") == "6985");                       // nothing is left
    }
}

TEST_CASE("the host's GET RESPONSE decorator reassembles what the card splits") {
    Fixture f;
    sim::InProcessChannel raw(f.card);
    apdu::ResponseChainingChannel channel(raw);
    for (std::size_t le : {1u, 7u, 16u, 40u, 41u, 256u}) {
        CAPTURE(le);
        const auto r = channel.transmit(apdu::CommandApdu::select(protocol::kApplicationId, le));
        CHECK(r.sw == sw::kSuccess);
        CHECK(toHex(r.data) == kFci);
    }
}

TEST_CASE("command chaining: the card reassembles a chain and rejects a broken one") {
    Fixture f;
    // SELECT split in two parts with CLA 10 on the first.
    CHECK(f.send("10A4040005F051554F52") == "9000");                 // first part of chain
    CHECK(f.send("00A4040006554D4341524400") == kFci + "9000");      // last part, with Le
    // A chain interrupted by another command: 6883 and the chain is dropped.
    CHECK(f.send("10A4040005F051554F52") == "9000");
    CHECK(f.send("00CA00C100") == "6883");
    CHECK(f.send("00CA00C100") == kCardId + "9000");                 // still selected, chain gone
    // GET RESPONSE cannot be chained.
    CHECK(f.send("10C0000000") == "6884");
    // Through the host decorator with a small chunk size.
    sim::InProcessChannel raw(f.card);
    apdu::CommandChainingChannel chaining(raw, 3);
    const auto r = chaining.transmit(apdu::CommandApdu::select(protocol::kApplicationId));
    CHECK(r.sw == sw::kSuccess);
    CHECK(toHex(r.data) == kFci);
}

TEST_CASE("extended length APDUs are accepted") {
    Fixture f;
    CHECK(f.send("00A4040000000B" "F051554F52554D43415244" "0000") == kFci + "9000");  // case 4E
    CHECK(f.send("00CA00C1000010") == kCardId + "9000");                          // case 2E
}
