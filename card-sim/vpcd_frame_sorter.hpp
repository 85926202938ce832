// vpcd's control codes and 1-byte command APDUs arrive as the same frame: one byte. This tells
// them apart by what vpcd does next (measured with pcscd 1.9.9 and vpcd 0.8, docs/card-rack.md):
// - after a control code it goes on without waiting for us: 01 (power on) and 02 (reset) are
//   followed at once by 04 (get ATR) in the same driver call, 00 (power off) by pcscd's next
//   presence poll (04, about every 400 ms);
// - after a command APDU it waits for the answer and sends nothing else on the connection (it
//   holds the slot's lock, pcscd the reader's), however long it takes.
// So 00, 01 and 02 are held: the next frame proves a held one a control code; silence for the
// hold bound proves it a command APDU, answered as such (the power effect is not applied). Other
// 1-byte frames but 04 are command APDUs at once. 04 stays ambiguous: it is always the ATR request,
// so a 1-byte command APDU 04 is answered with the ATR.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::sim {

// How long a 1-byte frame 00, 01 or 02 waits for a next frame before it is taken for a command
// APDU. Several of pcscd's presence polls (about 400 ms apart) fit in it, so a real power off is
// never mistaken unless pcscd stalls this long; and a 1-byte APDU 00, 01 or 02 waits this long
// for its answer.
constexpr std::chrono::milliseconds kControlCodeHold{3000};

struct VpcdMessage {
    enum class Kind { PowerOff, PowerOn, Reset, GetAtr, Command };
    Kind kind = Kind::Command;
    Bytes command;  // Kind::Command: the command APDU
};

class VpcdFrameSorter {
public:
    using Clock = std::chrono::steady_clock;

    explicit VpcdFrameSorter(std::chrono::milliseconds hold = kControlCodeHold) : hold_(hold) {}

    // A frame from vpcd, arrived at `now`: what it settles, in order - the frame held before it
    // (the control code it proved to be), then this frame, unless this one is held in turn.
    std::vector<VpcdMessage> sort(const Bytes& frame, Clock::time_point now);
    // The held frame once its time has run out at `now`: a 1-byte command APDU that vpcd waits to
    // have answered. Nothing before that, or when nothing is held.
    std::optional<VpcdMessage> expire(Clock::time_point now);
    // Milliseconds until the held frame's time runs out, rounded up (-1: nothing is held).
    int msUntilExpiry(Clock::time_point now) const;
    bool holding() const { return held_.has_value(); }
    // The connection ended: what was held is forgotten (the card is powered off anyway).
    void clear() { held_.reset(); }

private:
    std::chrono::milliseconds hold_;
    std::optional<std::uint8_t> held_;
    Clock::time_point heldUntil_{};
};

}  // namespace quorum::sim
