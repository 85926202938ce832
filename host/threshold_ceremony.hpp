// The ceremonies of the threshold RSA scheme (Shoup), through PC/SC with one card at a time:
//  - key generation: deal a k-of-n threshold RSA key (the private exponent exists only during
//    dealing) and issue n cards, each with its share and the public values for its proofs;
//  - signing in one room: k partial signatures card by card, each proof checked against the
//    manifest, combined into an ordinary RSA signature;
//  - remote signing: one partial signature per key holder, written to a self-describing file at
//    the holder's site, and any k such files combined by anybody, without any secret.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "host/key_ceremony.hpp"
#include "host/manifest.hpp"
#include "host/secret_input.hpp"

namespace quorum::host {

struct PartialSignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;     // the message
    std::string outputPath;    // the partial signature file (new)
    std::string reader;
    double cardTimeout = 0;
};

struct CombineRequest {
    std::string manifestPath;
    std::vector<std::string> partialPaths;
    std::string inputPath;        // optional: the message, checked against the partials' digest
    std::string signaturePath;
    std::string auditLogPath;     // optional: where to record the combination
};

// Called by runKeygen (after checkKeygenRequest) and runSign for the Shoup scheme.
void runThresholdKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase,
                        std::ostream& out);
void runThresholdSign(const SignRequest& request, const Manifest& manifest, SecretReader& pins, std::ostream& out);

// One card's partial signature of the input, written to request.outputPath.
void runPartialSign(const PartialSignRequest& request, SecretReader& pins, std::ostream& out);
// The signature from the partial files: every proof checked against the manifest, a bad or
// foreign one named and skipped; k good ones are combined. Throws when fewer than k are good.
void runCombine(const CombineRequest& request, std::ostream& out);

}  // namespace quorum::host
