// The threshold RSA scheme (V. Shoup, "Practical Threshold Signatures", Eurocrypt 2000): the
// cards hold shares of an RSA key that never exists whole after dealing.
//  - key generation: deal a k-of-n threshold RSA key and give each card its share and the public
//    values its proofs need;
//  - signing in one room: k partial signatures card by card, each proof checked against the
//    manifest, combined into an ordinary RSA signature;
//  - remote signing: one partial signature per key holder, written to a self-describing file at
//    the holder's site, and any k such files combined by anybody, without any secret.
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/ceremonies/signing.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

std::unique_ptr<KeygenScheme> shoupKeygen();
// Each card signs every message in one insertion: one PARTIAL SIGN, batched for 2..16 messages
// (docs/batch-proof.md); UsageError for more.
std::unique_ptr<CardSigner> shoupSigner(const Manifest& manifest, std::vector<Bytes> messages);

// What runPartialSign checks before it asks for anything (manifest, ceremony folder, input,
// output, whether it can ask for confirmation); returns the manifest. UsageError otherwise.
Manifest checkPartialSignRequest(const PartialSignRequest& request);
// One card's partial signature of the input, written to request.outputPath.
void runPartialSign(const PartialSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out);
// The signature from the partial files: every proof checked against the manifest, a bad or
// foreign one named and skipped; k good ones are combined. Throws when fewer than k are good.
void runCombine(const CombineRequest& request, std::ostream& out);

}  // namespace quorum::host
