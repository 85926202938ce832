// Signing keys' public halves as PEM SubjectPublicKeyInfo, and checking an ordinary signature
// with one: what anybody (openssl dgst -verify) checks after a ceremony.
#pragma once

#include <string>

#include "apdu/bytes.hpp"

namespace quorum::crypto {

// The PEM form of a DER SubjectPublicKeyInfo; CryptoError when OpenSSL cannot read it.
std::string publicKeyPemFromDer(const Bytes& der);

// Whether `signature` is an RSASSA-PKCS1-v1_5 or ECDSA (DER) SHA-256 signature of `message` under
// the PEM public key; false for a key OpenSSL cannot read.
bool verifySha256Signature(const std::string& publicKeyPem, const Bytes& message, const Bytes& signature);

}  // namespace quorum::crypto
