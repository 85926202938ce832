// The KSK operator's signing policy: which KSRs are acceptable, what a previous SKR must look
// like, and the KSK section written into SKRs. Defaults are kskm's ksrsigner defaults
// (request_policy, response_policy) and, for the KSK section, the values IANA's production SKRs
// carry (PT0S, P28D, P21D, P21D, P16D, P9D), so a default SKR matches IANA's.
//
// As a file, JSON with kskm's names (so a ksrsigner.yaml translates line by line):
//   { "format": "quorum-ksr-policy", "version": 1,
//     "request":  { "num_bundles": 9, "signature_horizon_days": 180, ... },
//     "response": { "num_bundles": 9, "validate_signatures": true },
//     "ksk":      { "publish_safety": "PT0S", "retire_safety": "P28D", ... } }
// Every section and every key is optional (missing ones keep the defaults); unknown keys,
// duplicate keys and wrong types are refused, as kskm refuses them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/dnssec/times.hpp"

namespace quorum::host::dnssec {

struct RequestPolicy {
    std::vector<std::string> acceptableDomains{"."};
    int numBundles = 9;
    bool validateSignatures = true;         // KSR-BUNDLE-POP
    bool keysMatchZskPolicy = true;         // KSR-BUNDLE-KEYS
    bool rsaExponentMatchZskPolicy = true;  // KSR-BUNDLE-KEYS: false tolerates historic KSRs
    bool enableUnsupportedEcdsa = false;    // KSR-POLICY-ALG
    bool enableUnsupportedEdwardsDsa = false;
    bool checkCycleLength = true;  // KSR-BUNDLE-CYCLE-DURATION
    Duration minCycleInceptionLength = days(79);
    Duration maxCycleInceptionLength = days(81);
    Duration minBundleInterval = days(9);  // KSR-POLICY-BUNDLE-INTERVALS
    Duration maxBundleInterval = days(11);
    bool checkBundleOverlap = true;                   // KSR-POLICY-SIG-OVERLAP
    bool signatureAlgorithmsMatchZskPolicy = true;    // KSR-POLICY-ALG
    std::vector<std::uint8_t> approvedAlgorithms{8};  // in JSON by name: ["RSASHA256"]
    std::vector<std::uint64_t> rsaApprovedExponents{65537};
    std::vector<std::uint32_t> rsaApprovedKeySizes{2048};
    bool signatureValidityMatchZskPolicy = true;  // KSR-POLICY-SIG-VALIDITY
    bool checkKeysMatchKskOperatorPolicy = true;  // KSR-POLICY-KEYS
    std::vector<int> numKeysPerBundle{2, 1, 1, 1, 1, 1, 1, 1, 2};
    int numDifferentKeysInAllBundles = 3;
    bool signatureCheckExpireHorizon = true;  // KSR-POLICY-SIG-HORIZON
    int signatureHorizonDays = 180;
    bool checkBundleIntervals = true;
    bool checkChainKeys = true;          // KSR-CHAIN-KEYS
    bool checkChainKeysInHsm = true;     // KSR-CHAIN-KEYS: the previous signers are our KSK
    bool checkChainOverlap = true;       // KSR-CHAIN-OVERLAP
    bool checkKeysPublishSafety = true;  // KSR-POLICY-SAFETY
    bool checkKeysRetireSafety = true;
};

// How a previous SKR is checked when it is read (kskm's response_policy).
struct ResponsePolicy {
    int numBundles = 9;
    bool validateSignatures = true;
};

// The <KSK> section of every SKR, and the safety periods checked against the previous SKR.
struct KskPolicy {
    Duration publishSafety = days(0);
    Duration retireSafety = days(28);
    Duration maxSignatureValidity = days(21);
    Duration minSignatureValidity = days(21);
    Duration maxValidityOverlap = days(16);
    Duration minValidityOverlap = days(9);
    // kskm refuses a KSK whose algorithm differs from the ZSKs' (RFC 6840 5.11 wants every
    // algorithm of the DNSKEY RRset to sign it); false allows, e.g., a P-256 KSK over RSA ZSKs.
    bool requireZskAlgorithm = true;
};

struct Policy {
    static constexpr const char* kFormat = "quorum-ksr-policy";
    static constexpr int kVersion = 1;

    RequestPolicy request;
    ResponsePolicy response;
    KskPolicy ksk;

    // Every field, in the JSON layout above.
    std::string toJson() const;
    // DocumentError naming `source` and the key otherwise; the same range checks as kskm
    // (num_bundles, signature_horizon_days, num_different_keys_in_all_bundles at least 1).
    static Policy fromJson(const std::string& text, const std::string& source = "policy");
    static Policy load(const std::string& path);
};

}  // namespace quorum::host::dnssec
