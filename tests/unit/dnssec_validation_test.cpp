// The KSR signing policy: IANA's real KSRs replayed at a time inside their validity, each of
// kskm's checks broken on purpose and named, the previous SKR's checks, and IANA's real SKRs
// verified with libldns.
#include <doctest/doctest.h>

#include "crypto/primitives.hpp"
#include "host/dnssec/ksr_validation.hpp"
#include "host/dnssec/skr_signing.hpp"
#include "tests/support/thrown.hpp"
#include "tests/unit/dnssec_test_support.hpp"

using namespace quorum;
using namespace quorum::host::dnssec;
using test::dnssec::brokenCheck;
using test::dnssec::ianaKsr;
using test::dnssec::ianaSkr;
using test::dnssec::utc;

namespace {

// When the 2017-Q2 and 2018-Q1 KSRs were signed: before their first bundle, all within 180 days.
const Time k2017q2Ceremony = utc("2017-03-15T12:00:00");
const Time k2018q1Ceremony = utc("2017-11-15T12:00:00");

template <typename F>
std::string messageOf(F&& f) {
    return test::thrownMessage<KsrPolicyError>(std::forward<F>(f));
}

// What the KSRs of 2009-2016 need: they claim RSA-1024 with exponent 3 for keys with 65537,
// bundles of 14d23:59:59 against a claimed validity of 15-20 days, overlaps of 4d23:59:59 against
// a claimed 5 days - kskm's test_archive.py relaxes the same rules.
Policy eraPolicy() {
    return Policy::fromJson(R"({"format": "quorum-ksr-policy", "version": 1, "request": {
        "rsa_exponent_match_zsk_policy": false, "rsa_approved_key_sizes": [1024, 2048],
        "rsa_approved_exponents": [3, 65537], "check_bundle_overlap": false,
        "signature_validity_match_zsk_policy": false}})");
}

// One bit of the signature changed.
std::string flippedBase64(const std::string& text) {
    std::string flipped = text;
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    return flipped;
}

}  // namespace

TEST_CASE(
    "dnssec validation: IANA's 2017 and 2018 KSRs pass every default check at their ceremony "
    "time") {
    const Policy policy;
    for (const auto& entry : {std::pair{"ksr-root-2017-q2-0.xml", k2017q2Ceremony},
                              std::pair{"ksr-root-2018-q1-0-d_to_e.xml", k2018q1Ceremony}}) {
        // Named copies, not structured bindings: lambdas may capture those only from C++20.
        const char* const name = entry.first;
        const Time at = entry.second;
        CAPTURE(name);
        CHECK_NOTHROW(validateKsr(ianaKsr(name), policy, at, std::nullopt));
        // Today they are history: their signatures expired (kskm's own result for them).
        CHECK(brokenCheck([&] {
                  validateKsr(ianaKsr(name), policy, utc("2024-10-10T00:00:00"), std::nullopt);
              }) == "KSR-POLICY-SIG-HORIZON");
    }
    CHECK(test::contains(messageOf([&] {
                             validateKsr(ianaKsr("ksr-root-2017-q2-0.xml"), policy,
                                         utc("2024-10-10T00:00:00"), std::nullopt);
                         }),
                         "KSR-POLICY-SIG-HORIZON: Bundle signature expire in the past"));
}

TEST_CASE(
    "dnssec validation: the KSRs of 2009-2016 fail today's policy where kskm says, and pass their "
    "era's") {
    const Policy today;
    const Time at2009 = utc("2009-10-25T00:00:00");
    const Time at2010q1 = utc("2009-12-25T00:00:00");
    const Time at2010q2 = utc("2010-03-20T00:00:00");
    const Time at2016 = utc("2016-06-01T00:00:00");
    // Exponent 3 claimed, 65537 used: KSR-BUNDLE-KEYS (kskm: "does not match the ZSK
    // SignaturePolicy").
    for (const auto& entry : {std::pair{"ksr-root-2009-q4-2.xml", at2009},
                              std::pair{"ksr-root-2010-q1-0.xml", at2010q1},
                              std::pair{"ksr-root-2010-q2-0.xml", at2010q2}}) {
        const char* const name = entry.first;
        const Time at = entry.second;
        CAPTURE(name);
        const std::string message =
            messageOf([&] { validateKsr(ianaKsr(name), today, at, std::nullopt); });
        CHECK(test::contains(message, "KSR-BUNDLE-KEYS: Key 302c312a30280603550403132156"));
        CHECK(test::contains(message, "does not match the ZSK SignaturePolicy"));
    }
    // Two algorithm entries, one RSA-1024: KSR-POLICY-ALG.
    CHECK(messageOf([&] {
              validateKsr(ianaKsr("ksr-root-2016-q3-0.xml"), today, at2016, std::nullopt);
          }) == "KSR-POLICY-ALG: ZSK policy has RSA-1024, but policy dictates [2048]");

    CHECK_NOTHROW(
        validateKsr(ianaKsr("ksr-root-2010-q1-0.xml"), eraPolicy(), at2010q1, std::nullopt));
    CHECK_NOTHROW(
        validateKsr(ianaKsr("ksr-root-2010-q2-0.xml"), eraPolicy(), at2010q2, std::nullopt));
    CHECK_NOTHROW(
        validateKsr(ianaKsr("ksr-root-2016-q3-0.xml"), eraPolicy(), at2016, std::nullopt));
    // The DURZ test KSR: six bundles, one ZSK roll, a 48-day cycle with an 8-day step.
    Policy durz = eraPolicy();
    durz.request.numBundles = 6;
    durz.request.numKeysPerBundle = {1, 1, 1, 1, 1, 2};
    durz.request.numDifferentKeysInAllBundles = 2;
    durz.request.minCycleInceptionLength = days(48);
    durz.request.minBundleInterval = days(8);
    CHECK_NOTHROW(validateKsr(ianaKsr("ksr-root-2009-q4-2.xml"), durz, at2009, std::nullopt));
    // The rules the era policy relaxes are the ones they break, in kskm's order.
    const auto refusal2010q2 = [&](const Policy& policy) {
        return messageOf([&] {
            validateKsr(ianaKsr("ksr-root-2010-q2-0.xml"), policy, at2010q2, std::nullopt);
        });
    };
    Policy overlapChecked = eraPolicy();
    overlapChecked.request.checkBundleOverlap = true;
    CHECK(refusal2010q2(overlapChecked) ==
          "KSR-POLICY-SIG-OVERLAP: Bundle \"id=3f232020 2010-04-11->2010-04-25\" overlap 4 days, "
          "23:59:59 with "
          "\"id=b47dfa22 2010-04-01->2010-04-15\" is < claimed minimum 5 days");
    Policy validityChecked = eraPolicy();
    validityChecked.request.signatureValidityMatchZskPolicy = true;
    CHECK(refusal2010q2(validityChecked) ==
          "KSR-POLICY-SIG-VALIDITY: Bundle validity 14 days, 23:59:59 < claimed "
          "max_signature_validity 20 days, "
          "which kskm requires exactly (min_signature_validity 15 days) (in bundle "
          "b47dfa22-8b20-4a07-9b29-b737ccc2bb6b)");
}

TEST_CASE("dnssec validation: a ZSK self-signature that does not verify is KSR-BUNDLE-POP") {
    // IANA's own negative test: bundle 1's two SignatureData values swapped.
    CHECK(messageOf([] {
              validateKsr(ianaKsr("ksr.bad.xml"), Policy(), k2018q1Ceremony, std::nullopt);
          }) ==
          "KSR-BUNDLE-POP: Invalid signature encountered in bundle "
          "0a8f7774-3bd3-4702-a923-f1d73f653bd6 (key "
          "46809/"
          "302e312c302a06035504031323566572695369676e20444e5353656320526f6f7420414c4738203230343820"
          "5a534b35: "
          "Bogus DNSSEC signature)");
    // One byte of one signature changed.
    Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    ksr.bundles[4].signatures[0].signatureData =
        flippedBase64(ksr.bundles[4].signatures[0].signatureData);
    CHECK(brokenCheck([&] { validateKsr(ksr, Policy(), k2017q2Ceremony, std::nullopt); }) ==
          "KSR-BUNDLE-POP");
    // A ZSK that did not sign.
    ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    ksr.bundles[0].signatures.pop_back();
    CHECK(test::contains(
        messageOf([&] { validateKsr(ksr, Policy(), k2017q2Ceremony, std::nullopt); }),
        "was not used to sign the keys in bundle dc1bc68c-b1c1-46f8-817f-ec893549f2be"));
    // A signature by a key the bundle does not have.
    ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    ksr.bundles[1].signatures[0].keyIdentifier = "stranger";
    CHECK(test::contains(
        messageOf([&] { validateKsr(ksr, Policy(), k2017q2Ceremony, std::nullopt); }),
        "KSR-BUNDLE-POP: No key with key_identifier stranger in bundle"));
    // With validate_signatures off, the broken KSR goes on to the next check.
    Policy lax;
    lax.request.validateSignatures = false;
    CHECK_NOTHROW(validateKsr(ianaKsr("ksr.bad.xml"), lax, k2018q1Ceremony, std::nullopt));
}

TEST_CASE("dnssec validation: the signing input of a ZSK self-signature is kskm's test vector") {
    // kskm's test_signature.py: SHA-256 of the RRSIG input of the first bundle of 2009-q4-2.
    const Ksr ksr = ianaKsr("ksr-root-2009-q4-2.xml");
    REQUIRE(ksr.bundles[0].signatures.size() == 1);
    CHECK(toHex(crypto::sha256(signedData(ksr.bundles[0], ksr.bundles[0].signatures[0]))) ==
          "6D754A22AE7BBF90A2D737DCCA85A5DC3B3F8561DC4E48BE90EF1FF78D1077A7");
}

TEST_CASE("dnssec validation: every default check of the KSR alone, broken once and named") {
    const Policy policy;
    const Ksr good = ianaKsr("ksr-root-2017-q2-0.xml");
    const auto broken = [&](const Ksr& ksr, const Policy& p = Policy()) {
        return messageOf([&] { validateKsr(ksr, p, k2017q2Ceremony, std::nullopt); });
    };
    Ksr ksr = good;
    ksr.domain = "example.";
    CHECK(broken(ksr) ==
          "KSR-DOMAIN: Request domain 'example.' not in policy's acceptable domains ['.']");

    ksr = good;
    ksr.bundles[3].id = ksr.bundles[2].id;
    CHECK(broken(ksr) == "KSR-BUNDLE-UNIQUE: More than one bundle with id " + ksr.bundles[2].id);

    // A ZSK of the wrong size: the 1024-bit ZSK of 2016 in a KSR that claims RSA-2048.
    ksr = good;
    ksr.bundles[1].keys[0] = ianaKsr("ksr-root-2016-q3-0.xml").bundles[1].keys[0];
    CHECK(test::contains(broken(ksr),
                         "KSR-BUNDLE-KEYS: Key 3028312630"));  // VeriSign's 1024-bit ZSK of 2016
    CHECK(test::contains(
        broken(ksr), "in bundle " + ksr.bundles[1].id + " does not match the ZSK SignaturePolicy"));
    // A KSR whose claimed size is not its keys' size, or not the operator's approved size.
    ksr = good;
    ksr.zskPolicy.algorithms[0].size = 1024;
    CHECK(test::contains(broken(ksr), "does not match the ZSK SignaturePolicy"));
    Policy only4096;
    only4096.request.rsaApprovedKeySizes = {4096};
    CHECK(broken(good, only4096) ==
          "KSR-POLICY-ALG: ZSK policy has RSA-2048, but policy dictates [4096]");
    Policy onlyEcdsa;
    onlyEcdsa.request.approvedAlgorithms = {13};
    CHECK(broken(good, onlyEcdsa) ==
          "KSR-POLICY-ALG: ZSK policy has RSASHA256, but policy only allows [ECDSAP256SHA256]");
    // Same identifier, another key; a wrong key tag; a KSK among the ZSKs.
    ksr = good;
    ksr.bundles[2].keys[0].ttl = 3600;
    CHECK(test::contains(
        broken(ksr), "matches two different keys (the second one in bundle " + ksr.bundles[2].id));
    ksr = good;
    for (Bundle& bundle : ksr.bundles)
        for (Key& key : bundle.keys)
            if (key.keyTag == 14796) key.keyTag = 14797;
    CHECK(test::contains(broken(ksr), "has key tag 14797, should be 14796"));
    ksr = good;
    for (Bundle& bundle : ksr.bundles)
        for (Key& key : bundle.keys)
            if (key.keyTag == 14796) key.flags = 257;
    CHECK(test::contains(broken(ksr), "has flags 257, only 256 acceptable"));

    // A bundle missing.
    ksr = good;
    ksr.bundles.pop_back();
    CHECK(broken(ksr) == "KSR-BUNDLE-COUNT: Wrong number of bundles in request (8, expected 9)");
    Policy eight;
    eight.request.numBundles = 8;
    CHECK(test::contains(broken(ksr, eight),
                         "KSR-BUNDLE-CYCLE-DURATION: Cycle inception length (70 days) less than "
                         "minimum acceptable length 79 days"));

    Policy threeKeys;
    threeKeys.request.numKeysPerBundle = {2, 1, 1, 1, 1, 1, 1, 2, 2};
    CHECK(broken(good, threeKeys) ==
          "KSR-POLICY-KEYS: Bundle #8/" + good.bundles[7].id + " has 1 keys, not 2");
    Policy fourKeys;
    fourKeys.request.numDifferentKeysInAllBundles = 4;
    CHECK(broken(good, fourKeys) == "KSR-POLICY-KEYS: Unacceptable number of key sets in request " +
                                        good.id + ", (3 keys instead of 4)");

    ksr = good;
    ksr.zskPolicy.minValidityOverlap = days(12);
    CHECK(test::contains(broken(ksr),
                         "KSR-POLICY-SIG-OVERLAP: Bundle \"id=" + good.bundles[1].id.substr(0, 8) +
                             " 2017-04-11->2017-05-02\" overlap 11 days with"));
    ksr = good;
    ksr.zskPolicy.maxSignatureValidity = days(22);
    CHECK(test::contains(broken(ksr),
                         "KSR-POLICY-SIG-VALIDITY: Bundle validity 21 days < claimed "
                         "max_signature_validity 22 days"));

    CHECK(test::contains(
        messageOf([&] { validateKsr(good, policy, utc("2016-12-01T00:00:00"), std::nullopt); }),
        "KSR-POLICY-SIG-HORIZON: Bundle signature expires too far in the future"));
    Policy horizon300;
    horizon300.request.signatureHorizonDays = 300;
    CHECK_NOTHROW(validateKsr(good, horizon300, utc("2016-12-01T00:00:00"), std::nullopt));

    Policy tight;
    tight.request.maxBundleInterval = days(10) - Duration(1);
    CHECK(test::contains(broken(good, tight),
                         "KSR-POLICY-BUNDLE-INTERVALS: Bundle #2 (" + good.bundles[1].id +
                             ") interval (10 days) greater than maximum acceptable interval "
                             "9 days, 23:59:59"));
}

TEST_CASE(
    "dnssec validation: against the previous SKR - replay, reused bundles, the chain of keys") {
    const Policy policy;
    const Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    const Skr previous = ianaSkr("skr-root-2017-q1-0.xml");
    CHECK_NOTHROW(validateKsr(ksr, policy, k2017q2Ceremony, previous));

    // The KSR the previous SKR answered, again.
    CHECK(messageOf([&] {
              validateKsr(ksr, policy, k2017q2Ceremony, ianaSkr("skr-root-2017-q2-0.xml"));
          }) ==
          "KSR-ID: The KSR request ID is the same as the last SKR ID: "
          "23e34059-7725-46a8-a7d2-662d657aab2b");
    Skr renamed = previous;
    renamed.bundles[4].id = ksr.bundles[6].id;
    CHECK(messageOf([&] { validateKsr(ksr, policy, k2017q2Ceremony, renamed); }) ==
          "KSR-BUNDLE-UNIQUE: A bundle with id " + ksr.bundles[6].id +
              " was also present in the last SKR");
    // 2017-Q3 and 2018-Q1 are not neighbours (2017-Q4 is missing).
    CHECK(test::contains(
        messageOf([&] {
            validateKsr(ianaKsr("ksr-root-2018-q1-0-d_to_e.xml"), policy, k2018q1Ceremony,
                        ianaSkr("skr-root-2017-q3-0-c_to_d.xml"));
        }),
        "KSR-CHAIN-KEYS: Last key set in SKR(n-1) does not match first key set in KSR"));
    Policy noChainKeys;
    noChainKeys.request.checkChainKeys = false;
    CHECK(test::contains(
        messageOf([&] {
            validateKsr(ianaKsr("ksr-root-2018-q1-0-d_to_e.xml"), noChainKeys, k2018q1Ceremony,
                        ianaSkr("skr-root-2017-q3-0-c_to_d.xml"));
        }),
        "KSR-CHAIN-OVERLAP: Bundle \"id=0a8f7774 2018-01-01->2018-01-22\" (from SKR(n-1)) overlap "
        "-83 days with"));
    // The previous SKR itself is checked first, as kskm checks it when it loads it.
    Skr shortPrevious = previous;
    shortPrevious.bundles.pop_back();
    CHECK(messageOf([&] { validateKsr(ksr, policy, k2017q2Ceremony, shortPrevious); }) ==
          "SKR-BUNDLE-COUNT: Wrong number of bundles in response (8, expected 9)");
    Skr forged = previous;
    forged.bundles[8].signatures[0].signatureData =
        flippedBase64(forged.bundles[8].signatures[0].signatureData);
    CHECK(test::contains(
        messageOf([&] { validateKsr(ksr, policy, k2017q2Ceremony, forged); }),
        "SKR-SIGNATURES: Invalid signature encountered in bundle " + forged.bundles[8].id));
}

TEST_CASE("dnssec validation: IANA's real SKRs verify with libldns against the KSKs in them") {
    for (const char* name : {"skr-root-2017-q1-0.xml", "skr-root-2017-q2-0.xml",
                             "skr-root-2017-q3-0-c_to_d.xml", "skr-root-2018-q1-0-d_to_e.xml"}) {
        CAPTURE(name);
        CHECK_NOTHROW(verifySkr(ianaSkr(name), Policy()));
    }
    // KSK-2010 signs 2017; in 2018-Q1 KSK-2017 signs bundles 2-9.
    const Skr skr = ianaSkr("skr-root-2018-q1-0-d_to_e.xml");
    CHECK(skr.bundles[0].signatures[0].keyTag == 19036);
    CHECK(skr.bundles[1].signatures[0].keyTag == 20326);
    // What kskm checks between neighbouring SKRs holds for IANA's.
    CHECK_NOTHROW(checkSkrChain(ianaSkr("skr-root-2017-q2-0.xml"),
                                ianaSkr("skr-root-2017-q1-0.xml"), Policy()));
    CHECK_NOTHROW(checkSkrChain(ianaSkr("skr-root-2017-q3-0-c_to_d.xml"),
                                ianaSkr("skr-root-2017-q2-0.xml"), Policy()));
    CHECK(brokenCheck([] {
              checkSkrChain(ianaSkr("skr-root-2018-q1-0-d_to_e.xml"),
                            ianaSkr("skr-root-2017-q3-0-c_to_d.xml"), Policy());
          }) == "KSR-POLICY-SAFETY");
}
