// The host's QuorumCard against the firmware-model card, in process: calls in, typed errors out.
#include <doctest/doctest.h>

#include "apdu/response_chaining.hpp"
#include "apdu/status.hpp"
#include "host/card/quorum_card.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using host::QuorumCard;

namespace {
Bytes text(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

struct HostAndCard {
    test::CardFixture f;
    QuorumCard card{f.link, test::TestCeremony::instance().trust()};
};
}  // namespace

TEST_CASE("QuorumCard personalizes, and PIN errors arrive as types carrying the tries left") {
    HostAndCard h;
    CHECK(h.card.select().lifecycleName() == "BLANK");
    h.card.issueIdentity(test::TestCeremony::instance().ca, 4);
    host::PinPolicy policy;  // 6..8, PUK 8, 3/3, change before use
    CHECK_THROWS_WITH_AS(h.card.personalize(policy, text("123"), text("12345678")),
                         doctest::Contains("6 to 8 characters"), host::PinFormatError);
    CHECK_THROWS_WITH_AS(h.card.personalize(policy, text("123456"), text("1234567")),
                         doctest::Contains("exactly 8"), host::PinFormatError);
    h.card.personalize(policy, text("123456"), text("12345678"));
    const auto info = h.card.select();
    CHECK(info.lifecycleName() == "PERSONALIZED");
    REQUIRE(info.pinPolicy);
    CHECK(toHex(info.pinPolicy->encode()) == "060808030301");  // the FCI carries the policy
    CHECK(h.card.pinTriesLeft() == 3);
    CHECK_THROWS_AS(h.card.pinStatus(), host::CardRefusedError);  // PIN change pending

    try {
        h.card.verifyPin(text("999999"));
        FAIL("a wrong PIN was accepted");
    } catch (const host::WrongSecretError& e) {
        CHECK(e.triesLeft() == 2);
        CHECK(std::string(e.what()) == "PIN: wrong, 2 tries left");
    }
    CHECK_THROWS_WITH_AS(h.card.verifyPin(text("12")), doctest::Contains("6 to 8 characters"),
                         host::PinFormatError);  // refused before it costs a try
    CHECK(h.card.pinTriesLeft() == 2);
    CHECK_THROWS_WITH_AS(h.card.changePin(text("123456"), text("1")),
                         doctest::Contains("new PIN must have 6 to 8"), host::PinFormatError);
    h.card.changePin(text("123456"), text("87654321"));
    CHECK(h.card.select().lifecycleName() == "OPERATIONAL");
    const auto status = h.card.pinStatus();
    CHECK(status.pinTriesLeft == 3);
    CHECK(status.pukTryLimit == 3);
    CHECK_FALSE(status.changeRequired);
    h.card.verifyPin(text("87654321"));
    CHECK_FALSE(h.card.pinTriesLeft().has_value());  // verified in this session
}

TEST_CASE("QuorumCard: blocked PIN, unblock with the PUK, and a terminated card") {
    HostAndCard h;
    h.card.issueIdentity(test::TestCeremony::instance().ca, 5);
    host::PinPolicy policy;
    policy.changeBeforeUse = false;
    h.card.personalize(policy, text("123456"), text("12345678"));
    for (int i = 0; i < 2; ++i) CHECK_THROWS_AS(h.card.verifyPin(text("000000")), host::WrongSecretError);
    CHECK_THROWS_WITH_AS(h.card.verifyPin(text("000000")), doctest::Contains("PIN is now blocked"),
                         host::WrongSecretError);
    CHECK_THROWS_AS(h.card.verifyPin(text("123456")), host::PinBlockedError);
    h.card.unblockPin(text("12345678"), text("111111"));
    h.card.verifyPin(text("111111"));
    for (int i = 0; i < 2; ++i)
        CHECK_THROWS_AS(h.card.unblockPin(text("00000000"), text("111111")), host::WrongSecretError);
    CHECK_THROWS_WITH_AS(h.card.unblockPin(text("00000000"), text("111111")),
                         doctest::Contains("TERMINATED"), host::WrongSecretError);
    CHECK_THROWS_AS(h.card.select(), host::CardTerminatedError);
}

TEST_CASE("QuorumCard: wipe() takes a half-issued card back to BLANK; an issued card refuses") {
    HostAndCard h;
    h.card.issueIdentity(test::TestCeremony::instance().ca, 6);
    h.card.storeShare({6, Bytes(32, 0x11)}, Bytes(32, 0x22));
    h.card.wipe();
    CHECK_FALSE(h.card.secure());                                  // the card ended the session
    const auto info = h.card.select();
    CHECK(info.lifecycleName() == "BLANK");
    CHECK_FALSE(info.pinPolicy);
    CHECK(h.f.nvm.persisted().size() == 2);                        // card id and state
    // No certificate any more: no session, so nothing more to wipe until it is issued again.
    CHECK_THROWS_WITH_AS(h.card.wipe(), doctest::Contains("no certificate"), host::CardAuthenticationError);

    h.card.issueIdentity(test::TestCeremony::instance().ca, 6);    // the whole issuance again
    host::PinPolicy policy;
    policy.changeBeforeUse = false;
    h.card.personalize(policy, text("123456"), text("12345678"));
    h.card.verifyPin(text("123456"));
    try {
        h.card.wipe();
        FAIL("an issued card was wiped");
    } catch (const host::CardRefusedError& e) {
        CHECK(e.sw() == 0x6985);
        // Said as what happened and what to do, with the raw status kept at the end.
        CHECK(std::string(e.what()) ==
              "wiping the card: WIPE only undoes an issuance that stopped half-way; this card is OPERATIONAL, its "
              "issuance finished, and it keeps what it holds (card status 6985)");
    }
    CHECK(h.card.select().lifecycleName() == "OPERATIONAL");
}
