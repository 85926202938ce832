// What a quorum card says about itself when selected (docs/apdu-spec.md, SELECT).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"
#include "apdu/channel.hpp"

namespace quorum::host {

// The card application's AID: F0 "QUORUMCARD".
extern const Bytes kQuorumAid;

struct CardInfo {
    std::uint8_t formatVersion = 0;
    Bytes cardId;
    std::uint8_t lifecycle = 0;
    Bytes pinPolicy;  // the 6 policy bytes (tag C5), empty before personalization
    std::string lifecycleName() const;  // "BLANK", ... or "unknown (0xNN)"
};

// The card answered in a way the spec does not allow; the message says what was wrong.
class CardProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Decodes the FCI returned by SELECT; throws CardProtocolError for a malformed one.
CardInfo parseFci(const Bytes& fci);

// SELECTs the quorum application through `channel` (which should resolve 61xx) and decodes
// its FCI. Throws CardProtocolError when the card is not a quorum card or answers wrongly.
CardInfo selectQuorumCard(apdu::CardChannel& channel);

}  // namespace quorum::host
