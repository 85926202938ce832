// A quorum card in a PC/SC reader: the connection, the one channel stack (CardLink) on it, and the
// card client (QuorumCard) on top. Every command, ceremony and test that talks to a card through
// PC/SC uses this.
#pragma once

#include <optional>
#include <string>

#include "host/card/card_link.hpp"
#include "host/card/quorum_card.hpp"
#include "host/pcsc/channel.hpp"
#include "host/pcsc/context.hpp"

namespace quorum::host {

class ConnectedCard {
public:
    // SCardConnect to the card in `reader` (NoCardError, SharingViolationError, ...). With `trust`,
    // QuorumCard opens an SCP11a session when a command needs one.
    ConnectedCard(const PcscContext& context, const std::string& reader,
                  std::optional<CeremonyTrust> trust = std::nullopt, ShareMode mode = ShareMode::Shared)
        : card_(context, reader, mode), raw_(card_), link_(raw_), quorum_(link_, std::move(trust)) {}
    ConnectedCard(const ConnectedCard&) = delete;
    ConnectedCard& operator=(const ConnectedCard&) = delete;

    QuorumCard& quorum() { return quorum_; }
    // The stack below SCP11a (GET RESPONSE, command chaining): for plain commands.
    CardLink& link() { return link_; }
    PcscCard& pcsc() { return card_; }
    const std::string& reader() const { return card_.reader(); }

private:
    PcscCard card_;
    PcscChannel raw_;
    CardLink link_;
    QuorumCard quorum_;
};

}  // namespace quorum::host
