// The ceremony CA and its X.509 certificates, over OpenSSL 3 (X509, X509v3, X509_STORE).
#include "crypto/certificate.hpp"

#include "crypto/openssl_util.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <cstdint>
#include <ctime>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "crypto/primitives.hpp"

namespace quorum::crypto {

namespace {

// The project's own certificate extension (non-critical): role, card-set id and card index.
//   QuorumCertInfo ::= SEQUENCE {
//       role       ENUMERATED { ca(0), host(1), card(2) },
//       cardSetId  OCTET STRING (SIZE (16)),
//       cardIndex  INTEGER OPTIONAL }   -- card certificates only, 1..255
// A private OID under the UUID arc (ITU-T X.667): 2.25.<the integer value of UUID
// 89feeaab-73df-46ae-b22e-c44041e3ea61>, drawn at random once for this project. Never change it:
// certificates already issued carry it.
constexpr const char* kQuorumExtensionOid = "2.25.183427838492325065611004675756724054625";

constexpr std::uint8_t kTagInteger = 0x02;
constexpr std::uint8_t kTagOctetString = 0x04;
constexpr std::uint8_t kTagEnumerated = 0x0A;
constexpr std::uint8_t kTagSequence = 0x30;

constexpr int kMinCardIndex = 1;
constexpr int kMaxCardIndex = 255;
constexpr int kMaxValidityDays = 36500;
constexpr std::size_t kMaxCommonName = 64;  // ub-common-name, RFC 5280
constexpr long kNotBeforeSlackSeconds = 5 * 60;

// --- RAII for OpenSSL objects -------------------------------------------------------------

using ossl::Owned;
using BioPtr = ossl::Bio;
using X509Ptr = Owned<X509, X509_free>;
using ExtensionPtr = Owned<X509_EXTENSION, X509_EXTENSION_free>;
using ObjectPtr = Owned<ASN1_OBJECT, ASN1_OBJECT_free>;
using OctetStringPtr = Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using IntegerPtr = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using BignumPtr = Owned<BIGNUM, BN_free>;
using StorePtr = Owned<X509_STORE, X509_STORE_free>;
using StoreCtxPtr = Owned<X509_STORE_CTX, X509_STORE_CTX_free>;

struct OpenSslString {
    void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
};

// The reasons OpenSSL queued (most recent last), and an empty queue afterwards.
std::string drainOpenSslErrors() {
    std::string reasons;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!reasons.empty()) reasons += "; ";
        reasons += buffer;
    }
    return reasons;
}

[[noreturn]] void throwCrypto(const std::string& operation) {
    const std::string reasons = drainOpenSslErrors();
    throw CryptoError(operation + " failed" + (reasons.empty() ? "" : ": " + reasons));
}

[[noreturn]] void throwCertificate(const std::string& message) {
    ERR_clear_error();
    throw CertificateError(message);
}

// Names from certificates are attacker-supplied: keep control characters out of messages.
std::string printable(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7F) ? '?' : c;
    }
    return out;
}

// The first common name of `name`, or "" without one.
std::string commonName(const X509_NAME* name) {
    if (name == nullptr) return "";
    const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0) return "";
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, index);
    const ASN1_STRING* data = entry ? X509_NAME_ENTRY_get_data(entry) : nullptr;
    unsigned char* utf8 = nullptr;
    const int length = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
    if (length < 0) {
        ERR_clear_error();
        return "";
    }
    std::unique_ptr<unsigned char, OpenSslString> owned(utf8);
    return std::string(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
}

std::string subjectCn(const X509* cert) { return commonName(X509_get_subject_name(cert)); }

// How messages name a certificate's subject.
std::string displayName(const X509* cert) {
    const std::string cn = subjectCn(cert);
    return cn.empty() ? "(no common name)" : printable(cn);
}

std::string formatTime(const ASN1_TIME* time) {
    std::tm tm{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
        ERR_clear_error();
        return "(unreadable date)";
    }
    char buffer[32];
    if (std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) return "(unreadable date)";
    return buffer;
}

// --- The extension's DER ------------------------------------------------------------------

std::uint8_t roleCode(CertRole role) {
    switch (role) {
        case CertRole::Ca: return 0;
        case CertRole::Host: return 1;
        case CertRole::Card: return 2;
    }
    throw std::invalid_argument("unknown certificate role");
}

Bytes encodeExtension(CertRole role, const Bytes& cardSetId, std::optional<int> cardIndex) {
    if (cardSetId.size() != kCardSetIdSize) throw std::invalid_argument("card set id must be 16 bytes");
    Bytes content{kTagEnumerated, 0x01, roleCode(role), kTagOctetString,
                  static_cast<std::uint8_t>(kCardSetIdSize)};
    content.insert(content.end(), cardSetId.begin(), cardSetId.end());
    if (cardIndex) {
        const int index = *cardIndex;
        if (index < kMinCardIndex || index > kMaxCardIndex)
            throw std::invalid_argument("card index " + std::to_string(index) + " is outside 1..255");
        content.push_back(kTagInteger);
        if (index >= 0x80) {  // DER: a leading 00 keeps the integer positive
            content.push_back(0x02);
            content.push_back(0x00);
        } else {
            content.push_back(0x01);
        }
        content.push_back(static_cast<std::uint8_t>(index));
    }
    Bytes der{kTagSequence, static_cast<std::uint8_t>(content.size())};  // always < 128 bytes
    der.insert(der.end(), content.begin(), content.end());
    return der;
}

// Strict DER reader over the extension value: short-form lengths only (the value is < 128
// bytes), exact lengths, minimal integers, nothing trailing. Returns nullopt if malformed.
struct ExtensionValue {
    CertRole role;
    Bytes cardSetId;
    std::optional<int> cardIndex;
};

std::optional<ExtensionValue> decodeExtension(const unsigned char* data, std::size_t size) {
    if (data == nullptr || size < 2 || data[0] != kTagSequence) return std::nullopt;
    if ((data[1] & 0x80) != 0 || data[1] != size - 2) return std::nullopt;
    std::size_t at = 2;
    // Reads one TLV with tag `tag`, returning its value's offset and length.
    auto element = [&](std::uint8_t tag, std::size_t& offset, std::size_t& length) {
        if (size - at < 2 || data[at] != tag || (data[at + 1] & 0x80) != 0) return false;
        length = data[at + 1];
        offset = at + 2;
        if (size - offset < length) return false;
        at = offset + length;
        return true;
    };
    std::size_t offset = 0, length = 0;

    if (!element(kTagEnumerated, offset, length) || length != 1) return std::nullopt;
    ExtensionValue value{CertRole::Host, Bytes{}, std::nullopt};
    switch (data[offset]) {
        case 0: value.role = CertRole::Ca; break;
        case 1: value.role = CertRole::Host; break;
        case 2: value.role = CertRole::Card; break;
        default: return std::nullopt;
    }

    if (!element(kTagOctetString, offset, length) || length != kCardSetIdSize) return std::nullopt;
    value.cardSetId.assign(data + offset, data + offset + length);

    if (at < size) {
        if (!element(kTagInteger, offset, length) || length < 1 || length > 4) return std::nullopt;
        const unsigned char* v = data + offset;
        if (length > 1 && ((v[0] == 0x00 && (v[1] & 0x80) == 0) || (v[0] == 0xFF && (v[1] & 0x80) != 0)))
            return std::nullopt;  // not minimal
        std::int64_t n = (v[0] & 0x80) ? -1 : 0;  // two's complement: sign-extend
        for (std::size_t i = 0; i < length; ++i) n = n * 256 + v[i];
        if (n < INT_MIN || n > INT_MAX) return std::nullopt;
        value.cardIndex = static_cast<int>(n);
    }
    if (at != size) return std::nullopt;
    return value;
}

enum class ExtensionLookup { Found, Missing, Duplicated, Malformed };

ExtensionLookup findExtension(const X509* cert, ExtensionValue& out) {
    const ObjectPtr oid(OBJ_txt2obj(kQuorumExtensionOid, 1));
    if (!oid) throwCrypto("OBJ_txt2obj(quorum extension OID)");
    const int first = X509_get_ext_by_OBJ(cert, oid.get(), -1);
    if (first < 0) return ExtensionLookup::Missing;
    if (X509_get_ext_by_OBJ(cert, oid.get(), first) >= 0) return ExtensionLookup::Duplicated;
    const X509_EXTENSION* ext = X509_get_ext(cert, first);
    const ASN1_OCTET_STRING* data = ext ? X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(ext)) : nullptr;
    if (data == nullptr) return ExtensionLookup::Malformed;
    const auto decoded = decodeExtension(ASN1_STRING_get0_data(data),
                                         static_cast<std::size_t>(ASN1_STRING_length(data)));
    if (!decoded) return ExtensionLookup::Malformed;
    out = *decoded;
    return ExtensionLookup::Found;
}

CertificateInfo readInfo(const X509* cert) {
    ExtensionValue value{CertRole::Host, Bytes{}, std::nullopt};
    switch (findExtension(cert, value)) {
        case ExtensionLookup::Found: break;
        case ExtensionLookup::Missing:
            throwCertificate("certificate of " + displayName(cert) +
                             " lacks the quorum certificate extension (role, card set)");
        case ExtensionLookup::Duplicated:
            throwCertificate("certificate of " + displayName(cert) +
                             " carries the quorum certificate extension more than once");
        case ExtensionLookup::Malformed:
            throwCertificate("certificate of " + displayName(cert) +
                             " has a malformed quorum certificate extension");
    }
    CertificateInfo info;
    info.role = value.role;
    info.cardSetId = std::move(value.cardSetId);
    info.cardIndex = value.cardIndex;
    info.subject = subjectCn(cert);
    return info;
}

bool isCa(X509* cert) {
    // Any CA signal counts: basicConstraints CA:TRUE (even with a keyUsage that would stop
    // OpenSSL from calling it a CA), keyCertSign without basicConstraints, v1 self-signed...
    return (X509_get_extension_flags(cert) & EXFLAG_CA) != 0 || X509_check_ca(cert) != 0;
}

// --- Building certificates ----------------------------------------------------------------

void addExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
    ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
    if (!ext) throwCrypto(std::string("creating the ") + OBJ_nid2sn(nid) + " extension");
    if (X509_add_ext(cert, ext.get(), -1) != 1) throwCrypto(std::string("adding the ") + OBJ_nid2sn(nid) + " extension");
}

void addQuorumExtension(X509* cert, CertRole role, const Bytes& cardSetId, std::optional<int> cardIndex) {
    const Bytes der = encodeExtension(role, cardSetId, cardIndex);
    const ObjectPtr oid(OBJ_txt2obj(kQuorumExtensionOid, 1));
    if (!oid) throwCrypto("OBJ_txt2obj(quorum extension OID)");
    OctetStringPtr value(ASN1_OCTET_STRING_new());
    if (!value || ASN1_OCTET_STRING_set(value.get(), der.data(), static_cast<int>(der.size())) != 1)
        throwCrypto("encoding the quorum certificate extension");
    ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, value.get()));
    if (!ext) throwCrypto("X509_EXTENSION_create_by_OBJ");
    if (X509_add_ext(cert, ext.get(), -1) != 1) throwCrypto("adding the quorum certificate extension");
}

void setRandomSerial(X509* cert) {
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) throwCrypto("RAND_bytes(serial number)");
    serial[0] = static_cast<unsigned char>((serial[0] & 0x3F) | 0x40);  // positive, exactly 16 bytes
    const BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
    if (!bn) throwCrypto("BN_bin2bn(serial number)");
    const IntegerPtr integer(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!integer || X509_set_serialNumber(cert, integer.get()) != 1) throwCrypto("setting the serial number");
}

void checkValidityDays(int validityDays) {
    if (validityDays < 1 || validityDays > kMaxValidityDays)
        throw std::invalid_argument("validity of " + std::to_string(validityDays) +
                                    " days is outside 1.." + std::to_string(kMaxValidityDays));
}

void checkName(const std::string& name) {
    if (name.empty()) throw std::invalid_argument("certificate name is empty");
    if (name.size() > kMaxCommonName)
        throw std::invalid_argument("certificate name '" + printable(name) + "' is longer than 64 bytes");
}

struct Subject {
    std::string name;
    EVP_PKEY* key;  // public key certified
    CertRole role;
    const Bytes& cardSetId;
    std::optional<int> cardIndex;
};

// A signed certificate for `subject`, issued by `issuer` (nullptr: self-signed with `signingKey`).
Bytes buildCertificate(const Subject& subject, X509* issuer, EVP_PKEY* signingKey, int validityDays) {
    checkValidityDays(validityDays);
    checkName(subject.name);
    const X509Ptr cert(X509_new());
    if (!cert) throwCrypto("X509_new");
    X509* x = cert.get();
    if (X509_set_version(x, X509_VERSION_3) != 1) throwCrypto("X509_set_version");
    setRandomSerial(x);
    if (!X509_gmtime_adj(X509_getm_notBefore(x), -kNotBeforeSlackSeconds) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), validityDays, 0, nullptr))
        throwCrypto("setting the validity period");

    X509_NAME* name = X509_get_subject_name(x);
    if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(subject.name.data()),
                                   static_cast<int>(subject.name.size()), -1, 0) != 1)
        throwCrypto("setting the subject name");
    if (X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) != 1)
        throwCrypto("setting the issuer name");
    if (X509_set_pubkey(x, subject.key) != 1) throwCrypto("X509_set_pubkey");

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    if (subject.role == CertRole::Ca) {
        addExtension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        addExtension(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        addExtension(x, &ctx, NID_subject_key_identifier, "hash");
    } else {
        addExtension(x, &ctx, NID_basic_constraints, "CA:FALSE");
        addExtension(x, &ctx, NID_key_usage, "critical,digitalSignature,keyAgreement");
        addExtension(x, &ctx, NID_subject_key_identifier, "hash");
        addExtension(x, &ctx, NID_authority_key_identifier, "keyid:always");
    }
    addQuorumExtension(x, subject.role, subject.cardSetId, subject.cardIndex);

    if (X509_sign(x, signingKey, EVP_sha256()) <= 0) throwCrypto("X509_sign");

    const int length = i2d_X509(x, nullptr);
    if (length <= 0) throwCrypto("i2d_X509");
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_X509(x, &out) != length) throwCrypto("i2d_X509");
    return der;
}

// --- Verification -------------------------------------------------------------------------

bool isIssuerFailure(int error) {
    switch (error) {
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
        case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
        case X509_V_ERR_AKID_SKID_MISMATCH:
        case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
        case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
            return true;
        default:
            return false;
    }
}

// Runs OpenSSL's path validation of `leaf` against `ca` as the only trust anchor, now.
void verifyChain(X509* leaf, X509* ca) {
    const StorePtr store(X509_STORE_new());
    if (!store) throwCrypto("X509_STORE_new");
    if (X509_STORE_add_cert(store.get(), ca) != 1) throwCrypto("X509_STORE_add_cert");
    const StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx) throwCrypto("X509_STORE_CTX_new");
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1) throwCrypto("X509_STORE_CTX_init");
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_X509_STRICT);

    const int result = X509_verify_cert(ctx.get());
    if (result == 1) {
        ERR_clear_error();
        return;
    }
    const int error = X509_STORE_CTX_get_error(ctx.get());
    X509* current = X509_STORE_CTX_get_current_cert(ctx.get());
    if (current == nullptr) current = leaf;
    const std::string leafName = displayName(leaf);
    // OpenSSL could not even run the check (e.g. a public key it cannot decode): a refusal too.
    if (result < 0 || error == X509_V_OK) {
        const std::string reasons = drainOpenSslErrors();
        throwCertificate("certificate of " + leafName + " cannot be checked" +
                         (reasons.empty() ? "" : ": " + reasons));
    }
    if (isIssuerFailure(error))
        throwCertificate("certificate of " + leafName + " was not issued by this ceremony's CA (" +
                         displayName(ca) + ")");
    if (error == X509_V_ERR_CERT_HAS_EXPIRED)
        throwCertificate("certificate of " + displayName(current) + " expired on " +
                         formatTime(X509_get0_notAfter(current)));
    if (error == X509_V_ERR_CERT_NOT_YET_VALID)
        throwCertificate("certificate of " + displayName(current) + " is not valid before " +
                         formatTime(X509_get0_notBefore(current)));
    throwCertificate("certificate of " + leafName + " refused: " + X509_verify_cert_error_string(error));
}

std::string hexSet(const Bytes& setId) { return toHex(setId); }

}  // namespace

const char* roleName(CertRole role) {
    switch (role) {
        case CertRole::Ca: return "ca";
        case CertRole::Host: return "host";
        case CertRole::Card: return "card";
    }
    return "unknown";
}

// --- Certificate --------------------------------------------------------------------------

void Certificate::Free::operator()(X509* c) const noexcept { X509_free(c); }

Certificate Certificate::fromDer(const Bytes& der) {
    if (der.empty()) throwCertificate("certificate DER is empty");
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) throwCertificate("certificate DER is too large");
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert) {
        const std::string reasons = drainOpenSslErrors();
        throw CertificateError("malformed certificate DER" + (reasons.empty() ? "" : ": " + reasons));
    }
    if (p != der.data() + der.size())
        throwCertificate("malformed certificate DER: " + std::to_string(der.data() + der.size() - p) +
                         " trailing bytes");
    return Certificate(cert.release());
}

Certificate Certificate::fromPem(const std::string& pem) {
    if (pem.size() > static_cast<std::size_t>(INT_MAX)) throwCertificate("certificate PEM is too large");
    const BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throwCrypto("BIO_new_mem_buf");
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        const std::string reasons = drainOpenSslErrors();
        throw CertificateError("malformed certificate PEM" + (reasons.empty() ? "" : ": " + reasons));
    }
    return Certificate(cert.release());
}

Certificate::Certificate(const Certificate& other)
    : cert_(other.cert_ ? X509_dup(other.cert_.get()) : nullptr) {
    if (other.cert_ && !cert_) throw std::bad_alloc();
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) {
        Certificate copy(other);
        cert_ = std::move(copy.cert_);
    }
    return *this;
}

Certificate::Certificate(Certificate&&) noexcept = default;
Certificate& Certificate::operator=(Certificate&&) noexcept = default;
Certificate::~Certificate() = default;

Bytes Certificate::der() const {
    if (!cert_) throwCertificate("empty certificate (moved from)");
    const int length = i2d_X509(cert_.get(), nullptr);
    if (length <= 0) throwCrypto("i2d_X509");
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (i2d_X509(cert_.get(), &out) != length) throwCrypto("i2d_X509");
    return der;
}

std::string Certificate::pem() const {
    if (!cert_) throwCertificate("empty certificate (moved from)");
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throwCrypto("BIO_new");
    if (PEM_write_bio_X509(bio.get(), cert_.get()) != 1) throwCrypto("PEM_write_bio_X509");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) throwCrypto("BIO_get_mem_data");
    return std::string(data, static_cast<std::size_t>(length));
}

EcPublicKey Certificate::publicKey() const {
    if (!cert_) throwCertificate("empty certificate (moved from)");
    EVP_PKEY* key = X509_get0_pubkey(cert_.get());
    if (key == nullptr)
        throwCertificate("certificate of " + displayName(cert_.get()) + " has an unreadable public key");
    try {
        return EcPublicKey::fromEvp(key);
    } catch (const CryptoError& e) {
        throwCertificate("certificate of " + displayName(cert_.get()) + " does not carry a P-256 key (" +
                         e.what() + ")");
    }
}

CertificateInfo Certificate::info() const {
    if (!cert_) throwCertificate("empty certificate (moved from)");
    return readInfo(cert_.get());
}

Bytes Certificate::sha256Fingerprint() const {
    if (!cert_) throwCertificate("empty certificate (moved from)");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert_.get(), EVP_sha256(), md, &length) != 1) throwCrypto("X509_digest");
    return Bytes(md, md + length);
}

// --- CeremonyCa ---------------------------------------------------------------------------

CeremonyCa::CeremonyCa(Certificate certificate, EcPrivateKey key, Bytes cardSetId)
    : certificate_(std::move(certificate)), key_(std::move(key)), cardSetId_(std::move(cardSetId)) {}

CeremonyCa CeremonyCa::create(const std::string& name, const Bytes& cardSetId, int validityDays) {
    if (cardSetId.size() != kCardSetIdSize)
        throw std::invalid_argument("card set id must be 16 bytes, got " + std::to_string(cardSetId.size()));
    EcPrivateKey key = EcPrivateKey::generate();
    const EcPublicKey publicKey = key.publicKey();
    const Subject subject{name, publicKey.get(), CertRole::Ca, cardSetId, std::nullopt};
    Certificate certificate = Certificate::fromDer(buildCertificate(subject, nullptr, key.get(), validityDays));
    return CeremonyCa(std::move(certificate), std::move(key), cardSetId);
}

CeremonyCa CeremonyCa::load(const std::string& certificatePem, const std::string& keyPem,
                            const std::string& passphrase) {
    Certificate certificate = [&] {
        try {
            return Certificate::fromPem(certificatePem);
        } catch (const CertificateError& e) {
            throw CertificateError(std::string("cannot read the CA certificate: ") + e.what());
        }
    }();
    X509* cert = certificate.get();
    const std::string name = displayName(cert);

    const bool encrypted = keyPem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string::npos ||
                           keyPem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
    if (encrypted && passphrase.empty())
        throw CryptoError("cannot decrypt the CA key: it is encrypted and no passphrase was given");
    EcPrivateKey key = [&] {
        try {
            return EcPrivateKey::fromPem(keyPem, passphrase);
        } catch (const CryptoError& e) {
            if (encrypted)
                throw CryptoError(std::string("cannot decrypt the CA key: wrong passphrase? (") + e.what() + ")");
            throw CryptoError(std::string("cannot read the CA key: ") + e.what());
        }
    }();

    if (X509_check_ca(cert) != 1 || (X509_get_extension_flags(cert) & EXFLAG_CA) == 0)
        throwCertificate("certificate of " + name + " is not a CA certificate (basicConstraints CA:TRUE)");
    const CertificateInfo info = readInfo(cert);
    if (info.role != CertRole::Ca)
        throwCertificate("certificate of " + name + " has role " + roleName(info.role) + ", expected ca");
    EVP_PKEY* certKey = X509_get0_pubkey(cert);
    if (certKey == nullptr || EVP_PKEY_eq(certKey, key.get()) != 1)
        throwCertificate("the CA key does not match the CA certificate (" + name + ")");
    if (X509_verify(cert, certKey) != 1)
        throwCertificate("certificate of " + name + " is not self-signed by its key");
    ERR_clear_error();
    return CeremonyCa(std::move(certificate), std::move(key), info.cardSetId);
}

Certificate CeremonyCa::issueHost(const EcPublicKey& subjectKey, const std::string& name,
                                  int validityDays) const {
    const Subject subject{name, subjectKey.get(), CertRole::Host, cardSetId_, std::nullopt};
    return Certificate::fromDer(buildCertificate(subject, certificate_.get(), key_.get(), validityDays));
}

Certificate CeremonyCa::issueCard(const EcPublicKey& subjectKey, int cardIndex, int validityDays) const {
    if (cardIndex < kMinCardIndex || cardIndex > kMaxCardIndex)
        throw std::invalid_argument("card index " + std::to_string(cardIndex) + " is outside 1..255");
    const std::string name = "quorum card " + std::to_string(cardIndex) + " of set " + hexSet(cardSetId_);
    const Subject subject{name, subjectKey.get(), CertRole::Card, cardSetId_, cardIndex};
    return Certificate::fromDer(buildCertificate(subject, certificate_.get(), key_.get(), validityDays));
}

// --- Verification -------------------------------------------------------------------------

CertificateInfo verifyCertificate(const Certificate& leaf, const Certificate& ca, CertRole expectedRole,
                                  const std::optional<Bytes>& expectedCardSet) {
    X509* leafCert = leaf.get();
    X509* caCert = ca.get();
    if (leafCert == nullptr || caCert == nullptr) throwCertificate("empty certificate (moved from)");
    const std::string name = displayName(leafCert);

    // The CA the caller trusts must be a ceremony CA, or its card set means nothing.
    const CertificateInfo caInfo = readInfo(caCert);
    if (caInfo.role != CertRole::Ca || (X509_get_extension_flags(caCert) & EXFLAG_CA) == 0)
        throwCertificate("certificate of " + displayName(caCert) + " given as the CA is not a ceremony CA");

    verifyChain(leafCert, caCert);  // issuer and signature, validity period, RFC 5280 rules

    const bool leafIsCa = isCa(leafCert);
    if (expectedRole != CertRole::Ca && leafIsCa)
        throwCertificate("certificate of " + name + " is a CA certificate, expected a " +
                         roleName(expectedRole) + " certificate");
    if (expectedRole == CertRole::Ca && !leafIsCa)
        throwCertificate("certificate of " + name + " is not a CA certificate");

    CertificateInfo info = readInfo(leafCert);
    if (info.role != expectedRole)
        throwCertificate("certificate of " + name + " has role " + roleName(info.role) + ", expected " +
                         roleName(expectedRole));
    if (expectedCardSet && info.cardSetId != *expectedCardSet)
        throwCertificate("certificate of " + name + " belongs to card set " + hexSet(info.cardSetId) +
                         ", expected " + hexSet(*expectedCardSet));
    if (info.cardSetId != caInfo.cardSetId)
        throwCertificate("certificate of " + name + " belongs to card set " + hexSet(info.cardSetId) +
                         ", expected " + hexSet(caInfo.cardSetId) + " (the CA's)");
    if (info.role == CertRole::Card) {
        if (!info.cardIndex) throwCertificate("card certificate of " + name + " carries no card index");
        if (*info.cardIndex < kMinCardIndex || *info.cardIndex > kMaxCardIndex)
            throwCertificate("card certificate of " + name + " has card index " +
                             std::to_string(*info.cardIndex) + ", outside 1..255");
    } else if (info.cardIndex) {
        throwCertificate("certificate of " + name + " has role " + roleName(info.role) +
                         " but carries a card index");
    }
    ERR_clear_error();
    return info;
}

bool verifySignedWithRole(const Certificate& leaf, const EcPublicKey& caKey, CertRole expectedRole) {
    try {
        X509* cert = leaf.get();
        EVP_PKEY* key = caKey.get();
        if (cert == nullptr || key == nullptr) return false;
        const bool signedByCa = X509_verify(cert, key) == 1;
        ERR_clear_error();
        if (!signedByCa) return false;
        if ((expectedRole != CertRole::Ca) == isCa(cert)) return false;
        ExtensionValue value{CertRole::Host, Bytes{}, std::nullopt};
        if (findExtension(cert, value) != ExtensionLookup::Found) return false;
        if (value.role != expectedRole) return false;
        if (value.role == CertRole::Card)
            return value.cardIndex && *value.cardIndex >= kMinCardIndex && *value.cardIndex <= kMaxCardIndex;
        return !value.cardIndex;
    } catch (...) {
        ERR_clear_error();
        return false;
    }
}

}  // namespace quorum::crypto
