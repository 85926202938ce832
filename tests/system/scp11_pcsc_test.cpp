// SCP11a through the real stack: pcscd + vpcd + card-sim, the host's PC/SC channel,
// GET RESPONSE and command chaining below the SecureChannel. What an attacker on the wire (or
// a hostile reader) can try - flip bytes of commands and responses, replay a recorded session,
// present a card or a host of another ceremony - and what the PIN looks like on the way.
//
// PIN "123456" = 31 32 33 34 35 36 (block 313233343536FFFF), PUK "12345678", wrong PIN "999999"
// (block 393939393939FFFF). Policy 060808030300: PIN 6..8, PUK 8, 3/3 tries, no forced change.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apdu/command.hpp"
#include "apdu/error.hpp"
#include "apdu/response.hpp"
#include "apdu/status.hpp"
#include "crypto/scp11.hpp"
#include "protocol/fci.hpp"
#include "host/card/quorum_card.hpp"
#include "host/card/secure_channel.hpp"
#include "tests/support/thrown.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

apdu::CommandApdu command(const std::string& hex) { return apdu::CommandApdu::parse(fromHex(hex)); }

std::string swHex(std::uint16_t sw) { return toHex({static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)}); }

// What the SecureChannel gives back for `c`, in hex ("<data><SW>"), or "SecureChannelError: ..."
// / "CardAuthenticationError: ..." when it throws one of those.
std::string sendHex(host::SecureChannel& session, const apdu::CommandApdu& c) {
    try {
        return toHex(session.transmit(c).encode());
    } catch (const host::SecureChannelError& e) {
        return std::string("SecureChannelError: ") + e.what();
    }
}

// The message of the CardAuthenticationError opening a session throws, or "(opened)".
std::string refusal(apdu::CardChannel& plain, const host::CeremonyTrust& trust) {
    try {
        openSession(plain, trust);
    } catch (const host::CardAuthenticationError& e) {
        return e.what();
    }
    return "(opened)";
}

// Issues the card in `stack` as card `index` of the test ceremony (in the clear), then
// personalizes it over SCP11a with QuorumCard: policy 060808030300, PIN "123456", PUK "12345678".
void issueAndPersonalize(PcscStack& stack, int index) {
    issueIdentity(stack.link(), index);
    host::QuorumCard card(stack.link(), TestCeremony::instance().trust());
    host::PinPolicy policy;
    policy.changeBeforeUse = false;
    card.personalize(policy, Bytes{'1', '2', '3', '4', '5', '6'}, Bytes{'1', '2', '3', '4', '5', '6', '7', '8'});
}

// Test-only CardChannel between a SecureChannel and the plain stack: it sees the wrapped
// commands and the protected responses as they travel, records them, and can corrupt one byte
// of the next command or response, as a hostile reader or a man in the middle could.
class Tamper : public apdu::CardChannel {
public:
    struct Flip {
        std::size_t position;  // byte index in the encoded APDU (command) or "<data><SW>" (response)
        std::uint8_t mask;     // XORed into that byte
    };

    Tamper(apdu::CardChannel& inner, host::PcscCard& card) : inner_(inner), card_(card) {}

    std::optional<Flip> commandFlip;   // applied to the next command only
    std::optional<Flip> responseFlip;  // applied to the next response only
    std::vector<Bytes> sent;           // every command as the SecureChannel encoded it (intact)
    std::vector<Bytes> received;       // every response as the card gave it (intact)

    apdu::ResponseApdu transmit(const apdu::CommandApdu& c) override {
        Bytes bytes = c.encode();
        sent.push_back(bytes);
        apdu::ResponseApdu answer;
        if (commandFlip) {
            REQUIRE(commandFlip->position < bytes.size());
            bytes[commandFlip->position] ^= commandFlip->mask;
            commandFlip.reset();
            answer = sendCorrupted(bytes);
        } else {
            answer = inner_.transmit(c);
        }
        Bytes back = answer.encode();
        received.push_back(back);
        if (responseFlip) {
            REQUIRE(responseFlip->position < back.size());
            back[responseFlip->position] ^= responseFlip->mask;
            responseFlip.reset();
            answer = apdu::ResponseApdu::parse(back);
        }
        return answer;
    }

    // The SW the card gave to the last command.
    std::uint16_t lastSw() const { return apdu::ResponseApdu::parse(received.back()).sw; }

private:
    // Through the plain stack when the corrupted bytes are still one well-formed APDU (with the
    // same encoding), else as raw bytes straight to PC/SC, where the card judges them.
    apdu::ResponseApdu sendCorrupted(const Bytes& bytes) {
        std::optional<apdu::CommandApdu> parsed;
        try {
            parsed = apdu::CommandApdu::parse(bytes);
            if (parsed->encode() != bytes) parsed.reset();
        } catch (const apdu::ApduError&) {
            parsed.reset();
        }
        if (parsed) return inner_.transmit(*parsed);
        return apdu::ResponseApdu::parse(card_.transmit(bytes));
    }

    apdu::CardChannel& inner_;
    host::PcscCard& card_;
};

// Where most SCP11a tests start: a BLANK card in the room's reader 0, one PC/SC connection to it
// (`stack`), the test ceremony's trust, and a Tamper on the connection for sessions to go through.
class CardOnTheWire {
protected:
    Room room;
    PcscStack stack{inserted(room)};
    const host::CeremonyTrust trust = TestCeremony::instance().trust();
    Tamper tamper{stack.link(), stack.card()};

private:
    // Card "card" goes into reader 0; returns the reader's name.
    static std::string inserted(Room& room) {
        room.insert("card");
        return Room::reader(0);
    }
};

}  // namespace

TEST_CASE_FIXTURE(CardOnTheWire,
                  "SCP11a: handshake over PC/SC, then wrapped VERIFY and GET DATA; the card's certificate names it") {
    INFO("card-sim log:\n" << room.cardLog("card"));
    const auto& ceremony = TestCeremony::instance();

    const auto certificate = issueIdentity(stack.link(), 7);           // card 7 of the test ceremony
    {
        host::QuorumCard card(stack.link(), ceremony.trust());
        const auto& authenticated = card.openSecureChannel();            // QuorumCard's own session
        CHECK(authenticated.cardIndex == 7);
        host::PinPolicy policy;
        policy.changeBeforeUse = false;
        card.personalize(policy, Bytes{'1', '2', '3', '4', '5', '6'}, Bytes{'1', '2', '3', '4', '5', '6', '7', '8'});
    }
    const auto selected = stack.link().transmit(apdu::CommandApdu::select(protocol::kApplicationId));
    REQUIRE(selected.ok());
    const protocol::Fci info = protocol::Fci::decode(selected.data);
    CHECK(info.lifecycleName() == "PERSONALIZED");

    // A session of our own, with a recorder underneath to see what actually crosses PC/SC.
    Tamper& wire = tamper;
    auto session = openSession(stack.link(), ceremony.trust(), &wire);
    CHECK(session->card().role == crypto::CertRole::Card);
    CHECK(session->card().cardIndex == 7);                                       // the card's index
    CHECK(toHex(session->card().cardSetId) == toHex(ceremony.ca.cardSetId()));   // and card set
    CHECK(session->card().subject == "quorum card 7 of set " + toHex(ceremony.ca.cardSetId()));
    CHECK(session->cardCertificate().der() == certificate.der());                // the one it was issued
    wire.sent.clear();
    wire.received.clear();

    CHECK(sendHex(*session, command("00200081")) == "63C3");                      // VERIFY, no data: 3 tries
    CHECK(sendHex(*session, command("0020008108" "313233343536FFFF")) == "9000"); // VERIFY "123456"
    CHECK(sendHex(*session, command("00200081")) == "9000");                      // VERIFY, no data: verified
    CHECK(sendHex(*session, command("00CA00C100")) == toHex(info.cardId) + "9000"); // GET DATA card id
    CHECK(sendHex(*session, command("00CA00C200")) == "07" "9000");               // GET DATA lifecycle: OPERATIONAL
    CHECK(sendHex(*session, command("00CA00C400")) == "0303030300" "9000");       // GET DATA PIN status
    CHECK(sendHex(*session, command("00CA00C600")) == "6A88");                    // GET DATA PIN: never readable

    // On the wire every command was wrapped (CLA 04, C-MAC) and nothing was in the clear.
    REQUIRE(wire.sent.size() == 7);
    for (const auto& bytes : wire.sent) {
        INFO("sent " << toHex(bytes, " "));
        CHECK(bytes[0] == 0x04);
        CHECK(toHex(bytes).find("313233343536") == std::string::npos);
    }
    CHECK(toHex(wire.sent[1], " ").substr(0, 15) == "04 20 00 81 18 ");  // PIN block: 16 encrypted + 8 MAC bytes
    const auto idResponse = wire.received[3];
    CHECK(idResponse.size() == 32 + 8 + 2);                                // card id encrypted (padded to 32) + R-MAC + SW
    CHECK(toHex(idResponse).find(toHex(info.cardId)) == std::string::npos);
    CHECK(toHex(wire.received[6]) == "6A88");                              // errors come back bare, unprotected

    CHECK(room.pull("card") == 0);
}

TEST_CASE_FIXTURE(CardOnTheWire,
                  "SCP11a: flipping any byte of a wrapped command is refused by the card, which ends the session") {
    INFO("card-sim log:\n" << room.cardLog("card"));
    issueAndPersonalize(stack, 1);

    // The command under attack: VERIFY with a wrong PIN. Were a corrupted one ever accepted, it
    // would answer 63Cx and cost a try that shows in the PIN status at the end.
    const auto verify = command("0020008108" "393939393939FFFF");
    std::size_t length = 0;
    std::size_t macedLength = 0;
    {
        auto session = openSession(stack.link(), trust, &tamper);
        tamper.sent.clear();
        CHECK(sendHex(*session, command("0020008108" "313233343536FFFF")) == "9000");  // control: intact, accepted
        CHECK(sendHex(*session, verify) == "63C2");                                    // control: wrong PIN, answered
        CHECK(sendHex(*session, command("0020008108" "313233343536FFFF")) == "9000");  // back to 3 tries
        const Bytes wrapped = tamper.sent.back();
        length = wrapped.size();
        // The C-MAC covers CLA..Lc and the data; a trailing Le byte (short APDU), if the wrapped
        // command had one, is not MACed (GP SCP03 6.2.4) and could be changed unnoticed by
        // design, so it would be left out. A wrapped VERIFY has none: every byte is tried.
        macedLength = apdu::CommandApdu::parse(wrapped).ne ? length - 1 : length;
    }
    CHECK(length == 4 + 1 + 16 + 8);  // header, Lc, the PIN block encrypted (one padded block), C-MAC

    // Per byte, four corruptions: the lowest bit, the SM bit 04, the top bit, every bit. (CLA
    // bits 08 and 10 are left alone: 08 is ISO's SM indication, answered 6882, and 10 makes the
    // command an intermediate chain part, answered 9000 and never executed.)
    const std::uint8_t masks[] = {0x01, 0x04, 0x80, 0xFF};
    // What the card may answer, by position. The MAC is checked before anything else looks at
    // INS, P1, P2 or the data, so those all answer 6982. Only a change that breaks the APDU
    // itself is answered before secure messaging, by the checks every APDU goes through:
    //   CLA: 6881 (logical channel bits), 6E00 (not a class the card knows), 6D00 (a
    //        GlobalPlatform class without SM: no such instruction there); a CLA that stays an
    //        SM class fails the MAC (CLA is MACed), and plain CLA 00 is refused since VERIFY
    //        needs a session: both 6982.
    //   Lc:  6700 (Lc no longer matches the bytes: malformed); an Lc that leaves room for an Le
    //        byte still parses, and the shorter data fails the MAC: 6982.
    auto allowed = [](std::size_t position) -> std::set<std::string> {
        if (position == 0) return {"6982", "6881", "6E00", "6D00"};
        if (position == 4) return {"6982", "6700"};
        return {"6982"};
    };

    int tried = 0;
    std::set<std::string> answers;
    for (std::size_t position = 0; position < macedLength; ++position) {
        for (const std::uint8_t mask : masks) {
            INFO("byte " << position << " XOR " << toHex({mask}));
            auto session = openSession(stack.link(), trust, &tamper);    // SELECT, a fresh handshake
            tamper.sent.clear();
            tamper.commandFlip = Tamper::Flip{position, mask};
            const std::string result = sendHex(*session, verify);
            const Bytes intact = tamper.sent.at(0);
            const std::string cardSaid = swHex(tamper.lastSw());
            INFO("sent " << toHex(intact, " ") << " corrupted; the card answered " << cardSaid
                         << "; the host got " << result);
            CHECK(allowed(position).count(cardSaid) == 1);
            answers.insert(cardSaid);
            if (cardSaid == "6982") CHECK(contains(result, "SecureChannelError"));

            // The session is gone: a correctly wrapped command of the same host session fails
            // (either the host knows already, or the card refuses it for its broken MAC chain)...
            CHECK(contains(sendHex(*session, command("00CA00C400")), "SecureChannelError"));
            // ...and the card holds no session any more: even the intact command is refused.
            CHECK(toHex(stack.card().transmit(intact)) == "6982");
            ++tried;
        }
    }
    std::string seen;
    for (const auto& a : answers) seen += a + " ";
    MESSAGE(tried << " corrupted VERIFY commands (" << macedLength << " byte positions x "
                  << std::size(masks) << " flips): all refused; the card answered " << seen);
    CHECK(tried == 29 * 4);

    // No corrupted VERIFY reached the PIN check: not one try was spent.
    auto session = openSession(stack.link(), trust);
    CHECK(sendHex(*session, command("00CA00C400")) == "0303030300" "9000");
    CHECK(room.pull("card") == 0);
}

TEST_CASE_FIXTURE(CardOnTheWire, "SCP11a: flipping any byte of a protected response is detected by the host") {
    INFO("card-sim log:\n" << room.cardLog("card"));
    issueIdentity(stack.link(), 2);  // a BLANK card with an identity answers GET DATA in a session
    const auto getCardId = command("00CA00C100");

    std::size_t length = 0;
    std::string cardId;
    {
        auto session = openSession(stack.link(), trust, &tamper);
        tamper.received.clear();
        cardId = sendHex(*session, getCardId);                       // control: intact
        CHECK(cardId.size() == 2 * (16 + 2));
        CHECK(cardId.substr(32) == "9000");
        length = tamper.received.back().size();
    }
    CHECK(length == 32 + 8 + 2);  // card id encrypted (16 bytes + padding block), R-MAC, SW1 SW2

    const std::uint8_t masks[] = {0x01, 0x80, 0xFF};
    int tried = 0;
    for (std::size_t position = 0; position < length; ++position) {
        for (const std::uint8_t mask : masks) {
            INFO("byte " << position << " XOR " << toHex({mask}));
            auto session = openSession(stack.link(), trust, &tamper);
            tamper.received.clear();
            tamper.responseFlip = Tamper::Flip{position, mask};
            const std::string result = sendHex(*session, getCardId);
            INFO("the card answered " << toHex(tamper.received.at(0), " ") << "; the host got " << result);
            CHECK(contains(result, "SecureChannelError: a response failed its check"));
            // The host has closed the channel: nothing more goes through it.
            CHECK(contains(sendHex(*session, getCardId), "SecureChannelError: the secure channel is closed"));
            ++tried;
        }
    }
    MESSAGE(tried << " corrupted GET DATA responses (" << length << " byte positions x "
                  << std::size(masks) << " flips): every one refused by the host");
    CHECK(tried == 42 * 3);

    auto session = openSession(stack.link(), trust);
    CHECK(sendHex(*session, getCardId) == cardId);                   // control: still the same answer
    CHECK(room.pull("card") == 0);
}

TEST_CASE_FIXTURE(CardOnTheWire, "SCP11a: a recorded session replayed is refused") {
    INFO("card-sim log:\n" << room.cardLog("card"));
    issueAndPersonalize(stack, 3);
    Tamper& recorder = tamper;

    // One session, recorded on the wire: two wrong PINs (two tries spent) and a PIN status.
    std::vector<Bytes> recorded;
    {
        auto session = openSession(stack.link(), trust, &recorder);
        recorder.sent.clear();
        CHECK(sendHex(*session, command("0020008108" "393939393939FFFF")) == "63C2");  // VERIFY wrong PIN
        CHECK(sendHex(*session, command("0020008108" "393939393939FFFF")) == "63C1");  // VERIFY wrong PIN
        CHECK(sendHex(*session, command("00CA00C400")) == "0103030300" "9000");        // GET DATA PIN status
        recorded = recorder.sent;
        REQUIRE(recorded.size() == 3);
        CHECK(recorded[0] != recorded[1]);  // the same command wraps differently every time

        // In the same session: replaying the first VERIFY breaks the MAC chain.
        CHECK(toHex(stack.card().transmit(recorded[0])) == "6982");
        CHECK(contains(sendHex(*session, command("00CA00C400")), "SecureChannelError"));  // and ends it
    }
    // With no session at all (after a SELECT): a wrapped command is refused.
    CHECK(stack.link().transmit(apdu::CommandApdu::select(protocol::kApplicationId)).ok());
    for (const auto& bytes : recorded) CHECK(toHex(stack.card().transmit(bytes)) == "6982");

    // After a new handshake: other session keys, so nothing recorded verifies - not even the
    // first command, which has the same counter value (1) as in the recorded session.
    for (std::size_t i = 0; i < recorded.size(); ++i) {
        INFO("replaying recorded command " << i << ": " << toHex(recorded[i], " "));
        auto session = openSession(stack.link(), trust);
        CHECK(toHex(stack.card().transmit(recorded[i])) == "6982");
        CHECK(contains(sendHex(*session, command("00CA00C400")), "SecureChannelError"));  // the card ended it
    }

    // After a card restart too.
    CHECK(room.pull("card") == 0);
    room.insert("card");
    PcscStack again;
    {
        auto session = openSession(again.link(), trust);
        CHECK(toHex(again.card().transmit(recorded[0])) == "6982");
    }

    // Not one replayed VERIFY reached the PIN check: still the 1 try the recorded session left.
    auto session = openSession(again.link(), trust);
    CHECK(sendHex(*session, command("00CA00C400")) == "0103030300" "9000");
    CHECK(sendHex(*session, command("0020008108" "313233343536FFFF")) == "9000");  // the right PIN
    CHECK(room.pull("card") == 0);
}

TEST_CASE("SCP11a: a card of another CA or card set, or a host of another CA, is refused with the reason") {
    Room room;
    const auto& ours = TestCeremony::instance();
    const auto& other = TestCeremony::other();
    room.insertTogether("ours", "other");
    PcscStack ourCard(kReader0);
    PcscStack otherCard(kReader1);
    const auto ourCertificate = issueIdentity(ourCard.link(), 4, ours);  // card 4 of our ceremony
    issueIdentity(otherCard.link(), 5, other);  // card 5 of the other ceremony
    const std::string ourSet = toHex(ours.ca.cardSetId());
    const std::string otherSet = toHex(other.ca.cardSetId());

    // A card whose certificate another CA issued.
    const std::string otherCa = refusal(otherCard.link(), ours.trust());
    CHECK(contains(otherCa, "not issued by this ceremony's CA"));
    CHECK(otherCa == "card refused: certificate of quorum card 5 of set " + otherSet +
                         " was not issued by this ceremony's CA (test ceremony CA)");
    CHECK(openSession(otherCard.link(), other.trust())->card().cardIndex == 5);  // its own ceremony: fine

    // Our CA, but a card set we do not expect (crypto::verifyCertificate's wording).
    const Bytes anotherSet = fromHex("0123456789ABCDEF0123456789ABCDEF");
    const std::string otherSetMessage =
        refusal(ourCard.link(), host::CeremonyTrust{ours.host, ours.ca.certificate(), anotherSet});
    CHECK(otherSetMessage == "card refused: certificate of quorum card 4 of set " + ourSet +
                                 " belongs to card set " + ourSet + ", expected " + toHex(anotherSet));

    // A host whose certificate another CA issued: the card refuses it (PSO answers 6982).
    const std::string otherHost =
        refusal(ourCard.link(), host::CeremonyTrust{other.host, ours.ca.certificate(), ours.ca.cardSetId()});
    CHECK(contains(otherHost, "the card refused this host's certificate"));
    CHECK(otherHost == "the card refused this host's certificate: it was not issued by the card's CA");

    // The card kept nothing of that host: a MUTUAL AUTHENTICATE sent regardless finds no
    // accepted host key (6985), so no session key can be agreed with it.
    crypto::scp11::HostHandshake intruder(other.host.key, {other.host.certificate}, ourCertificate.publicKey());
    CHECK(swHex(ourCard.link().transmit(intruder.mutualAuthenticate()).sw) == "6985");

    // Control: the right host, CA and card set.
    auto session = openSession(ourCard.link(), ours.trust());
    CHECK(session->card().cardIndex == 4);
    CHECK(sendHex(*session, command("00CA00C200")) == "01" "9000");  // GET DATA lifecycle: BLANK

    CHECK(room.pull("other") == 0);
    CHECK(room.pull("ours") == 0);
}

TEST_CASE("SCP11a: the PIN travels only inside the secure channel") {
    Room room;
    room.insert("card", 0, {"--trace"});
    {
        PcscStack stack;
        issueAndPersonalize(stack, 6);                                     // PUT DATA PIN and PUK inside SCP11a
        Tamper wire(stack.link(), stack.card());
        auto session = openSession(stack.link(), TestCeremony::instance().trust(), &wire);
        wire.sent.clear();
        CHECK(sendHex(*session, command("0020008108" "313233343536FFFF")) == "9000");                      // VERIFY "123456"
        CHECK(sendHex(*session, command("0024008110" "313233343536FFFF" "3837363534333231")) == "9000");  // CHANGE -> "87654321"
        CHECK(sendHex(*session, command("0020008108" "3837363534333231")) == "9000");                      // VERIFY "87654321"
        CHECK(sendHex(*session, command("0024008110" "3837363534333231" "313233343536FFFF")) == "9000");  // CHANGE back
        // What crossed PC/SC: wrapped commands, no PIN in them.
        REQUIRE(wire.sent.size() == 4);
        for (const auto& bytes : wire.sent) {
            INFO("sent " << toHex(bytes, " "));
            CHECK(bytes[0] == 0x04);
            CHECK(toHex(bytes).find("313233343536") == std::string::npos);
            CHECK(toHex(bytes).find("3837363534333231") == std::string::npos);
        }
        // The same VERIFY in the clear is refused, whatever it carries, and spends no try.
        CHECK(toHex(stack.card().transmit(fromHex("0020008108" "313233343536FFFF"))) == "6982");
        CHECK(toHex(stack.card().transmit(fromHex("00200081"))) == "6982");
        auto again = openSession(stack.link(), TestCeremony::instance().trust());
        CHECK(sendHex(*again, command("00CA00C400")) == "0303030300" "9000");
    }
    CHECK(room.pull("card") == 0);

    const std::string text = room.cardLog("card");
    INFO("card-sim log:\n" << text);
    CHECK(contains(text, "> 04 20 00 81"));                  // the wrapped VERIFYs are traced (header only)
    CHECK(contains(text, "> 04 24 00 81"));                  // and the wrapped CHANGE REFERENCE DATA
    CHECK(contains(text, "> 04 DA 00 C6"));                  // and the wrapped PUT DATA PIN
    CHECK(contains(text, "> 00 20 00 81"));                  // and the VERIFY in the clear
    CHECK(contains(text, "< 69 82"));                        // refused
    for (const std::string pin : {"313233343536", "3837363534333231"}) {
        std::string spaced;
        for (std::size_t i = 0; i < pin.size(); i += 2) spaced += (i ? " " : "") + pin.substr(i, 2);
        CHECK_MESSAGE(!contains(text, pin), "found " << pin);
        CHECK_MESSAGE(!contains(text, spaced), "found " << spaced);
    }
}
