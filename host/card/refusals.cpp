#include "host/card/refusals.hpp"

#include "apdu/status.hpp"
#include "protocol/reshare.hpp"

namespace quorum::host {

namespace {
namespace sw = apdu::sw;

bool releasing(CardOperation operation) {
    return operation == CardOperation::ReleaseShare || operation == CardOperation::PartialSign ||
           operation == CardOperation::ReshareOut;
}

bool issuing(CardOperation operation) {
    return operation == CardOperation::Issue || operation == CardOperation::Personalize ||
           operation == CardOperation::StoreShare || operation == CardOperation::Wipe;
}

std::string stateText(const CardCondition& card) {
    return card.state ? std::string(protocol::lifecycleName(*card.state)) : std::string("in an unknown state");
}

std::string conditionsNotSatisfied(CardOperation operation, const CardCondition& card) {
    using protocol::Lifecycle;
    if (card.state == Lifecycle::Terminated)
        return "the card is TERMINATED (its PUK was exhausted): it holds no secrets any more and can only be "
               "replaced; set it aside";
    if (card.state == Lifecycle::Retired)
        return "the card is RETIRED: its share was erased when its set was re-shared, and it answers nothing but "
               "SELECT and GET DATA; set it aside";
    if (operation == CardOperation::ReshareIn && card.state != Lifecycle::Blank)
        return "the card holds a share already (or is BLOCKED): a new card of a redistribution must be issued "
               "without a share (`ceremony issue-card`)";
    if (operation == CardOperation::Retire)
        return "only an issued card (PERSONALIZED, OPERATIONAL or BLOCKED) can be retired; this one is " +
               stateText(card);
    if (operation == CardOperation::Wipe)
        return "WIPE only undoes an issuance that stopped half-way; this card is " + stateText(card) +
               ", its issuance finished, and it keeps what it holds";
    if (card.pinChangePending && operation != CardOperation::ChangePin)
        return "the holder has not changed the transport PIN yet, and until then the card does nothing else: the "
               "holder runs `ceremony pin change --ceremony <folder>` first";
    if (card.state == Lifecycle::Blocked)
        return "the card's PIN is BLOCKED: its holder unblocks it with the PUK (`ceremony pin unblock --ceremony "
               "<folder>`)";
    if (card.state == Lifecycle::Blank && !issuing(operation))
        return "the card is BLANK: it was never issued, so it holds no PIN and no share; it can be issued in a key "
               "generation (`ceremony keygen`)";
    if (issuing(operation))
        return "the card is " + stateText(card) +
               " and cannot take this step of its issuance (it was issued before, or holds a share already); use "
               "a BLANK card";
    if (releasing(operation) && card.state == Lifecycle::Operational)
        return "the card's usage counter is exhausted: it will never release its share again; its share must be "
               "moved to a new card by re-sharing the set";
    return "the card's state (" + stateText(card) + ") does not allow this now";
}

std::string notFound(CardOperation operation) {
    switch (operation) {
        case CardOperation::ReleaseShare:
            return "the card holds no share of an activation key: it was issued without a key generation, or it "
                   "holds a threshold RSA share; it is not a card of this set's scheme, so set it aside";
        case CardOperation::ReshareOut:
            return "the card holds no share of an activation key (it holds a threshold RSA share, or none): there "
                   "is nothing on it to redistribute";
        case CardOperation::PartialSign:
            return "the card holds no threshold RSA share: it was issued without a key generation, or it holds a "
                   "Shamir share; it is not a card of this set's scheme, so set it aside";
        case CardOperation::ReadPinStatus:
            return "the card has no PIN yet: it was never personalized";
        case CardOperation::Select:
            return "the card has no quorum application: it is another kind of card";
        default:
            return "the card does not have what this step needs; it may be a card of another kind or version";
    }
}
}  // namespace

std::string explainRefusal(CardOperation operation, std::uint16_t word, const CardCondition& card) {
    switch (word) {
        case sw::kConditionsNotSatisfied: return conditionsNotSatisfied(operation, card);
        case sw::kReferencedDataNotFound:
        case sw::kFileNotFound: return notFound(operation);
        case sw::kAuthenticationMethodBlocked:
            return "the PIN is blocked; unblock it with the PUK (`ceremony pin unblock --ceremony <folder>`)";
        case sw::kSelectedFileTerminated:
            return "the card is TERMINATED (its PUK was exhausted): it holds no secrets any more; set it aside";
        case sw::kSecurityStatusNotSatisfied:
            return "the card refused: this needs a secure session opened by a host of its own ceremony (and, to "
                   "release a secret, the holder's PIN); the session was closed - insert the card again";
        case sw::kMemoryFailure:
            return "the card could not write its memory and changed nothing: try again; a card that keeps failing "
                   "is broken and must be replaced";
        case sw::kNotEnoughMemory: return "the card's memory is full: it cannot store this; use another card";
        case sw::kWrongData:
            if (operation == CardOperation::ReshareOut)
                return "the card refused the new cards or the threshold: every new card must have a card "
                       "certificate of this ceremony's CA and card set, each index once, and 1 <= k' <= n'";
            if (operation == CardOperation::ReshareIn)
                return "the card refused the redistributions as malformed or not fitting together (commitments "
                       "that are not points, another new threshold, an old card twice); nothing was stored";
            return issuing(operation) ? "the card refused the data as not allowed by its specification (for example "
                                        "a PIN policy or share it cannot take); nothing was stored"
                                      : "the card refused the data as not allowed by its specification";
        default:
            if (operation == CardOperation::ReshareIn && (word >> 8) == protocol::kBoxRefusedSw1)
                return "old card " + std::to_string(word & 0xFF) +
                       "'s box for this card is missing or does not open (altered on its way, sealed for another "
                       "card or another redistribution); nothing was stored: redistribute again without that "
                       "old card, or with its answer fetched anew";
            if (operation == CardOperation::ReshareIn && (word >> 8) == protocol::kSubShareRefusedSw1)
                return "old card " + std::to_string(word & 0xFF) +
                       "'s sub-share for this card does not match that old card's own commitments: the old card "
                       "is faulty or cheats; nothing was stored: redistribute again with another old card in its "
                       "place";
            return "the card does not understand this command (" + sw::name(word) +
                   "): it is another kind of card, or one that does not follow the quorum card specification";
    }
}

}  // namespace quorum::host
