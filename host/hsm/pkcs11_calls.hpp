// The pieces every PKCS#11 call of host/hsm needs (pkcs11.cpp, token_key.cpp): a CK_RV check,
// attribute templates over locals, reading an attribute, an object destroyed on the way out, and
// public keys between PKCS#11 attributes and DER SubjectPublicKeyInfo. Not for other layers.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/hsm/pkcs11.hpp"

namespace quorum::host::pkcs11 {

// HsmError unless `rv` is CKR_OK.
void check(const char* operation, CK_RV rv);

// Attribute values live in locals the template points at; PKCS#11 wants non-const pointers.
template <typename T>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
    static_assert(std::is_trivially_copyable<T>::value,
                  "a value of fixed size (Bytes for the rest)");
    return CK_ATTRIBUTE{type, &value, sizeof value};
}
inline CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, Bytes& value) {
    return CK_ATTRIBUTE{type, value.data(), value.size()};
}

// An attribute's value, whatever its length.
Bytes attributeValue(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE session,
                     CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

// Destroys an object on the way out unless released (a half-built key pair does not linger).
class ObjectGuard {
public:
    ObjectGuard(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object)
        : functions_(functions), session_(session), object_(object) {}
    ~ObjectGuard() {
        if (object_ != CK_INVALID_HANDLE) functions_->C_DestroyObject(session_, object_);
    }
    ObjectGuard(const ObjectGuard&) = delete;
    ObjectGuard& operator=(const ObjectGuard&) = delete;
    CK_OBJECT_HANDLE get() const noexcept { return object_; }
    CK_OBJECT_HANDLE release() noexcept {
        const CK_OBJECT_HANDLE object = object_;
        object_ = CK_INVALID_HANDLE;
        return object;
    }

private:
    CK_FUNCTION_LIST* functions_;
    CK_SESSION_HANDLE session_;
    CK_OBJECT_HANDLE object_;
};

inline bool isRsa(SigningKeyType type) {
    return type != SigningKeyType::P256;
}
// How a key of `type` signs SHA-256 in the token (CKM_ECDSA takes the digest, made on the host).
inline CK_MECHANISM_TYPE sha256SignMechanism(SigningKeyType type) {
    return isRsa(type) ? CKM_SHA256_RSA_PKCS : CKM_ECDSA;
}

// C_UnwrapKey of a private key of `type` that signs only, sensitive and not extractable (CKA_TOKEN
// and whatever else names it are in `more`).
CK_OBJECT_HANDLE unwrapPrivateKey(const HsmSession& session, CK_OBJECT_HANDLE wrappingKey,
                                  const Bytes& wrapped, SigningKeyType type,
                                  const std::vector<CK_ATTRIBUTE>& more);

// OpenSSL objects freed on the way out.
template <typename T, void (*Free)(T*)>
struct OsslDeleter {
    void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, OsslDeleter<T, Free>>;

// DER of the named curve OID prime256v1 (1.2.840.10045.3.1.7), as CKA_EC_PARAMS wants it.
Bytes p256Params();

// crypto::CryptoError "hsm: WHAT failed (OpenSSL)".
[[noreturn]] void opensslFail(const std::string& what);
// The DER SubjectPublicKeyInfo of `key`.
Bytes subjectPublicKeyInfo(EVP_PKEY* key);
// SubjectPublicKeyInfo (DER) of an RSA key from CKA_MODULUS and CKA_PUBLIC_EXPONENT.
Bytes rsaPublicKeyDer(const Bytes& modulus, const Bytes& exponent);
// SubjectPublicKeyInfo (DER) of a P-256 key from CKA_EC_POINT (a DER OCTET STRING, or the raw
// point some modules give).
Bytes ecPublicKeyDer(const Bytes& ecPoint);

}  // namespace quorum::host::pkcs11
