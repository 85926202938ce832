// A CardChannel straight into a firmware-model card, with no PC/SC in between (tests only).
#pragma once

#include "apdu/channel.hpp"
#include "firmware-model/card.hpp"

namespace quorum::sim {

class InProcessChannel : public apdu::CardChannel {
public:
    explicit InProcessChannel(card::Card& card) : card_(card) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return apdu::ResponseApdu::parse(card_.process(command.encode()));
    }

private:
    card::Card& card_;
};

}  // namespace quorum::sim
