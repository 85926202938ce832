// What the ceremonies need of an HSM, whatever it is: generate a signing key that leaves only
// wrapped, import an activation key, wrap, unwrap, sign, destroy. host/hsm.hpp implements it
// over any PKCS#11 module (SoftHSM2 by default); another backend implements the same.
#pragma once

#include "apdu/bytes.hpp"

namespace quorum::host {

// An object inside the HSM, valid for the session that made it (PKCS#11: CK_OBJECT_HANDLE,
// which is a CK_ULONG).
using HsmHandle = unsigned long;

enum class SigningKeyType { Rsa2048, Rsa3072, Rsa4096, P256 };

struct GeneratedKey {
    HsmHandle privateKey;  // a session object: sensitive, extractable only wrapped
    Bytes publicKeyDer;    // SubjectPublicKeyInfo, DER
};

class Hsm {
public:
    virtual ~Hsm() = default;
    // A key pair whose private key signs, is sensitive, and can leave only wrapped.
    virtual GeneratedKey generateSigningKey(SigningKeyType type) = 0;
    // A 32-byte AES key as a session object that wraps and unwraps, never extractable.
    virtual HsmHandle importAesKey(const Bytes& key32) = 0;
    // `key` wrapped under `wrappingKey` (AES key wrap with padding, RFC 5649).
    virtual Bytes wrapKey(HsmHandle wrappingKey, HsmHandle key) = 0;
    // The wrapped key back as a session object that signs and can never leave again.
    virtual HsmHandle unwrapSigningKey(HsmHandle wrappingKey, const Bytes& wrapped, SigningKeyType type) = 0;
    // SHA-256 signature: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for P-256.
    virtual Bytes signSha256(HsmHandle key, const Bytes& message, SigningKeyType type) = 0;
    virtual void destroy(HsmHandle object) = 0;
};

}  // namespace quorum::host
