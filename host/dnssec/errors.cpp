#include "host/dnssec/errors.hpp"

namespace quorum::host::dnssec {

const char* checkName(Check check) {
    switch (check) {
        case Check::SkrBundleCount: return "SKR-BUNDLE-COUNT";
        case Check::SkrSignatures: return "SKR-SIGNATURES";
        case Check::KsrDomain: return "KSR-DOMAIN";
        case Check::KsrBundleUnique: return "KSR-BUNDLE-UNIQUE";
        case Check::KsrBundleKeys: return "KSR-BUNDLE-KEYS";
        case Check::KsrBundlePop: return "KSR-BUNDLE-POP";
        case Check::KsrBundleCount: return "KSR-BUNDLE-COUNT";
        case Check::KsrBundleCycleDuration: return "KSR-BUNDLE-CYCLE-DURATION";
        case Check::KsrPolicyKeys: return "KSR-POLICY-KEYS";
        case Check::KsrPolicyAlg: return "KSR-POLICY-ALG";
        case Check::KsrPolicySigOverlap: return "KSR-POLICY-SIG-OVERLAP";
        case Check::KsrPolicySigValidity: return "KSR-POLICY-SIG-VALIDITY";
        case Check::KsrPolicySigHorizon: return "KSR-POLICY-SIG-HORIZON";
        case Check::KsrPolicyBundleIntervals: return "KSR-POLICY-BUNDLE-INTERVALS";
        case Check::KsrId: return "KSR-ID";
        case Check::KsrChainKeys: return "KSR-CHAIN-KEYS";
        case Check::KsrChainOverlap: return "KSR-CHAIN-OVERLAP";
        case Check::KskAlgorithm: return "KSK-ALGORITHM";
        case Check::KsrPolicySafety: return "KSR-POLICY-SAFETY";
    }
    return "KSR-POLICY";
}

KsrPolicyError::KsrPolicyError(Check check, const std::string& message)
    : DnssecError(std::string(checkName(check)) + ": " + message), check_(check) {}

}  // namespace quorum::host::dnssec
