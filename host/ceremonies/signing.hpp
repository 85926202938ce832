// Signing in one room, whatever the scheme: open the ceremony on the set, take what k cards give,
// one card at a time, make the signatures, check them, write them, close the audit log. What
// differs per scheme is a CardSigner (shamir.hpp, shoup.hpp); a signer signs one message or
// several (a KSR's bundles) with every card inserted once.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

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
    // it and records that in the audit log (naming the card by its id: `listed`).
    virtual void take(QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed,
                      CeremonyContext& context, StepTimes& times) = 0;
    // One signature per message, in order, once complete(): RSASSA-PKCS1-v1_5 SHA-256, or for a
    // P-256 key a DER ECDSA-Sig-Value over SHA-256.
    virtual std::vector<Bytes> signatures(StepTimes& times) = 0;
};

// The signer of `manifest`'s scheme for `messages` (the HSM and the ceremony's folder for the
// Shamir scheme); UsageError for more messages than one insertion of a card can sign.
std::unique_ptr<CardSigner> makeSigner(const Manifest& manifest, const HsmConfig& hsm, const std::string& ceremonyDir,
                                       std::vector<Bytes> messages);

// What runSign checks before it asks for anything: the manifest (and its scheme, when the request
// names one) and the input file. Returns the manifest. Throws FatalError naming the problem.
Manifest checkSignRequest(const SignRequest& request);

// Prints progress and prompts to `out`; each holder's PIN comes from `pins`. Follows the
// manifest's scheme (refusing it when request.scheme names the other one).
void runSign(const SignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out);

// The input file's bytes; FileError naming it.
Bytes readMessage(const std::string& path);

}  // namespace quorum::host
