// What host/dnssec reports. Every failure is a FatalError (the signing cannot go on with this
// input), in branches a caller can act on without reading the message:
//
//   DnssecError
//   +-- DocumentError    a KSR, SKR or policy file that cannot be read: not XML/JSON, an unknown
//   |                    element, a missing or malformed field, too large; names file and field
//   +-- KsrPolicyError   a rule of the signing policy is broken: which one is check(), the
//   |                    message says it as kskm does, naming the bundle and the key
//   +-- SignatureError   a signature handed in does not verify with the KSK over what it signs
//                        (a card, the HSM or a combination produced a wrong one): names the bundle
#pragma once

#include <string>

#include "host/base/error.hpp"

namespace quorum::host::dnssec {

class DnssecError : public FatalError {
public:
    using FatalError::FatalError;
};

class DocumentError : public DnssecError {
public:
    using DnssecError::DnssecError;
};

// The rules, named as kskm names them (KSR-BUNDLE-POP ...), in the order validateKsr applies them.
enum class Check {
    // The previous SKR, as kskm's response policy checks it when it is loaded.
    SkrBundleCount,  // SKR-BUNDLE-COUNT: the previous SKR has response.num_bundles bundles
    SkrSignatures,   // SKR-SIGNATURES: every RRSIG of the previous SKR verifies
    // The KSR alone.
    KsrDomain,        // KSR-DOMAIN
    KsrBundleUnique,  // KSR-BUNDLE-UNIQUE (within the KSR, and against the previous SKR)
    KsrBundleKeys,    // KSR-BUNDLE-KEYS: ZSKs consistent, match the ZSK policy, flags, key tag
    KsrBundlePop,     // KSR-BUNDLE-POP: every ZSK self-signature verifies; every ZSK signed
    KsrBundleCount,   // KSR-BUNDLE-COUNT
    KsrBundleCycleDuration,    // KSR-BUNDLE-CYCLE-DURATION
    KsrPolicyKeys,             // KSR-POLICY-KEYS: keys per bundle, distinct keys in all bundles
    KsrPolicyAlg,              // KSR-POLICY-ALG: the ZSK policy's algorithms and parameters
    KsrPolicySigOverlap,       // KSR-POLICY-SIG-OVERLAP
    KsrPolicySigValidity,      // KSR-POLICY-SIG-VALIDITY
    KsrPolicySigHorizon,       // KSR-POLICY-SIG-HORIZON (too far ahead, or already in the past)
    KsrPolicyBundleIntervals,  // KSR-POLICY-BUNDLE-INTERVALS
    // The KSR against the previous SKR.
    KsrId,            // KSR-ID: not the previous SKR's id (a replayed KSR)
    KsrChainKeys,     // KSR-CHAIN-KEYS: first bundle's keys in the previous SKR's last bundle;
                      // the previous SKR's last signers are the KSK we sign with
    KsrChainOverlap,  // KSR-CHAIN-OVERLAP
    // The SKR about to be made, against the KSK and the previous SKR.
    KskAlgorithm,     // KSK-ALGORITHM: the KSK's algorithm is the ZSKs' algorithm
    KsrPolicySafety,  // KSR-POLICY-SAFETY: PublishSafety and RetireSafety
};

// "KSR-BUNDLE-POP" and so on.
const char* checkName(Check check);

class KsrPolicyError : public DnssecError {
public:
    // what() is "CHECK-NAME: message".
    KsrPolicyError(Check check, const std::string& message);
    Check check() const { return check_; }

private:
    Check check_;
};

class SignatureError : public DnssecError {
public:
    SignatureError(const std::string& bundleId, const std::string& message)
        : DnssecError(message), bundleId_(bundleId) {}
    // The bundle whose RRSIG failed; empty for an RRset outside an SKR.
    const std::string& bundleId() const { return bundleId_; }

private:
    std::string bundleId_;
};

}  // namespace quorum::host::dnssec
