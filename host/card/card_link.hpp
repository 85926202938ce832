// The one channel stack under every conversation with a card (DESIGN: channel decorators):
//
//   raw channel (PC/SC, or in process for tests)
//     -> GET RESPONSE, 61xx and 6Cxx (apdu::ResponseChainingChannel)
//     -> command chaining for long commands (apdu::CommandChainingChannel)
//
// with an answer that breaks ISO 7816-4 reported as the card's fault (CardProtocolError). SCP11a
// goes on top of it: QuorumCard opens the session when a command needs one.
#pragma once

#include "apdu/channel.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/response_chaining.hpp"

namespace quorum::host {

class CardLink : public apdu::CardChannel {
public:
    // `raw` must outlive this.
    explicit CardLink(apdu::CardChannel& raw) : raw_(raw), responses_(raw), chained_(responses_) {}
    CardLink(const CardLink&) = delete;
    CardLink& operator=(const CardLink&) = delete;

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;

    // Below everything (single frames, no GET RESPONSE): for tests of the transport itself.
    apdu::CardChannel& raw() { return raw_; }

private:
    apdu::CardChannel& raw_;
    apdu::ResponseChainingChannel responses_;
    apdu::CommandChainingChannel chained_;
};

}  // namespace quorum::host
