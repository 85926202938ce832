// The ceremony CA and its X.509 certificates (P-256, ECDSA-SHA256): host certificates (role
// host) and card certificates (role card, card-set id, card index), and their verification.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/ec.hpp"

typedef struct x509_st X509;

namespace quorum::crypto {

// A certificate was refused; the message names the reason a person can act on ("issued by
// another CA", "belongs to card set 1A2B..., expected 3C4D...", "role is host, expected card",
// "expired on 2027-01-01").
class CertificateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class CertRole { Ca, Host, Card };
const char* roleName(CertRole role);

constexpr std::size_t kCardSetIdSize = 16;

// What the project's own certificate extension says.
struct CertificateInfo {
    CertRole role = CertRole::Host;
    Bytes cardSetId;               // every certificate of a ceremony CA carries its card set
    std::optional<int> cardIndex;  // card certificates only: 1..255
    std::string subject;           // the subject's common name
};

class Certificate {
public:
    static Certificate fromDer(const Bytes& der);        // throws CertificateError if malformed
    static Certificate fromPem(const std::string& pem);  // likewise
    Certificate(const Certificate&);
    Certificate& operator=(const Certificate&);
    Certificate(Certificate&&) noexcept;
    Certificate& operator=(Certificate&&) noexcept;
    ~Certificate();

    Bytes der() const;
    std::string pem() const;
    EcPublicKey publicKey() const;   // throws CertificateError if not a P-256 key
    CertificateInfo info() const;    // throws CertificateError without the project's extension
    Bytes sha256Fingerprint() const; // SHA-256 of the DER
    X509* get() const { return cert_.get(); }

private:
    struct Free {
        void operator()(X509* c) const noexcept;
    };
    explicit Certificate(X509* cert) : cert_(cert) {}
    std::unique_ptr<X509, Free> cert_;
};

class CeremonyCa {
public:
    // A new CA: fresh P-256 key, self-signed certificate (role ca, basicConstraints CA:TRUE,
    // keyUsage keyCertSign) carrying `cardSetId` (16 bytes).
    static CeremonyCa create(const std::string& name, const Bytes& cardSetId, int validityDays = 3650);
    // From its certificate and its PKCS#8 key (encrypted under `passphrase` unless empty);
    // throws CertificateError / CryptoError naming what is wrong (wrong passphrase, key does not
    // match the certificate...).
    static CeremonyCa load(const std::string& certificatePem, const std::string& keyPem,
                           const std::string& passphrase);

    const Certificate& certificate() const { return certificate_; }
    const EcPrivateKey& key() const { return key_; }
    const Bytes& cardSetId() const { return cardSetId_; }

    Certificate issueHost(const EcPublicKey& subjectKey, const std::string& name,
                          int validityDays = 365) const;
    Certificate issueCard(const EcPublicKey& subjectKey, int cardIndex,
                          int validityDays = 3650) const;

private:
    CeremonyCa(Certificate certificate, EcPrivateKey key, Bytes cardSetId);
    Certificate certificate_;
    EcPrivateKey key_;
    Bytes cardSetId_;
};

// Host side: `leaf` must be signed by `ca` (its key and name), within its validity period,
// of `expectedRole`, and belong to `expectedCardSet` (when given). Returns its info; throws
// CertificateError naming the first reason it is refused.
CertificateInfo verifyCertificate(const Certificate& leaf, const Certificate& ca,
                                  CertRole expectedRole,
                                  const std::optional<Bytes>& expectedCardSet = std::nullopt);

// Card side (no clock, no name store): `leaf` is signed by `caKey` and has `expectedRole`.
// Returns false instead of throwing, for any reason.
bool verifySignedWithRole(const Certificate& leaf, const EcPublicKey& caKey, CertRole expectedRole);

}  // namespace quorum::crypto
