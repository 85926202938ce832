// Re-sharing a card set between cards (docs/apdu-spec.md: RESHARE OUT, RESHARE IN, RETIRE): old
// cards of a 3-of-5 set redistribute their shares to 4 new cards (2-of-4), each new card takes its
// share from the boxes sealed for it, and any 2 new cards give back the old secret - which never
// existed anywhere on the way, nor did an old share or a sub-share cross the interface in clear.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/command.hpp"
#include "apdu/response.hpp"
#include "apdu/tlv.hpp"
#include "apdu/status.hpp"
#include "crypto/certificate.hpp"
#include "crypto/feldman.hpp"
#include "crypto/reshare.hpp"
#include "host/card/quorum_card.hpp"
#include "protocol/commands.hpp"
#include "protocol/reshare.hpp"
#include "protocol/shares.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
using namespace quorum::test::script;
using protocol::Lifecycle;
using test::CardFixture;
namespace field = card::field;
namespace reshare = crypto::reshare;
namespace sw = apdu::sw;

namespace {

const Bytes kContext = {'s', 'e', 't', ' ', 'B', ' ', '2', '0', '2', '7'};
const Bytes kPin = {'1', '2', '3', '4', '5', '6'};
constexpr const char* kGetShare = "8038000000";

using Cards = std::vector<std::unique_ptr<CardFixture>>;

// PUT DATA 00C9 as keygen sends it: the share and the digest of the commitments.
std::string putShare(const crypto::FeldmanShare& share, const crypto::FeldmanCommitments& commitments) {
    const protocol::ShareRecord record{share.index, share.value, commitments.digest()};
    return toHex(protocol::command::putData(protocol::tag::kShare, record.encode()).encode());
}
// PUT DATA 00CB: card 1's share of the tests' small threshold RSA key.
std::string putRsaShare() {
    const auto deal = test::shoup_keys::small3of7();
    return toHex(protocol::command::putData(protocol::tag::kRsaShare, host::rsaShareRecord(deal.publicKey, deal.shares[0]))
                     .encode());
}

// Card `index` of the test ceremony, issued with PIN "123456" (no change due unless asked):
// PERSONALIZED. With `put` (a share's PUT DATA), that first.
std::unique_ptr<CardFixture> issued(int index, const std::string& put = "", bool changeBeforeUse = false) {
    auto f = std::make_unique<CardFixture>();
    f->issueIdentity(index);
    if (!put.empty()) REQUIRE(f->send(put) == "9000");
    f->send(changeBeforeUse ? kPutPolicy : kPutPolicyNoChange);
    f->send(kPutPin);
    f->send(kPutPuk);
    f->send(kActivate);
    REQUIRE(f->card.lifecycle() == Lifecycle::Personalized);
    return f;
}

// The old set: cards 1..5 of a 3-of-5 deal, OPERATIONAL (their holders verified the PIN once).
Cards oldCards(const crypto::FeldmanDeal& deal) {
    Cards cards;
    for (const auto& share : deal.shares) {
        cards.push_back(issued(share.index, putShare(share, deal.commitments)));
        REQUIRE(cards.back()->send(kVerifyPin) == "9000");
    }
    return cards;
}

// The new set: cards 1..n, issued without a share.
Cards newCards(int n) {
    Cards cards;
    for (int j = 1; j <= n; ++j) cards.push_back(issued(j));
    return cards;
}

crypto::Certificate certificateOf(const CardFixture& f) {
    return crypto::Certificate::fromDer(f.nvm.persisted().at(field::kCardCertificate));
}
std::vector<crypto::Certificate> certificatesOf(const Cards& cards) {
    std::vector<crypto::Certificate> out;
    for (const auto& f : cards) out.push_back(certificateOf(*f));
    return out;
}
// The card's own key, as only the card knows it (the test reads its memory).
crypto::EcPrivateKey keyOf(const CardFixture& f) {
    return crypto::EcPrivateKey::fromScalar(f.nvm.persisted().at(field::kCardPrivateKey));
}

host::QuorumCard client(CardFixture& f) { return host::QuorumCard(f.link, test::TestCeremony::instance().trust()); }

std::string reshareOutHex(int newK, const std::vector<crypto::Certificate>& certificates, const Bytes& context = kContext) {
    protocol::ReshareOutRequest request{static_cast<std::uint8_t>(newK), context, {}};
    for (const auto& certificate : certificates) request.certificates.push_back(certificate.der());
    return toHex(protocol::command::reshareOut(request).encode());
}
std::string reshareInHex(const std::vector<reshare::Redistribution>& b, const Bytes& context = kContext) {
    protocol::ReshareInRequest request{context, {}};
    for (const auto& r : b) request.redistributions.push_back(protocol::recordOf(r));
    return toHex(protocol::command::reshareIn(request).encode());
}

// RESHARE OUT with the request's objects as given, checked by nobody but the card.
std::string rawReshareOut(std::uint8_t newK, const std::vector<crypto::Certificate>& certificates) {
    std::vector<apdu::Tlv> objects = {apdu::Tlv::primitive(0x80, {newK}), apdu::Tlv::primitive(0x81, kContext)};
    for (const auto& certificate : certificates) objects.push_back(apdu::Tlv::primitive(0x82, certificate.der()));
    return toHex(apdu::CommandApdu{0x80, 0x3C, 0x00, 0x00, apdu::encodeTlv(objects), 256}.encode());
}

apdu::ResponseApdu parsed(const std::string& hex) { return apdu::ResponseApdu::parse(fromHex(hex)); }

// Old cards `from` (1-based) of `old` redistribute to `fresh` through RESHARE OUT, sent by the fixture.
std::vector<reshare::Redistribution> redistributeBy(Cards& old, const std::vector<int>& from, const Cards& fresh,
                                                    int newK) {
    std::vector<reshare::Redistribution> b;
    for (int i : from) {
        const auto answer = parsed(old.at(i - 1u)->send(reshareOutHex(newK, certificatesOf(fresh))));
        REQUIRE(answer.sw == sw::kSuccess);
        b.push_back(protocol::redistributionOf<reshare::Redistribution>(
            protocol::ReshareOutAnswer::decode(answer.data).redistribution));
    }
    return b;
}

// Every pair of the new cards' shares (GET SHARE, after the PIN) gives the secret.
void checkEveryPairReconstructs(Cards& fresh, const crypto::FeldmanDeal& deal, const crypto::FeldmanCommitments& c) {
    std::vector<crypto::FeldmanShare> shares;
    for (auto& f : fresh) {
        f->openSession();  // a QuorumCard may have had the card's session meanwhile
        REQUIRE(f->send(kVerifyPin) == "9000");
        const auto release = protocol::ShareRelease::decode(parsed(f->send(kGetShare)).data);
        CHECK(release.record.commitmentsDigest == c.digest());
        CHECK(release.usageCount == 1);
        shares.push_back({release.record.index, release.record.value});
        CHECK(crypto::verifyShare(shares.back(), c));
    }
    for (std::size_t a = 0; a < shares.size(); ++a)
        for (std::size_t b = a + 1; b < shares.size(); ++b) CHECK(crypto::combine({shares[a], shares[b]}, c) == deal.secret);
}

}  // namespace

TEST_CASE("reshare: 3 of 5 old cards to 4 new cards (2-of-4) through QuorumCard; any 2 new cards give the secret") {
    const crypto::FeldmanDeal deal = crypto::deal(3, 5);
    Cards old = oldCards(deal);
    Cards fresh = newCards(4);
    const auto certificates = certificatesOf(fresh);

    std::vector<reshare::Redistribution> b;
    for (int i : {1, 3, 5}) {
        CAPTURE(i);
        auto card = client(*old[i - 1u]);
        card.verifyPin(kPin);
        b.push_back(card.reshareOut(2, certificates, kContext));
        CHECK(b.back().from == i);
        CHECK(b.back().sealed.size() == 4);
        CHECK(reshare::fromShareHolder(b.back(), deal.commitments));  // the host's public check
        CHECK(old[i - 1u]->sendPlain("00CA00C300") == "000000019000");  // counted once, as GET SHARE
    }
    const crypto::FeldmanCommitments combined = reshare::combinedCommitments(b);
    CHECK(combined.threshold() == 2);
    CHECK(combined.points[0] == deal.commitments.points[0]);

    for (auto& f : fresh) {
        auto card = client(*f);
        card.reshareIn(b, kContext);  // no PIN: as PUT DATA 00C9
        CHECK(f->card.lifecycle() == Lifecycle::Operational);
        CHECK(f->sendPlain("00CA00C300") == "000000009000");
        CHECK(card.secure());  // the session goes on
    }
    checkEveryPairReconstructs(fresh, deal, combined);

    // The old cards are retired: shares erased, and nothing but SELECT and GET DATA answered.
    for (int i : {1, 2, 3, 4, 5}) {
        auto card = client(*old[i - 1u]);
        card.retire();
        CHECK_FALSE(card.secure());
        CHECK(old[i - 1u]->card.lifecycle() == Lifecycle::Retired);
        CHECK(old[i - 1u]->nvm.persisted().count(field::kShare) == 0);
    }
    // The new set still works without them.
    const auto shares = [&] {
        std::vector<crypto::FeldmanShare> out;
        for (int j : {2, 4}) {
            auto card = client(*fresh[j - 1u]);
            card.verifyPin(kPin);
            out.push_back(card.getShare().share);
        }
        return out;
    }();
    CHECK(crypto::combine(shares, combined) == deal.secret);
}

TEST_CASE("reshare: a new card refuses a bad box or sub-share with 9Cxx / 9Dxx naming the old card, and stays as it was") {
    const crypto::FeldmanDeal deal = crypto::deal(3, 5);
    Cards old = oldCards(deal);
    Cards fresh = newCards(2);
    const std::vector<reshare::Redistribution> b = redistributeBy(old, {2, 3, 4}, fresh, 2);
    CardFixture& target = *fresh[1];  // card 2

    // Old card 3's box for card 2 altered on its way: it does not open.
    std::vector<reshare::Redistribution> altered = b;
    altered[1].sealed[1].box[5] ^= 0x01;
    CHECK(target.send(reshareInHex(altered)) == "9C03");
    // Old card 4's sub-share for card 2 wrong, though properly sealed: it fails D_4.
    std::vector<reshare::Redistribution> cheated = b;
    cheated[2].sealed[1] = reshare::seal(4, {2, certificateOf(target).publicKey().point()}, Bytes(32, 0x11),
                                         cheated[2].commitments, kContext);
    CHECK(target.send(reshareInHex(cheated)) == "9D04");
    // Old card 2 sent no box for card 2.
    std::vector<reshare::Redistribution> missing = b;
    missing[0].sealed.pop_back();
    CHECK(target.send(reshareInHex(missing)) == "9C02");
    // Another context: no box opens; the first old card is named.
    CHECK(target.send(reshareInHex(b, {'o', 't', 'h', 'e', 'r'})) == "9C02");
    // Nothing stored, the card still PERSONALIZED, its session still open.
    CHECK(target.card.lifecycle() == Lifecycle::Personalized);
    CHECK(target.nvm.persisted().count(field::kShare) == 0);
    CHECK(target.card.inSecureSession());

    // The host's QuorumCard reports it as a RedistributionRefusedError naming old card 4.
    {
        auto card = client(target);
        struct Refusal {
            int oldCard = 0;
            std::uint16_t sw = 0;
            std::optional<int> cardIndex;
            std::string what;
        };
        auto refusal = [&](const std::vector<reshare::Redistribution>& given) {
            try {
                card.reshareIn(given, kContext);
            } catch (const host::RedistributionRefusedError& e) {
                return Refusal{e.oldCard(), e.sw(), e.cardIndex(), e.what()};
            }
            return Refusal{};
        };
        const Refusal subShare = refusal(cheated);
        CHECK(subShare.oldCard == 4);
        CHECK(subShare.sw == 0x9D04);
        CHECK(subShare.cardIndex == 2);
        CHECK(subShare.what.find("old card 4") != std::string::npos);
        const Refusal box = refusal(altered);
        CHECK(box.oldCard == 3);
        CHECK(box.sw == 0x9C03);
    }
    CHECK(target.card.lifecycle() == Lifecycle::Personalized);
    target.openSession();  // the QuorumCard had the card's session

    // Without old card 4: old cards 2, 3 and 5. Both new cards take their shares.
    const std::vector<reshare::Redistribution> redo = redistributeBy(old, {2, 3, 5}, fresh, 2);
    for (auto& f : fresh) CHECK(parsed(f->send(reshareInHex(redo))).sw == sw::kSuccess);
    checkEveryPairReconstructs(fresh, deal, reshare::combinedCommitments(redo));
}

TEST_CASE("reshare: RESHARE IN takes only a first share, inside SCP11a, and its data checked") {
    const crypto::FeldmanDeal deal = crypto::deal(2, 3);
    Cards old = oldCards(deal);
    Cards fresh = newCards(1);
    CardFixture& f = *fresh[0];
    const std::vector<reshare::Redistribution> b = redistributeBy(old, {1, 3}, fresh, 1);
    const std::string in = reshareInHex(b);

    CHECK(f.sendPlain(in) == "6982");                                    // never in the clear
    CHECK(f.send(reshareInHex({b[0], b[0]})) == "6A80");                 // one old card twice
    auto otherK = redistributeBy(old, {2}, fresh, 1);
    otherK[0].commitments.points.push_back(otherK[0].commitments.points[0]);  // k' = 2 for card 2
    CHECK(f.send(reshareInHex({b[0], otherK[0]})) == "6A80");            // two new thresholds
    CHECK(f.send(reshareInHex({otherK[0]})) == "9C02");                  // its box is bound to k' = 1
    Bytes broken = apdu::CommandApdu::parse(fromHex(in)).data;
    broken.pop_back();  // the last byte of the last record
    CHECK(f.send(toHex(apdu::CommandApdu{0x80, 0x3E, 0x00, 0x00, broken, 256}.encode())) == "6A80");
    CHECK(f.send("803E000000") == "6700");
    CHECK(f.send("803E0100" + in.substr(8)) == "6A86");

    const auto answer = parsed(f.send(in));
    REQUIRE(answer.sw == sw::kSuccess);
    const auto stored = protocol::ReshareInAnswer::decode(answer.data);
    CHECK(stored.index == 1);
    CHECK(stored.commitmentsDigest == reshare::combinedCommitments(b).digest());
    CHECK(f.send(toHex(protocol::command::putData(protocol::tag::kShare, Bytes(65, 0x01)).encode())) == "6985");

    // Taken again from another group of old cards - the same redistribution, the share never
    // released - it is replaced; for another context, or once released, never.
    const std::vector<reshare::Redistribution> other = redistributeBy(old, {1, 2}, fresh, 1);
    CHECK(f.send(reshareInHex(other, {'o', 't', 'h', 'e', 'r'})) == "6985");
    const auto again = parsed(f.send(reshareInHex(other)));
    REQUIRE(again.sw == sw::kSuccess);
    CHECK(protocol::ReshareInAnswer::decode(again.data).commitmentsDigest == reshare::combinedCommitments(other).digest());
    REQUIRE(f.send(kVerifyPin) == "9000");
    const auto release = protocol::ShareRelease::decode(parsed(f.send(kGetShare)).data);
    CHECK(crypto::verifyShare({release.record.index, release.record.value}, reshare::combinedCommitments(other)));
    CHECK(f.send(in) == "6985");
    CHECK(f.send(reshareInHex(other)) == "6985");

    // A BLANK card, a card with a share, a BLOCKED one: no.
    CardFixture blank;
    blank.issueIdentity(1);
    CHECK(blank.send(in) == "6985");
    CHECK(old[0]->send(in) == "6985");
    auto blocked = issued(1);
    for (int i = 0; i < 3; ++i) blocked->send(kVerifyWrong);
    REQUIRE(blocked->card.lifecycle() == Lifecycle::Blocked);
    CHECK(blocked->send(in) == "6985");
}

TEST_CASE("reshare: a new card whose transport PIN must change takes its share, and stays PERSONALIZED until the change") {
    const crypto::FeldmanDeal deal = crypto::deal(2, 3);
    Cards old = oldCards(deal);
    Cards fresh;
    fresh.push_back(issued(1, "", true));
    fresh.push_back(issued(2));
    const std::vector<reshare::Redistribution> b = redistributeBy(old, {2, 3}, fresh, 2);
    for (auto& f : fresh) REQUIRE(parsed(f->send(reshareInHex(b))).sw == sw::kSuccess);
    CHECK(fresh[0]->card.lifecycle() == Lifecycle::Personalized);  // its holder has not taken it over
    CHECK(fresh[1]->card.lifecycle() == Lifecycle::Operational);
    CHECK(fresh[0]->send(kGetShare) == "6985");
    REQUIRE(fresh[0]->send(kChangePin) == "9000");
    REQUIRE(fresh[0]->card.lifecycle() == Lifecycle::Operational);
    const auto first = protocol::ShareRelease::decode(parsed(fresh[0]->send(kGetShare)).data);
    REQUIRE(fresh[1]->send(kVerifyPin) == "9000");
    const auto second = protocol::ShareRelease::decode(parsed(fresh[1]->send(kGetShare)).data);
    CHECK(crypto::combine({{first.record.index, first.record.value}, {second.record.index, second.record.value}},
                          reshare::combinedCommitments(b)) == deal.secret);
}

TEST_CASE("reshare: RESHARE OUT only for the holder, inside SCP11a, to card certificates of its own ceremony") {
    const crypto::FeldmanDeal deal = crypto::deal(2, 3);
    Cards old = oldCards(deal);
    Cards fresh = newCards(3);
    CardFixture& f = *old[0];
    const auto certificates = certificatesOf(fresh);
    const std::string out = reshareOutHex(2, certificates);

    f.openSession();                                                      // a new session: no PIN
    CHECK(f.send(out) == "6982");
    CHECK(f.sendPlain(out) == "6982");                                    // in the clear: never
    CHECK(f.send(kVerifyPin) == "9000");

    // Foreign certificates: another ceremony's card, a host, a card twice.
    const auto& other = test::TestCeremony::other();
    auto foreign = certificates;
    foreign[1] = other.ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), 2);
    CHECK(f.send(reshareOutHex(2, foreign)) == "6A80");
    auto withHost = certificates;
    withHost[2] = test::TestCeremony::instance().host.certificate;
    CHECK(f.send(reshareOutHex(2, withHost)) == "6A80");
    auto twice = certificates;
    twice[2] = certificates[0];
    CHECK(f.send(reshareOutHex(2, twice)) == "6A80");
    CHECK(f.send(rawReshareOut(4, certificates)) == "6A80");           // k' > n'
    CHECK(f.send(rawReshareOut(0, certificates)) == "6A80");
    CHECK(f.send(rawReshareOut(2, {})) == "6A80");                      // no new card
    CHECK(f.send("803C000000") == "6700");
    CHECK(f.send("803C0001" + out.substr(8)) == "6A86");
    CHECK(f.sendPlain("00CA00C300") == "000000009000");                  // none of that counted

    f.openSession();
    REQUIRE(f.send(kVerifyPin) == "9000");
    const auto answer = parsed(f.send(out));
    REQUIRE(answer.sw == sw::kSuccess);
    const auto decoded = protocol::ReshareOutAnswer::decode(answer.data);
    CHECK(decoded.usageCount == 1);
    CHECK(decoded.redistribution.from == 1);
    CHECK(decoded.redistribution.sealed.size() == 3);
    const auto r = protocol::redistributionOf<reshare::Redistribution>(decoded.redistribution);
    CHECK(reshare::fromShareHolder(r, deal.commitments));
    // Each new card opens its own box: g_1(j) for j = 1..3 lies on one line through s_1.
    for (std::uint8_t j = 1; j <= 3; ++j)
        CHECK_NOTHROW(reshare::receive(j, keyOf(*fresh[j - 1u]), {r}, kContext));

    // A PERSONALIZED card (its holder never verified) and a threshold RSA card: no.
    auto personalized = issued(2, putShare(deal.shares[1], deal.commitments));
    CHECK(personalized->send(out) == "6985");
    auto rsa = issued(1, putRsaShare());
    REQUIRE(rsa->send(kVerifyPin) == "9000");
    CHECK(rsa->send(out) == "6A88");

    // Through QuorumCard: a refusal explained.
    auto card = client(*rsa);
    card.verifyPin(kPin);
    try {
        (void)card.reshareOut(2, certificates, kContext);
        FAIL("RESHARE OUT on a threshold RSA card");
    } catch (const host::CardRefusedError& e) {
        CHECK(e.sw() == sw::kReferencedDataNotFound);
        CHECK(std::string(e.what()).find("nothing on it to redistribute") != std::string::npos);
    }
    CHECK_THROWS_AS(card.reshareOut(0, certificates, kContext), std::invalid_argument);
    CHECK_THROWS_AS(card.reshareOut(4, certificates, kContext), std::invalid_argument);
}

TEST_CASE("reshare: RETIRE erases the share without a PIN; a RETIRED card answers SELECT and GET DATA only") {
    const crypto::FeldmanDeal deal = crypto::deal(2, 3);
    Cards old = oldCards(deal);
    CardFixture& f = *old[0];
    const std::string certificate = f.sendPlain("00CABF2100");

    CHECK(f.sendPlain(kRetire) == "6982");                               // never in the clear
    f.openSession();                                                      // no PIN verified
    CHECK(f.send("80E6000100") == "6A86");
    CHECK(f.send(kRetire) == "9000");
    CHECK_FALSE(f.card.inSecureSession());                               // ended with the answer
    CHECK(f.card.lifecycle() == Lifecycle::Retired);
    CHECK(f.nvm.persisted().count(field::kShare) == 0);
    CHECK(f.nvm.persisted().count(field::kCardCertificate) == 1);

    const std::string fci = f.sendPlain(kSelect);
    CHECK(fci.substr(fci.size() - 4) == "9000");
    CHECK(fci.find("C2013F") != std::string::npos);
    CHECK(f.sendPlain("00CA00C200") == "3F9000");
    CHECK(f.sendPlain("00CA00C300") == "000000009000");
    CHECK(f.sendPlain("00CABF2100") == certificate);
    // Everything else: 6985, before any question of sessions (none can open).
    const std::string psoAnswer =
        f.sendPlain(toHex(apdu::CommandApdu{0x80, 0x2A, 0x01, 0x10, test::TestCeremony::instance().host.certificate.der(),
                                            std::nullopt}
                              .encode()));
    CHECK(psoAnswer == "6985");
    for (const std::string& command :
         {std::string(kGetShare), std::string("803A000020") + std::string(64, 'A') + "00", reshareOutHex(1, {certificateOf(f)}),
          std::string(kVerifyPin), std::string(kResetWithPuk), std::string(kRetire), std::string(kPutPolicy),
          std::string("803E000003810001")}) {
        CAPTURE(command);
        CHECK(f.sendPlain(command) == "6985");
    }
    CHECK(f.sendPlain("00EE0000") == "6D00");

    // A BLOCKED card - its holder lost the PIN - is retired all the same; so is a threshold RSA card.
    CardFixture& lost = *old[1];
    for (int i = 0; i < 3; ++i) lost.send(kVerifyWrong);
    REQUIRE(lost.card.lifecycle() == Lifecycle::Blocked);
    auto card = client(lost);
    card.retire();
    CHECK(lost.card.lifecycle() == Lifecycle::Retired);
    CHECK(lost.nvm.persisted().count(field::kShare) == 0);
    CHECK_THROWS_AS(client(lost).getShare(), host::CardError);

    auto rsa = issued(1, putRsaShare(), true);
    CHECK(rsa->send(kRetire) == "9000");                                 // with a PIN change pending too
    CHECK(rsa->nvm.persisted().count(field::kRsaShare) == 0);

    // A BLANK card is wiped, not retired.
    CardFixture blank;
    blank.issueIdentity(1);
    CHECK(blank.send(kRetire) == "6985");
}

TEST_CASE("reshare: no old share and no sub-share ever crosses the interface in clear") {
    const crypto::FeldmanDeal deal = crypto::deal(3, 5);
    Cards old = oldCards(deal);
    Cards fresh = newCards(4);
    for (auto& f : old) f->trace.on = true;
    for (auto& f : fresh) f->trace.on = true;

    // The whole exchange through the fixture: RESHARE OUT on old cards 1, 2 and 4 (after VERIFY in
    // a new session), RESHARE IN on every new card, GET SHARE on every new card.
    std::vector<reshare::Redistribution> b;
    for (int i : {1, 2, 4}) {
        old[i - 1u]->openSession();
        REQUIRE(old[i - 1u]->send(kVerifyPin) == "9000");
    }
    b = redistributeBy(old, {1, 2, 4}, fresh, 2);
    for (auto& f : fresh) REQUIRE(parsed(f->send(reshareInHex(b))).sw == sw::kSuccess);
    checkEveryPairReconstructs(fresh, deal, reshare::combinedCommitments(b));

    // What must never appear: every old share s_i, and every g_i(j) (opened here with the new
    // cards' keys: with B = {i} alone, receive() returns g_i(j) itself).
    std::vector<Bytes> secrets;
    for (const auto& share : deal.shares) secrets.push_back(share.value);
    for (const auto& r : b)
        for (std::uint8_t j = 1; j <= 4; ++j) secrets.push_back(reshare::receive(j, keyOf(*fresh[j - 1u]), {r}, kContext).value);
    REQUIRE(secrets.size() == 5 + 12);

    std::vector<const Bytes*> seen;
    Bytes everything;  // all of it in a row: a secret cut in two by chaining would show here
    std::size_t plain = 0, wire = 0;
    for (const Cards* cards : {&old, &fresh})
        for (const auto& f : *cards) {
            for (const Bytes& apdu : f->trace.plain) seen.push_back(&apdu);
            for (const Bytes& apdu : f->trace.wire) {
                seen.push_back(&apdu);
                everything.insert(everything.end(), apdu.begin(), apdu.end());
            }
            plain += f->trace.plain.size();
            wire += f->trace.wire.size();
        }
    seen.push_back(&everything);
    CHECK(plain > 20);
    CHECK(wire > plain);  // GET RESPONSE and chaining on the wire
    for (std::size_t s = 0; s < secrets.size(); ++s) {
        CAPTURE(s);
        const Bytes& secret = secrets[s];
        for (const Bytes* apdu : seen)
            CHECK(std::search(apdu->begin(), apdu->end(), secret.begin(), secret.end()) == apdu->end());
    }
    // The new shares do appear in the plain GET SHARE answers (so the search does find what is
    // there), but never on the wire.
    const Bytes newShare = protocol::ShareRecord::decode(fresh[0]->nvm.persisted().at(field::kShare))->value;
    bool inPlain = false;
    for (const Bytes& apdu : fresh[0]->trace.plain)
        inPlain = inPlain || std::search(apdu.begin(), apdu.end(), newShare.begin(), newShare.end()) != apdu.end();
    CHECK(inPlain);
    CHECK(std::search(everything.begin(), everything.end(), newShare.begin(), newShare.end()) == everything.end());
}
