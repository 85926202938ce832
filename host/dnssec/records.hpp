// What KSRs and SKRs are made of (IANA's ksr.rnc): keys, signatures, bundles and the signature
// policy a ZSK or KSK operator states. Plain values; ksr.hpp and skr.hpp read and write them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/dnssec/times.hpp"

namespace quorum::host::dnssec {

constexpr std::uint32_t kRootDnskeyTtl = 172800;
constexpr std::uint16_t kFlagsZone = 0x0100;    // 256: a ZSK
constexpr std::uint16_t kFlagsSep = 0x0001;     // with ZONE, 257: a KSK
constexpr std::uint16_t kFlagsRevoke = 0x0080;  // with ZONE|SEP, 385: a revoked KSK
constexpr std::uint8_t kAlgorithmRsaSha256 = 8;
constexpr std::uint8_t kAlgorithmEcdsaP256Sha256 = 13;

// kskm's name of a DNSSEC algorithm number ("RSASHA256", "ECDSAP256SHA256", "DSA_NSEC3_SHA1"),
// or "algorithm N" for one it does not know.
std::string algorithmName(std::uint8_t algorithm);
// The number of a name algorithmName gives; nullopt for another name.
std::optional<std::uint8_t> algorithmNumber(const std::string& name);
// The algorithms kskm reads at all: 1, 3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16.
bool knownAlgorithm(std::uint8_t algorithm);
bool isRsa(std::uint8_t algorithm);    // 1, 5, 7, 8, 10
bool isEcdsa(std::uint8_t algorithm);  // 13, 14
bool isEddsa(std::uint8_t algorithm);  // 15, 16

// <Key keyIdentifier keyTag> with TTL, Flags, Protocol, Algorithm, PublicKey: one DNSKEY.
struct Key {
    std::string keyIdentifier;  // opaque: a hex X.509 name from Verisign, an HSM label for a KSK
    std::uint16_t keyTag = 0;
    std::uint32_t ttl = kRootDnskeyTtl;
    std::uint16_t flags = kFlagsZone;  // 256, 257 or 385 (nothing else is read)
    std::uint8_t protocol = 3;
    std::uint8_t algorithm = kAlgorithmRsaSha256;
    std::string publicKey;  // base64, exactly as the document has it (kskm compares this text)

    // kskm's key equality: every field, the public key as text.
    bool operator==(const Key& other) const;
    bool operator!=(const Key& other) const { return !(*this == other); }
    // "46809/302e312c...": tag and identifier, for messages.
    std::string describe() const;
};

// <Signature keyIdentifier>: the fields of one RRSIG over the bundle's DNSKEY RRset.
struct Signature {
    std::string keyIdentifier;
    std::uint32_t ttl = kRootDnskeyTtl;
    std::string typeCovered = "DNSKEY";  // the only type KSRs and SKRs carry
    std::uint8_t algorithm = kAlgorithmRsaSha256;
    std::uint8_t labels = 0;
    std::uint32_t originalTtl = kRootDnskeyTtl;
    Time expiration;
    Time inception;
    std::uint16_t keyTag = 0;
    std::string signersName = ".";
    std::string signatureData;  // base64, as the document has it; empty in a template to sign
};

// One algorithm a signature policy allows: RSA with size and exponent, ECDSA or EdDSA with size.
struct AlgorithmPolicy {
    std::uint8_t algorithm = kAlgorithmRsaSha256;
    std::uint32_t size = 2048;       // bits
    std::uint64_t exponent = 65537;  // RSA only

    bool operator==(const AlgorithmPolicy& other) const;
};

// <ZSK> or <KSK> of a RequestPolicy / ResponsePolicy.
struct SignaturePolicy {
    Duration publishSafety{0};
    Duration retireSafety{0};
    Duration maxSignatureValidity{0};
    Duration minSignatureValidity{0};
    Duration maxValidityOverlap{0};
    Duration minValidityOverlap{0};
    std::vector<AlgorithmPolicy> algorithms;  // in document order
};

// The attributes of the root element <KSR id domain serial> that KSRs and SKRs share (an SKR
// echoes its KSR's).
struct KsrHeader {
    std::string id;
    std::uint64_t serial = 0;
    std::string domain = ".";
    std::optional<Time> timestamp;  // kskm reads it from <KSR>; no real file has one
};

// <RequestBundle> or <ResponseBundle>.
struct Bundle {
    std::string id;
    Time inception;
    Time expiration;
    std::vector<std::string>
        signers;            // <Signer keyIdentifier/> of a KSR: read, then ignored as kskm does
    std::vector<Key> keys;  // in document order
    std::vector<Signature> signatures;

    // kskm's fmt_bundle: "id=0a8f7774 2018-01-01->2018-01-22".
    std::string describe() const;
};

}  // namespace quorum::host::dnssec
