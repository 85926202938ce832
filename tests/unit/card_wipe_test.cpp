// WIPE: a card whose issuance stopped before ACTIVATE FILE goes back to the factory state, by a
// host of the CA that began it, and can be issued again.
#include <doctest/doctest.h>

#include "apdu/status.hpp"
#include "firmware-model/card.hpp"
#include "protocol/commands.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using namespace quorum::test::script;
using protocol::Lifecycle;
using test::CardFixture;
using test::TestCeremony;
namespace sw = apdu::sw;
namespace field = card::field;

namespace {
const std::string kPutShare = "00DA00C941" "03" + std::string(128, '1');

// What a card holds when it leaves the factory: its id, and BLANK.
card::NvmImage asManufactured(const CardFixture& f) {
    return {{field::kCardId, f.card.cardId()}, {field::kLifecycle, {0x01}}};
}
}  // namespace

TEST_CASE("WIPE: the command, and how it must arrive") {
    CHECK(toHex(protocol::command::wipe().encode()) == kWipe);
    CHECK(protocol::arrivalOf(0x80, 0xE4, 0x00, 0x00) == protocol::Arrival::Session);
    CHECK_FALSE(protocol::commandCarriesSecret(fromHex(kWipe)));
}

TEST_CASE("WIPE: a half-issued card is BLANK as manufactured, and takes a whole new issuance") {
    CardFixture f;
    f.issueIdentity();
    // Where the issuance stopped.
    SUBCASE("after the identity") {}
    SUBCASE("after the share") { REQUIRE(f.send(kPutShare) == "9000"); }
    SUBCASE("after the share, policy, PIN and PUK") {
        REQUIRE(f.send(kPutShare) == "9000");
        for (const char* apdu : {kPutPolicy, kPutPin, kPutPuk}) REQUIRE(f.send(apdu) == "9000");
    }
    const Bytes id = f.card.cardId();
    REQUIRE(f.card.lifecycle() == Lifecycle::Blank);

    CHECK(f.send(kWipe) == "9000");                                // R-MAC checked by the host
    CHECK(f.nvm.persisted() == asManufactured(f));                 // nothing else, not even zeros
    CHECK(f.card.cardId() == id);
    CHECK_FALSE(f.card.inSecureSession());                         // its key is gone, so is the session
    CHECK_THROWS_AS(f.session->transmit(protocol::command::getData(protocol::tag::kCardId)),
                    host::SessionClosedByCardError);               // 6982 to the old session
    CHECK(f.sendPlain("00CABF2100") == "6A88");                    // no certificate
    CHECK(f.sendPlain("00CA00C500") == "6A88");                    // no PIN policy
    CHECK(f.sendPlain("00CA00C300") == "000000009000");            // nothing used

    SUBCASE("issued again by the same CA") {
        test::personalize(f, false);
        CHECK(f.send(kVerifyPin) == "9000");
    }
    SUBCASE("issued again by another CA, whose hosts alone it then trusts") {
        const TestCeremony& other = TestCeremony::other();
        f.issueIdentity(2, other);
        f.openSession(other.trust());
        for (const char* apdu : {kPutPolicyNoChange, kPutPin, kPutPuk, kActivate}) CHECK(f.send(apdu) == "9000");
        CHECK(f.send(kVerifyPin) == "9000");
        CHECK(f.card.lifecycle() == Lifecycle::Operational);
        const TestCeremony& first = TestCeremony::instance();
        const host::CeremonyTrust firstHost{first.host, other.ca.certificate(), other.ca.cardSetId()};
        CHECK_THROWS_WITH_AS(f.openSession(firstHost), doctest::Contains("refused this host's certificate"),
                             host::CardAuthenticationError);
    }
}

TEST_CASE("WIPE: in the clear, with bad parameters, or on an issued card: refused, nothing erased") {
    CardFixture f;
    f.issueIdentity();
    REQUIRE(f.send(kPutShare) == "9000");
    const card::NvmImage before = f.nvm.persisted();
    CHECK(f.sendPlain(kWipe) == "6982");
    CHECK(toHex(f.card.process(fromHex("84E4000008" "0011223344556677"))) == "6982");  // no session
    CHECK(f.send("80E40100") == "6A86");
    CHECK(f.send("80E40001") == "6A86");
    CHECK(f.send("80E4000001AA") == "6700");                      // data
    CHECK(f.send("80E4000000") == "6700");                        // Le
    CHECK(f.card.inSecureSession());                              // these leave the session open
    CHECK(f.nvm.persisted() == before);

    // Once ACTIVATE FILE has run, the card is its holder's: no WIPE in any state.
    auto refusedIn = [](CardFixture& issued, bool terminated = false) {
        const card::NvmImage kept = issued.nvm.persisted();
        CHECK((terminated ? issued.sendPlain(kWipe) : issued.send(kWipe)) == "6985");
        CHECK(issued.nvm.persisted() == kept);
    };
    CardFixture pending;
    test::personalize(pending);                                   // PERSONALIZED, PIN change due
    refusedIn(pending);
    CardFixture personalized;
    test::personalize(personalized, false);
    refusedIn(personalized);
    personalized.send(kVerifyPin);
    REQUIRE(personalized.card.lifecycle() == Lifecycle::Operational);
    refusedIn(personalized);
    for (int i = 0; i < 3; ++i) personalized.send(kVerifyWrong);
    REQUIRE(personalized.card.lifecycle() == Lifecycle::Blocked);
    refusedIn(personalized);
    for (int i = 0; i < 3; ++i) personalized.send(kResetWrongPuk);
    REQUIRE(personalized.card.lifecycle() == Lifecycle::Terminated);
    refusedIn(personalized, true);                                // no key left for a session
}

TEST_CASE("WIPE: a host of another CA cannot open the session it needs") {
    CardFixture f;
    f.issueIdentity();
    REQUIRE(f.send(kPutShare) == "9000");
    const card::NvmImage before = f.nvm.persisted();
    const TestCeremony& mine = TestCeremony::instance();
    const host::CeremonyTrust strangeHost{TestCeremony::other().host, mine.ca.certificate(), mine.ca.cardSetId()};
    CHECK_THROWS_WITH_AS(f.openSession(strangeHost), doctest::Contains("refused this host's certificate"),
                         host::CardAuthenticationError);
    CHECK_FALSE(f.card.inSecureSession());
    CHECK(f.sendPlain(kWipe) == "6982");
    CHECK(f.nvm.persisted() == before);
}
