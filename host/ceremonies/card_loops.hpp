// The card loop of every ceremony that uses a set's cards: taking what k cards give, one card at a
// time. (Key generation has its own loop: host/ceremonies/keygen.cpp.)
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "crypto/certificate.hpp"
#include "host/card/quorum_card.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/ceremonies/step_times.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// A card is set aside before its holder types anything; the reason says why. Also what a
// CardWish throws to set a card aside after it took part (a redistribution that fails its check).
class SetAside : public CardError {
public:
    using CardError::CardError;
};

// What a ceremony wants of the cards it is offered.
struct CardWish {
    // True once enough cards gave what they had to.
    std::function<bool()> done;
    // What to tell the people before each card ("Insert a card of set ... (1 of 3 shares).").
    std::function<std::string()> prompt;
    // Why the card listed as `card` cannot take part now (already counted, not needed), asked
    // before its holder types a PIN; nullopt when it can.
    std::function<std::optional<std::string>(const ManifestCard& card)> refuseBeforePin;
    // Whether the holder's PIN is asked and VERIFYed before use(); false for what the ceremony's
    // host may do alone over SCP11a (give a new card its share, retire a card).
    bool pinNeeded = true;
    // Takes what the card gives (its holder's PIN verified) and tells the people what became of it.
    std::function<void(QuorumCard& card, const crypto::CertificateInfo& certified, const ManifestCard& listed)> use;
};

// Cards one at a time from `source` until `wish.done()`, from one reader or several (cards inserted
// together are taken in turn). Each is selected and authenticated with SCP11a against the
// manifest's CA and set, and must be listed in the manifest under its certified index and card id. Before any PIN is asked, a card that is blocked, still waiting for
// its transport PIN to be changed, or refused by `wish.refuseBeforePin` is set aside, and on a
// card with one PIN try left the holder confirms first; a PIN the card's policy cannot accept is
// asked again. Whatever goes wrong with one card - an AttemptError: not a quorum card, another
// ceremony's, a wrong PIN, a broken channel, a pulled card - is told, recorded in the audit log
// (never a PIN) and another card asked for. If pcscd stops, the loop waits for it. A FatalError
// or Ctrl-C (InterruptedError) ends it.
void collectFromCards(const CardSource& source, CeremonyContext& context, const Manifest& manifest,
                      SecretReader& pins, StepTimes& times, const CardWish& wish);

// Records in the audit log that a card was set aside (an AttemptError of one card): "card-refused"
// with the reason, and the card's index and status word when they are known, added to `entry`.
// Both card loops - this one and key generation's - record refusals with it.
void recordRefusal(CeremonyContext& context, const AttemptError& refusal,
                   Json::Value entry = Json::Value(Json::objectValue));

}  // namespace quorum::host
