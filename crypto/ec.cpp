#include "crypto/ec.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <array>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "crypto/openssl_util.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto {

namespace {

constexpr std::size_t kScalarSize = 32;
constexpr std::size_t kCoordinateSize = 32;
constexpr const char* kGroupName = SN_X9_62_prime256v1;  // "prime256v1", i.e. NIST P-256

using ossl::fail;
using ossl::Owned;
using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtx = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtx = Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using Bio = ossl::Bio;
using ossl::Bn;
using ossl::BnCtx;
using Group = Owned<EC_GROUP, EC_GROUP_free>;
using Point = Owned<EC_POINT, EC_POINT_clear_free>;
using ParamBld = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = Owned<OSSL_PARAM, OSSL_PARAM_free>;  // cleanses the secure block of a private key

Group p256Group(const std::string& op) {
    Group group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!group) fail(op + ": cannot load the P-256 group");
    return group;
}

// Whether `key` is an EC key on P-256 (whatever name its provider gives the group).
bool isP256(const EVP_PKEY* key) {
    if (key == nullptr || EVP_PKEY_is_a(key, "EC") != 1) return false;
    std::array<char, 64> name{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name.data(), name.size(),
                                       &length) != 1) {
        ERR_clear_error();
        return false;
    }
    int nid = OBJ_sn2nid(name.data());
    if (nid == NID_undef) nid = EC_curve_nist2nid(name.data());
    return nid == NID_X9_62_prime256v1;
}

// The uncompressed encoding (04 || X || Y) of the point `encoded` (any valid SEC 1 encoding).
Bytes uncompressed(const EC_GROUP* group, const Bytes& encoded, const std::string& op) {
    BnCtx bnCtx(BN_CTX_new());
    Point point(EC_POINT_new(group));
    if (!bnCtx || !point) fail(op + ": out of memory");
    if (EC_POINT_oct2point(group, point.get(), encoded.data(), encoded.size(), bnCtx.get()) != 1)
        fail(op + ": the public key is not a point on P-256");
    Bytes out(kP256PointSize);
    if (EC_POINT_point2oct(group, point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                           out.size(), bnCtx.get()) != kP256PointSize)
        fail(op + ": cannot encode the public point");
    return out;
}

// The public point of `key`, always as 04 || X || Y.
Bytes publicPoint(const EVP_PKEY* key, const std::string& op) {
    std::size_t length = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &length) != 1 ||
        length == 0)
        fail(op + ": the key has no public point");
    Bytes encoded(length);
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, encoded.data(),
                                        encoded.size(), &length) != 1)
        fail(op + ": cannot read the public point");
    encoded.resize(length);
    if (encoded.size() == kP256PointSize && encoded[0] == 0x04) return encoded;
    return uncompressed(p256Group(op).get(), encoded, op);
}

// A P-256 EVP_PKEY from its uncompressed public point and, for a key pair, its private scalar.
Pkey buildKey(const Bytes& point, const BIGNUM* privateScalar, const std::string& op) {
    ParamBld builder(OSSL_PARAM_BLD_new());
    if (!builder) fail(op + ": OSSL_PARAM_BLD_new failed");
    if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kGroupName,
                                        0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1)
        fail(op + ": cannot build the key parameters");
    if (privateScalar != nullptr &&
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, privateScalar) != 1)
        fail(op + ": cannot build the private key parameter");
    Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    if (!params) fail(op + ": OSSL_PARAM_BLD_to_param failed");

    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx) fail(op + ": EVP_PKEY_CTX_new_from_name(EC) failed");
    if (EVP_PKEY_fromdata_init(ctx.get()) != 1) fail(op + ": EVP_PKEY_fromdata_init failed");
    EVP_PKEY* raw = nullptr;
    const int selection = privateScalar != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
    if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1 || raw == nullptr)
        fail(op + ": EVP_PKEY_fromdata refused the key");
    return Pkey(raw);
}

// A key pair from the scalar `d` (checked to be in [1, n-1]); `d` is made constant-time.
Pkey keyPairFromScalar(BIGNUM* d, const std::string& op) {
    BN_set_flags(d, BN_FLG_CONSTTIME);
    const Group group = p256Group(op);
    const BIGNUM* order = EC_GROUP_get0_order(group.get());
    if (order == nullptr) fail(op + ": cannot read the P-256 group order");
    if (BN_is_zero(d) || BN_is_negative(d) || BN_cmp(d, order) >= 0)
        throw CryptoError(op + ": the private scalar is not in [1, n-1] for P-256");

    BnCtx bnCtx(BN_CTX_secure_new());
    Point q(EC_POINT_new(group.get()));
    if (!bnCtx || !q) fail(op + ": out of memory");
    if (EC_POINT_mul(group.get(), q.get(), d, nullptr, nullptr, bnCtx.get()) != 1)
        fail(op + ": cannot compute the public point");
    Bytes point(kP256PointSize);
    if (EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, point.data(),
                           point.size(), bnCtx.get()) != kP256PointSize)
        fail(op + ": cannot encode the public point");
    return buildKey(point, d, op);
}

// The password callback for reading PEM: hands over the caller's passphrase, never prompts.
struct PassphraseRequest {
    const std::string* passphrase = nullptr;
    bool asked = false;
};

int passphraseCallback(char* buffer, int size, int /*rwflag*/, void* user) {
    auto* request = static_cast<PassphraseRequest*>(user);
    request->asked = true;
    const std::string& passphrase = *request->passphrase;
    if (passphrase.empty() || size < 0 || passphrase.size() > static_cast<std::size_t>(size))
        return -1;
    std::memcpy(buffer, passphrase.data(), passphrase.size());
    return static_cast<int>(passphrase.size());
}

}  // namespace

// ----- EcPrivateKey ---------------------------------------------------------------------------

void EcPrivateKey::Free::operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }

EcPrivateKey::EcPrivateKey(EcPrivateKey&&) noexcept = default;
EcPrivateKey& EcPrivateKey::operator=(EcPrivateKey&&) noexcept = default;
EcPrivateKey::~EcPrivateKey() = default;

EcPrivateKey EcPrivateKey::generate() {
    const std::string op = "EcPrivateKey::generate";
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx) fail(op + ": EVP_PKEY_CTX_new_from_name(EC) failed");
    if (EVP_PKEY_keygen_init(ctx.get()) != 1) fail(op + ": EVP_PKEY_keygen_init failed");
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                         const_cast<char*>(kGroupName), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1) fail(op + ": cannot select P-256");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) != 1 || raw == nullptr)
        fail(op + ": EVP_PKEY_generate failed");
    return EcPrivateKey(raw);
}

EcPrivateKey EcPrivateKey::fromScalar(const Bytes& scalar) {
    const std::string op = "EcPrivateKey::fromScalar";
    if (scalar.size() != kScalarSize)
        throw CryptoError(op + ": the private scalar must be 32 bytes, not " +
                          std::to_string(scalar.size()));
    Bn d(BN_secure_new());
    if (!d) fail(op + ": BN_secure_new failed");
    if (BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), d.get()) == nullptr)
        fail(op + ": BN_bin2bn failed");
    return EcPrivateKey(keyPairFromScalar(d.get(), op).release());
}

EcPrivateKey EcPrivateKey::fromPem(const std::string& pem, const std::string& passphrase) {
    const std::string op = "EcPrivateKey::fromPem";
    if (pem.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError(op + ": PEM too long");
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) fail(op + ": BIO_new_mem_buf failed");

    PassphraseRequest request{&passphrase, false};
    Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, &request));
    if (!key) {
        if (request.asked && passphrase.empty())
            fail(op + ": the private key is encrypted and no passphrase was given");
        if (request.asked) fail(op + ": wrong passphrase, or the encrypted key is damaged");
        fail(op + ": no readable PEM private key");
    }
    if (!isP256(key.get())) {
        ERR_clear_error();
        throw CryptoError(op + ": the private key is not a P-256 EC key");
    }

    // Rebuild from the scalar: checks its range and guarantees the public point is present.
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1 || raw == nullptr)
        fail(op + ": the key has no private scalar");
    Bn d(raw);
    return EcPrivateKey(keyPairFromScalar(d.get(), op).release());
}

EcPublicKey EcPrivateKey::publicKey() const {
    const std::string op = "EcPrivateKey::publicKey";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    return EcPublicKey::fromPoint(publicPoint(key_.get(), op));
}

Bytes EcPrivateKey::scalar() const {
    const std::string op = "EcPrivateKey::scalar";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1 || raw == nullptr)
        fail(op + ": cannot read the private scalar");
    const Bn d(raw);
    Bytes out(kScalarSize);
    if (BN_bn2binpad(d.get(), out.data(), static_cast<int>(out.size())) !=
        static_cast<int>(kScalarSize))
        fail(op + ": BN_bn2binpad failed");
    return out;
}

std::string EcPrivateKey::toPem(const std::string& passphrase) const {
    const std::string op = "EcPrivateKey::toPem";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    if (passphrase.size() > static_cast<std::size_t>(INT_MAX))
        throw CryptoError(op + ": passphrase too long");
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio) fail(op + ": BIO_new failed");
    const bool encrypt = !passphrase.empty();
    if (PEM_write_bio_PKCS8PrivateKey(bio.get(), key_.get(),
                                      encrypt ? EVP_aes_256_cbc() : nullptr,
                                      encrypt ? passphrase.data() : nullptr,
                                      static_cast<int>(passphrase.size()), nullptr,
                                      nullptr) != 1)
        fail(op + ": PEM_write_bio_PKCS8PrivateKey failed");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) fail(op + ": the PEM output is empty");
    // The memory BIO's buffer is cleansed when it is freed (BUF_MEM_free uses clear_free).
    return std::string(data, static_cast<std::size_t>(length));
}

Bytes EcPrivateKey::ecdh(const EcPublicKey& peer) const {
    const std::string op = "EcPrivateKey::ecdh";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    if (peer.get() == nullptr) throw CryptoError(op + ": the peer key was moved from");
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    if (!ctx) fail(op + ": EVP_PKEY_CTX_new_from_pkey failed");
    if (EVP_PKEY_derive_init(ctx.get()) != 1) fail(op + ": EVP_PKEY_derive_init failed");
    if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), 1) != 1)
        fail(op + ": the peer key was refused");
    std::size_t length = 0;
    if (EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) fail(op + ": EVP_PKEY_derive failed");
    Bytes secret(length);
    if (EVP_PKEY_derive(ctx.get(), secret.data(), &length) != 1)
        fail(op + ": EVP_PKEY_derive failed");
    secret.resize(length);
    if (secret.size() != kCoordinateSize)
        throw CryptoError(op + ": unexpected shared secret length " +
                          std::to_string(secret.size()));
    return secret;
}

Bytes EcPrivateKey::signSha256(const Bytes& message) const {
    const std::string op = "EcPrivateKey::signSha256";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) fail(op + ": EVP_MD_CTX_new failed");
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(),
                              nullptr) != 1)
        fail(op + ": EVP_DigestSignInit_ex failed");
    std::size_t length = 0;
    if (EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1)
        fail(op + ": cannot size the signature");
    Bytes signature(length);
    if (EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()) !=
        1)
        fail(op + ": EVP_DigestSign failed");
    signature.resize(length);
    return signature;
}

// ----- EcPublicKey ----------------------------------------------------------------------------

void EcPublicKey::Free::operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }

EcPublicKey::EcPublicKey(const EcPublicKey& other) : key_(nullptr) {
    if (other.key_) {
        if (EVP_PKEY_up_ref(other.key_.get()) != 1) fail("EcPublicKey copy: EVP_PKEY_up_ref failed");
        key_.reset(other.key_.get());
    }
}

EcPublicKey& EcPublicKey::operator=(const EcPublicKey& other) {
    if (this != &other) {
        EcPublicKey copy(other);
        key_ = std::move(copy.key_);
    }
    return *this;
}

EcPublicKey::EcPublicKey(EcPublicKey&&) noexcept = default;
EcPublicKey& EcPublicKey::operator=(EcPublicKey&&) noexcept = default;
EcPublicKey::~EcPublicKey() = default;

EcPublicKey EcPublicKey::fromPoint(const Bytes& point) {
    const std::string op = "EcPublicKey::fromPoint";
    if (point.size() != kP256PointSize)
        throw CryptoError(op + ": a P-256 point is 65 bytes (04 || X || Y), not " +
                          std::to_string(point.size()));
    if (point[0] != 0x04)
        throw CryptoError(op + ": the point must be uncompressed (first byte 04, not " +
                          toHex(point.data(), 1) + ")");

    const Group group = p256Group(op);
    BnCtx bnCtx(BN_CTX_new());
    Point q(EC_POINT_new(group.get()));
    if (!bnCtx || !q) fail(op + ": out of memory");
    // oct2point refuses coordinates >= p and points off the curve.
    if (EC_POINT_oct2point(group.get(), q.get(), point.data(), point.size(), bnCtx.get()) != 1 ||
        EC_POINT_is_on_curve(group.get(), q.get(), bnCtx.get()) != 1 ||
        EC_POINT_is_at_infinity(group.get(), q.get()) == 1) {
        ERR_clear_error();
        throw CryptoError(op + ": the point is not on P-256");
    }

    Pkey key = buildKey(point, nullptr, op);
    PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    if (!check) fail(op + ": EVP_PKEY_CTX_new_from_pkey failed");
    if (EVP_PKEY_public_check(check.get()) != 1) fail(op + ": the public key check failed");
    return EcPublicKey(key.release());
}

EcPublicKey EcPublicKey::fromEvp(EVP_PKEY* key) {
    const std::string op = "EcPublicKey::fromEvp";
    if (key == nullptr) throw CryptoError(op + ": null key");
    if (!isP256(key)) throw CryptoError(op + ": the key is not a P-256 EC key");
    (void)publicPoint(key, op);  // throws if the key carries no usable public point
    if (EVP_PKEY_up_ref(key) != 1) fail(op + ": EVP_PKEY_up_ref failed");
    return EcPublicKey(key);
}

Bytes EcPublicKey::point() const {
    const std::string op = "EcPublicKey::point";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    return publicPoint(key_.get(), op);
}

bool EcPublicKey::verifySha256(const Bytes& message, const Bytes& derSignature) const {
    const std::string op = "EcPublicKey::verifySha256";
    if (!key_) throw CryptoError(op + ": the key was moved from");
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) fail(op + ": EVP_MD_CTX_new failed");
    if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key_.get(),
                                nullptr) != 1)
        fail(op + ": EVP_DigestVerifyInit_ex failed");
    // 1: valid; 0: invalid; negative: malformed signature or other error. Only 1 is accepted.
    const int result = EVP_DigestVerify(ctx.get(), derSignature.data(), derSignature.size(),
                                        message.data(), message.size());
    ERR_clear_error();
    return result == 1;
}

}  // namespace quorum::crypto
