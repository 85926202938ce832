// What a card's refusal means for the people in the room, and what they do next: every status
// word that reaches a person is translated (docs/apdu-spec.md gives the meaning; the command to run
// comes from here). The raw status word is kept (CardRefusedError::sw()) for the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/lifecycle.hpp"

namespace quorum::host {

// What the host was asking of the card.
enum class CardOperation {
    Select,
    Issue,          // CA key, key pair, certificate
    Personalize,    // PIN policy, transport PIN, PUK, ACTIVATE FILE
    StoreShare,
    Wipe,
    ReadPinStatus,
    VerifyPin,
    ChangePin,
    UnblockPin,
    ReleaseShare,   // GET SHARE
    PartialSign,
    ReshareOut,     // an old card's redistribution of its share
    ReshareIn,      // a new card's share from old cards' redistributions
    Retire,
};

// What the card knew of itself when it refused (from its last SELECT).
struct CardCondition {
    std::optional<protocol::Lifecycle> state;
    bool pinChangePending = false;  // PERSONALIZED with "change PIN before use"
};

// One or two sentences: what happened and what to do next, for `operation` refused with `sw`.
std::string explainRefusal(CardOperation operation, std::uint16_t sw, const CardCondition& card);

}  // namespace quorum::host
