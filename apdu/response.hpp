// Response APDUs (ISO 7816-4 section 5.1): response data followed by SW1 SW2.
#pragma once

#include <cstdint>

#include "apdu/bytes.hpp"
#include "apdu/status.hpp"

namespace quorum::apdu {

struct ResponseApdu {
    Bytes data;
    std::uint16_t sw = 0;

    std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8); }
    std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw & 0xFF); }
    bool ok() const { return sw == sw::kSuccess; }

    Bytes encode() const;
    // Throws ApduError(TooShort) for fewer than 2 bytes.
    static ResponseApdu parse(const Bytes& raw);
    static ResponseApdu status(std::uint16_t sw) { return ResponseApdu{{}, sw}; }
};

}  // namespace quorum::apdu
