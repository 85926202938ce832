// The card's lifecycle states, as stored and reported in the FCI (tag C2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace quorum::protocol {

enum class Lifecycle : std::uint8_t {
    Blank = 0x01,
    Personalized = 0x03,
    Operational = 0x07,
    Blocked = 0x0F,
    Retired = 0x3F,  // RETIRE: the share erased, by the ceremony; the card answers SELECT and GET DATA
    Terminated = 0x7F,
};

// "BLANK", "PERSONALIZED", ...
const char* lifecycleName(Lifecycle state);

// The state a byte encodes, or nullopt for a value the spec does not define.
std::optional<Lifecycle> lifecycleFromByte(std::uint8_t value);

// lifecycleName() for a defined value, "unknown (0xNN)" otherwise: for messages.
std::string describeLifecycle(std::uint8_t value);

}  // namespace quorum::protocol
