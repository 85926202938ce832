// Feldman VSS over P-256: every k-subset reconstructs, fewer never do, tampering is caught and
// named, known answers for a hand-computable polynomial, and the bounds of k and n.
#include <doctest/doctest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::crypto;
using test::contains;
using test::Thrown;
using test::thrownMessage;

namespace {

// The P-256 group order q, and the points G, 2G, 3G and -G = (q-1)G as 04 || X || Y.
// G is from SEC 2 v2 2.4.2 / FIPS 186-4 D.1.2.3. 2G and 3G are the usual published multiples
// (they appear in many P-256 test suites); before being written here they were also recomputed
// with textbook affine doubling and addition in Python, as was -G = (Gx, p - Gy).
const std::string kOrderHex = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";
const std::string kG =
    "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
const std::string k2G =
    "047CF27B188D034F7E8A52380304B51AC3C08969E277F21B35A60B48FC47669978"
    "07775510DB8ED040293D9AC69F7430DBBA7DADE63CE982299E04B79D227873D1";
const std::string k3G =
    "045ECBE4D1A6330A44C8F7EF951D4BF165E6C6B721EFADA985FB41661BC6E7FD6C"
    "8734640C4998FF7E374B06CE1A64A2ECD82AB036384FB83D9A79B127A27D5032";
const std::string kMinusG =
    "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
    "B01CBD1C01E58065711814B583F061E9D431CCA994CEA1313449BF97C840AE0A";

Bytes bytesOf(const std::string& text) { return Bytes(text.begin(), text.end()); }

// `value` as a 32-byte big-endian scalar.
Bytes scalar(std::uint64_t value) {
    Bytes out(32, 0x00);
    for (std::size_t i = 0; i < 8; ++i)
        out[31 - i] = static_cast<std::uint8_t>(value >> (8 * i));
    return out;
}

// (value + 1) mod q, through OpenSSL's BIGNUMs.
Bytes plusOneModQ(const Bytes& value) {
    BIGNUM* q = nullptr;
    REQUIRE(BN_hex2bn(&q, kOrderHex.c_str()) != 0);
    BIGNUM* v = BN_bin2bn(value.data(), static_cast<int>(value.size()), nullptr);
    BN_CTX* ctx = BN_CTX_new();
    REQUIRE(v != nullptr);
    REQUIRE(ctx != nullptr);
    REQUIRE(BN_add_word(v, 1) == 1);
    REQUIRE(BN_nnmod(v, v, q, ctx) == 1);
    Bytes out(32);
    REQUIRE(BN_bn2binpad(v, out.data(), 32) == 32);
    BN_CTX_free(ctx);
    BN_clear_free(v);
    BN_free(q);
    return out;
}

// What FeldmanError `f` throws, if any.
template <typename F>
Thrown feldmanError(F&& f) {
    return test::thrownWithIndex<FeldmanError>(std::forward<F>(f));
}

std::vector<FeldmanShare> pick(const FeldmanDeal& d, const std::vector<int>& indexes) {
    std::vector<FeldmanShare> out;
    for (int x : indexes) out.push_back(d.shares.at(static_cast<std::size_t>(x - 1)));
    return out;
}

// HKDF-SHA256 with an empty salt through EVP_KDF, as a caller outside crypto/ would write it.
Bytes hkdfViaEvpKdf(const Bytes& ikm, const Bytes& info) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    REQUIRE(kdf != nullptr);
    EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
    REQUIRE(ctx != nullptr);
    Bytes ikmCopy = ikm, infoCopy = info;
    unsigned char salt = 0;  // an explicit empty salt; OpenSSL 3.0 refuses a null pointer here
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikmCopy.data(), ikmCopy.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, &salt, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, infoCopy.data(), infoCopy.size()),
        OSSL_PARAM_construct_end()};
    Bytes out(32);
    CHECK(EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return out;
}

Bytes hmacSha256(const Bytes& key, const Bytes& data) {
    Bytes out(32);
    std::size_t length = 0;
    REQUIRE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                      data.data(), data.size(), out.data(), out.size(), &length) != nullptr);
    REQUIRE(length == 32);
    return out;
}

// RFC 5869 2.2-2.3 spelled out with HMAC: PRK = HMAC(salt = 32 zero bytes, IKM);
// OKM = T(1) = HMAC(PRK, info || 01), which is all of L = 32.
Bytes hkdfByHand(const Bytes& ikm, const Bytes& info) {
    const Bytes prk = hmacSha256(Bytes(32, 0x00), ikm);
    Bytes block = info;
    block.push_back(0x01);
    return hmacSha256(prk, block);
}

Bytes activationInfo(const Bytes& cardSetId) {
    Bytes info = bytesOf("quorum-cards activation key v1");
    info.insert(info.end(), cardSetId.begin(), cardSetId.end());
    return info;
}

}  // namespace

TEST_CASE("crypto: feldman 3-of-7: every 3 cards reconstruct, no 2 cards do") {
    const FeldmanDeal d = deal(3, 7);
    REQUIRE(d.shares.size() == 7);
    REQUIRE(d.commitments.threshold() == 3);
    REQUIRE(d.secret.size() == 32);
    CHECK(d.secret != Bytes(32, 0x00));
    for (std::size_t i = 0; i < d.shares.size(); ++i) {
        CAPTURE(i);
        CHECK(d.shares[i].index == i + 1);
        CHECK(d.shares[i].value.size() == 32);
        CHECK(d.commitments.points[i % 3].size() == 65);
        CHECK(verifyShare(d.shares[i], d.commitments));
    }

    const Bytes cardSet = bytesOf("card set 2024-01");
    const Bytes expectedKey = activationKey(d.secret, cardSet);
    REQUIRE(expectedKey.size() == 32);
    int triples = 0;
    for (int a = 1; a <= 7; ++a)
        for (int b = a + 1; b <= 7; ++b)
            for (int c = b + 1; c <= 7; ++c) {
                CAPTURE(a);
                CAPTURE(b);
                CAPTURE(c);
                const Bytes secret = combine(pick(d, {a, b, c}), d.commitments);
                CHECK(secret == d.secret);
                CHECK(activationKey(secret, cardSet) == expectedKey);
                // The order the cards come in does not matter.
                CHECK(combine(pick(d, {c, a, b}), d.commitments) == d.secret);
                ++triples;
            }
    CHECK(triples == 35);

    int pairs = 0;
    for (int a = 1; a <= 7; ++a)
        for (int b = a + 1; b <= 7; ++b) {
            CAPTURE(a);
            CAPTURE(b);
            const Thrown t = feldmanError([&] { (void)combine(pick(d, {a, b}), d.commitments); });
            CHECK(t.thrown);
            CHECK(contains(t.message, "3 shares are needed, 2 given"));
            CHECK_FALSE(t.index.has_value());
            ++pairs;
        }
    CHECK(pairs == 21);

    CHECK(contains(feldmanError([&] { (void)combine({}, d.commitments); }).message,
                   "3 shares are needed, 0 given"));
    CHECK(contains(feldmanError([&] { (void)combine(pick(d, {1, 2, 3, 4}), d.commitments); })
                       .message,
                   "3 shares are needed, 4 given"));

    // Two deals of the same shape have different secrets.
    CHECK(deal(3, 7).secret != d.secret);
}

TEST_CASE("crypto: feldman tampered, misplaced and repeated shares are caught and named") {
    const FeldmanDeal d = deal(3, 5);

    SUBCASE("value + 1 mod q") {
        std::vector<FeldmanShare> shares = pick(d, {1, 3, 5});
        shares[1].value = plusOneModQ(shares[1].value);
        CHECK_FALSE(verifyShare(shares[1], d.commitments));
        CHECK(verifyShare(shares[0], d.commitments));
        const Thrown t = feldmanError([&] { (void)combine(shares, d.commitments); });
        CHECK(t.thrown);
        CHECK(t.index == 3);
        CHECK(contains(t.message, "share of card 3 does not match the commitments"));
    }

    SUBCASE("one bit flipped, anywhere in the value") {
        for (std::size_t bit : {0u, 1u, 7u, 100u, 200u, 254u, 255u}) {
            CAPTURE(bit);
            std::vector<FeldmanShare> shares = pick(d, {2, 4, 5});
            shares[2].value[31 - bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            CHECK_FALSE(verifyShare(shares[2], d.commitments));
            const Thrown t = feldmanError([&] { (void)combine(shares, d.commitments); });
            CHECK(t.thrown);
            CHECK(t.index == 5);  // a flip to >= q is refused as such, still naming card 5
            CHECK(contains(t.message, "share of card 5"));
        }
    }

    SUBCASE("a share presented under another card's index") {
        FeldmanShare moved = d.shares[2];  // card 3's value
        moved.index = 4;
        CHECK_FALSE(verifyShare(moved, d.commitments));
        const Thrown t =
            feldmanError([&] { (void)combine({d.shares[0], moved, d.shares[4]}, d.commitments); });
        CHECK(t.thrown);
        CHECK(t.index == 4);
        CHECK(contains(t.message, "share of card 4 does not match the commitments"));
        // Two shares with their indexes swapped: both wrong, the first one presented is named.
        FeldmanShare one = d.shares[0], two = d.shares[1];
        std::swap(one.index, two.index);
        const Thrown swapped =
            feldmanError([&] { (void)combine({d.shares[4], one, two}, d.commitments); });
        CHECK(swapped.index == 2);
    }

    SUBCASE("repeated card, card 0, malformed values") {
        Thrown t = feldmanError(
            [&] { (void)combine({d.shares[3], d.shares[0], d.shares[3]}, d.commitments); });
        CHECK(t.index == 4);
        CHECK(contains(t.message, "card 4 appears twice"));

        FeldmanShare zero = d.shares[1];
        zero.index = 0;
        CHECK_FALSE(verifyShare(zero, d.commitments));
        t = feldmanError([&] { (void)combine({d.shares[0], zero, d.shares[2]}, d.commitments); });
        CHECK(t.index == 0);
        CHECK(contains(t.message, "card 0"));

        FeldmanShare shortValue = d.shares[1];
        shortValue.value.pop_back();
        CHECK_FALSE(verifyShare(shortValue, d.commitments));
        t = feldmanError(
            [&] { (void)combine({d.shares[0], shortValue, d.shares[2]}, d.commitments); });
        CHECK(t.index == 2);

        FeldmanShare atOrder = d.shares[1];
        atOrder.value = fromHex(kOrderHex);  // q itself: not a scalar mod q
        CHECK_FALSE(verifyShare(atOrder, d.commitments));
        t = feldmanError(
            [&] { (void)combine({d.shares[0], atOrder, d.shares[2]}, d.commitments); });
        CHECK(t.index == 2);
        CHECK(contains(t.message, "below the group order"));
    }

    SUBCASE("the bad share is named wherever it sits among many") {
        const FeldmanDeal big = deal(16, 20);
        CHECK(combine(pick(big, {1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 17, 18, 20}),
                      big.commitments) == big.secret);
        for (std::size_t position = 0; position < 16; ++position) {
            CAPTURE(position);
            std::vector<FeldmanShare> shares(big.shares.begin() + 4, big.shares.end());
            shares[position].value = plusOneModQ(shares[position].value);
            const Thrown t = feldmanError([&] { (void)combine(shares, big.commitments); });
            CHECK(t.index == static_cast<int>(position) + 5);
        }
        // Two bad shares: the first one presented is named.
        std::vector<FeldmanShare> shares(big.shares.begin(), big.shares.begin() + 16);
        shares[11].value = plusOneModQ(shares[11].value);
        shares[6].value[0] ^= 0x01;
        CHECK(feldmanError([&] { (void)combine(shares, big.commitments); }).index == 7);
    }
}

TEST_CASE("crypto: feldman commitments: another deal's refuse the shares; encoding round trip") {
    const FeldmanDeal a = deal(3, 5);
    const FeldmanDeal b = deal(3, 5);

    SUBCASE("shares do not verify against another deal's commitments") {
        for (const FeldmanShare& share : a.shares) {
            CAPTURE(share.index);
            CHECK_FALSE(verifyShare(share, b.commitments));
            CHECK(verifyShare(share, a.commitments));
        }
        const Thrown t = feldmanError([&] { (void)combine(pick(a, {2, 3, 4}), b.commitments); });
        CHECK(t.thrown);
        CHECK(t.index == 2);
        // Commitments of a 2-of-5 deal: 3 shares are one too many.
        const FeldmanDeal two = deal(2, 5);
        CHECK(contains(feldmanError([&] { (void)combine(pick(a, {1, 2, 3}), two.commitments); })
                           .message,
                       "2 shares are needed, 3 given"));
    }

    SUBCASE("encode, decode, digest") {
        const Bytes encoded = a.commitments.encode();
        REQUIRE(encoded.size() == 1 + 3 * 65);
        CHECK(encoded[0] == 3);
        CHECK(Bytes(encoded.begin() + 1, encoded.begin() + 66) == a.commitments.points[0]);
        const FeldmanCommitments decoded = FeldmanCommitments::decode(encoded);
        CHECK(decoded.points == a.commitments.points);
        CHECK(decoded.encode() == encoded);
        CHECK(a.commitments.digest() == sha256(encoded));
        CHECK(a.commitments.digest() != b.commitments.digest());
        CHECK(combine(pick(a, {1, 4, 5}), decoded) == a.secret);
    }

    SUBCASE("decode refuses what encode cannot produce") {
        const Bytes encoded = a.commitments.encode();
        auto refused = [](const Bytes& bytes) {
            return feldmanError([&] { (void)FeldmanCommitments::decode(bytes); }).thrown;
        };
        CHECK(refused(Bytes{}));
        CHECK(refused(Bytes{0x00}));
        CHECK(refused(Bytes(encoded.begin(), encoded.end() - 1)));   // truncated by a byte
        CHECK(refused(Bytes(encoded.begin(), encoded.end() - 65)));  // a point short
        Bytes longer = encoded;
        longer.push_back(0x00);
        CHECK(refused(longer));  // trailing byte
        Bytes moreCounted = encoded;
        moreCounted[0] = 4;
        CHECK(refused(moreCounted));
        Bytes compressed = encoded;
        compressed[1 + 65] = 0x02;  // C_1 tagged compressed
        CHECK(refused(compressed));
        Bytes offCurve = encoded;
        offCurve[1 + 2 * 65 + 64] ^= 0x01;  // last byte of C_2's Y
        CHECK(refused(offCurve));
        CHECK(contains(
            feldmanError([&] { (void)FeldmanCommitments::decode(offCurve); }).message, "C_2"));
        Bytes zeros(1 + 65, 0x00);
        zeros[0] = 1;
        zeros[1] = 0x04;
        CHECK(refused(zeros));  // (0, 0) is not on P-256
        CHECK(FeldmanCommitments::decode(encoded).points == a.commitments.points);
    }

    SUBCASE("malformed commitments verify nothing and combine nothing") {
        FeldmanCommitments broken = a.commitments;
        broken.points[1].back() ^= 0x01;
        CHECK_FALSE(verifyShare(a.shares[0], broken));
        CHECK(feldmanError([&] { (void)broken.encode(); }).thrown);
        CHECK(contains(feldmanError([&] { (void)combine(pick(a, {1, 2, 3}), broken); }).message,
                       "C_1"));
        const FeldmanCommitments empty;
        CHECK_FALSE(verifyShare(a.shares[0], empty));
        CHECK(feldmanError([&] { (void)combine({}, empty); }).thrown);
        CHECK(feldmanError([&] { (void)empty.encode(); }).thrown);
    }
}

TEST_CASE("crypto: feldman known answer: f(x) = 1 + 2x + 3x^2 over P-256") {
    const FeldmanDeal d = deal({scalar(1), scalar(2), scalar(3)}, 5);
    REQUIRE(d.shares.size() == 5);
    const std::uint64_t expected[] = {6, 17, 34, 57, 86};  // f(1) .. f(5)
    for (std::size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        CHECK(d.shares[i].index == i + 1);
        CHECK(toHex(d.shares[i].value) == toHex(scalar(expected[i])));
        CHECK(verifyShare(d.shares[i], d.commitments));
    }
    REQUIRE(d.commitments.points.size() == 3);
    CHECK(toHex(d.commitments.points[0]) == kG);
    CHECK(toHex(d.commitments.points[1]) == k2G);
    CHECK(toHex(d.commitments.points[2]) == k3G);
    CHECK(toHex(d.commitments.encode()) == "03" + kG + k2G + k3G);
    CHECK(d.secret == scalar(1));
    CHECK(combine(pick(d, {2, 4, 5}), d.commitments) == scalar(1));

    // Hand-made shares against the published points: f(1) = 6 is genuine, 7 is not.
    const FeldmanCommitments published =
        FeldmanCommitments::decode(fromHex("03" + kG + k2G + k3G));
    CHECK(verifyShare(FeldmanShare{1, scalar(6)}, published));
    CHECK_FALSE(verifyShare(FeldmanShare{1, scalar(7)}, published));
    CHECK(combine({FeldmanShare{3, scalar(34)}, FeldmanShare{1, scalar(6)},
                   FeldmanShare{5, scalar(86)}},
                  published) == scalar(1));

    // Reduction mod q: a_0 = a_1 = q - 1 gives f(x) = (q-1)(1+x) = q-1-x mod q, C_0 = -G.
    const Bytes qMinus1 = fromHex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550");
    const FeldmanDeal wrapped = deal({qMinus1, qMinus1}, 3);
    CHECK(toHex(wrapped.shares[0].value) ==
          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC63254F");
    CHECK(toHex(wrapped.shares[1].value) ==
          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC63254E");
    CHECK(toHex(wrapped.shares[2].value) ==
          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC63254D");
    CHECK(toHex(wrapped.commitments.points[0]) == kMinusG);
    CHECK(combine(pick(wrapped, {3, 1}), wrapped.commitments) == qMinus1);

    SUBCASE("coefficients out of range are refused, naming which") {
        auto message = [](const std::vector<Bytes>& coefficients, int n) {
            return thrownMessage<std::invalid_argument>([&] { (void)deal(coefficients, n); });
        };
        CHECK(contains(message({scalar(0), scalar(2)}, 3), "a_0"));
        CHECK(contains(message({scalar(1), scalar(0)}, 3), "a_1"));
        CHECK(contains(message({scalar(1), scalar(2), fromHex(kOrderHex)}, 3), "a_2"));
        CHECK(contains(message({scalar(1), Bytes(31, 0x01)}, 3), "a_1 must be 32 bytes"));
        CHECK(contains(message({scalar(1), Bytes(33, 0x00)}, 3), "a_1 must be 32 bytes"));
        CHECK(contains(message({}, 3), "k = 0"));
        CHECK(contains(message({scalar(1), scalar(2), scalar(3)}, 2), "k = 3 exceeds n = 2"));
    }
}

TEST_CASE("crypto: feldman activation key is HKDF-SHA256 of the secret and the card set") {
    const Bytes secret = scalar(1);
    const Bytes setA = bytesOf("set-A");
    const Bytes key = activationKey(secret, setA);
    REQUIRE(key.size() == 32);
    // Computed outside OpenSSL with Python's hmac module (RFC 5869, salt = 32 zero bytes).
    CHECK(toHex(key) == "BCE166FB11BDB08AFCC5265F9294430AC18D07BB39B1CEFDEDB318B56B7BABAC");
    CHECK(key == hkdfViaEvpKdf(secret, activationInfo(setA)));
    CHECK(key == hkdfByHand(secret, activationInfo(setA)));

    const FeldmanDeal d = deal(2, 3);
    const Bytes setB = bytesOf("set-B");
    CHECK(activationKey(d.secret, setB) == hkdfViaEvpKdf(d.secret, activationInfo(setB)));
    CHECK(activationKey(d.secret, setB) == hkdfByHand(d.secret, activationInfo(setB)));
    CHECK(activationKey(d.secret, setA) != activationKey(d.secret, setB));
    CHECK(activationKey(d.secret, Bytes{}) != activationKey(d.secret, setA));
    CHECK(activationKey(d.secret, setA) != activationKey(secret, setA));
    CHECK(activationKey(d.secret, setA) != d.secret);

    CHECK(contains(thrownMessage<CryptoError>([&] { (void)activationKey(Bytes(31, 1), setA); }),
                   "32 bytes"));
    CHECK(contains(thrownMessage<CryptoError>([&] { (void)activationKey(Bytes{}, setA); }),
                   "32 bytes"));
}

TEST_CASE("crypto: feldman bounds: 1-of-1, 255-of-255, and what is refused") {
    SUBCASE("1-of-1: the share is the secret") {
        const FeldmanDeal d = deal(1, 1);
        REQUIRE(d.shares.size() == 1);
        CHECK(d.shares[0].index == 1);
        CHECK(d.shares[0].value == d.secret);
        CHECK(verifyShare(d.shares[0], d.commitments));
        CHECK(combine(d.shares, d.commitments) == d.secret);
        CHECK(d.commitments.encode().size() == 66);
        CHECK(contains(feldmanError([&] { (void)combine({}, d.commitments); }).message,
                       "1 share is needed, 0 given"));
    }

    SUBCASE("1-of-255: every card alone holds the secret") {
        const FeldmanDeal d = deal(1, 255);
        REQUIRE(d.shares.size() == 255);
        CHECK(d.shares.back().index == 255);
        CHECK(d.shares.back().value == d.secret);
        CHECK(combine({d.shares[200]}, d.commitments) == d.secret);
    }

    SUBCASE("255-of-255") {
        const FeldmanDeal d = deal(255, 255);
        REQUIRE(d.shares.size() == 255);
        REQUIRE(d.commitments.threshold() == 255);
        CHECK(d.shares.back().index == 255);
        CHECK(d.commitments.encode().size() == 1 + 255 * 65);
        CHECK(FeldmanCommitments::decode(d.commitments.encode()).points == d.commitments.points);
        for (std::size_t i : {0u, 127u, 254u}) CHECK(verifyShare(d.shares[i], d.commitments));
        CHECK(combine(d.shares, d.commitments) == d.secret);
        std::vector<FeldmanShare> reversed(d.shares.rbegin(), d.shares.rend());
        CHECK(combine(reversed, d.commitments) == d.secret);

        std::vector<FeldmanShare> shares = d.shares;
        shares[199].value = plusOneModQ(shares[199].value);
        const Thrown t = feldmanError([&] { (void)combine(shares, d.commitments); });
        CHECK(t.index == 200);
        shares.pop_back();
        CHECK(contains(feldmanError([&] { (void)combine(shares, d.commitments); }).message,
                       "255 shares are needed, 254 given"));
    }

    SUBCASE("k and n out of range") {
        auto message = [](int k, int n) {
            return thrownMessage<std::invalid_argument>([&] { (void)deal(k, n); });
        };
        CHECK(contains(message(0, 5), "k = 0"));
        CHECK(contains(message(-1, 5), "k = -1"));
        CHECK(contains(message(4, 3), "k = 4 exceeds n = 3"));
        CHECK(contains(message(1, 256), "n = 256"));
        CHECK(contains(message(256, 256), "k = 256"));
        CHECK(contains(message(1, 0), "n = 0"));
        CHECK(contains(message(0, 0), "k = 0"));
    }
}
