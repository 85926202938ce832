#include "conformance/test_values.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>

#include <memory>

#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "host/card/quorum_card.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/pin.hpp"
#include "protocol/shares.hpp"

namespace quorum::conformance {

namespace {

constexpr int kTestCards = 3;   // both test deals: 2 of 3; the card gets share 1
constexpr int kThreshold = 2;
constexpr int kPrimeBits = 256; // a 512-bit modulus, the smallest the spec allows

Bytes ascii(const char* text) { return Bytes(text, text + std::char_traits<char>::length(text)); }

Bytes randomBytes(std::size_t size) {
    Bytes out(size);
    if (RAND_bytes(out.data(), static_cast<int>(size)) != 1) throw std::runtime_error("RAND_bytes failed");
    return out;
}

Bytes safePrime() {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> prime(BN_new(), BN_free);
    if (!prime || BN_generate_prime_ex(prime.get(), kPrimeBits, 1, nullptr, nullptr, nullptr) != 1)
        throw std::runtime_error("no safe prime for the test key");
    Bytes out(static_cast<std::size_t>(BN_num_bytes(prime.get())));
    BN_bn2bin(prime.get(), out.data());
    return out;
}

// A 2-of-3 threshold RSA key whose modulus has exactly 512 bits.
crypto::shoup::Deal testRsaKey() {
    for (;;) {
        const Bytes p = safePrime();
        const Bytes q = safePrime();
        if (p == q) continue;
        // a_1 of 255 bits is below m = p'q' (about 510 bits); vSeed of 504 bits is below N.
        Bytes a1 = randomBytes(32);
        a1[0] &= 0x7F;
        Bytes vSeed = randomBytes(63);
        vSeed[0] |= 0x01;
        try {
            auto deal = crypto::shoup::dealWithPrimes(p, q, {a1}, vSeed, kTestCards);
            if (deal.publicKey.modulusBits() == 2 * kPrimeBits) return deal;
        } catch (const std::invalid_argument&) {
            // a product of 511 bits or a vSeed that generates too little: draw again
        }
    }
}

}  // namespace

Values makeTestValues() {
    Values v;
    protocol::PinPolicy policy;  // PIN 6..8, PUK 8, 3 and 3 tries, change before use
    v["test_policy"] = policy.encode();
    v["test_pin"] = ascii("123456");
    v["test_pin_block"] = protocol::pinBlock(ascii("123456"), policy);
    v["holder_pin_block"] = protocol::pinBlock(ascii("24682468"), policy);
    v["wrong_pin_block"] = protocol::pinBlock(ascii("999999"), policy);
    v["bad_pin_block"] = fromHex("31 32 FF 34 35 36 FF FF");
    v["test_puk"] = ascii("12345678");
    v["wrong_puk"] = ascii("87654321");

    const auto feldman = crypto::deal(kThreshold, kTestCards);
    v["test_commitments"] = feldman.commitments.encode();
    v["test_share_record"] =
        protocol::ShareRecord{feldman.shares[0].index, feldman.shares[0].value, feldman.commitments.digest()}.encode();
    // The whole deal, for the old cards the host plays when it redistributes to the card, and the
    // keys of the new cards the card redistributes to (conformance/reshare_values.hpp).
    Bytes shares;
    for (const auto& share : feldman.shares) shares.insert(shares.end(), share.value.begin(), share.value.end());
    v["test_shares"] = shares;
    Bytes newCardKeys;
    for (int j = 1; j <= kTestCards; ++j) {
        const Bytes scalar = crypto::EcPrivateKey::generate().scalar();
        newCardKeys.insert(newCardKeys.end(), scalar.begin(), scalar.end());
    }
    v["new_card_keys"] = newCardKeys;
    v["reshare_context"] = ascii("conformance re-sharing");

    const auto rsa = testRsaKey();
    v["rsa_share_record"] = host::rsaShareRecord(rsa.publicKey, rsa.shares[0]);
    v["rsa_modulus"] = rsa.publicKey.modulus;
    v["rsa_v"] = rsa.publicKey.v;
    Bytes keys;
    for (const auto& key : rsa.publicKey.verificationKeys) keys.insert(keys.end(), key.begin(), key.end());
    v["rsa_verification_keys"] = keys;
    v["rsa_nk"] = Bytes{static_cast<std::uint8_t>(rsa.publicKey.n), static_cast<std::uint8_t>(rsa.publicKey.k)};
    v["rsa_index"] = Bytes{static_cast<std::uint8_t>(rsa.shares[0].index)};
    Bytes digests;
    for (int i = 1; i <= 9; ++i) {
        const Bytes d = crypto::sha256(ascii(("conformance message " + std::to_string(i)).c_str()));
        digests.insert(digests.end(), d.begin(), d.end());
    }
    v["digests"] = digests;
    v["digest"] = Bytes(digests.begin(), digests.begin() + 32);
    return v;
}

Values ceremonyValues(const crypto::Certificate& ca, const host::HostCredentials& host) {
    Values v;
    v["aid"] = protocol::kApplicationId;
    v["ca_point"] = ca.publicKey().point();
    v["ca_certificate"] = ca.der();
    v["host_certificate"] = host.certificate.der();
    v["not_a_point"] = Bytes(64, 0x00);
    return v;
}

Json::Value testValuesJson(const Values& values) {
    Json::Value json(Json::objectValue);
    json["format"] = "quorum-conformance-test-values/1";
    json["warning"] = "test values of a test card: PINs, PUK and shares of throwaway keys that protect nothing";
    for (const auto& [name, bytes] : values) json["values"][name] = toHex(bytes);
    return json;
}

Values testValuesFrom(const Json::Value& json) {
    if (!json.isObject() || json.get("format", "").asString() != "quorum-conformance-test-values/1")
        throw PatternError("not a quorum-conformance-test-values/1 document");
    Values values;
    const Json::Value& all = json["values"];
    for (const auto& name : all.getMemberNames()) {
        try {
            values[name] = fromHex(all[name].asString());
        } catch (const std::invalid_argument& e) {
            throw PatternError("value \"" + name + "\" is not hex: " + e.what());
        }
    }
    return values;
}

}  // namespace quorum::conformance
