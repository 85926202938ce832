#include "host/hsm/token_key.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <iterator>

#include "crypto/primitives.hpp"
#include "host/hsm/pkcs11_calls.hpp"

namespace quorum::host {

using namespace pkcs11;

namespace {

Owned<EVP_PKEY, EVP_PKEY_free> publicKeyOf(const Bytes& publicKeyDer) {
    const unsigned char* in = publicKeyDer.data();
    Owned<EVP_PKEY, EVP_PKEY_free> key(
        d2i_PUBKEY(nullptr, &in, static_cast<long>(publicKeyDer.size())));
    if (!key) opensslFail("d2i_PUBKEY");
    return key;
}

// The subjectPublicKey BIT STRING's content: RSAPublicKey (DER) or the EC point.
Bytes subjectPublicKeyBits(const Bytes& publicKeyDer) {
    const unsigned char* in = publicKeyDer.data();
    Owned<X509_PUBKEY, X509_PUBKEY_free> spki(
        d2i_X509_PUBKEY(nullptr, &in, static_cast<long>(publicKeyDer.size())));
    const unsigned char* bits = nullptr;
    int size = 0;
    if (!spki || !X509_PUBKEY_get0_param(nullptr, &bits, &size, nullptr, spki.get()))
        opensslFail("reading the SubjectPublicKeyInfo");
    return Bytes(bits, bits + size);
}

Bytes rsaParameter(EVP_PKEY* key, const char* name) {
    BIGNUM* raw = nullptr;
    if (!EVP_PKEY_get_bn_param(key, name, &raw)) opensslFail(std::string("reading RSA ") + name);
    Owned<BIGNUM, BN_free> number(raw);
    Bytes value(static_cast<std::size_t>(BN_num_bytes(number.get())));
    BN_bn2bin(number.get(), value.data());
    return value;
}

// The key of `publicKeyDer` must be of `type`: the manifest says both, and they must agree.
void requireKeyType(EVP_PKEY* key, SigningKeyType type) {
    const bool rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
    const bool p256 = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 256;
    if (isRsa(type) ? !rsa : !p256)
        throw FatalError("the manifest's public key is not of its key type");
}

// The values of CK_BBOOL and CK_ULONG attributes; a module that gives another size is wrong.
bool flag(HsmSession& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const Bytes value = attributeValue(session.functions(), session.handle(), object, type);
    if (value.size() != sizeof(CK_BBOOL))
        throw FatalError("the module gives a boolean attribute of another size");
    return value[0] != CK_FALSE;
}
CK_ULONG number(HsmSession& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    const Bytes value = attributeValue(session.functions(), session.handle(), object, type);
    CK_ULONG result = 0;
    if (value.size() != sizeof result)
        throw FatalError("the module gives a CK_ULONG attribute of another size");
    std::copy(value.begin(), value.end(), reinterpret_cast<std::uint8_t*>(&result));
    return result;
}

Bytes withoutLeadingZeros(Bytes value) {
    const auto first =
        std::find_if(value.begin(), value.end(), [](std::uint8_t b) { return b != 0; });
    value.erase(value.begin(), first);
    return value;
}

CK_OBJECT_HANDLE createPublicKey(HsmSession& session, SigningKeyType type,
                                 const Bytes& publicKeyDer, const TokenKeyName& name) {
    const auto key = publicKeyOf(publicKeyDer);
    requireKeyType(key.get(), type);
    CK_OBJECT_CLASS keyClass = CKO_PUBLIC_KEY;
    CK_KEY_TYPE keyType = isRsa(type) ? CKK_RSA : CKK_EC;
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    Bytes label(name.label.begin(), name.label.end());
    Bytes id = name.id;
    Bytes modulus;
    Bytes exponent;
    Bytes curve = p256Params();
    Bytes point;
    std::vector<CK_ATTRIBUTE> keyTemplate = {
        attribute(CKA_CLASS, keyClass),
        attribute(CKA_KEY_TYPE, keyType),
        attribute(CKA_TOKEN, yes),
        attribute(CKA_PRIVATE, no),
        attribute(CKA_VERIFY, yes),
        attribute(CKA_ENCRYPT, no),
        attribute(CKA_WRAP, no),
        attribute(CKA_LABEL, label),
        attribute(CKA_ID, id),
    };
    if (isRsa(type)) {
        modulus = rsaParameter(key.get(), OSSL_PKEY_PARAM_RSA_N);
        exponent = rsaParameter(key.get(), OSSL_PKEY_PARAM_RSA_E);
        keyTemplate.push_back(attribute(CKA_MODULUS, modulus));
        keyTemplate.push_back(attribute(CKA_PUBLIC_EXPONENT, exponent));
    } else {
        // CKA_EC_POINT: the uncompressed point as a DER OCTET STRING (65 bytes: short length).
        const Bytes bits = subjectPublicKeyBits(publicKeyDer);
        point = Bytes{0x04, static_cast<std::uint8_t>(bits.size())};
        point.insert(point.end(), bits.begin(), bits.end());
        keyTemplate.push_back(attribute(CKA_EC_PARAMS, curve));
        keyTemplate.push_back(attribute(CKA_EC_POINT, point));
    }
    CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
    check("C_CreateObject", session.functions()->C_CreateObject(
                                session.handle(), keyTemplate.data(), keyTemplate.size(), &object));
    return object;
}

// What the module reports is as it was asked for, or the FatalError names what is not.
void require(bool asked, const std::string& what) {
    if (!asked)
        throw FatalError("the key read back from the token is not as it was stored: " + what);
}

}  // namespace

Bytes publicKeyDerFromPem(const std::string& pem) {
    Owned<BIO, BIO_free_all> in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Owned<EVP_PKEY, EVP_PKEY_free> key(in ? PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr)
                                          : nullptr);
    if (!key) opensslFail("reading the PEM public key");
    return subjectPublicKeyInfo(key.get());
}

Bytes keyIdOf(const Bytes& publicKeyDer) {
    const Bytes bits = subjectPublicKeyBits(publicKeyDer);
    Bytes id(20);
    unsigned int size = 0;
    if (!EVP_Digest(bits.data(), bits.size(), id.data(), &size, EVP_sha1(), nullptr) ||
        size != id.size())
        opensslFail("SHA-1");
    return id;
}

std::vector<CK_OBJECT_HANDLE> findObjectsByLabel(HsmSession& session, const std::string& label) {
    CK_FUNCTION_LIST* functions = session.functions();
    Bytes value(label.begin(), label.end());
    CK_ATTRIBUTE search[] = {attribute(CKA_LABEL, value)};
    check("C_FindObjectsInit", functions->C_FindObjectsInit(session.handle(), search, 1));
    std::vector<CK_OBJECT_HANDLE> found;
    CK_RV rv = CKR_OK;
    for (;;) {
        CK_OBJECT_HANDLE batch[16];
        CK_ULONG count = 0;
        rv = functions->C_FindObjects(session.handle(), batch, std::size(batch), &count);
        if (rv != CKR_OK || count == 0) break;
        found.insert(found.end(), batch, batch + count);
    }
    functions->C_FindObjectsFinal(session.handle());
    check("C_FindObjects", rv);
    return found;
}

void requireKeyImportMechanisms(HsmSession& session, SigningKeyType type) {
    if (!session.offers(session.keyWrapMechanism(), CKF_UNWRAP))
        throw FatalError(
            "the HSM token cannot unwrap with AES key wrap with padding (RFC 5649: "
            "CKM_AES_KEY_WRAP_KWP or CKM_AES_KEY_WRAP_PAD), which the wrapped signing key needs");
    if (!session.offers(sha256SignMechanism(type), CKF_SIGN))
        throw FatalError(std::string("the HSM token cannot sign with ") +
                         (isRsa(type) ? "CKM_SHA256_RSA_PKCS" : "CKM_ECDSA") +
                         ", which the key needs");
}

TokenKeyPair storeSigningKey(HsmSession& session, const Bytes& activationKey, const Bytes& wrapped,
                             SigningKeyType type, const Bytes& publicKeyDer,
                             const TokenKeyName& name) {
    CK_FUNCTION_LIST* functions = session.functions();
    const CK_SESSION_HANDLE handle = session.handle();
    ObjectGuard wrapping(functions, handle, session.importAesKey(activationKey));
    CK_BBOOL yes = CK_TRUE;
    Bytes label(name.label.begin(), name.label.end());
    Bytes id = name.id;
    ObjectGuard privateKey(functions, handle,
                           unwrapPrivateKey(session, wrapping.get(), wrapped, type,
                                            {attribute(CKA_TOKEN, yes), attribute(CKA_LABEL, label),
                                             attribute(CKA_ID, id)}));
    ObjectGuard publicKey(functions, handle, createPublicKey(session, type, publicKeyDer, name));
    check("C_DestroyObject", functions->C_DestroyObject(handle, wrapping.release()));
    return {privateKey.release(), publicKey.release()};
}

void removeKeyPair(HsmSession& session, const TokenKeyPair& pair) noexcept {
    session.functions()->C_DestroyObject(session.handle(), pair.publicKey);
    session.functions()->C_DestroyObject(session.handle(), pair.privateKey);
}

std::string checkStoredKey(HsmSession& session, const TokenKeyPair& pair, SigningKeyType type,
                           const Bytes& publicKeyDer, const TokenKeyName& name) {
    CK_FUNCTION_LIST* functions = session.functions();
    const CK_SESSION_HANDLE handle = session.handle();
    const Bytes label(name.label.begin(), name.label.end());
    for (const CK_OBJECT_HANDLE object : {pair.privateKey, pair.publicKey}) {
        require(flag(session, object, CKA_TOKEN), "CKA_TOKEN is false");
        require(attributeValue(functions, handle, object, CKA_LABEL) == label, "another CKA_LABEL");
        require(attributeValue(functions, handle, object, CKA_ID) == name.id, "another CKA_ID");
        require(number(session, object, CKA_KEY_TYPE) == (isRsa(type) ? CKK_RSA : CKK_EC),
                "another CKA_KEY_TYPE");
    }
    const CK_OBJECT_HANDLE key = pair.privateKey;
    require(number(session, key, CKA_CLASS) == CKO_PRIVATE_KEY,
            "the private key is of another CKA_CLASS");
    require(number(session, pair.publicKey, CKA_CLASS) == CKO_PUBLIC_KEY,
            "the public key is of another CKA_CLASS");
    require(flag(session, key, CKA_PRIVATE), "CKA_PRIVATE is false");
    require(flag(session, key, CKA_SENSITIVE), "CKA_SENSITIVE is false");
    require(!flag(session, key, CKA_EXTRACTABLE), "CKA_EXTRACTABLE is true");
    require(flag(session, key, CKA_SIGN), "CKA_SIGN is false");
    std::string material;
    if (isRsa(type)) {
        const Bytes modulus = attributeValue(functions, handle, key, CKA_MODULUS);
        require(withoutLeadingZeros(modulus) ==
                    rsaParameter(publicKeyOf(publicKeyDer).get(), OSSL_PKEY_PARAM_RSA_N),
                "the private key's CKA_MODULUS is not the manifest's");
        require(rsaPublicKeyDer(attributeValue(functions, handle, pair.publicKey, CKA_MODULUS),
                                attributeValue(functions, handle, pair.publicKey,
                                               CKA_PUBLIC_EXPONENT)) == publicKeyDer,
                "the public key's CKA_MODULUS and CKA_PUBLIC_EXPONENT are not the manifest's");
        material = "RSA, modulus and exponent equal to the manifest's public key";
    } else {
        require(attributeValue(functions, handle, key, CKA_EC_PARAMS) == p256Params(),
                "the private key's CKA_EC_PARAMS is not P-256");
        require(ecPublicKeyDer(attributeValue(functions, handle, pair.publicKey, CKA_EC_POINT)) ==
                    publicKeyDer,
                "the public key's CKA_EC_POINT is not the manifest's");
        material = "EC P-256, point equal to the manifest's public key";
    }
    const auto said = [&](CK_ATTRIBUTE_TYPE attribute) {
        return flag(session, key, attribute) ? "yes" : "no";
    };
    return "token, private, sensitive, not extractable; " + material +
           "; never extractable: " + said(CKA_NEVER_EXTRACTABLE) +
           ", always sensitive: " + said(CKA_ALWAYS_SENSITIVE) + " (as the module reports)";
}

}  // namespace quorum::host
