// Shamir activation in process: seven cards issued with Feldman shares of a 3-of-7 deal, shares
// released to their holders over SCP11a, collected card by card.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "host/card/quorum_card.hpp"
#include "host/ceremonies/share_collector.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using host::ShareCollector;
using test::CardFixture;
using test::TestCeremony;

namespace {
Bytes text(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

struct IssuedCard {
    std::unique_ptr<CardFixture> fixture = std::make_unique<CardFixture>();
    std::unique_ptr<host::QuorumCard> quorum;
};

// Card `index` issued by the test ceremony with `share` (possibly not its own: tampering).
IssuedCard issue(int index, const crypto::FeldmanShare& share, const Bytes& digest) {
    IssuedCard c;
    c.quorum = std::make_unique<host::QuorumCard>(c.fixture->link, TestCeremony::instance().trust());
    c.quorum->issueIdentity(TestCeremony::instance().ca, index);
    c.quorum->storeShare(share, digest);
    host::PinPolicy policy;
    policy.changeBeforeUse = false;
    c.quorum->personalize(policy, text("123456"), text("12345678"));
    return c;
}

// What a holder's card gives at a ceremony: authenticated, PIN verified, share released.
std::pair<crypto::CertificateInfo, host::ReleasedShare> release(IssuedCard& c) {
    const crypto::CertificateInfo info = c.quorum->openSecureChannel();
    c.quorum->verifyPin(text("123456"));
    return {info, c.quorum->getShare()};
}

struct CardSet {
    crypto::FeldmanDeal deal = crypto::deal(3, 7);
    std::vector<IssuedCard> cards;
    std::vector<std::pair<crypto::CertificateInfo, host::ReleasedShare>> released;
    CardSet() {
        for (const auto& share : deal.shares) cards.push_back(issue(share.index, share, deal.commitments.digest()));
        for (auto& c : cards) released.push_back(release(c));
    }
    Bytes expectedKey() const {
        return crypto::activationKey(deal.secret, TestCeremony::instance().ca.cardSetId());
    }
};
}  // namespace

TEST_CASE("shamir: all 35 three-card subsets of 3-of-7 give the same activation key; no two cards do") {
    CardSet set;
    const Bytes expected = set.expectedKey();
    int subsets = 0;
    for (int a = 0; a < 7; ++a)
        for (int b = a + 1; b < 7; ++b) {
            ShareCollector two(set.deal.commitments, TestCeremony::instance().ca.cardSetId());
            two.offer(set.released[a].first, set.released[a].second);
            two.offer(set.released[b].first, set.released[b].second);
            CHECK_FALSE(two.complete());
            CHECK(two.progress() == "2 of 3 shares");
            CHECK_THROWS_AS(two.activationKey(), crypto::FeldmanError);
            for (int c = b + 1; c < 7; ++c) {
                ShareCollector three(set.deal.commitments, TestCeremony::instance().ca.cardSetId());
                for (int i : {c, a, b})  // any order
                    CHECK(three.offer(set.released[i].first, set.released[i].second).outcome ==
                          ShareCollector::Outcome::Accepted);
                CHECK(three.complete());
                CHECK(toHex(three.activationKey()) == toHex(expected));
                ++subsets;
            }
        }
    CHECK(subsets == 35);
    // Each card counted its one release.
    for (const auto& [info, released] : set.released) CHECK(released.usageCount == 1);
}

TEST_CASE("shamir: a repeated card is ignored, a tampered share is named, another deal is refused") {
    const crypto::FeldmanDeal deal = crypto::deal(3, 5);
    const Bytes digest = deal.commitments.digest();
    crypto::FeldmanShare tampered = deal.shares[1];
    tampered.value.back() ^= 0x01;
    IssuedCard good1 = issue(1, deal.shares[0], digest);
    IssuedCard bad2 = issue(2, tampered, digest);
    IssuedCard good3 = issue(3, deal.shares[2], digest);
    IssuedCard poser4 = issue(4, deal.shares[4], digest);  // holds card 5's share
    const crypto::FeldmanDeal other = crypto::deal(3, 5);
    IssuedCard foreign5 = issue(5, other.shares[4], other.commitments.digest());
    IssuedCard good5 = issue(5, deal.shares[4], digest);

    ShareCollector collector(deal.commitments, TestCeremony::instance().ca.cardSetId());
    auto [i1, s1] = release(good1);
    CHECK(collector.offer(i1, s1).outcome == ShareCollector::Outcome::Accepted);
    const auto again = collector.offer(i1, s1);
    CHECK(again.outcome == ShareCollector::Outcome::AlreadyCounted);
    CHECK(again.message == "card 1 was already counted; please insert another card");
    auto [i2, s2] = release(bad2);
    const auto named = collector.offer(i2, s2);
    CHECK(named.outcome == ShareCollector::Outcome::BadShare);
    CHECK(named.cardIndex == 2);
    CHECK(named.message.rfind("card 2's share does not match", 0) == 0);
    auto [i4, s4] = release(poser4);
    CHECK(collector.offer(i4, s4).outcome == ShareCollector::Outcome::BadShare);  // index != card
    auto [i5f, s5f] = release(foreign5);
    CHECK(collector.offer(i5f, s5f).outcome == ShareCollector::Outcome::WrongDeal);
    CHECK(collector.progress() == "1 of 3 shares");
    auto [i3, s3] = release(good3);
    CHECK(collector.offer(i3, s3).outcome == ShareCollector::Outcome::Accepted);
    auto [i5, s5] = release(good5);
    CHECK(collector.offer(i5, s5).message == "card 5 accepted: 3 of 3 shares");
    CHECK(toHex(collector.activationKey()) ==
          toHex(crypto::activationKey(deal.secret, TestCeremony::instance().ca.cardSetId())));
    CHECK(collector.offer(i2, s2).outcome == ShareCollector::Outcome::NotNeeded);
}
