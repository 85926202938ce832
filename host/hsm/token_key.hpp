// The signing key kept in a token for good, for tools that sign with a key an HSM holds by its
// label (IANA's kskm): the wrapped key is unwrapped straight into the token as a persistent,
// private, sensitive, non-extractable private key, with its public key beside it, both under one
// CKA_LABEL and a CKA_ID derived from the public key - the key is never in the clear outside an
// HSM - then read back as the module reports it.
#pragma once

#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/hsm/pkcs11.hpp"

namespace quorum::host {

// What a key is found by in a token.
struct TokenKeyName {
    std::string label;  // CKA_LABEL
    Bytes id;           // CKA_ID: keyIdOf(the public key)
};

struct TokenKeyPair {
    CK_OBJECT_HANDLE privateKey = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE publicKey = CK_INVALID_HANDLE;
};

// The DER SubjectPublicKeyInfo of a PEM public key; crypto::CryptoError when it is none.
Bytes publicKeyDerFromPem(const std::string& pem);
// The key identifier of RFC 5280 4.2.1.2 (1): SHA-1 of the subjectPublicKey BIT STRING of the
// DER SubjectPublicKeyInfo `publicKeyDer` - what `openssl x509` shows as Subject Key Identifier.
Bytes keyIdOf(const Bytes& publicKeyDer);

// Every object of the session's token whose CKA_LABEL is `label` (private ones too, once
// logged in).
std::vector<CK_OBJECT_HANDLE> findObjectsByLabel(HsmSession& session, const std::string& label);

// FatalError naming what is missing unless the token can unwrap with AES key wrap with padding
// and sign as `type` needs: checked before anybody is asked for a card.
void requireKeyImportMechanisms(HsmSession& session, SigningKeyType type);

// Imports `activationKey` as a session key, unwraps `wrapped` under it into the token as the
// private key `name` (CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true; CKA_EXTRACTABLE false; signs
// only), stores the public key `publicKeyDer` beside it, and destroys the session key. On any
// failure nothing of it is left in the token.
TokenKeyPair storeSigningKey(HsmSession& session, const Bytes& activationKey, const Bytes& wrapped,
                             SigningKeyType type, const Bytes& publicKeyDer,
                             const TokenKeyName& name);

// Destroys both objects of `pair`, quietly: for a pair that failed its checks.
void removeKeyPair(HsmSession& session, const TokenKeyPair& pair) noexcept;

// Reads `pair` back and checks it as the module reports it: both in the token under `name`, the
// private key private, sensitive, not extractable and of `type`, the module's public key (RSA:
// modulus and exponent of the private key; P-256: the curve of the private key and the point of
// the public one) equal to `publicKeyDer`. FatalError naming the first thing that is not so.
// Returns a line for the people in the room, with CKA_NEVER_EXTRACTABLE and
// CKA_ALWAYS_SENSITIVE as the module reports them (an unwrapped key has both false in PKCS#11).
std::string checkStoredKey(HsmSession& session, const TokenKeyPair& pair, SigningKeyType type,
                           const Bytes& publicKeyDer, const TokenKeyName& name);

}  // namespace quorum::host
