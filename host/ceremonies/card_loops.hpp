// The two card loops every ceremony is made of: issuing the n cards of a new set one after
// another, and taking what k cards of a set give, one card at a time.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "crypto/certificate.hpp"
#include "host/card/quorum_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/ceremonies/step_times.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// Key generation's card loop: the n cards, one after another. Each must be BLANK; it gets its
// identity as card i from the context's CA, then inside SCP11a `storeShare(card, i)`, the PIN
// policy and the transport PIN and PUK from `pins`. Each card goes into manifest.cards and the
// audit log.
void issueCards(const KeygenRequest& request, CeremonyContext& context, SecretReader& pins, Manifest& manifest,
                const std::function<void(QuorumCard&, int index)>& storeShare);

// Signing's card loop: cards one at a time until `done()`. Each is selected, authenticated with
// SCP11a, its holder's PIN verified (a PIN the card's policy does not allow is asked again), and
// handed to `use`, which tells the people what became of it. Whatever goes wrong with one card -
// an AttemptError: not a quorum card, another ceremony's, a wrong PIN, a broken channel, a pulled
// card - is reported and another card asked for; `prompt()` says which. A FatalError ends it.
void collectFromCards(CardDoor& door, CeremonyContext& context, SecretReader& pins, StepTimes& times,
                      const std::function<bool()>& done, const std::function<std::string()>& prompt,
                      const std::function<void(QuorumCard&, const crypto::CertificateInfo&)>& use);

}  // namespace quorum::host
