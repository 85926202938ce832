// The KSK as DNSSEC sees it: the card set's public key (PEM SubjectPublicKeyInfo from the
// manifest) as a DNSKEY - RSA as algorithm 8 (RSASHA256, RFC 3110 / 5702), P-256 as algorithm 13
// (ECDSAP256SHA256, RFC 6605) - with flags 257, protocol 3, TTL 172800; its key tag and DS.
// libldns builds the records; OpenSSL only reads the PEM.
#pragma once

#include <cstdint>
#include <string>

#include "apdu/bytes.hpp"
#include "host/dnssec/records.hpp"

namespace quorum::host::dnssec {

class KskKey {
public:
    // `label` is the SKR keyIdentifier and the root-anchors KeyDigest id (IANA: "Klajeyz").
    // DnssecError for a key that is neither RSA nor P-256, or a label that cannot be an XML token.
    static KskKey fromPublicKeyPem(const std::string& pem, const std::string& label);
    // A DNSKEY given by its fields (e.g. IANA's KSK-2017, for checks against published values).
    static KskKey fromDnskey(std::uint16_t flags, std::uint8_t algorithm,
                             const std::string& publicKeyBase64, const std::string& label);

    const std::string& label() const { return label_; }
    std::uint16_t flags() const { return flags_; }
    std::uint8_t algorithm() const { return algorithm_; }
    const std::string& publicKeyBase64() const { return publicKey_; }  // one line, padded
    std::uint16_t keyTag() const { return keyTag_; }
    // Modulus bits (RSA) or curve bits (ECDSA); the RSA exponent, 0 for ECDSA.
    std::uint32_t bits() const { return bits_; }
    std::uint64_t exponent() const { return exponent_; }

    // The key as an SKR <Key>: keyIdentifier = label, TTL 172800.
    Key asKey() const;
    // "ZONE. TTL IN DNSKEY 257 3 8 AwEAA..." (ldns's presentation: tab separated, one line).
    std::string dnskeyRecord(const std::string& zone = ".",
                             std::uint32_t ttl = kRootDnskeyTtl) const;
    // "ZONE. 172800 IN DS 20326 8 2 e06d..." with a SHA-256 digest (digest type 2).
    std::string dsRecord(const std::string& zone = ".") const;
    // The SHA-256 DS digest in upper-case hex, as root-anchors.xml writes it.
    std::string dsDigestHex(const std::string& zone = ".") const;

private:
    KskKey() = default;
    std::string label_;
    std::uint16_t flags_ = 257;
    std::uint8_t algorithm_ = kAlgorithmRsaSha256;
    std::string publicKey_;
    std::uint16_t keyTag_ = 0;
    std::uint32_t bits_ = 0;
    std::uint64_t exponent_ = 0;
};

// RFC 6605 4: an ECDSA P-256 signature as DNSSEC carries it, r || s in 32 bytes each, from the
// DER ECDSA-Sig-Value that OpenSSL and the HSM layer give; DnssecError if it is not one.
Bytes ecdsaP256SignatureFromDer(const Bytes& der);

}  // namespace quorum::host::dnssec
