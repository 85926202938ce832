#include "host/dnssec/ksr_validation.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ldns_objects.hpp"
#include "host/dnssec/skr_signing.hpp"

namespace quorum::host::dnssec {
namespace {

constexpr std::uint8_t kDeprecatedAlgorithms[] = {1, 3, 6, 12};  // RFC 8624 MUST NOT
constexpr std::uint8_t kSupportedAlgorithms[] = {8, 10, 13, 14, 15, 16};

[[noreturn]] void violated(Check check, const std::string& message) {
    throw KsrPolicyError(check, message);
}

template <typename T>
std::string listText(const std::vector<T>& values) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i)
        text += (i ? ", " : "") + std::to_string(values[i]);
    return text + "]";
}

std::string algorithmsText(const std::vector<std::uint8_t>& algorithms) {
    std::string text = "[";
    for (std::size_t i = 0; i < algorithms.size(); ++i)
        text += (i ? ", " : "") + algorithmName(algorithms[i]);
    return text + "]";
}

template <typename C, typename T>
bool contains(const C& values, const T& value) {
    return std::find(std::begin(values), std::end(values), value) != std::end(values);
}

// kskm's validate_signatures over one bundle: every signature by a key of the bundle, verifying
// over the DNSKEY RRset of all its keys. `check` names the failure (KSR POP or SKR signatures).
void checkBundleSignatures(const Bundle& bundle, Check check) {
    if (bundle.keys.empty()) violated(check, "No keys in bundle " + bundle.id);
    if (bundle.signatures.empty()) violated(check, "No signature in bundle " + bundle.id);
    std::map<std::string, const Key*> keys;
    for (const Key& key : bundle.keys)
        if (!keys.emplace(key.keyIdentifier, &key).second)
            violated(check, "More than one key with key_identifier " + key.keyIdentifier +
                                " in bundle " + bundle.id);
    for (const Signature& signature : bundle.signatures) {
        const auto found = keys.find(signature.keyIdentifier);
        if (found == keys.end())
            violated(check, "No key with key_identifier " + signature.keyIdentifier +
                                " in bundle " + bundle.id);
        ldns_status status = LDNS_STATUS_ERR;
        try {
            const ldns::RrList rrset = ldns::dnskeyRrset(signature.signersName, bundle.keys);
            const ldns::Rr rrsig = ldns::rrsigRecord(signature.signersName, signature);
            const ldns::Rr dnskey = ldns::dnskeyRecord(signature.signersName, *found->second);
            status = ldns::verify(rrset.get(), rrsig.get(), dnskey.get());
        } catch (const DnssecError& e) {
            violated(check, "Invalid signature encountered in bundle " + bundle.id + " (key " +
                                found->second->describe() + ": " + e.what() + ")");
        }
        if (status != LDNS_STATUS_OK)
            violated(check, "Invalid signature encountered in bundle " + bundle.id + " (key " +
                                found->second->describe() + ": " + ldns::statusText(status) + ")");
    }
}

// ---- KSR header and bundles (kskm's verify_header, verify_bundles) --------------------------

void checkDomain(const Ksr& ksr, const RequestPolicy& policy) {
    if (contains(policy.acceptableDomains, ksr.domain)) return;
    std::string domains = "[";
    for (std::size_t i = 0; i < policy.acceptableDomains.size(); ++i)
        domains += (i ? ", '" : "'") + policy.acceptableDomains[i] + "'";
    violated(Check::KsrDomain, "Request domain '" + ksr.domain +
                                   "' not in policy's acceptable domains " + domains + "]");
}

void checkUniqueIds(const Ksr& ksr) {
    std::set<std::string> seen;
    for (const Bundle& bundle : ksr.bundles)
        if (!seen.insert(bundle.id).second)
            violated(Check::KsrBundleUnique, "More than one bundle with id " + bundle.id);
}

// Whether `key` (a DNSKEY as ldns holds it) has an algorithm, size and exponent the ZSK policy
// claims.
bool matchesZskPolicy(const Ksr& ksr, const Key& key, const ldns_rr* dnskey, bool ignoreExponent) {
    const std::uint32_t bits = ldns::keyBits(dnskey);
    const auto exponent = ldns::rsaExponent(dnskey);
    for (const AlgorithmPolicy& allowed : ksr.zskPolicy.algorithms) {
        if (allowed.algorithm != key.algorithm || allowed.size != bits) continue;
        if (!isRsa(key.algorithm) || ignoreExponent || (exponent && *exponent == allowed.exponent))
            return true;
    }
    return false;
}

void checkKeysMatchZskPolicy(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.keysMatchZskPolicy) return;
    std::map<std::string, Key> seen;
    for (const Bundle& bundle : ksr.bundles) {
        for (const Key& key : bundle.keys) {
            const auto before = seen.find(key.keyIdentifier);
            if (before != seen.end()) {
                if (before->second == key) continue;
                violated(Check::KsrBundleKeys,
                         "Key tag " + key.keyIdentifier +
                             " matches two different keys (the second one in bundle " + bundle.id +
                             ")");
            }
            const std::string which = "Key " + key.keyIdentifier + " in bundle " + bundle.id;
            if (!isRsa(key.algorithm) && !isEcdsa(key.algorithm) && !isEddsa(key.algorithm))
                violated(Check::KsrBundleKeys,
                         which + " uses unhandled algorithm: " + algorithmName(key.algorithm));
            ldns::Rr dnskey;
            try {
                dnskey = ldns::dnskeyRecord(".", key);
            } catch (const DnssecError& e) {
                violated(Check::KsrBundleKeys, which + " is not a DNSKEY: " + e.what());
            }
            if (!ldns::publicKeyDecodes(dnskey.get()))
                violated(Check::KsrBundleKeys,
                         which + " is not a valid " + algorithmName(key.algorithm) + " public key");
            bool matches = matchesZskPolicy(ksr, key, dnskey.get(), false);
            // Historic KSRs claim exponent 3 for keys with 65537; a policy may tolerate it.
            if (!matches && isRsa(key.algorithm) && !policy.rsaExponentMatchZskPolicy)
                matches = matchesZskPolicy(ksr, key, dnskey.get(), true);
            if (!matches)
                violated(Check::KsrBundleKeys, which + " does not match the ZSK SignaturePolicy");
            seen.emplace(key.keyIdentifier, key);
            if (key.flags != kFlagsZone)
                violated(Check::KsrBundleKeys, which + " has flags " + std::to_string(key.flags) +
                                                   ", only " + std::to_string(kFlagsZone) +
                                                   " acceptable");
            const std::uint16_t tag = ldns::keyTag(dnskey.get());
            if (tag != key.keyTag)
                violated(Check::KsrBundleKeys, which + " has key tag " +
                                                   std::to_string(key.keyTag) + ", should be " +
                                                   std::to_string(tag));
        }
    }
}

void checkProofOfPossession(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.validateSignatures) return;
    for (const Bundle& bundle : ksr.bundles) {
        checkBundleSignatures(bundle, Check::KsrBundlePop);
        for (const Key& key : bundle.keys) {
            const bool signer = std::any_of(
                bundle.signatures.begin(), bundle.signatures.end(),
                [&](const Signature& s) { return s.keyIdentifier == key.keyIdentifier; });
            if (!signer)
                violated(Check::KsrBundlePop, "Key " + key.describe() +
                                                  " was not used to sign the keys in bundle " +
                                                  bundle.id);
        }
    }
}

void checkBundleCount(const Ksr& ksr, const RequestPolicy& policy) {
    if (static_cast<int>(ksr.bundles.size()) != policy.numBundles)
        violated(Check::KsrBundleCount, "Wrong number of bundles in request (" +
                                            std::to_string(ksr.bundles.size()) + ", expected " +
                                            std::to_string(policy.numBundles) + ")");
}

void checkCycleDuration(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.checkCycleLength || ksr.bundles.empty()) return;
    const Duration length = ksr.bundles.back().inception - ksr.bundles.front().inception;
    if (length < policy.minCycleInceptionLength)
        violated(Check::KsrBundleCycleDuration,
                 "Cycle inception length (" + describeDuration(length) +
                     ") less than minimum acceptable length " +
                     describeDuration(policy.minCycleInceptionLength));
    if (length > policy.maxCycleInceptionLength)
        violated(Check::KsrBundleCycleDuration,
                 "Cycle inception length (" + describeDuration(length) +
                     ") greater than maximum acceptable length " +
                     describeDuration(policy.maxCycleInceptionLength));
}

// ---- KSR policy parameters (kskm's verify_policy) -------------------------------------------

void checkKeysInBundles(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.checkKeysMatchKskOperatorPolicy) return;
    if (ksr.bundles.size() != policy.numKeysPerBundle.size())
        violated(Check::KsrPolicyKeys, "Can't check number of keys per bundle for a KSR with " +
                                           std::to_string(ksr.bundles.size()) + " bundles");
    for (std::size_t i = 0; i < ksr.bundles.size(); ++i) {
        const Bundle& bundle = ksr.bundles[i];
        if (static_cast<int>(bundle.keys.size()) != policy.numKeysPerBundle[i])
            violated(Check::KsrPolicyKeys, "Bundle #" + std::to_string(i + 1) + "/" + bundle.id +
                                               " has " + std::to_string(bundle.keys.size()) +
                                               " keys, not " +
                                               std::to_string(policy.numKeysPerBundle[i]));
    }
    std::set<std::string> identifiers;
    for (const Bundle& bundle : ksr.bundles)
        for (const Key& key : bundle.keys) identifiers.insert(key.keyIdentifier);
    if (static_cast<int>(identifiers.size()) != policy.numDifferentKeysInAllBundles)
        violated(Check::KsrPolicyKeys,
                 "Unacceptable number of key sets in request " + ksr.id + ", (" +
                     std::to_string(identifiers.size()) + " keys instead of " +
                     std::to_string(policy.numDifferentKeysInAllBundles) + ")");
}

void checkZskPolicyAlgorithms(const Ksr& ksr, const RequestPolicy& policy) {
    for (const AlgorithmPolicy& algorithm : ksr.zskPolicy.algorithms) {
        const std::string name = algorithmName(algorithm.algorithm);
        if (contains(kDeprecatedAlgorithms, algorithm.algorithm))
            violated(Check::KsrPolicyAlg, "Algorithm " + name + " deprecated");
        if (!contains(kSupportedAlgorithms, algorithm.algorithm))
            violated(Check::KsrPolicyAlg, "Algorithm " + name + " not supported");
        if (isEcdsa(algorithm.algorithm) && !policy.enableUnsupportedEcdsa)
            violated(Check::KsrPolicyAlg, "Algorithm ECDSA is not supported");
        if (isEddsa(algorithm.algorithm) && !policy.enableUnsupportedEdwardsDsa)
            violated(Check::KsrPolicyAlg, "Algorithm EdDSA is not supported");
    }
    if (!policy.signatureAlgorithmsMatchZskPolicy) return;
    for (const AlgorithmPolicy& algorithm : ksr.zskPolicy.algorithms)
        if (!contains(policy.approvedAlgorithms, algorithm.algorithm))
            violated(Check::KsrPolicyAlg, "ZSK policy has " + algorithmName(algorithm.algorithm) +
                                              ", but policy only allows " +
                                              algorithmsText(policy.approvedAlgorithms));
    for (const AlgorithmPolicy& algorithm : ksr.zskPolicy.algorithms) {
        if (!isRsa(algorithm.algorithm)) continue;
        if (!contains(policy.rsaApprovedKeySizes, algorithm.size))
            violated(Check::KsrPolicyAlg, "ZSK policy has RSA-" + std::to_string(algorithm.size) +
                                              ", but policy dictates " +
                                              listText(policy.rsaApprovedKeySizes));
        if (!contains(policy.rsaApprovedExponents, algorithm.exponent))
            violated(Check::KsrPolicyAlg,
                     "ZSK policy has RSA exponent " + std::to_string(algorithm.exponent) +
                         ", but policy dictates " + listText(policy.rsaApprovedExponents));
    }
}

void checkBundleOverlaps(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.checkBundleOverlap) return;
    const SignaturePolicy& claimed = ksr.zskPolicy;
    for (std::size_t i = 1; i < ksr.bundles.size(); ++i) {
        const Bundle& previous = ksr.bundles[i - 1];
        const Bundle& bundle = ksr.bundles[i];
        if (bundle.inception > previous.expiration)
            violated(Check::KsrPolicySigOverlap,
                     "Bundle \"" + bundle.id + "\" does not overlap with previous bundle \"" +
                         previous.id + "\" (" + describeTime(bundle.inception) + " > " +
                         describeTime(previous.expiration) + ")");
        const Duration overlap = previous.expiration - bundle.inception;
        const std::string which = "Bundle \"" + bundle.describe() + "\" overlap " +
                                  describeDuration(overlap) + " with \"" + previous.describe() +
                                  "\"";
        if (overlap < claimed.minValidityOverlap)
            violated(Check::KsrPolicySigOverlap, which + " is < claimed minimum " +
                                                     describeDuration(claimed.minValidityOverlap));
        if (overlap > claimed.maxValidityOverlap)
            violated(Check::KsrPolicySigOverlap, which + " is > claimed maximum " +
                                                     describeDuration(claimed.maxValidityOverlap));
    }
}

// kskm compares both bounds with MaxSignatureValidity (so the validity must equal it); kept, so
// that nothing kskm refuses is accepted here; the message says what was compared.
void checkSignatureValidity(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.signatureValidityMatchZskPolicy) return;
    const SignaturePolicy& claimed = ksr.zskPolicy;
    for (const Bundle& bundle : ksr.bundles) {
        const Duration validity = bundle.expiration - bundle.inception;
        if (validity < claimed.maxSignatureValidity)
            violated(Check::KsrPolicySigValidity,
                     "Bundle validity " + describeDuration(validity) +
                         " < claimed max_signature_validity " +
                         describeDuration(claimed.maxSignatureValidity) +
                         ", which kskm requires exactly (min_signature_validity " +
                         describeDuration(claimed.minSignatureValidity) + ") (in bundle " +
                         bundle.id + ")");
        if (validity > claimed.maxSignatureValidity)
            violated(Check::KsrPolicySigValidity,
                     "Bundle validity " + describeDuration(validity) +
                         " > claimed max_signature_validity " +
                         describeDuration(claimed.maxSignatureValidity) + " (in bundle " +
                         bundle.id + ")");
    }
}

// Python's timedelta.days: whole days, rounded down.
std::int64_t wholeDays(Duration duration) {
    const std::int64_t seconds = duration.count();
    return seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
}

void checkSignatureHorizon(const Ksr& ksr, const RequestPolicy& policy, Time at) {
    if (!policy.signatureCheckExpireHorizon) return;
    for (const Bundle& bundle : ksr.bundles) {
        const std::int64_t expireDays = wholeDays(bundle.expiration - at);
        if (policy.signatureHorizonDays != 0 && expireDays > policy.signatureHorizonDays)
            violated(Check::KsrPolicySigHorizon,
                     "Bundle signature expires too far in the future (bundle " + bundle.id +
                         " expires in " + std::to_string(expireDays) + " days (" +
                         describeTime(bundle.expiration) + "), above maximum of " +
                         std::to_string(policy.signatureHorizonDays) + " as of " +
                         describeTime(at) + ")");
        if (policy.signatureHorizonDays > 0 && expireDays < 0)
            violated(Check::KsrPolicySigHorizon,
                     "Bundle signature expire in the past (bundle " + bundle.id + " expired " +
                         std::to_string(-expireDays) + " days before " + describeTime(at) + ")");
    }
}

void checkBundleIntervals(const Ksr& ksr, const RequestPolicy& policy) {
    if (!policy.checkBundleIntervals) return;
    for (std::size_t i = 1; i < ksr.bundles.size(); ++i) {
        const Duration interval = ksr.bundles[i].inception - ksr.bundles[i - 1].inception;
        const std::string which = "Bundle #" + std::to_string(i + 1) + " (" + ksr.bundles[i].id +
                                  ") interval (" + describeDuration(interval) + ")";
        if (interval < policy.minBundleInterval)
            violated(Check::KsrPolicyBundleIntervals,
                     which + " less than minimum acceptable interval " +
                         describeDuration(policy.minBundleInterval));
        if (interval > policy.maxBundleInterval)
            violated(Check::KsrPolicyBundleIntervals,
                     which + " greater than maximum acceptable interval " +
                         describeDuration(policy.maxBundleInterval));
    }
}

// ---- the KSR against the previous SKR (kskm's check_skr_and_ksr) -----------------------------

void checkAgainstPrevious(const Ksr& ksr, const Skr& previous, const RequestPolicy& policy) {
    if (ksr.id == previous.id)
        violated(Check::KsrId, "The KSR request ID is the same as the last SKR ID: " + ksr.id);
    for (const Bundle& bundle : ksr.bundles)
        for (const Bundle& old : previous.bundles)
            if (bundle.id == old.id)
                violated(Check::KsrBundleUnique,
                         "A bundle with id " + bundle.id + " was also present in the last SKR");
    if (ksr.bundles.empty() || previous.bundles.empty()) return;
    const Bundle& last = previous.bundles.back();
    const Bundle& first = ksr.bundles.front();
    if (policy.checkChainKeys) {
        for (const Key& key : first.keys)
            if (!contains(last.keys, key))
                violated(Check::KsrChainKeys,
                         "Last key set in SKR(n-1) does not match first key set in KSR (key " +
                             key.describe() + " of bundle " + first.id + " is not in bundle " +
                             last.id + ")");
    }
    if (policy.checkChainOverlap) {
        const Duration overlap = last.expiration - first.inception;
        const std::string which = "Bundle \"" + first.describe() + "\" (from SKR(n-1)) overlap " +
                                  describeDuration(overlap) + " with \"" + last.describe() + "\"";
        if (overlap < ksr.zskPolicy.minValidityOverlap)
            violated(Check::KsrChainOverlap,
                     which + " is < claimed minimum " +
                         describeDuration(ksr.zskPolicy.minValidityOverlap));
        if (overlap > ksr.zskPolicy.maxValidityOverlap)
            violated(Check::KsrChainOverlap,
                     which + " is > claimed maximum " +
                         describeDuration(ksr.zskPolicy.maxValidityOverlap));
    }
}

// ---- once the KSK is known (kskm's sign.py and check_last_skr_key_present) -------------------

void checkKskAlgorithm(const Ksr& ksr, const KskKey& ksk, const Policy& policy) {
    if (!policy.ksk.requireZskAlgorithm) return;
    for (const Bundle& bundle : ksr.bundles) {
        std::set<std::uint8_t> zsk;
        for (const Key& key : bundle.keys) zsk.insert(key.algorithm);
        if (zsk != std::set<std::uint8_t>{ksk.algorithm()}) {
            std::string names = "{";
            for (std::uint8_t a : zsk) names += (names.size() > 1 ? ", " : "") + algorithmName(a);
            violated(Check::KskAlgorithm,
                     "ZSK algorithms " + names + "} does not match KSK algorithms {" +
                         algorithmName(ksk.algorithm()) + "} for bundle " + bundle.id);
        }
    }
}

void checkPreviousSignersAreKsk(const Skr& previous, const KskKey& ksk, const Policy& policy) {
    if (!policy.request.checkChainKeysInHsm || previous.bundles.empty()) return;
    const Bundle& last = previous.bundles.back();
    if (last.signatures.empty())
        violated(Check::KsrChainKeys, "No signatures in the last bundle of the last SKR");
    for (const Signature& signature : last.signatures) {
        if (signature.keyIdentifier != ksk.label())
            violated(Check::KsrChainKeys, "Key " + signature.keyIdentifier +
                                              " not found in the HSM(s) (bundle " + last.id +
                                              "): the KSK signing now is " + ksk.label());
        const auto key = std::find_if(last.keys.begin(), last.keys.end(), [&](const Key& k) {
            return k.keyIdentifier == signature.keyIdentifier;
        });
        const auto published =
            key == last.keys.end() ? std::nullopt : ldns::decodeBase64(key->publicKey);
        if (!published || ldns::encodeBase64(*published) != ksk.publicKeyBase64())
            violated(Check::KsrChainKeys, "Key " + signature.keyIdentifier +
                                              " does not match key in the HSM (bundle " + last.id +
                                              ")");
    }
}

}  // namespace

void verifySkr(const Skr& skr, const Policy& policy) {
    if (static_cast<int>(skr.bundles.size()) != policy.response.numBundles)
        violated(Check::SkrBundleCount, "Wrong number of bundles in response (" +
                                            std::to_string(skr.bundles.size()) + ", expected " +
                                            std::to_string(policy.response.numBundles) + ")");
    if (policy.response.validateSignatures) verifySkrSignatures(skr);
}

void verifySkrSignatures(const Skr& skr) {
    for (const Bundle& bundle : skr.bundles) checkBundleSignatures(bundle, Check::SkrSignatures);
}

void validateKsr(const Ksr& ksr, const Policy& policy, Time at,
                 const std::optional<Skr>& previous) {
    if (previous) verifySkr(*previous, policy);
    const RequestPolicy& request = policy.request;
    checkDomain(ksr, request);
    checkUniqueIds(ksr);
    checkKeysMatchZskPolicy(ksr, request);
    checkProofOfPossession(ksr, request);
    checkBundleCount(ksr, request);
    checkCycleDuration(ksr, request);
    checkKeysInBundles(ksr, request);
    checkZskPolicyAlgorithms(ksr, request);
    checkBundleOverlaps(ksr, request);
    checkSignatureValidity(ksr, request);
    checkSignatureHorizon(ksr, request, at);
    checkBundleIntervals(ksr, request);
    if (previous) checkAgainstPrevious(ksr, *previous, request);
}

void validateSigning(const Ksr& ksr, const KskKey& ksk, const Policy& policy,
                     const std::optional<Skr>& previous) {
    checkKskAlgorithm(ksr, ksk, policy);
    if (!previous) return;
    checkPreviousSignersAreKsk(*previous, ksk, policy);
    checkSkrChain(draftSkr(ksr, ksk, policy), *previous, policy);
}

void checkSkrChain(const Skr& next, const Skr& previous, const Policy& policy) {
    if (next.bundles.empty() || previous.bundles.empty()) return;
    const Bundle& last = previous.bundles.back();
    const Bundle& first = next.bundles.front();
    const auto hasKey = [](const Bundle& bundle, const std::string& identifier) {
        return std::any_of(bundle.keys.begin(), bundle.keys.end(),
                           [&](const Key& k) { return k.keyIdentifier == identifier; });
    };
    if (policy.request.checkKeysPublishSafety) {
        for (const Signature& signature : first.signatures)
            if (!hasKey(last, signature.keyIdentifier))
                violated(Check::KsrPolicySafety,
                         "Key " + signature.keyIdentifier +
                             " used to sign the first bundle in this SKR was not present in the "
                             "last bundle of the last SKR");
        const Time publishAt = first.inception - next.kskPolicy.publishSafety;
        if (publishAt < last.inception)
            violated(Check::KsrPolicySafety,
                     "The ZSK policy publish safety point in time (" + describeTime(publishAt) +
                         ") occurred before the inception of the last bundle in the last SKR (" +
                         describeTime(last.inception) + ")");
        if (publishAt > last.expiration)
            violated(Check::KsrPolicySafety,
                     "The ZSK policy publish safety point in time (" + describeTime(publishAt) +
                         ") occurred after the expiration of the last bundle in the last SKR (" +
                         describeTime(last.expiration) + ")");
    }
    if (!policy.request.checkKeysRetireSafety) return;
    const Time retireAt = first.inception + next.kskPolicy.retireSafety;
    for (const Bundle& bundle : next.bundles) {
        if (bundle.inception > retireAt) continue;
        for (const Signature& signature : last.signatures)
            if (!hasKey(bundle, signature.keyIdentifier))
                violated(Check::KsrPolicySafety,
                         "Key " + std::to_string(signature.keyTag) + "/" + signature.keyIdentifier +
                             " used to sign bundle " + last.id +
                             " in the last SKR is not present in bundle " + bundle.id +
                             " which expires < RetireSafety (" +
                             describeDuration(next.kskPolicy.retireSafety) + "/" +
                             describeTime(retireAt) +
                             ") from this new SKRs first bundle inception (" +
                             describeTime(first.inception) + ")");
    }
    for (std::size_t k = 0; k < next.bundles.size(); ++k) {
        const Bundle& signed_ = next.bundles[k];
        for (std::size_t j = k + 1; j < next.bundles.size(); ++j) {
            for (const Signature& signature : signed_.signatures) {
                // A signature over a revocation need appear only once.
                const bool revoked =
                    std::any_of(signed_.keys.begin(), signed_.keys.end(), [&](const Key& key) {
                        return key.keyIdentifier == signature.keyIdentifier &&
                               (key.flags & kFlagsRevoke);
                    });
                if (revoked || hasKey(next.bundles[j], signature.keyIdentifier)) continue;
                violated(Check::KsrPolicySafety,
                         "Key " + std::to_string(signature.keyTag) + "/" + signature.keyIdentifier +
                             " used to sign bundle #" + std::to_string(k + 1) + " (" + signed_.id +
                             ") in this SKR is not present in bundle #" + std::to_string(j + 1) +
                             " (" + next.bundles[j].id + ")");
            }
        }
    }
}

}  // namespace quorum::host::dnssec
