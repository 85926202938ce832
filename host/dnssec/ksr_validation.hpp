// The checks kskm (IANA's KSR signer) makes before and while it signs a KSR, in kskm's order,
// each failure a KsrPolicyError naming its Check. Signatures are verified with libldns.
#pragma once

#include <optional>

#include "host/dnssec/ksk_key.hpp"
#include "host/dnssec/ksr.hpp"
#include "host/dnssec/policy.hpp"
#include "host/dnssec/skr.hpp"

namespace quorum::host::dnssec {

// What ksrsigner checks before the HSM is used, in its order:
//  - the previous SKR, if given, as kskm loads it (verifySkr);
//  - the KSR: KSR-DOMAIN; KSR-BUNDLE-UNIQUE, -KEYS, -POP, -COUNT, -CYCLE-DURATION;
//    KSR-POLICY-KEYS, -ALG, -SIG-OVERLAP, -SIG-VALIDITY, -SIG-HORIZON, -BUNDLE-INTERVALS;
//  - against the previous SKR: KSR-ID, KSR-BUNDLE-UNIQUE, KSR-CHAIN-KEYS, KSR-CHAIN-OVERLAP.
// `at` is "now" (KSR-POLICY-SIG-HORIZON): the ceremony's time, or a past one to replay a KSR.
void validateKsr(const Ksr& ksr, const Policy& policy, Time at, const std::optional<Skr>& previous);

// kskm's response policy over an SKR it reads: SKR-BUNDLE-COUNT, then SKR-SIGNATURES - in every
// bundle each keyIdentifier once, each signature by a key of the bundle and verifying over all of
// the bundle's keys (inception and expiration are not looked at, as in kskm).
void verifySkr(const Skr& skr, const Policy& policy);
// SKR-SIGNATURES alone, over every bundle (kskm's check_valid_signatures).
void verifySkrSignatures(const Skr& skr);

// What ksrsigner checks once the KSK is known, still before any signature is made:
//  - KSK-ALGORITHM: every bundle's ZSKs have the KSK's algorithm (unless ksk.require_zsk_algorithm
//    is false);
//  - with a previous SKR: KSR-CHAIN-KEYS (check_chain_keys_in_hsm) - the keys that signed its
//    last bundle are this KSK; KSR-POLICY-SAFETY - checkSkrChain on the SKR this KSK would make.
void validateSigning(const Ksr& ksr, const KskKey& ksk, const Policy& policy,
                     const std::optional<Skr>& previous);

// KSR-POLICY-SAFETY between the previous SKR and a new one (kskm's check_last_skr_and_new_skr):
// PublishSafety - the new first bundle's signers were published in the previous last bundle, early
// enough; RetireSafety - the previous last bundle's signers stay published long enough, and no
// signer of a new bundle vanishes from a later one.
void checkSkrChain(const Skr& next, const Skr& previous, const Policy& policy);

}  // namespace quorum::host::dnssec
