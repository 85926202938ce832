// Key generation, whatever the scheme: check the request, open the ceremony, deal, issue the n
// cards one after another, write the manifest, close the audit log. A journal in the ceremony's
// folder records every step (host/documents/keygen_journal.hpp), so an interrupted key generation
// continues with `--resume` where it stopped. What differs per scheme is a KeygenScheme
// (shamir.hpp, shoup.hpp).
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "apdu/bytes.hpp"
#include "host/card/quorum_card.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/documents/keygen_journal.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

class KeygenScheme {
public:
    virtual ~KeygenScheme() = default;
    // Deals the shares and makes the key: fills the manifest's scheme, its scheme's fields and
    // the signing key's public half, tells the people what was made, and returns every card's
    // share (card index -> the share's bytes).
    virtual std::map<int, Bytes> deal(const KeygenRequest& request, CeremonyContext& context, Manifest& manifest) = 0;
    // Stores `share` on card `index` (inside SCP11a); `manifest` holds the public values.
    virtual void storeShare(QuorumCard& card, int index, const Bytes& share, const Manifest& manifest) = 0;
    // What the cards can do now, for the closing line.
    virtual std::string summary(int k, int n) const = 0;
};

// Prints progress and prompts to `out`; the transport PIN then the PUK of each card come from
// `pins`. Throws with a message a person can act on when the ceremony cannot go on; a key
// generation stopped by Ctrl-C or an error leaves its journal, to be resumed.
// The transport PIN and the PUK of a card being issued (`card`: "card 3"), asked until one fits
// `policy`; each refusal says the policy on `out`. Nothing touches a card before both are in.
Bytes askTransportPin(SecretReader& pins, const PinPolicy& policy, const std::string& card, std::ostream& out);
Bytes askPuk(SecretReader& pins, const PinPolicy& policy, const std::string& card, std::ostream& out);

// The cards `journal` has not issued yet, one after another into `cards`' reader (keygen's loop:
// BLANK cards are issued, a card issue-card made for the set joins, a half-issued one is reset),
// every step saved in the journal at `journalPath`. `scheme` stores each card's share from
// `shares` before the card is personalized; a card with no entry there is issued without one (a
// reshare's new cards get theirs later).
void issueRemainingCards(const CardSource& cards, CeremonyContext& context, KeygenScheme& scheme,
                         KeygenJournal& journal, const std::string& journalPath, std::map<int, Bytes>& shares,
                         SecretReader& pins);

// A BLANK card that holds a certificate of this ceremony (an issuance stopped after the card got
// its identity) is wiped back to a plain BLANK card, in the audit log and on `out`. A card
// half-issued by another ceremony cannot be authenticated, and is refused by name.
void resetHalfIssued(QuorumCard& card, const protocol::Fci& fci, AuditLog& audit, std::ostream& out);

void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out);

}  // namespace quorum::host
