// P-256 keys: generation, ECDH, ECDSA, and the uncompressed point encoding (04 || X || Y).
#pragma once

#include <memory>
#include <string>

#include "apdu/bytes.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace quorum::crypto {

constexpr std::size_t kP256PointSize = 65;  // 04 || X(32) || Y(32)

class EcPublicKey;

// A P-256 private key (with its public half). Move-only.
class EcPrivateKey {
public:
    static EcPrivateKey generate();
    // From the 32-byte private scalar (big-endian); throws CryptoError if out of range.
    static EcPrivateKey fromScalar(const Bytes& scalar);
    // From PEM (PKCS#8, optionally encrypted with `passphrase`); throws CryptoError naming why.
    static EcPrivateKey fromPem(const std::string& pem, const std::string& passphrase = "");

    EcPrivateKey(EcPrivateKey&&) noexcept;
    EcPrivateKey& operator=(EcPrivateKey&&) noexcept;
    ~EcPrivateKey();

    EcPublicKey publicKey() const;
    // The 32-byte private scalar (a secret: zeroized when the Bytes dies).
    Bytes scalar() const;
    // PKCS#8 PEM; encrypted with AES-256-CBC under `passphrase` (scrypt/PBKDF2) unless empty.
    std::string toPem(const std::string& passphrase = "") const;

    // ECDH: the 32-byte x coordinate of the shared point (SEC 1 3.3.1, as GP SCP11 uses).
    Bytes ecdh(const EcPublicKey& peer) const;
    // ECDSA with SHA-256 over `message`; DER-encoded signature.
    Bytes signSha256(const Bytes& message) const;

    EVP_PKEY* get() const { return key_.get(); }

private:
    struct Free {
        void operator()(EVP_PKEY* k) const noexcept;
    };
    explicit EcPrivateKey(EVP_PKEY* key) : key_(key) {}
    std::unique_ptr<EVP_PKEY, Free> key_;
};

class EcPublicKey {
public:
    // From the 65-byte uncompressed point; throws CryptoError if it is not a point on P-256.
    static EcPublicKey fromPoint(const Bytes& point);
    // Takes a reference on `key`, which must be a P-256 key (throws CryptoError otherwise).
    static EcPublicKey fromEvp(EVP_PKEY* key);

    EcPublicKey(const EcPublicKey&);
    EcPublicKey& operator=(const EcPublicKey&);
    EcPublicKey(EcPublicKey&&) noexcept;
    EcPublicKey& operator=(EcPublicKey&&) noexcept;
    ~EcPublicKey();

    Bytes point() const;  // 04 || X || Y
    bool verifySha256(const Bytes& message, const Bytes& derSignature) const;
    EVP_PKEY* get() const { return key_.get(); }

private:
    struct Free {
        void operator()(EVP_PKEY* k) const noexcept;
    };
    explicit EcPublicKey(EVP_PKEY* key) : key_(key) {}
    std::unique_ptr<EVP_PKEY, Free> key_;
};

}  // namespace quorum::crypto
