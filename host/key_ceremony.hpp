// The two ceremonies of the Shamir scheme, through PC/SC with one card at a time:
//  - key generation: deal k-of-n shares of a fresh activation key, generate the signing key in
//    the HSM, keep it only wrapped under the activation key, and issue n cards one after another;
//  - signing: collect k shares card by card, rebuild the activation key, unwrap the signing key
//    inside the HSM as a session object, sign, and destroy everything.
#pragma once

#include <ostream>
#include <string>

#include "host/hsm.hpp"
#include "host/quorum_card.hpp"
#include "host/secret_input.hpp"

namespace quorum::host {

// Which HSM, and how to log in. By default the SoftHSM2 module with a token of the ceremony's
// own in CEREMONY/hsm (created on first use; its user PIN kept in CEREMONY/hsm/user-pin, 0600).
struct HsmConfig {
    std::string modulePath = "/usr/lib/softhsm/libsofthsm2.so";
    std::string tokenLabel = "quorum";
    std::string userPinFile;  // empty: the ceremony's own SoftHSM2 token
};

// How the cards hold the key: Shamir shares of an activation key for a signing key kept wrapped
// in the HSM, or Shoup shares of a threshold RSA key that never exists whole (threshold_ceremony).
enum class Scheme { Shamir, Shoup };

struct KeygenRequest {
    Scheme scheme = Scheme::Shamir;
    std::string ceremonyDir;
    std::string manifestPath;
    int k = 3;
    int n = 7;
    SigningKeyType keyType = SigningKeyType::Rsa2048;
    PinPolicy policy;
    std::string reader;        // empty: any reader
    double cardTimeout = 0;    // seconds to wait for each card; 0: for ever
    HsmConfig hsm;
};

struct SignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;
    std::string signaturePath;
    std::string reader;
    double cardTimeout = 0;
    HsmConfig hsm;
    bool timings = false;      // print how long each step took (people's waiting excluded)
};

// Both print progress and prompts to `out`; PINs come from `pins` (transport PIN then PUK for
// each card at key generation; the holder's PIN for each card at signing). They throw with a
// message a person can act on when the ceremony cannot go on. Both follow the scheme: the
// request's for runKeygen, the manifest's for runSign.
void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase,
               std::ostream& out);
// What runKeygen checks before it asks for anything: k <= n, the scheme's limits (the threshold
// RSA scheme: an RSA key type, n <= 16), no manifest at the path yet. Throws
// std::invalid_argument naming the problem.
void checkKeygenRequest(const KeygenRequest& request);
void runSign(const SignRequest& request, SecretReader& pins, std::ostream& out);

const char* keyTypeName(SigningKeyType type);
SigningKeyType parseKeyType(const std::string& name);  // throws std::invalid_argument

}  // namespace quorum::host
