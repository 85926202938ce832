// The Shamir scheme (Feldman VSS over P-256): the cards hold shares of an activation key that
// unwraps a signing key kept in the HSM.
//  - key generation: deal k-of-n shares of a fresh activation key, generate the signing key in
//    the HSM, keep it only wrapped under the activation key, give each card its share;
//  - signing: collect k shares card by card (each checked against the public commitments),
//    rebuild the activation key, unwrap the signing key inside the HSM as a session object, sign,
//    and destroy everything.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/signing.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

std::unique_ptr<KeygenScheme> shamirKeygen();
// The key is activated once and signs every message in the HSM.
std::unique_ptr<CardSigner> shamirSigner(const Manifest& manifest, const HsmConfig& hsm, const std::string& ceremonyDir,
                                         std::vector<Bytes> messages);

}  // namespace quorum::host
