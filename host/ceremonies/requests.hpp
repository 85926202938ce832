// What people ask of the ceremonies: one request per ceremony, filled from the command line (or a
// script) and checked before anybody inserts a card or types a secret.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/card/quorum_card.hpp"
#include "host/hsm/ceremony_hsm.hpp"

namespace quorum::host {

// How the cards hold the key: Shamir shares of an activation key for a signing key kept wrapped
// in the HSM, or Shoup shares of a threshold RSA key that never exists whole.
enum class Scheme { Shamir, Shoup };
const char* schemeName(Scheme scheme);                  // "shamir", "shoup"
Scheme parseScheme(const std::string& name);           // UsageError for anything else

const char* keyTypeName(SigningKeyType type);          // "rsa2048", ...
SigningKeyType parseKeyType(const std::string& name);  // UsageError for anything else

// Where the cards come from: which reader, and how long to wait for each card.
struct CardSource {
    std::string reader;        // empty: any reader
    double cardTimeout = 0;    // seconds to wait for each card; 0: for ever
};

struct KeygenRequest {
    Scheme scheme = Scheme::Shamir;
    std::string ceremonyDir;
    std::string manifestPath;
    int k = 3;
    int n = 7;
    SigningKeyType keyType = SigningKeyType::Rsa2048;
    PinPolicy policy;
    CardSource cards;
    HsmConfig hsm;
};

// What key generation checks before it asks for anything: k <= n, the scheme's limits (the
// threshold RSA scheme: an RSA key type, n <= 16), a valid PIN policy, no manifest at the path
// yet. Throws UsageError naming the problem.
void checkKeygenRequest(const KeygenRequest& request);

struct SignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;
    std::string signaturePath;
    std::optional<Scheme> scheme;  // refuse a manifest of the other scheme
    CardSource cards;
    HsmConfig hsm;
    bool timings = false;      // print how long each step took (people's waiting excluded)
};

struct PartialSignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;     // the message
    std::string outputPath;    // the partial signature file (new)
    CardSource cards;
};

struct CombineRequest {
    std::string manifestPath;
    std::vector<std::string> partialPaths;
    std::string inputPath;        // optional: the message, checked against the partials' digest
    std::string signaturePath;
    std::string auditLogPath;     // optional: where to record the combination
};

}  // namespace quorum::host
