#include "host/dnssec/skr_signing.hpp"

#include <algorithm>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ksr_validation.hpp"
#include "host/dnssec/ldns_objects.hpp"

namespace quorum::host::dnssec {
namespace {

// One SKR bundle's keys as kskm's KeysToSign: the bundle's ZSKs with the KSK policy's TTL (kskm
// overwrites whatever the KSR says), then the KSK; a ZSK that is the KSK (same public key) once.
std::vector<Key> bundleKeys(const Bundle& request, const KskKey& ksk) {
    std::vector<Key> keys;
    for (Key key : request.keys) {
        const auto decoded = ldns::decodeBase64(key.publicKey);
        if (decoded && ldns::encodeBase64(*decoded) == ksk.publicKeyBase64()) continue;
        key.ttl = kRootDnskeyTtl;
        keys.push_back(key);
    }
    keys.push_back(ksk.asKey());
    return keys;
}

void requireSigningAlgorithm(const KskKey& ksk) {
    if (ksk.algorithm() != kAlgorithmRsaSha256 && ksk.algorithm() != kAlgorithmEcdsaP256Sha256)
        throw DnssecError(
            "KSK " + ksk.label() +
            ": only algorithms 8 (RSASHA256) and 13 (ECDSAP256SHA256) can sign, not " +
            algorithmName(ksk.algorithm()));
}

// kskm's _ksk_signature_policy: the algorithms of every key in the SKR, ZSKs included, once each.
std::vector<AlgorithmPolicy> keyAlgorithms(const std::vector<Bundle>& bundles) {
    std::vector<AlgorithmPolicy> algorithms;
    for (const Bundle& bundle : bundles) {
        for (const Key& key : bundle.keys) {
            const ldns::Rr dnskey = ldns::dnskeyRecord(".", key);
            AlgorithmPolicy algorithm;
            algorithm.algorithm = key.algorithm;
            algorithm.size = ldns::keyBits(dnskey.get());
            algorithm.exponent =
                isRsa(key.algorithm) ? ldns::rsaExponent(dnskey.get()).value_or(0) : 0;
            if (std::find(algorithms.begin(), algorithms.end(), algorithm) == algorithms.end())
                algorithms.push_back(algorithm);
        }
    }
    return algorithms;
}

struct PreparedBundle {
    ldns::RrList rrset;
    ldns::Rr emptyRrsig;
    SigningInput input;
};

PreparedBundle prepare(const Bundle& bundle, const std::vector<Key>& keys, const KskKey& ksk) {
    PreparedBundle prepared;
    prepared.rrset = ldns::dnskeyRrset(".", keys);
    prepared.emptyRrsig = ldns::emptyRrsig(prepared.rrset.get(), ".", ksk.algorithm(), ksk.keyTag(),
                                           bundle.inception, bundle.expiration);
    prepared.input.bundleId = bundle.id;
    prepared.input.rrsig = ldns::signatureFields(prepared.emptyRrsig.get());
    prepared.input.rrsig.keyIdentifier = ksk.label();
    prepared.input.data = ldns::signingInput(prepared.rrset.get(), prepared.emptyRrsig.get());
    return prepared;
}

}  // namespace

Bytes dnssecSignature(const KskKey& ksk, const Bytes& signature) {
    return ksk.algorithm() == kAlgorithmEcdsaP256Sha256 ? ecdsaP256SignatureFromDer(signature)
                                                        : signature;
}

Bytes signedData(const Bundle& bundle, const Signature& signature) {
    const ldns::RrList rrset = ldns::dnskeyRrset(signature.signersName, bundle.keys);
    Signature withData = signature;
    if (withData.signatureData.empty())
        withData.signatureData = "AA==";  // the signature field is not signed
    const ldns::Rr rrsig = ldns::rrsigRecord(signature.signersName, withData);
    return ldns::signingInput(rrset.get(), rrsig.get());
}

Skr draftSkr(const Ksr& ksr, const KskKey& ksk, const Policy& policy) {
    requireSigningAlgorithm(ksk);
    Skr skr;
    static_cast<KsrHeader&>(skr) = ksr;
    skr.timestamp.reset();  // kskm never writes one
    skr.zskPolicy = ksr.zskPolicy;
    for (const Bundle& request : ksr.bundles) {
        Bundle bundle;
        bundle.id = request.id;
        bundle.inception = request.inception;
        bundle.expiration = request.expiration;
        bundle.keys = bundleKeys(request, ksk);
        bundle.signatures.push_back(prepare(bundle, bundle.keys, ksk).input.rrsig);
        skr.bundles.push_back(std::move(bundle));
    }
    const KskPolicy& k = policy.ksk;
    skr.kskPolicy.publishSafety = k.publishSafety;
    skr.kskPolicy.retireSafety = k.retireSafety;
    skr.kskPolicy.maxSignatureValidity = k.maxSignatureValidity;
    skr.kskPolicy.minSignatureValidity = k.minSignatureValidity;
    skr.kskPolicy.maxValidityOverlap = k.maxValidityOverlap;
    skr.kskPolicy.minValidityOverlap = k.minValidityOverlap;
    skr.kskPolicy.algorithms = keyAlgorithms(skr.bundles);
    return skr;
}

std::vector<SigningInput> signingInputs(const Ksr& ksr, const KskKey& ksk) {
    requireSigningAlgorithm(ksk);
    std::vector<SigningInput> inputs;
    for (const Bundle& bundle : ksr.bundles)
        inputs.push_back(prepare(bundle, bundleKeys(bundle, ksk), ksk).input);
    return inputs;
}

Skr assembleSkr(const Ksr& ksr, const KskKey& ksk, const std::vector<Bytes>& signatures,
                const Policy& policy) {
    Skr skr = draftSkr(ksr, ksk, policy);
    if (signatures.size() != skr.bundles.size())
        throw DnssecError("assembling the SKR: " + std::to_string(signatures.size()) +
                          " signatures for " + std::to_string(skr.bundles.size()) + " bundles");
    const ldns::Rr dnskey = ldns::dnskeyRecord(".", ksk.asKey());
    for (std::size_t i = 0; i < skr.bundles.size(); ++i) {
        Bundle& bundle = skr.bundles[i];
        PreparedBundle prepared = prepare(bundle, bundle.keys, ksk);
        ldns::Rr rrsig;
        try {
            rrsig =
                ldns::withSignature(prepared.emptyRrsig.get(), dnssecSignature(ksk, signatures[i]));
        } catch (const DnssecError& e) {
            throw SignatureError(bundle.id, "Invalid KSK signature encountered in bundle " +
                                                bundle.id + ": " + e.what());
        }
        const ldns_status status = ldns::verify(prepared.rrset.get(), rrsig.get(), dnskey.get());
        if (status != LDNS_STATUS_OK)
            throw SignatureError(bundle.id, "Invalid KSK signature encountered in bundle " +
                                                bundle.id + " (KSK " +
                                                std::to_string(ksk.keyTag()) + "/" + ksk.label() +
                                                "): " + ldns::statusText(status));
        bundle.signatures.front().signatureData = ldns::rdfText(ldns_rr_rrsig_sig(rrsig.get()));
    }
    // And as the next ceremony will read it (kskm's check_valid_signatures on each new bundle).
    if (policy.response.validateSignatures) verifySkrSignatures(skr);
    return skr;
}

}  // namespace quorum::host::dnssec
