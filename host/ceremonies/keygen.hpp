// Key generation, whatever the scheme: check the request, open the ceremony, deal, issue the n
// cards one after another, write the manifest, close the audit log. What differs per scheme is a
// KeygenScheme (shamir.hpp, shoup.hpp).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "host/card/quorum_card.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

class KeygenScheme {
public:
    virtual ~KeygenScheme() = default;
    // Deals the shares and makes the key; fills the manifest's scheme, its scheme's fields and the
    // signing key's public half, and tells the people what was made.
    virtual void deal(const KeygenRequest& request, CeremonyContext& context, Manifest& manifest) = 0;
    // Stores card `index`'s share on it (inside SCP11a).
    virtual void storeShare(QuorumCard& card, int index) = 0;
    // Forgets every secret: all cards hold their shares now.
    virtual void forget() = 0;
    // What the cards can do now, for the closing line.
    virtual std::string summary(const KeygenRequest& request) const = 0;
};

// Prints progress and prompts to `out`; the transport PIN then the PUK of each card come from
// `pins`. Throws with a message a person can act on when the ceremony cannot go on.
void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, std::ostream& out);

}  // namespace quorum::host
