// Shorthands the card's command handlers share for building answers.
#pragma once

#include <cstdint>

#include "apdu/response.hpp"
#include "apdu/status.hpp"

namespace quorum::card::answer {

inline apdu::ResponseApdu status(std::uint16_t word) { return apdu::ResponseApdu::status(word); }

// 63Cx: a secret did not match, x tries are left.
inline apdu::ResponseApdu triesLeft(std::uint8_t left) {
    return status(static_cast<std::uint16_t>(apdu::sw::kVerifyFailed | left));
}

}  // namespace quorum::card::answer
