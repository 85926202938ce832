// How card-sim tells vpcd's 1-byte control codes from 1-byte command APDUs (card-sim/vpcd_frame_sorter.hpp).
#include <doctest/doctest.h>

#include "card-sim/vpcd_frame_sorter.hpp"

using namespace quorum;
using sim::VpcdFrameSorter;
using sim::VpcdMessage;
using Kind = VpcdMessage::Kind;
using std::chrono::milliseconds;

namespace {

const VpcdFrameSorter::Clock::time_point t0{};

std::vector<Kind> kinds(const std::vector<VpcdMessage>& messages) {
    std::vector<Kind> out;
    for (const auto& m : messages) out.push_back(m.kind);
    return out;
}

}  // namespace

TEST_CASE("vpcd frames: 04 asks for the ATR, longer frames and other single bytes are command APDUs, at once") {
    VpcdFrameSorter sorter;
    CHECK(kinds(sorter.sort(fromHex("04"), t0)) == std::vector<Kind>{Kind::GetAtr});
    const auto select = sorter.sort(fromHex("00A4040000"), t0);
    REQUIRE(kinds(select) == std::vector<Kind>{Kind::Command});
    CHECK(toHex(select[0].command) == "00A4040000");
    for (const char* single : {"03", "05", "80", "FF"}) {
        INFO(single);
        const auto command = sorter.sort(fromHex(single), t0);
        REQUIRE(kinds(command) == std::vector<Kind>{Kind::Command});
        CHECK(toHex(command[0].command) == single);
        CHECK_FALSE(sorter.holding());
    }
    CHECK(sorter.msUntilExpiry(t0) == -1);
}

TEST_CASE("vpcd frames: 00, 01, 02 followed by another frame are control codes, applied before it") {
    VpcdFrameSorter sorter(milliseconds(3000));
    // pcscd's SCardReconnect(SCARD_UNPOWER_CARD): 00, 01, 04 back to back.
    CHECK(sorter.sort(fromHex("00"), t0).empty());
    CHECK(sorter.holding());
    CHECK(kinds(sorter.sort(fromHex("01"), t0 + milliseconds(1))) == std::vector<Kind>{Kind::PowerOff});
    CHECK(kinds(sorter.sort(fromHex("04"), t0 + milliseconds(2))) == std::vector<Kind>{Kind::PowerOn, Kind::GetAtr});
    // A reset, then a command APDU (the reset still comes first).
    CHECK(sorter.sort(fromHex("02"), t0).empty());
    CHECK(kinds(sorter.sort(fromHex("00A4040000"), t0 + milliseconds(2999))) ==
          std::vector<Kind>{Kind::Reset, Kind::Command});
    CHECK_FALSE(sorter.holding());
    CHECK_FALSE(sorter.expire(t0 + milliseconds(10000)).has_value());
}

TEST_CASE("vpcd frames: 00, 01, 02 with nothing after them for the hold bound are 1-byte command APDUs") {
    for (const char* single : {"00", "01", "02"}) {
        INFO(single);
        VpcdFrameSorter sorter(milliseconds(3000));
        const auto start = t0 + milliseconds(500);
        CHECK(sorter.sort(fromHex(single), start).empty());
        CHECK(sorter.msUntilExpiry(start) == 3000);
        CHECK(sorter.msUntilExpiry(start + std::chrono::microseconds(2999001)) == 1);  // rounded up
        CHECK_FALSE(sorter.expire(start + milliseconds(2999)).has_value());
        const auto command = sorter.expire(start + milliseconds(3000));
        REQUIRE(command.has_value());
        CHECK(command->kind == Kind::Command);
        CHECK(toHex(command->command) == single);
        CHECK_FALSE(sorter.holding());
        CHECK(sorter.msUntilExpiry(start + milliseconds(3000)) == -1);
        // The next frame is on its own: nothing of the answered one is applied.
        CHECK(kinds(sorter.sort(fromHex("04"), start + milliseconds(3001))) == std::vector<Kind>{Kind::GetAtr});
    }
}

TEST_CASE("vpcd frames: a new connection forgets what was held") {
    VpcdFrameSorter sorter;
    CHECK(sorter.sort(fromHex("00"), t0).empty());
    sorter.clear();
    CHECK_FALSE(sorter.expire(t0 + sim::kControlCodeHold).has_value());
    CHECK(kinds(sorter.sort(fromHex("04"), t0)) == std::vector<Kind>{Kind::GetAtr});
}
