// Reshare: a Shamir set's key moved to a new set of cards - new holders, another k or n, a
// recovery set next to the operational one, a transport set - without the activation secret ever
// existing anywhere (Desmedt-Jajodia 1997 / Wong-Wang-Wing 2002 redistribution;
// crypto/reshare.hpp):
//
//   1. the n' new cards are issued (key pair, certificate, PIN policy and PINs), as keygen does;
//   2. k old cards, each after its holder's PIN, give a redistribution of their share (RESHARE
//      OUT): public commitments and one sub-share sealed for each new card's certified key; the
//      host checks in public that each starts from the card's share (D_i0 = Y_i);
//   3. each new card takes the k sealed sub-shares meant for it (RESHARE IN), checks them against
//      the commitments, combines its share and becomes OPERATIONAL;
//   4. the new manifest is written: the new cards, k', n', holders, combined commitments (C'_0 =
//      C_0) and the same wrapped signing key - the HSM is not touched;
//   5. with --retire-old, old cards inserted again are retired (RETIRE erases the share) until
//      fewer than k of their shares remain, then the old manifest is marked superseded.
//
// Every step is kept in journals in the ceremony folder (nothing in them is secret), so an
// interrupted reshare continues with --resume or is given up with --abandon; the old set stays
// usable until its cards are retired.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"

namespace quorum::host {

struct ReshareRequest {
    enum class OldCards { Unset, Retire, Keep };

    std::string ceremonyDir;
    std::string oldManifestPath;
    std::string newManifestPath;
    int k = 3;
    int n = 7;
    PinPolicy policy;
    std::vector<std::string> holders;  // n names, or none
    std::string role = "operational";
    OldCards old = OldCards::Unset;
    bool acceptUnerased = false;  // finish a retirement with k or more old shares unerased
    bool resume = false;
    bool abandon = false;
    CardSource cards;
};

// Everything checkable before the CA passphrase and the first card: the old set (a current Shamir
// set: a threshold RSA set cannot be re-shared, and the message says what to do instead), the
// ceremony it belongs to, the new manifest's path, k' and n', the holders, the role and what
// becomes of the old cards, and the journals (none for a new reshare, one to resume or abandon).
// UsageError naming the problem.
void checkReshareRequest(const ReshareRequest& request);
void runReshare(const ReshareRequest& request, SecretReader& pins, const std::string& caPassphrase,
                const std::string& hostPassphrase, std::ostream& out);

// `ceremony retire`: the cards of a set (a transport set, or the old cards a reshare left
// unerased) retired one by one as they are inserted, without a PIN, until every card of the set
// is; the manifest is marked retired once fewer than k of its shares remain. Ctrl-C stops it; what
// was retired stays retired. The CA key (`caPassphrase`) signs the manifest marked retired.
struct RetireRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    CardSource cards;
};
// What retire checks before it asks for anything: the manifest signed by the ceremony's CA, a
// Shamir set, this ceremony's. Throws UsageError / ManifestError naming the problem.
void checkRetireRequest(const RetireRequest& request);
void runRetire(const RetireRequest& request, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out);

}  // namespace quorum::host
