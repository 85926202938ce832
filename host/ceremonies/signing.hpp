// Signing in one room, whatever the scheme: open the ceremony on the set, take what k cards give,
// one card at a time, make the signature, check it with the manifest's public key, write it,
// close the audit log. What differs per scheme is a CardSigner (shamir.hpp, shoup.hpp).
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "host/card/quorum_card.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/ceremonies/step_times.hpp"

namespace quorum::host {

class CardSigner {
public:
    virtual ~CardSigner() = default;
    virtual bool complete() const = 0;
    // "2 of 3 shares"
    virtual std::string progress() const = 0;
    // Why card `index` cannot take part now (counted already, not needed), or nullopt.
    virtual std::optional<std::string> refusal(int index) const = 0;
    // Takes what the card gives (its holder's PIN is verified), tells the people what became of
    // it and records that in the audit log.
    virtual void take(QuorumCard& card, const crypto::CertificateInfo& info, CeremonyContext& context,
                      StepTimes& times) = 0;
    // The signature of the message, once complete().
    virtual Bytes signature(StepTimes& times) = 0;
};

// What runSign checks before it asks for anything: the manifest (and its scheme, when the request
// names one) and the input file. Returns the manifest. Throws FatalError naming the problem.
Manifest checkSignRequest(const SignRequest& request);

// Prints progress and prompts to `out`; each holder's PIN comes from `pins`. Follows the
// manifest's scheme (refusing it when request.scheme names the other one).
void runSign(const SignRequest& request, SecretReader& pins, std::ostream& out);

// The input file's bytes; FileError naming it.
Bytes readMessage(const std::string& path);

}  // namespace quorum::host
