// Redistribution of a Feldman-shared secret to a new card set (crypto/reshare.hpp): any k old
// cards give n' new cards shares of the same secret with a new threshold k'; every k'-subset of
// the new shares reconstructs it, fewer do not; the new shares verify against the combined
// commitments, whose C'_0 is the old C_0; a cheating old card is named, and another choice of
// old cards carries on.
#include <doctest/doctest.h>

#include <openssl/bn.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::crypto;
using namespace quorum::crypto::reshare;
using test::contains;

namespace {

const Bytes kContext = {'r', 'e', 's', 'h', 'a', 'r', 'e', ' ', 't', 'e', 's', 't'};

// The n' cards of a new set: their private keys, and what the old cards know of them.
struct NewSet {
    std::vector<EcPrivateKey> keys;  // keys[j - 1] is card j's
    std::vector<NewCard> cards;
};

NewSet newSet(int n) {
    NewSet set;
    for (int j = 1; j <= n; ++j) {
        set.keys.push_back(EcPrivateKey::generate());
        set.cards.push_back({static_cast<std::uint8_t>(j), set.keys.back().publicKey().point()});
    }
    return set;
}

// Every k-subset of 1..n, in lexicographic order.
std::vector<std::vector<int>> subsets(int n, int k) {
    std::vector<std::vector<int>> out;
    std::vector<int> current;
    std::function<void(int)> extend = [&](int next) {
        if (static_cast<int>(current.size()) == k) {
            out.push_back(current);
            return;
        }
        for (int x = next; x <= n; ++x) {
            current.push_back(x);
            extend(x + 1);
            current.pop_back();
        }
    };
    extend(1);
    return out;
}

std::vector<FeldmanShare> pick(const std::vector<FeldmanShare>& shares, const std::vector<int>& indexes) {
    std::vector<FeldmanShare> out;
    for (int x : indexes) out.push_back(shares.at(static_cast<std::size_t>(x - 1)));
    return out;
}

// The redistributions of the old cards `b` (indexes into `d`) to `set` with threshold k'.
std::vector<Redistribution> redistributeFrom(const FeldmanDeal& d, const std::vector<int>& b, int newK,
                                             const NewSet& set) {
    std::vector<Redistribution> out;
    for (int i : b) out.push_back(redistribute(d.shares.at(static_cast<std::size_t>(i - 1)), newK, set.cards, kContext));
    return out;
}

// An old card's redistribution does not depend on the others of B: each old card of `d` makes one
// (to `set`, threshold k'), and every choice of B takes its cards' ones.
struct AllRedistributions {
    std::vector<Redistribution> byCard;  // byCard[i - 1] is old card i's
    AllRedistributions(const FeldmanDeal& d, int newK, const NewSet& set) {
        for (const auto& share : d.shares) byCard.push_back(redistribute(share, newK, set.cards, kContext));
    }
    std::vector<Redistribution> of(const std::vector<int>& b) const {
        std::vector<Redistribution> out;
        for (int i : b) out.push_back(byCard.at(static_cast<std::size_t>(i - 1)));
        return out;
    }
};

// Every new card's share, in order of index.
std::vector<FeldmanShare> receiveAll(const NewSet& set, const std::vector<Redistribution>& b) {
    std::vector<FeldmanShare> shares;
    for (const NewCard& card : set.cards)
        shares.push_back(receive(card.index, set.keys.at(card.index - 1u), b, kContext));
    return shares;
}

// Lagrange interpolation at 0 of `shares`, without any check: what fewer than k' shares give.
Bytes interpolate(const std::vector<FeldmanShare>& shares) {
    BIGNUM* q = nullptr;
    REQUIRE(BN_hex2bn(&q, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551") != 0);
    BN_CTX* ctx = BN_CTX_new();
    BIGNUM *sum = BN_new(), *term = BN_new(), *x = BN_new(), *y = BN_new();
    BN_zero(sum);
    for (const FeldmanShare& share : shares) {
        REQUIRE(BN_bin2bn(share.value.data(), 32, term) != nullptr);
        for (const FeldmanShare& other : shares) {
            if (other.index == share.index) continue;
            // term *= x_m / (x_m - x_i)
            REQUIRE(BN_set_word(x, other.index) == 1);
            REQUIRE(BN_set_word(y, other.index) == 1);
            REQUIRE(BN_sub_word(y, share.index) == 1);
            REQUIRE(BN_nnmod(y, y, q, ctx) == 1);
            REQUIRE(BN_mod_inverse(y, y, q, ctx) != nullptr);
            REQUIRE(BN_mod_mul(term, term, x, q, ctx) == 1);
            REQUIRE(BN_mod_mul(term, term, y, q, ctx) == 1);
        }
        REQUIRE(BN_mod_add(sum, sum, term, q, ctx) == 1);
    }
    Bytes out(32);
    REQUIRE(BN_bn2binpad(sum, out.data(), 32) == 32);
    for (BIGNUM* bn : {sum, term, x, y, q}) BN_clear_free(bn);
    BN_CTX_free(ctx);
    return out;
}

// The new set's shares against the old deal: they verify against the combined commitments, C'_0
// is C_0, every k'-subset reconstructs the secret and every (k'-1)-subset does not. Feldman's
// combine() (which checks every share again) reconstructs from the first subset; the others are
// interpolated alone, which is all a reconstruction is once the shares verify.
void checkNewShares(const FeldmanDeal& d, const std::vector<FeldmanShare>& shares,
                    const FeldmanCommitments& combined, int newK) {
    REQUIRE(combined.threshold() == static_cast<std::size_t>(newK));
    CHECK(combined.points.front() == d.commitments.points.front());
    for (const FeldmanShare& share : shares) CHECK(verifyShare(share, combined));
    const int newN = static_cast<int>(shares.size());
    const auto enough = subsets(newN, newK);
    CHECK(combine(pick(shares, enough.front()), combined) == d.secret);
    for (const auto& subset : enough) CHECK(interpolate(pick(shares, subset)) == d.secret);
    if (newK == 1) return;
    const auto fewer = subsets(newN, newK - 1);
    CHECK_THROWS_AS(combine(pick(shares, fewer.front()), combined), FeldmanError);
    for (const auto& subset : fewer) CHECK(interpolate(pick(shares, subset)) != d.secret);
}

// What ReshareError `f` throws, if any.
struct Refusal {
    bool thrown = false;
    std::string message;
    std::optional<int> from;
    Fault fault = Fault::Input;
};
template <typename F>
Refusal refusal(F&& f) {
    try {
        f();
    } catch (const ReshareError& e) {
        return {true, e.what(), e.from(), e.fault()};
    }
    return {};
}

}  // namespace

TEST_CASE("crypto: reshare 3-of-7 to 3-of-7: every choice of 3 old cards gives a working new set") {
    const FeldmanDeal d = deal(3, 7);
    const NewSet set = newSet(7);
    const AllRedistributions all(d, 3, set);
    for (const Redistribution& r : all.byCard) {
        CHECK(fromShareHolder(r, d.commitments));
        CHECK(r.commitments.threshold() == 3);
        REQUIRE(r.sealed.size() == 7);
        for (std::size_t j = 0; j < 7; ++j) {
            CHECK(r.sealed[j].from == r.from);
            CHECK(r.sealed[j].to == j + 1);
            CHECK(r.sealed[j].ephemeral.size() == 65);
            CHECK(r.sealed[j].box.size() == kBoxSize);
        }
    }
    int choices = 0;
    for (const auto& b : subsets(7, 3)) {
        CAPTURE(b[0]);
        CAPTURE(b[1]);
        CAPTURE(b[2]);
        const std::vector<Redistribution> redistributions = all.of(b);
        checkNewShares(d, receiveAll(set, redistributions), combinedCommitments(redistributions), 3);
        ++choices;
    }
    CHECK(choices == 35);
}

TEST_CASE("crypto: reshare between thresholds: (2,3), (3,7), (5,7), (1,1), (7,7) both ways") {
    const std::pair<int, int> shapes[] = {{2, 3}, {3, 7}, {5, 7}, {1, 1}, {7, 7}};
    std::mt19937 random(20240613);  // which old cards: reproducible
    for (const auto& old : shapes) {
        const int k = old.first, n = old.second;  // named, not bound: CAPTURE needs variables
        const FeldmanDeal d = deal(k, n);
        const auto choices = subsets(n, k);
        // Every choice of old cards where there are few, one at random otherwise.
        std::vector<std::vector<int>> tried = choices;
        if (choices.size() > 3) tried = {choices[random() % choices.size()]};
        for (const auto& shape : shapes) {
            const int newK = shape.first, newN = shape.second;
            CAPTURE(k);
            CAPTURE(n);
            CAPTURE(newK);
            CAPTURE(newN);
            const NewSet set = newSet(newN);
            for (const auto& b : tried) {
                const std::vector<Redistribution> redistributions = redistributeFrom(d, b, newK, set);
                for (const Redistribution& r : redistributions) CHECK(fromShareHolder(r, d.commitments));
                checkNewShares(d, receiveAll(set, redistributions), combinedCommitments(redistributions), newK);
            }
        }
    }
}

TEST_CASE("crypto: reshare box format: ECDH, HKDF-SHA256 and AES-256-GCM as documented") {
    const FeldmanDeal d = deal(2, 3);
    const NewSet set = newSet(3);
    const Redistribution r = redistribute(d.shares[1], 2, set.cards, kContext);  // old card 2
    const Sealed& box = r.sealed[2];                                             // for card 3
    const EcPrivateKey& key = set.keys[2];

    // Opened by hand, step by step as reshare.hpp writes it.
    const Bytes z = key.ecdh(EcPublicKey::fromPoint(box.ephemeral));
    Bytes salt = box.ephemeral;
    salt.insert(salt.end(), set.cards[2].publicKey.begin(), set.cards[2].publicKey.end());
    const std::string label = "quorum reshare v1";
    Bytes info(label.begin(), label.end());
    info.insert(info.end(), kContext.begin(), kContext.end());
    info.push_back(0x02);
    info.push_back(0x03);
    const Bytes boxKey = hkdfSha256(z, salt, info, 32);
    Bytes aad = {0x02, 0x03};
    const Bytes digest = sha256(r.commitments.encode());
    aad.insert(aad.end(), digest.begin(), digest.end());
    const Bytes g = aesGcmDecrypt(boxKey, Bytes(12, 0x00), box.box, aad);
    REQUIRE(g.size() == 32);

    // g_2(3) is what card 3 gets from old card 2 alone (lambda over {2} is 1), and it matches D_2.
    CHECK(receive(3, key, {r}, kContext).value == g);
    CHECK(g != d.shares[1].value);
    // Every box has its own ephemeral key; two redistributions of one share differ.
    CHECK(r.sealed[0].ephemeral != r.sealed[1].ephemeral);
    const Redistribution again = redistribute(d.shares[1], 2, set.cards, kContext);
    CHECK(again.commitments.points[0] == r.commitments.points[0]);  // D_20 = s_2 G
    CHECK(again.commitments.points[1] != r.commitments.points[1]);
    CHECK(receive(3, key, {again}, kContext).value != g);

    // HKDF with a salt is RFC 5869's (A.1 test case 1, first 32 bytes of OKM).
    CHECK(toHex(hkdfSha256(fromHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), fromHex("000102030405060708090a0b0c"),
                           fromHex("f0f1f2f3f4f5f6f7f8f9"), 32)) ==
          "3CB25F25FAACD57A90434F64D0362F2A2D2D0A90CF1A5A4C5DB02D56ECC4C5BF");
    // An empty salt is no salt.
    CHECK(hkdfSha256(z, Bytes{}, info, 32) == hkdfSha256(z, info, 32));
}

TEST_CASE("crypto: reshare a cheating old card is named, and another choice of old cards works") {
    const FeldmanDeal d = deal(3, 5);
    const NewSet set = newSet(3);
    const std::vector<int> b = {1, 2, 4};
    const std::vector<Redistribution> honest = redistributeFrom(d, b, 2, set);
    REQUIRE_NOTHROW(receiveAll(set, honest));

    // Old card 2 (position 1) in each cheat below; new card 3 its victim.
    auto withCheat = [&](const std::function<void(Redistribution&)>& cheat) {
        std::vector<Redistribution> out = honest;
        cheat(out[1]);
        return out;
    };
    auto named = [&](const std::vector<Redistribution>& redistributions, std::uint8_t j, Fault fault) {
        const Refusal r = refusal([&] { (void)receive(j, set.keys.at(j - 1u), redistributions, kContext); });
        CHECK(r.thrown);
        CHECK(r.from == 2);
        CHECK(r.fault == fault);
        CHECK(contains(r.message, "old card 2"));
    };
    // g_2(3) by itself: the box opened with lambda = 1 over {2}.
    auto subShare = [&](const Redistribution& r, std::uint8_t j) {
        return receive(j, set.keys.at(j - 1u), {r}, kContext).value;
    };

    SUBCASE("a wrong sub-share, properly sealed") {
        const auto cheated = withCheat([&](Redistribution& r) {
            Bytes wrong = subShare(r, 3);
            wrong[31] ^= 0x01;
            r.sealed[2] = seal(2, set.cards[2], wrong, r.commitments, kContext);
        });
        CHECK(fromShareHolder(cheated[1], d.commitments));  // D_2 is honest: only card 3 can tell
        named(cheated, 3, Fault::SubShare);
        CHECK_NOTHROW(receive(1, set.keys[0], cheated, kContext));  // the other boxes are fine
    }
    SUBCASE("altered commitments D_21, the boxes sealed to match them") {
        const auto cheated = withCheat([&](Redistribution& r) {
            std::vector<Bytes> values;
            for (std::uint8_t j = 1; j <= 3; ++j) values.push_back(subShare(r, j));
            r.commitments.points[1] = d.commitments.points[1];  // another valid point
            for (std::uint8_t j = 1; j <= 3; ++j)
                r.sealed[j - 1u] = seal(2, set.cards[j - 1u], values[j - 1u], r.commitments, kContext);
        });
        CHECK(fromShareHolder(cheated[1], d.commitments));
        for (std::uint8_t j = 1; j <= 3; ++j) named(cheated, j, Fault::SubShare);
    }
    SUBCASE("altered commitments D_21 in transit: the boxes no longer open") {
        const auto cheated = withCheat([&](Redistribution& r) { r.commitments.points[1] = d.commitments.points[2]; });
        for (std::uint8_t j = 1; j <= 3; ++j) named(cheated, j, Fault::Box);
    }
    SUBCASE("altered D_20: not the old card's share, seen by anybody") {
        const auto cheated = withCheat([&](Redistribution& r) { r.commitments.points[0] = d.commitments.points[0]; });
        CHECK_FALSE(fromShareHolder(cheated[1], d.commitments));
        CHECK(fromShareHolder(cheated[0], d.commitments));
        named(cheated, 1, Fault::Box);
    }
    SUBCASE("a box sealed for another card") {
        const auto relabelled = withCheat([&](Redistribution& r) {
            r.sealed[2].ephemeral = r.sealed[0].ephemeral;  // card 1's box, addressed to card 3
            r.sealed[2].box = r.sealed[0].box;
        });
        named(relabelled, 3, Fault::Box);
        const auto missing = withCheat([&](Redistribution& r) { r.sealed.pop_back(); });
        named(missing, 3, Fault::Box);
        const auto forOther = withCheat([&](Redistribution& r) {
            r.sealed[2] = seal(2, set.cards[0], subShare(r, 3), r.commitments, kContext);  // to card 1
            r.sealed[2].to = 3;
        });
        named(forOther, 3, Fault::Box);
    }
    SUBCASE("a box altered") {
        for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, kBoxSize - 1}) {
            const auto cheated = withCheat([&](Redistribution& r) { r.sealed[2].box[at] ^= 0x80; });
            named(cheated, 3, Fault::Box);
        }
        const auto ephemeral = withCheat([&](Redistribution& r) { r.sealed[2].ephemeral = set.cards[1].publicKey; });
        named(ephemeral, 3, Fault::Box);
        const auto offCurve = withCheat([&](Redistribution& r) { r.sealed[2].ephemeral[64] ^= 0x01; });
        named(offCurve, 3, Fault::Box);
        const auto shortBox = withCheat([&](Redistribution& r) { r.sealed[2].box.pop_back(); });
        named(shortBox, 3, Fault::Box);
    }

    // Without old card 2, old cards 1, 4 and 5 redistribute; the new set works.
    const std::vector<int> other = {1, 4, 5};
    const std::vector<Redistribution> redo = redistributeFrom(d, other, 2, set);
    checkNewShares(d, receiveAll(set, redo), combinedCommitments(redo), 2);
}

TEST_CASE("crypto: reshare another context, another card's key or mixed redistributions are refused") {
    const FeldmanDeal d = deal(2, 4);
    const NewSet set = newSet(3);
    const std::vector<Redistribution> b = redistributeFrom(d, {3, 4}, 2, set);

    const Refusal context = refusal([&] { (void)receive(1, set.keys[0], b, Bytes{'o', 't', 'h', 'e', 'r'}); });
    CHECK(context.from == 3);
    CHECK(context.fault == Fault::Box);
    const Refusal wrongKey = refusal([&] { (void)receive(1, set.keys[1], b, kContext); });
    CHECK(wrongKey.from == 3);
    CHECK(wrongKey.fault == Fault::Box);
    CHECK(refusal([&] { (void)receive(0, set.keys[0], b, kContext); }).thrown);
    CHECK(refusal([&] { (void)receive(1, set.keys[0], {}, kContext); }).thrown);

    // The same old card twice, or two new thresholds, cannot be combined.
    const Refusal twice = refusal([&] { (void)combinedCommitments({b[0], b[1], b[0]}); });
    CHECK(twice.from == 3);
    CHECK(contains(twice.message, "appears twice"));
    CHECK(refusal([&] { (void)receive(1, set.keys[0], {b[1], b[1]}, kContext); }).from == 4);
    const Redistribution threeOf = redistribute(d.shares[0], 3, set.cards, kContext);
    const Refusal mixed = refusal([&] { (void)combinedCommitments({b[0], threeOf}); });
    CHECK(mixed.from == 1);
    CHECK(contains(mixed.message, "threshold"));
    CHECK(refusal([&] { (void)receive(2, set.keys[1], {b[0], threeOf}, kContext); }).from == 1);
    Redistribution zero = b[0];
    zero.from = 0;
    CHECK(refusal([&] { (void)combinedCommitments({zero}); }).thrown);
    CHECK_FALSE(fromShareHolder(zero, d.commitments));
    Redistribution broken = b[1];
    broken.commitments.points[1][10] ^= 0x01;  // no longer on the curve
    CHECK(refusal([&] { (void)combinedCommitments({b[0], broken}); }).from == 4);
    CHECK_FALSE(fromShareHolder(broken, d.commitments));
    CHECK(refusal([&] { (void)combinedCommitments({}); }).thrown);
    // Another deal's commitments: not the share holder.
    CHECK_FALSE(fromShareHolder(b[0], deal(2, 4).commitments));
}

TEST_CASE("crypto: reshare redistribute refuses impossible new sets") {
    const FeldmanDeal d = deal(2, 3);
    const NewSet set = newSet(3);
    auto refused = [&](const FeldmanShare& share, int newK, const std::vector<NewCard>& cards) {
        return test::thrownMessage<std::invalid_argument>([&] { (void)redistribute(share, newK, cards, kContext); });
    };
    CHECK(contains(refused(d.shares[0], 0, set.cards), "out of range"));
    CHECK(contains(refused(d.shares[0], 4, set.cards), "out of range"));
    CHECK(contains(refused(d.shares[0], 1, {}), "0 new cards"));
    std::vector<NewCard> twice = set.cards;
    twice[2].index = 1;
    CHECK(contains(refused(d.shares[0], 2, twice), "appears twice"));
    std::vector<NewCard> zero = set.cards;
    zero[0].index = 0;
    CHECK(contains(refused(d.shares[0], 2, zero), "index 0"));
    std::vector<NewCard> badKey = set.cards;
    badKey[1].publicKey[64] ^= 0x01;
    CHECK(contains(refused(d.shares[0], 2, badKey), "new card 2"));
    badKey[1].publicKey = Bytes(33, 0x02);
    CHECK(contains(refused(d.shares[0], 2, badKey), "new card 2"));
    CHECK(contains(refused({0, d.shares[0].value}, 2, set.cards), "index 0"));
    CHECK(contains(refused({1, Bytes(32, 0x00)}, 2, set.cards), "nonzero"));
    CHECK(contains(refused({1, Bytes(32, 0xFF)}, 2, set.cards), "nonzero"));
    std::vector<NewCard> many;
    for (int j = 0; j < 256; ++j) many.push_back({static_cast<std::uint8_t>(j), set.cards[0].publicKey});
    CHECK(contains(refused(d.shares[0], 2, many), "256 new cards"));
    // The largest new set: indexes 1..255.
    many.erase(many.begin());
    const Redistribution r = redistribute(d.shares[0], 1, many, kContext);
    CHECK(r.sealed.size() == 255);
    CHECK(r.sealed.back().to == 255);
}
