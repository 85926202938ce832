// CardChannel over a PC/SC card connection (SCardTransmit).
#pragma once

#include "apdu/channel.hpp"
#include "host/pcsc/context.hpp"

namespace quorum::host {

class PcscChannel : public apdu::CardChannel {
public:
    explicit PcscChannel(PcscCard& card) : card_(card) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        return apdu::ResponseApdu::parse(card_.transmit(command.encode()));
    }

private:
    PcscCard& card_;
};

}  // namespace quorum::host
