// The one seam between host code and a card: send one command APDU, get one response APDU.
#pragma once

#include <memory>

#include "apdu/command.hpp"
#include "apdu/response.hpp"

namespace quorum::apdu {

class CardChannel {
public:
    virtual ~CardChannel() = default;
    // Sends one command and returns the card's answer; transport errors are exceptions.
    virtual ResponseApdu transmit(const CommandApdu& command) = 0;
};

}  // namespace quorum::apdu
