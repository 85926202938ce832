// The card's share: stored once inside SCP11a (at issuance, or later on an issued card without
// one), released only to its holder, every release counted.
#include <doctest/doctest.h>

#include "apdu/command.hpp"
#include "apdu/status.hpp"
#include "host/card/quorum_card.hpp"
#include "protocol/commands.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
using namespace quorum::test::script;
using test::CardFixture;
namespace sw = apdu::sw;
namespace field = card::field;

namespace {
// Share of card 3: value 11..11, commitments digest 22..22.
const std::string kShareRecord = "03" + std::string(64, '1') + std::string(64, '2');
const std::string kPutShare = "00DA00C941" + kShareRecord;
constexpr const char* kGetShare = "8038000000";
}  // namespace

TEST_CASE("share: stored once, inside SCP11a, while BLANK") {
    CardFixture f;
    f.issueIdentity(3);
    CHECK(f.sendPlain(kPutShare) == "6982");                      // never in the clear
    CHECK(f.send("00DA00C940" + kShareRecord.substr(2)) == "6700");    // 64 bytes: no index
    CHECK(f.send("00DA00C941" "00" + kShareRecord.substr(2)) == "6A80");  // index 0 is the secret
    CHECK(f.send(kPutShare) == "9000");
    CHECK(f.send(kPutShare) == "6985");                           // never replaced
    CHECK(toHex(f.nvm.persisted().at(field::kShare)) == kShareRecord);
    CHECK(f.send("00CA00C300") == "000000009000");                // used 0 times
    CHECK(protocol::commandCarriesSecret(fromHex(kPutShare)));        // kept out of traces
}

TEST_CASE("share: GET SHARE needs an OPERATIONAL card, a protected session and the PIN in it") {
    CardFixture f;
    f.issueIdentity(3);
    f.send(kPutShare);
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    CHECK(f.send(kGetShare) == "6985");                           // PERSONALIZED: not yet
    CHECK(f.send(kVerifyPin) == "9000");                          // first VERIFY: OPERATIONAL
    REQUIRE(f.card.lifecycle() == protocol::Lifecycle::Operational);
    CHECK(f.send(kGetShare) == kShareRecord + "00000001" "9000"); // the share, used once
    CHECK(f.send(kGetShare) == kShareRecord + "00000002" "9000"); // counted every time
    CHECK(toHex(f.nvm.persisted().at(field::kUsageCounter)) == "00000002");

    f.openSession();                                              // a new session: no PIN yet
    CHECK(f.send(kGetShare) == "6982");
    CHECK(f.sendPlain(kGetShare) == "6982");                      // in the clear: never
    CHECK(f.send(kVerifyWrong) == "63C2");
    CHECK(f.send(kGetShare) == "6982");                           // a wrong PIN is no PIN
    CHECK(f.send(kVerifyPin) == "9000");
    CHECK(f.send("8038010000") == "6A86");
    CHECK(f.send(kGetShare) == kShareRecord + "00000003" "9000");
    CHECK(f.sendPlain("00CA00C300") == "000000039000");           // the count is public

    // Blocked or terminated: nothing. Termination erases the share.
    for (int i = 0; i < 3; ++i) f.send(kVerifyWrong);
    CHECK(f.send(kGetShare) == "6985");
    for (int i = 0; i < 3; ++i) f.send(kResetWrongPuk);
    CHECK(toHex(f.nvm.persisted().at(field::kShare)) == std::string(kShareRecord.size(), '0'));
}

TEST_CASE("share: an issued card without one takes one over SCP11a, before its PIN change too") {
    CardFixture f;
    test::personalize(f);                                         // PERSONALIZED, PIN change due
    CHECK(f.sendPlain(kPutShare) == "6982");                      // never in the clear
    // No PIN asked: the host of the card's CA is the authority here, as at issuance.
    CHECK(f.send(kPutShare) == "9000");
    CHECK(toHex(f.nvm.persisted().at(field::kShare)) == kShareRecord);
    CHECK(toHex(f.nvm.persisted().at(field::kUsageCounter)) == "00000000");
    CHECK(f.send(kPutShare) == "6985");                           // never replaced
    const auto deal = test::shoup_keys::small3of7();
    apdu::CommandApdu putRsa{0x00, 0xDA, 0x00, 0xCB, host::rsaShareRecord(deal.publicKey, deal.shares[0]), std::nullopt};
    CHECK(f.send(toHex(putRsa.encode())) == "6985");              // nor joined by the other kind
    CHECK(f.send(kGetShare) == "6985");                           // the holder has not taken over
    // Personalization itself stays closed.
    CHECK(f.send(kPutPolicy) == "6985");
    CHECK(f.send(kPutPin) == "6985");
    CHECK(f.send(kPutPuk) == "6985");
    CHECK(f.send("00DA00C841" + toHex(test::TestCeremony::instance().ca.certificate().publicKey().point())) ==
          "6985");
    CHECK(f.send("00DABF210100") == "6985");

    CHECK(f.send(kChangePin) == "9000");                          // the holder takes the card over
    f.openSession();
    CHECK(f.send(kVerifyNewPin) == "9000");
    CHECK(f.send(kGetShare) == kShareRecord + "00000001" "9000");
}

TEST_CASE("share: not on a BLOCKED or TERMINATED card") {
    CardFixture f;
    test::personalize(f, false);
    for (int i = 0; i < 3; ++i) f.send(kVerifyWrong);
    REQUIRE(f.card.lifecycle() == protocol::Lifecycle::Blocked);
    CHECK(f.send(kPutShare) == "6985");
    for (int i = 0; i < 3; ++i) f.send(kResetWrongPuk);
    REQUIRE(f.card.lifecycle() == protocol::Lifecycle::Terminated);
    CHECK(f.sendPlain(kPutShare) == "6985");                      // the state is checked first
    CHECK(f.nvm.persisted().count(field::kShare) == 0);
}
