#include "card-sim/vpcd_frame_sorter.hpp"

#include "card-sim/vpcd_protocol.hpp"

namespace quorum::sim {

namespace {

VpcdMessage controlCode(std::uint8_t code) {
    switch (code) {
        case vpcd::kPowerOff: return {VpcdMessage::Kind::PowerOff, {}};
        case vpcd::kPowerOn: return {VpcdMessage::Kind::PowerOn, {}};
        default: return {VpcdMessage::Kind::Reset, {}};
    }
}

bool mayBeControlCode(const Bytes& frame) {
    return frame.size() == 1 &&
           (frame[0] == vpcd::kPowerOff || frame[0] == vpcd::kPowerOn || frame[0] == vpcd::kReset);
}

}  // namespace

std::vector<VpcdMessage> VpcdFrameSorter::sort(const Bytes& frame, Clock::time_point now) {
    std::vector<VpcdMessage> settled;
    if (held_) settled.push_back(controlCode(*held_));  // vpcd went on: it was not waiting for an answer
    held_.reset();
    if (frame.empty()) return settled;  // vpcd never sends one; nothing to answer
    if (mayBeControlCode(frame)) {
        held_ = frame[0];
        heldUntil_ = now + hold_;
    } else if (frame.size() == 1 && frame[0] == vpcd::kGetAtr) {
        settled.push_back({VpcdMessage::Kind::GetAtr, {}});
    } else {
        settled.push_back({VpcdMessage::Kind::Command, frame});
    }
    return settled;
}

std::optional<VpcdMessage> VpcdFrameSorter::expire(Clock::time_point now) {
    if (!held_ || now < heldUntil_) return std::nullopt;
    VpcdMessage command{VpcdMessage::Kind::Command, Bytes{*held_}};
    held_.reset();
    return command;
}

int VpcdFrameSorter::msUntilExpiry(Clock::time_point now) const {
    if (!held_) return -1;
    if (now >= heldUntil_) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(heldUntil_ - now).count());
}

}  // namespace quorum::sim
