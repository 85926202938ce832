// The card's identity and its SCP11a sessions, in process: issuance order, who the card trusts,
// and how a session ends.
#include <doctest/doctest.h>

#include "apdu/status.hpp"
#include "crypto/secure_messaging.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using namespace quorum::test::script;
using test::CardFixture;
using test::TestCeremony;
namespace sw = apdu::sw;
namespace field = card::field;

namespace {
std::string putCaKey(const crypto::CeremonyCa& ca) {
    return "00DA00C841" + toHex(ca.certificate().publicKey().point());
}
}  // namespace

TEST_CASE("issuance: CA key, key pair, certificate, each once, in that order") {
    CardFixture f;
    const auto& ca = TestCeremony::instance().ca;
    f.send(kSelect);
    CHECK(f.send("00DA00C8410400") == "6700");                    // not 65 bytes
    CHECK(f.send("00DA00C841" + std::string(130, '0')) == "6A80"); // not a point on P-256
    CHECK(f.send(putCaKey(ca)) == "9000");
    CHECK(f.send(putCaKey(TestCeremony::other().ca)) == "6985");   // the CA key is never replaced
    CHECK(f.send("0047810000") == "6A86");                         // P1 must be 80 (generate)
    const std::string generated = f.send("0047800000");
    REQUIRE(generated.size() == 2 * (5 + 65) + 4);
    CHECK(generated.substr(0, 10) == "7F49438641");                // 7F49 { 86 41 04 X Y }
    CHECK(generated.substr(generated.size() - 4) == "9000");
    const auto cardKey = crypto::EcPublicKey::fromPoint(fromHex(generated.substr(10, 130)));

    // A certificate for another key, or from another CA, is refused; the right one is kept.
    const auto wrongKey = ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), 1);
    const auto otherCa = TestCeremony::other().ca.issueCard(cardKey, 1);
    const auto right = ca.issueCard(cardKey, 1);
    apdu::CommandApdu put{0x00, 0xDA, 0xBF, 0x21, {}, std::nullopt};
    put.data = wrongKey.der();
    CHECK(f.link.transmit(put).sw == sw::kWrongData);
    put.data = otherCa.der();
    CHECK(f.link.transmit(put).sw == sw::kWrongData);
    put.data = right.der();
    CHECK(f.link.transmit(put).sw == sw::kSuccess);
    CHECK(f.link.transmit(put).sw == sw::kConditionsNotSatisfied);  // never replaced
    CHECK(f.send("0047800000") == "6985");                            // nor the key pair
    // GET DATA BF21 returns it, with or without the key reference of Amendment F.
    CHECK(toHex(f.link.transmit(apdu::CommandApdu::getData(0xBF21)).data) == toHex(right.der()));
    auto named = apdu::CommandApdu::getData(0xBF21);
    named.data = fromHex("A60483021101");
    CHECK(toHex(f.link.transmit(named).data) == toHex(right.der()));
    named.data = fromHex("A60483021301");                              // SCP11b key: none
    CHECK(f.link.transmit(named).sw == sw::kReferencedDataNotFound);
    // The private key is in the card's memory and nowhere in what it said.
    CHECK(f.nvm.persisted().at(field::kCardPrivateKey).size() == 32);
}

TEST_CASE("SCP11a: the host refuses cards of another CA or card set, the card hosts of another CA") {
    const auto& mine = TestCeremony::instance();
    const auto& other = TestCeremony::other();
    CardFixture foreign;
    foreign.issueIdentity(1, other);
    CHECK_THROWS_WITH_AS(foreign.openSession(mine.trust()),
                         doctest::Contains("not issued by this ceremony's CA"),
                         host::CardAuthenticationError);

    CardFixture f;
    f.issueIdentity(2);
    host::CeremonyTrust otherSet{mine.host, mine.ca.certificate(), fromHex("00112233445566778899AABBCCDDEEFF")};
    CHECK_THROWS_WITH_AS(f.openSession(otherSet), doctest::Contains("card set"),
                         host::CardAuthenticationError);
    host::CeremonyTrust strangeHost{other.host, mine.ca.certificate(), mine.ca.cardSetId()};
    CHECK_THROWS_WITH_AS(f.openSession(strangeHost), doctest::Contains("refused this host's certificate"),
                         host::CardAuthenticationError);
    CHECK_FALSE(f.card.inSecureSession());
    f.openSession();
    CHECK(f.card.inSecureSession());
    CHECK(f.session->card().cardIndex == 2);
    CHECK(toHex(f.session->card().cardSetId) == toHex(mine.ca.cardSetId()));
}

TEST_CASE("SCP11a: a session ends at an SM error, a plain command or SELECT; replays are refused") {
    CardFixture f;
    test::personalize(f, false);
    f.openSession();
    // Record what travels: wrap a VERIFY by hand through the card's own session partner.
    CHECK(f.send(kVerifyPin) == "9000");
    REQUIRE(f.card.pinVerified());

    // A plain command ends the session and the PIN state with it.
    CHECK(f.sendPlain("00CA00C100").substr(32) == "9000");
    CHECK_FALSE(f.card.inSecureSession());
    CHECK_FALSE(f.card.pinVerified());
    CHECK(f.sendPlain(kVerifyPin) == "6982");                    // the PIN never goes in the clear
    CHECK(f.sendPlain("04200081" "10" "00112233445566778899AABBCCDDEEFF") == "6982");  // no session

    // A wrapped command whose MAC is wrong: 6982, and the session is gone.
    f.openSession();
    apdu::CommandApdu verify = apdu::CommandApdu::parse(fromHex(kVerifyPin));
    class Recorder : public apdu::CardChannel {
    public:
        explicit Recorder(apdu::CardChannel& inner) : inner_(inner) {}
        apdu::ResponseApdu transmit(const apdu::CommandApdu& c) override {
            last = c.encode();
            return inner_.transmit(c);
        }
        Bytes last;

    private:
        apdu::CardChannel& inner_;
    } recorder(f.link);
    host::SecureChannel session(recorder, TestCeremony::instance().trust());
    CHECK(session.transmit(verify).sw == sw::kSuccess);
    const Bytes recorded = recorder.last;
    CHECK(recorded[0] == 0x04);
    CHECK(toHex(recorded).find("313233343536") == std::string::npos);  // encrypted
    // Replayed inside the same session: the MAC chain moved on.
    CHECK(toHex(f.card.process(recorded)) == "6982");
    CHECK_FALSE(f.card.inSecureSession());
    CHECK_THROWS_AS(session.transmit(verify), host::SecureChannelError);  // the host notices too

    // A wrapped PSO or GENERATE KEY: these commands only travel in the clear.
    f.openSession();
    CHECK(f.session->transmit(apdu::CommandApdu{0x80, 0x2A, 0x01, 0x10, Bytes(8, 0), std::nullopt}).sw ==
          sw::kSecureMessagingNotSupported);
    CardFixture blank;  // GENERATE KEY runs only on a BLANK card: issued, not personalized
    blank.issueIdentity();
    blank.openSession();
    CHECK(blank.session->transmit(apdu::CommandApdu{0x00, 0x47, 0x80, 0x00, {}, 256}).sw ==
          sw::kSecureMessagingNotSupported);
}

TEST_CASE("SCP11a: terminating the card erases its private key too") {
    CardFixture f;
    test::personalize(f, false);
    for (int i = 0; i < 3; ++i) f.send(kVerifyWrong);
    for (int i = 0; i < 3; ++i) f.send(kResetWrongPuk);
    CHECK(f.card.lifecycle() == protocol::Lifecycle::Terminated);
    CHECK(toHex(f.nvm.persisted().at(field::kCardPrivateKey)) == std::string(64, '0'));
}

TEST_CASE("the access rule for releasing secrets: OPERATIONAL, wrapped, full protection, PIN in session") {
    using protocol::Lifecycle;
    CHECK(card::holderMaySendSecrets(Lifecycle::Operational, true, true, true));
    CHECK_FALSE(card::holderMaySendSecrets(Lifecycle::Operational, false, true, true));  // in the clear
    CHECK_FALSE(card::holderMaySendSecrets(Lifecycle::Operational, true, false, true));  // weaker level
    CHECK_FALSE(card::holderMaySendSecrets(Lifecycle::Operational, true, true, false));  // no PIN
    for (auto state : {Lifecycle::Blank, Lifecycle::Personalized, Lifecycle::Blocked, Lifecycle::Terminated})
        CHECK_FALSE(card::holderMaySendSecrets(state, true, true, true));
    // The PIN state belongs to the session: a new session starts without it.
    CardFixture f;
    test::personalize(f, false);
    CHECK(f.send(kVerifyPin) == "9000");
    CHECK(f.card.pinVerified());
    f.openSession();
    CHECK_FALSE(f.card.pinVerified());
}
