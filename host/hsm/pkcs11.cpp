#include "host/hsm/pkcs11.hpp"

#include <dlfcn.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "crypto/ec.hpp"
#include "crypto/primitives.hpp"
#include "host/hsm/pkcs11_calls.hpp"

namespace quorum::host {

using namespace pkcs11;

namespace {

struct CkrEntry {
    CK_RV rv;
    const char* name;
};

#define QUORUM_CKR(name) {name, #name}
constexpr CkrEntry kCkrNames[] = {
    QUORUM_CKR(CKR_OK),
    QUORUM_CKR(CKR_CANCEL),
    QUORUM_CKR(CKR_HOST_MEMORY),
    QUORUM_CKR(CKR_SLOT_ID_INVALID),
    QUORUM_CKR(CKR_GENERAL_ERROR),
    QUORUM_CKR(CKR_FUNCTION_FAILED),
    QUORUM_CKR(CKR_ARGUMENTS_BAD),
    QUORUM_CKR(CKR_CANT_LOCK),
    QUORUM_CKR(CKR_ATTRIBUTE_READ_ONLY),
    QUORUM_CKR(CKR_ATTRIBUTE_SENSITIVE),
    QUORUM_CKR(CKR_ATTRIBUTE_TYPE_INVALID),
    QUORUM_CKR(CKR_ATTRIBUTE_VALUE_INVALID),
    QUORUM_CKR(CKR_ACTION_PROHIBITED),
    QUORUM_CKR(CKR_DATA_INVALID),
    QUORUM_CKR(CKR_DATA_LEN_RANGE),
    QUORUM_CKR(CKR_DEVICE_ERROR),
    QUORUM_CKR(CKR_DEVICE_MEMORY),
    QUORUM_CKR(CKR_DEVICE_REMOVED),
    QUORUM_CKR(CKR_ENCRYPTED_DATA_INVALID),
    QUORUM_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE),
    QUORUM_CKR(CKR_FUNCTION_NOT_SUPPORTED),
    QUORUM_CKR(CKR_KEY_HANDLE_INVALID),
    QUORUM_CKR(CKR_KEY_SIZE_RANGE),
    QUORUM_CKR(CKR_KEY_TYPE_INCONSISTENT),
    QUORUM_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED),
    QUORUM_CKR(CKR_KEY_NOT_WRAPPABLE),
    QUORUM_CKR(CKR_KEY_UNEXTRACTABLE),
    QUORUM_CKR(CKR_MECHANISM_INVALID),
    QUORUM_CKR(CKR_MECHANISM_PARAM_INVALID),
    QUORUM_CKR(CKR_OBJECT_HANDLE_INVALID),
    QUORUM_CKR(CKR_OPERATION_ACTIVE),
    QUORUM_CKR(CKR_OPERATION_NOT_INITIALIZED),
    QUORUM_CKR(CKR_PIN_INCORRECT),
    QUORUM_CKR(CKR_PIN_INVALID),
    QUORUM_CKR(CKR_PIN_LEN_RANGE),
    QUORUM_CKR(CKR_PIN_EXPIRED),
    QUORUM_CKR(CKR_PIN_LOCKED),
    QUORUM_CKR(CKR_SESSION_CLOSED),
    QUORUM_CKR(CKR_SESSION_COUNT),
    QUORUM_CKR(CKR_SESSION_HANDLE_INVALID),
    QUORUM_CKR(CKR_SESSION_PARALLEL_NOT_SUPPORTED),
    QUORUM_CKR(CKR_SESSION_READ_ONLY),
    QUORUM_CKR(CKR_SESSION_EXISTS),
    QUORUM_CKR(CKR_SESSION_READ_ONLY_EXISTS),
    QUORUM_CKR(CKR_SESSION_READ_WRITE_SO_EXISTS),
    QUORUM_CKR(CKR_SIGNATURE_INVALID),
    QUORUM_CKR(CKR_SIGNATURE_LEN_RANGE),
    QUORUM_CKR(CKR_TEMPLATE_INCOMPLETE),
    QUORUM_CKR(CKR_TEMPLATE_INCONSISTENT),
    QUORUM_CKR(CKR_TOKEN_NOT_PRESENT),
    QUORUM_CKR(CKR_TOKEN_NOT_RECOGNIZED),
    QUORUM_CKR(CKR_TOKEN_WRITE_PROTECTED),
    QUORUM_CKR(CKR_UNWRAPPING_KEY_HANDLE_INVALID),
    QUORUM_CKR(CKR_UNWRAPPING_KEY_SIZE_RANGE),
    QUORUM_CKR(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
    QUORUM_CKR(CKR_USER_ALREADY_LOGGED_IN),
    QUORUM_CKR(CKR_USER_NOT_LOGGED_IN),
    QUORUM_CKR(CKR_USER_PIN_NOT_INITIALIZED),
    QUORUM_CKR(CKR_USER_TYPE_INVALID),
    QUORUM_CKR(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
    QUORUM_CKR(CKR_WRAPPED_KEY_INVALID),
    QUORUM_CKR(CKR_WRAPPED_KEY_LEN_RANGE),
    QUORUM_CKR(CKR_WRAPPING_KEY_HANDLE_INVALID),
    QUORUM_CKR(CKR_WRAPPING_KEY_SIZE_RANGE),
    QUORUM_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
    QUORUM_CKR(CKR_RANDOM_NO_RNG),
    QUORUM_CKR(CKR_DOMAIN_PARAMS_INVALID),
    QUORUM_CKR(CKR_CURVE_NOT_SUPPORTED),
    QUORUM_CKR(CKR_BUFFER_TOO_SMALL),
    QUORUM_CKR(CKR_CRYPTOKI_NOT_INITIALIZED),
    QUORUM_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED),
    QUORUM_CKR(CKR_MUTEX_BAD),
    QUORUM_CKR(CKR_MUTEX_NOT_LOCKED),
    QUORUM_CKR(CKR_PIN_TOO_WEAK),
    QUORUM_CKR(CKR_PUBLIC_KEY_INVALID),
    QUORUM_CKR(CKR_FUNCTION_REJECTED),
};
#undef QUORUM_CKR

std::string hex(CK_RV rv) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(rv));
    return text;
}

// A session of the module's own, for token administration; closed on every path.
class AdminSession {
public:
    AdminSession(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot) : functions_(functions) {
        check("C_OpenSession", functions_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                                         nullptr, nullptr, &session_));
    }
    ~AdminSession() { functions_->C_CloseSession(session_); }
    AdminSession(const AdminSession&) = delete;
    AdminSession& operator=(const AdminSession&) = delete;
    CK_SESSION_HANDLE handle() const { return session_; }

private:
    CK_FUNCTION_LIST* functions_;
    CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

std::vector<CK_SLOT_ID> slotsWithToken(CK_FUNCTION_LIST* functions) {
    for (;;) {
        CK_ULONG count = 0;
        check("C_GetSlotList", functions->C_GetSlotList(CK_TRUE, nullptr, &count));
        std::vector<CK_SLOT_ID> slots(count);
        const CK_RV rv = functions->C_GetSlotList(CK_TRUE, slots.data(), &count);
        if (rv == CKR_BUFFER_TOO_SMALL) continue;  // a token appeared in between
        check("C_GetSlotList", rv);
        slots.resize(count);
        return slots;
    }
}

CK_TOKEN_INFO tokenInfo(CK_FUNCTION_LIST* functions, CK_SLOT_ID slot) {
    CK_TOKEN_INFO info{};
    check("C_GetTokenInfo", functions->C_GetTokenInfo(slot, &info));
    return info;
}

// A blank-padded PKCS#11 label without its padding.
std::string trimLabel(const unsigned char (&label)[32]) {
    std::string text(reinterpret_cast<const char*>(label), sizeof label);
    const std::size_t end = text.find_last_not_of(std::string(" \0", 2));
    return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

CK_ULONG rsaBits(SigningKeyType type) {
    switch (type) {
        case SigningKeyType::Rsa2048: return 2048;
        case SigningKeyType::Rsa3072: return 3072;
        case SigningKeyType::Rsa4096: return 4096;
        case SigningKeyType::P256: break;
    }
    throw std::invalid_argument("not an RSA key type");
}

}  // namespace

namespace pkcs11 {

void opensslFail(const std::string& what) {
    throw crypto::CryptoError("hsm: " + what + " failed (OpenSSL)");
}

Bytes subjectPublicKeyInfo(EVP_PKEY* key) {
    const int size = i2d_PUBKEY(key, nullptr);
    if (size <= 0) opensslFail("i2d_PUBKEY");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* out = der.data();
    if (i2d_PUBKEY(key, &out) != size) opensslFail("i2d_PUBKEY");
    return der;
}

void check(const char* operation, CK_RV rv) {
    if (rv != CKR_OK) throw HsmError(operation, rv);
}

Bytes attributeValue(CK_FUNCTION_LIST* functions, CK_SESSION_HANDLE session,
                     CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE query{type, nullptr, 0};
    check("C_GetAttributeValue", functions->C_GetAttributeValue(session, object, &query, 1));
    Bytes value(query.ulValueLen);
    query.pValue = value.data();
    check("C_GetAttributeValue", functions->C_GetAttributeValue(session, object, &query, 1));
    value.resize(query.ulValueLen);
    return value;
}

Bytes p256Params() {
    return Bytes{0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
}

Bytes rsaPublicKeyDer(const Bytes& modulus, const Bytes& exponent) {
    Owned<BIGNUM, BN_free> n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
    Owned<BIGNUM, BN_free> e(
        BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
    Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> builder(OSSL_PARAM_BLD_new());
    if (!n || !e || !builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
        !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
        opensslFail("building RSA parameters");
    Owned<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(builder.get()));
    Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free> context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* raw = nullptr;
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) <= 0 ||
        EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
        opensslFail("EVP_PKEY_fromdata(RSA)");
    Owned<EVP_PKEY, EVP_PKEY_free> key(raw);
    return subjectPublicKeyInfo(key.get());
}

// CKA_EC_POINT is a DER OCTET STRING around the point (PKCS#11 2.40); some modules give the raw
// point, which is accepted too.
Bytes ecPublicKeyDer(const Bytes& ecPoint) {
    Bytes point;
    if (ecPoint.size() == crypto::kP256PointSize && ecPoint[0] == 0x04) {
        point = ecPoint;
    } else {
        const unsigned char* in = ecPoint.data();
        Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> octets(
            d2i_ASN1_OCTET_STRING(nullptr, &in, static_cast<long>(ecPoint.size())));
        if (!octets || in != ecPoint.data() + ecPoint.size())
            throw crypto::CryptoError("hsm: CKA_EC_POINT is neither a point nor an OCTET STRING");
        const unsigned char* data = ASN1_STRING_get0_data(octets.get());
        point.assign(data, data + ASN1_STRING_length(octets.get()));
    }
    return subjectPublicKeyInfo(crypto::EcPublicKey::fromPoint(point).get());
}

CK_OBJECT_HANDLE unwrapPrivateKey(const HsmSession& session, CK_OBJECT_HANDLE wrappingKey,
                                  const Bytes& wrapped, SigningKeyType type,
                                  const std::vector<CK_ATTRIBUTE>& more) {
    CK_MECHANISM mechanism{session.keyWrapMechanism(), nullptr, 0};
    CK_OBJECT_CLASS keyClass = CKO_PRIVATE_KEY;
    CK_KEY_TYPE keyType = isRsa(type) ? CKK_RSA : CKK_EC;
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    std::vector<CK_ATTRIBUTE> keyTemplate = {
        attribute(CKA_CLASS, keyClass),
        attribute(CKA_KEY_TYPE, keyType),
        attribute(CKA_PRIVATE, yes),
        attribute(CKA_SENSITIVE, yes),
        attribute(CKA_EXTRACTABLE, no),
        attribute(CKA_SIGN, yes),
        attribute(CKA_DECRYPT, no),
        attribute(CKA_UNWRAP, no),
        attribute(CKA_DERIVE, no),
    };
    keyTemplate.insert(keyTemplate.end(), more.begin(), more.end());
    Bytes blob = wrapped;  // C_UnwrapKey takes a non-const pointer
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    check("C_UnwrapKey", session.functions()->C_UnwrapKey(
                             session.handle(), &mechanism, wrappingKey, blob.data(), blob.size(),
                             keyTemplate.data(), keyTemplate.size(), &key));
    return key;
}

}  // namespace pkcs11

namespace {

// PKCS#11 CKM_ECDSA gives r || s, each as long as the group order; X.509 wants the DER
// ECDSA-Sig-Value SEQUENCE { r INTEGER, s INTEGER }.
Bytes ecdsaRawToDer(const Bytes& raw) {
    if (raw.empty() || raw.size() % 2 != 0)
        throw crypto::CryptoError("hsm: CKM_ECDSA signature of odd length " +
                                  std::to_string(raw.size()));
    const int half = static_cast<int>(raw.size() / 2);
    Owned<BIGNUM, BN_free> r(BN_bin2bn(raw.data(), half, nullptr));
    Owned<BIGNUM, BN_free> s(BN_bin2bn(raw.data() + half, half, nullptr));
    Owned<ECDSA_SIG, ECDSA_SIG_free> signature(ECDSA_SIG_new());
    if (!r || !s || !signature || !ECDSA_SIG_set0(signature.get(), r.get(), s.get()))
        opensslFail("ECDSA_SIG_set0");
    r.release();  // owned by the signature now
    s.release();
    const int size = i2d_ECDSA_SIG(signature.get(), nullptr);
    if (size <= 0) opensslFail("i2d_ECDSA_SIG");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* out = der.data();
    if (i2d_ECDSA_SIG(signature.get(), &out) != size) opensslFail("i2d_ECDSA_SIG");
    return der;
}

}  // namespace

std::string ckrName(CK_RV rv) {
    for (const CkrEntry& entry : kCkrNames)
        if (entry.rv == rv) return entry.name;
    if (rv & CKR_VENDOR_DEFINED) return "CKR_VENDOR_DEFINED+" + hex(rv & ~CKR_VENDOR_DEFINED);
    return "CKR_" + hex(rv);
}

HsmError::HsmError(const std::string& operation, CK_RV rv)
    : FatalError(operation + ": " + ckrName(rv) + " (" + hex(rv) + ")"),
      operation_(operation),
      rv_(rv) {}

void SoftHsmSetup::writeConfig(const std::string& folder) {
    const std::filesystem::path base(folder);
    const std::filesystem::path tokens = base / "tokens";
    std::error_code error;
    std::filesystem::create_directories(tokens, error);
    if (error) throw FileError("cannot create " + tokens.string() + ": " + error.message());
    const std::filesystem::path config = base / "softhsm2.conf";
    std::ofstream out(config, std::ios::trunc);
    out << "# SoftHSM2 token store of quorum (written by SoftHsmSetup::writeConfig)\n"
        << "directories.tokendir = " << tokens.string() << "\n"
        << "objectstore.backend = file\n"
        << "log.level = ERROR\n";
    out.close();
    if (!out) throw FileError("cannot write " + config.string());
}

Pkcs11Module::Pkcs11Module(const std::string& path) : path_(path) {
    dlerror();  // clear a stale error
    // RTLD_NODELETE: a module's code stays mapped after dlclose, so exit handlers or threads a
    // vendor module leaves behind never run into unmapped code, and what a module allocates and
    // keeps past C_Finalize is still attributed to it by leak checkers.
    library_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (library_ == nullptr) {
        const char* why = dlerror();
        throw ModuleLoadError("cannot load PKCS#11 module '" + path_ +
                              "': " + (why != nullptr ? why : "dlopen failed"));
    }
    try {
        void* symbol = dlsym(library_, "C_GetFunctionList");
        if (symbol == nullptr) {
            const char* why = dlerror();
            throw ModuleLoadError("'" + path_ + "' is not a PKCS#11 module: " +
                                  (why != nullptr ? why : "no C_GetFunctionList"));
        }
        const auto getFunctionList = reinterpret_cast<CK_C_GetFunctionList>(symbol);
        check("C_GetFunctionList", getFunctionList(&functions_));
        CK_C_INITIALIZE_ARGS args{};
        args.flags = CKF_OS_LOCKING_OK;
        check("C_Initialize", functions_->C_Initialize(&args));
    } catch (...) {
        dlclose(library_);
        throw;
    }
}

Pkcs11Module::~Pkcs11Module() {
    functions_->C_Finalize(nullptr);
    dlclose(library_);
}

std::optional<CK_SLOT_ID> Pkcs11Module::findUninitializedSlot() const {
    for (const CK_SLOT_ID slot : slotsWithToken(functions_))
        if ((tokenInfo(functions_, slot).flags & CKF_TOKEN_INITIALIZED) == 0) return slot;
    return std::nullopt;
}

std::optional<CK_SLOT_ID> Pkcs11Module::findSlotByTokenLabel(const std::string& label) const {
    for (const CK_SLOT_ID slot : slotsWithToken(functions_)) {
        const CK_TOKEN_INFO info = tokenInfo(functions_, slot);
        if ((info.flags & CKF_TOKEN_INITIALIZED) != 0 && trimLabel(info.label) == label)
            return slot;
    }
    return std::nullopt;
}

void Pkcs11Module::initToken(CK_SLOT_ID slot, const std::string& label, const Bytes& soPin,
                             const Bytes& userPin) const {
    unsigned char paddedLabel[32];
    if (label.size() > sizeof paddedLabel)
        throw UsageError("--token-label: a token label has at most 32 bytes, not " + std::to_string(label.size()) + ": " + label);
    std::fill(std::begin(paddedLabel), std::end(paddedLabel), static_cast<unsigned char>(' '));
    std::copy(label.begin(), label.end(), paddedLabel);

    Bytes so = soPin;  // PKCS#11 takes non-const PINs; the copies are zeroed when freed
    check("C_InitToken", functions_->C_InitToken(slot, so.data(), so.size(), paddedLabel));
    AdminSession session(functions_, slot);
    check("C_Login(SO)", functions_->C_Login(session.handle(), CKU_SO, so.data(), so.size()));
    Bytes user = userPin;
    const CK_RV rv = functions_->C_InitPIN(session.handle(), user.data(), user.size());
    functions_->C_Logout(session.handle());
    check("C_InitPIN", rv);
}

std::string Pkcs11Module::manufacturer() const {
    CK_INFO info{};
    check("C_GetInfo", functions_->C_GetInfo(&info));
    return trimLabel(info.manufacturerID);
}

HsmSession::HsmSession(const Pkcs11Module& module, CK_SLOT_ID slot)
    : functions_(module.functions()), slot_(slot) {
    check("C_OpenSession", functions_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                                     nullptr, nullptr, &session_));
}

HsmSession::~HsmSession() {
    if (loggedIn_) functions_->C_Logout(session_);
    functions_->C_CloseSession(session_);
}

void HsmSession::login(const Bytes& userPin) {
    Bytes pin = userPin;
    check("C_Login", functions_->C_Login(session_, CKU_USER, pin.data(), pin.size()));
    loggedIn_ = true;
}

void HsmSession::logout() {
    if (!loggedIn_) return;
    loggedIn_ = false;
    check("C_Logout", functions_->C_Logout(session_));
}

bool HsmSession::offers(CK_MECHANISM_TYPE mechanism, CK_FLAGS purpose) const {
    CK_MECHANISM_INFO info{};
    const CK_RV rv = functions_->C_GetMechanismInfo(slot_, mechanism, &info);
    if (rv == CKR_MECHANISM_INVALID) return false;
    check("C_GetMechanismInfo", rv);
    return (info.flags & purpose) == purpose;
}

CK_MECHANISM_TYPE HsmSession::keyWrapMechanism() const {
    return offers(CKM_AES_KEY_WRAP_KWP, 0) ? CKM_AES_KEY_WRAP_KWP : CKM_AES_KEY_WRAP_PAD;
}

GeneratedKey HsmSession::generateSigningKey(SigningKeyType type) {
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    CK_ULONG bits = 0;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    Bytes curve = p256Params();

    std::vector<CK_ATTRIBUTE> publicTemplate = {
        attribute(CKA_TOKEN, no),
        attribute(CKA_VERIFY, yes),
        attribute(CKA_ENCRYPT, no),
        attribute(CKA_WRAP, no),
    };
    CK_MECHANISM mechanism{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    if (isRsa(type)) {
        mechanism.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
        bits = rsaBits(type);
        publicTemplate.push_back(attribute(CKA_MODULUS_BITS, bits));
        publicTemplate.push_back(attribute(CKA_PUBLIC_EXPONENT, exponent));
    } else {
        publicTemplate.push_back(attribute(CKA_EC_PARAMS, curve));
    }
    CK_ATTRIBUTE privateTemplate[] = {
        attribute(CKA_TOKEN, no),
        attribute(CKA_PRIVATE, yes),
        attribute(CKA_SENSITIVE, yes),
        attribute(CKA_EXTRACTABLE, yes),  // sensitive, so only ever in wrapped form
        attribute(CKA_SIGN, yes),
        attribute(CKA_DECRYPT, no),
        attribute(CKA_UNWRAP, no),
        attribute(CKA_DERIVE, no),
    };

    CK_OBJECT_HANDLE publicKey = CK_INVALID_HANDLE;
    CK_OBJECT_HANDLE privateKey = CK_INVALID_HANDLE;
    check("C_GenerateKeyPair",
          functions_->C_GenerateKeyPair(session_, &mechanism, publicTemplate.data(),
                                        publicTemplate.size(), privateTemplate,
                                        std::size(privateTemplate), &publicKey, &privateKey));
    ObjectGuard publicGuard(functions_, session_, publicKey);
    ObjectGuard privateGuard(functions_, session_, privateKey);

    GeneratedKey key{CK_INVALID_HANDLE, {}};
    if (isRsa(type)) {
        key.publicKeyDer =
            rsaPublicKeyDer(attributeValue(functions_, session_, publicKey, CKA_MODULUS),
                            attributeValue(functions_, session_, publicKey, CKA_PUBLIC_EXPONENT));
    } else {
        key.publicKeyDer =
            ecPublicKeyDer(attributeValue(functions_, session_, publicKey, CKA_EC_POINT));
    }
    check("C_DestroyObject", functions_->C_DestroyObject(session_, publicGuard.release()));
    key.privateKey = privateGuard.release();
    return key;
}

CK_OBJECT_HANDLE HsmSession::importAesKey(const Bytes& key32) {
    if (key32.size() != 32)
        throw std::invalid_argument("AES-256 key of " + std::to_string(key32.size()) +
                                    " bytes, expected 32");
    CK_OBJECT_CLASS keyClass = CKO_SECRET_KEY;
    CK_KEY_TYPE keyType = CKK_AES;
    CK_BBOOL yes = CK_TRUE;
    CK_BBOOL no = CK_FALSE;
    Bytes value = key32;  // the template's copy, zeroed when freed
    CK_ATTRIBUTE keyTemplate[] = {
        attribute(CKA_CLASS, keyClass),
        attribute(CKA_KEY_TYPE, keyType),
        attribute(CKA_TOKEN, no),
        attribute(CKA_PRIVATE, yes),
        attribute(CKA_SENSITIVE, yes),
        attribute(CKA_EXTRACTABLE, no),
        attribute(CKA_WRAP, yes),
        attribute(CKA_UNWRAP, yes),
        attribute(CKA_ENCRYPT, no),
        attribute(CKA_DECRYPT, no),
        attribute(CKA_SIGN, no),
        attribute(CKA_VERIFY, no),
        attribute(CKA_DERIVE, no),
        attribute(CKA_VALUE, value),
    };
    CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
    check("C_CreateObject", functions_->C_CreateObject(session_, keyTemplate,
                                                       std::size(keyTemplate), &key));
    return key;
}

Bytes HsmSession::wrapKey(CK_OBJECT_HANDLE wrappingKey, CK_OBJECT_HANDLE key) {
    CK_MECHANISM mechanism{keyWrapMechanism(), nullptr, 0};
    CK_ULONG size = 0;
    check("C_WrapKey",
          functions_->C_WrapKey(session_, &mechanism, wrappingKey, key, nullptr, &size));
    Bytes wrapped(size);
    check("C_WrapKey",
          functions_->C_WrapKey(session_, &mechanism, wrappingKey, key, wrapped.data(), &size));
    wrapped.resize(size);
    return wrapped;
}

CK_OBJECT_HANDLE HsmSession::unwrapSigningKey(CK_OBJECT_HANDLE wrappingKey, const Bytes& wrapped,
                                              SigningKeyType type) {
    CK_BBOOL no = CK_FALSE;
    return unwrapPrivateKey(*this, wrappingKey, wrapped, type, {attribute(CKA_TOKEN, no)});
}

Bytes HsmSession::signSha256(CK_OBJECT_HANDLE key, const Bytes& message, SigningKeyType type) {
    CK_MECHANISM mechanism{sha256SignMechanism(type), nullptr, 0};
    Bytes input = isRsa(type) ? message : crypto::sha256(message);
    check("C_SignInit", functions_->C_SignInit(session_, &mechanism, key));
    CK_ULONG size = 0;
    check("C_Sign", functions_->C_Sign(session_, input.data(), input.size(), nullptr, &size));
    Bytes signature(size);
    check("C_Sign",
          functions_->C_Sign(session_, input.data(), input.size(), signature.data(), &size));
    signature.resize(size);
    return isRsa(type) ? signature : ecdsaRawToDer(signature);
}

void HsmSession::destroy(CK_OBJECT_HANDLE object) {
    check("C_DestroyObject", functions_->C_DestroyObject(session_, object));
}

}  // namespace quorum::host
