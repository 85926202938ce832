// Personalization, PIN and PUK, and the lifecycle state table, in process.
#include <doctest/doctest.h>

#include <map>

#include "apdu/status.hpp"
#include "firmware-model/card.hpp"
#include "protocol/commands.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using namespace quorum::test::script;
using protocol::Lifecycle;
using test::CardFixture;
using test::personalize;
namespace sw = apdu::sw;
namespace field = card::field;

TEST_CASE("personalization: policy first, then PIN and PUK, then ACTIVATE FILE closes it") {
    CardFixture f;
    CHECK(f.sw(kSelect) == sw::kSuccess);
    // Without an SCP11a session the card takes no personalization at all.
    CHECK(f.sendPlain(kPutPolicy) == "6982");
    CHECK(f.sendPlain(kActivate) == "6982");
    f.issueIdentity();
    CHECK(f.sw(kPutPin) == sw::kConditionsNotSatisfied);           // PIN before the policy
    CHECK(f.sw(kActivate) == sw::kConditionsNotSatisfied);         // nothing loaded yet
    CHECK(f.sw("00DA00C50506080803 03") == sw::kWrongLength);      // policy of 5 bytes
    CHECK(f.sw("00DA00C506030808030301") == sw::kWrongData);       // PIN min 3 < 4
    CHECK(f.sw("00DA00C506060508030301") == sw::kWrongData);       // PIN max < min
    CHECK(f.sw("00DA00C506061108030301") == sw::kWrongData);       // PIN max 17
    CHECK(f.sw("00DA00C506060805030301") == sw::kWrongData);       // PUK 5 bytes
    CHECK(f.sw("00DA00C506060808000301") == sw::kWrongData);       // 0 PIN tries
    CHECK(f.sw("00DA00C506060808031001") == sw::kWrongData);       // 16 PUK tries (63Cx has 4 bits)
    CHECK(f.sw("00DA00C506060808030303") == sw::kWrongData);       // unknown flag bit
    CHECK(f.sw(kPutPolicy) == sw::kSuccess);
    CHECK(f.send("00CA00C500") == "0608080303019000");             // policy reads back
    CHECK(f.sw("00CA00C400") == sw::kReferencedDataNotFound);      // no PIN status in BLANK
    CHECK(f.sw("00DA00C60531323334 35") == sw::kWrongData);        // PIN of 5 < min 6
    CHECK(f.sw("00DA00C609313233343536373839") == sw::kWrongData); // PIN of 9 > max 8
    CHECK(f.sw("00DA00C60631323334FF36") == sw::kWrongData);       // FF inside a PIN
    CHECK(f.sw(kPutPin) == sw::kSuccess);
    CHECK(f.sw(kPutPolicy) == sw::kConditionsNotSatisfied);        // policy fixed under a PIN
    CHECK(f.sw(kActivate) == sw::kConditionsNotSatisfied);         // PUK missing
    CHECK(f.sw("00DA00C70731323334353637") == sw::kWrongData);     // PUK of 7, policy says 8
    CHECK(f.sw(kPutPuk) == sw::kSuccess);
    CHECK(f.sw("00DA00CE00") == sw::kReferencedDataNotFound);      // no such object
    CHECK(f.sw("00DA00C6") == sw::kWrongLength);                   // no data
    CHECK(f.sw("00440100") == sw::kIncorrectP1P2);
    CHECK(f.sw("0044000001") == sw::kWrongLength);                 // ACTIVATE FILE has no Le
    CHECK(f.sw("004400000101") == sw::kWrongLength);               // nor data
    CHECK(f.sw(kActivate) == sw::kSuccess);
    CHECK(f.card.lifecycle() == Lifecycle::Personalized);
    CHECK(f.sw(kActivate) == sw::kConditionsNotSatisfied);         // once only
    CHECK(f.sw(kPutPin) == sw::kConditionsNotSatisfied);           // personalization is over
    // The PIN is stored padded, never readable.
    CHECK(toHex(f.nvm.persisted().at(field::kPin)) == "313233343536FFFF");
    CHECK(f.sw("00CA00C600") == sw::kConditionsNotSatisfied);      // PIN change pending first
}

TEST_CASE("a pending PIN change allows only SELECT, VERIFY and CHANGE REFERENCE DATA") {
    CardFixture f;
    personalize(f);
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);      // GET DATA refused
    CHECK(f.sw(kResetWithPuk) == sw::kConditionsNotSatisfied);     // RESET RETRY COUNTER too
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);                       // VERIFY works
    CHECK(f.card.lifecycle() == Lifecycle::Personalized);          // but does not take over
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);
    CHECK(f.sw(kChangePin) == sw::kSuccess);
    CHECK(f.card.lifecycle() == Lifecycle::Operational);
    CHECK(f.card.pinVerified());                                    // the change proves the PIN
    CHECK(f.send("00CA00C400") == "03030303009000");               // tries 3/3, 3/3, no change due
    CHECK(f.sw(kVerifyPin) == 0x63C2);                             // the old PIN is gone
    CHECK(f.sw(kVerifyNewPin) == sw::kSuccess);
}

TEST_CASE("without a required PIN change, the first good VERIFY makes the card OPERATIONAL") {
    CardFixture f;
    personalize(f, false);
    CHECK(f.card.lifecycle() == Lifecycle::Personalized);
    CHECK(f.sw("00CA00C100") == sw::kSuccess);
    CHECK(f.sw(kVerifyWrong) == 0x63C2);
    CHECK(f.card.lifecycle() == Lifecycle::Personalized);
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    CHECK(f.card.lifecycle() == Lifecycle::Operational);
}

TEST_CASE("VERIFY: the try is spent and committed before the comparison, restored only on a match") {
    CardFixture f;
    personalize(f);
    const auto persistsBefore = f.nvm.persistCount();
    CHECK(f.sw(kVerifyWrong) == 0x63C2);
    // One persist: the decrement, made before the comparison; nothing after it.
    CHECK(f.nvm.persistCount() == persistsBefore + 1);
    CHECK(toHex(f.nvm.persisted().at(field::kPinTries)) == "02");
    CHECK(f.sw(kVerifyStatus) == 0x63C2);                          // no data: state, no try spent
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    // Two persists: the decrement, then the restoration.
    CHECK(f.nvm.persistCount() == persistsBefore + 3);
    CHECK(toHex(f.nvm.persisted().at(field::kPinTries)) == "03");
    CHECK(f.sw(kVerifyStatus) == sw::kSuccess);                    // verified in this session
}

TEST_CASE("VERIFY format errors cost no try") {
    CardFixture f;
    personalize(f);
    CHECK(f.sw("0020008106313233343536") == sw::kWrongLength);     // unpadded: not pin max bytes
    CHECK(f.sw("002000810831FF3233343536FF") == sw::kWrongData);   // padding in the middle
    CHECK(f.sw("00200081083132333435FFFFFF") == sw::kWrongData);   // 5 digits < min 6
    CHECK(f.sw("002001810831323334353" "6FFFF") == sw::kIncorrectP1P2);
    CHECK(f.sw("002000820831323334353" "6FFFF") == sw::kReferencedDataNotFound);
    CHECK(f.sw(kVerifyStatus) == 0x63C3);
}

TEST_CASE("the security state is lost on power off, reset and SELECT") {
    CardFixture f;
    personalize(f);
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    CHECK(f.card.pinVerified());
    f.card.powerOff();
    CHECK_FALSE(f.card.pinVerified());
    f.send(kSelect);
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    f.card.reset();
    CHECK_FALSE(f.card.pinVerified());
    f.send(kSelect);
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    CHECK(f.sw(kSelect) == sw::kSuccess);
    CHECK(f.sw(kVerifyStatus) == 0x63C3);                          // SELECT dropped it
    CHECK(f.sw(kVerifyPin) == sw::kSuccess);
    CHECK(f.sw(kVerifyWrong) == 0x63C2);                           // a failed VERIFY drops it too
    CHECK(f.sw(kVerifyStatus) == 0x63C2);
}

TEST_CASE("PIN blocks after the limit; the PUK unblocks; an exhausted PUK terminates the card") {
    CardFixture f;
    personalize(f);
    CHECK(f.sw(kVerifyWrong) == 0x63C2);
    CHECK(f.sw(kVerifyWrong) == 0x63C1);
    CHECK(f.sw(kVerifyWrong) == 0x63C0);                           // the last try
    CHECK(f.card.lifecycle() == Lifecycle::Blocked);
    CHECK(f.sw(kVerifyPin) == sw::kAuthenticationMethodBlocked);   // even the right PIN
    CHECK(f.sw(kVerifyStatus) == sw::kAuthenticationMethodBlocked);
    CHECK(f.sw(kChangePin) == sw::kAuthenticationMethodBlocked);
    CHECK(f.send("00CA00C400") == "00030303019000");               // GET DATA works when blocked

    CHECK(f.sw(kResetWrongPuk) == 0x63C2);
    CHECK(f.sw("002C00810F31323334353637383131313131FFFF") == sw::kWrongLength);
    CHECK(f.sw("002C0081103132333435363738313131FF313131FF") == sw::kWrongData);
    CHECK(f.sw(kResetWithPuk) == sw::kSuccess);                    // PUK restores both counters
    CHECK(f.card.lifecycle() == Lifecycle::Personalized);          // PIN change still due
    CHECK_FALSE(f.card.pinVerified());
    CHECK(f.sw(kVerifyResetPin) == sw::kSuccess);
    CHECK(f.sw("00CA00C400") == sw::kConditionsNotSatisfied);      // the change is still due
    CHECK(f.sw(kResetWrongPuk) == sw::kConditionsNotSatisfied);    // and RESET waits for it
    CHECK(f.sw("0024008110313131313131FFFF3837363534333231") == sw::kSuccess);  // 111111 -> 87654321
    CHECK(f.card.lifecycle() == Lifecycle::Operational);

    // Exhaust the PUK: the card is TERMINATED and its secrets overwritten.
    CHECK(f.sw(kResetWrongPuk) == 0x63C2);
    CHECK(f.sw(kResetWrongPuk) == 0x63C1);
    CHECK(f.sw(kResetWrongPuk) == 0x63C0);
    CHECK(f.card.lifecycle() == Lifecycle::Terminated);
    CHECK(toHex(f.nvm.persisted().at(field::kPin)) == "0000000000000000");
    CHECK(toHex(f.nvm.persisted().at(field::kPuk)) == "0000000000000000");
    CHECK(f.sw(kVerifyNewPin) == sw::kConditionsNotSatisfied);
    CHECK(f.sw(kResetWithPuk) == sw::kConditionsNotSatisfied);
    CHECK(f.sw("00CA00C100") == sw::kConditionsNotSatisfied);
    // SELECT still answers, with the FCI saying TERMINATED and SW 6285.
    const std::string fci = f.send(kSelect);
    CHECK(fci.substr(fci.size() - 4) == "6285");
    CHECK(fci.find("C2017F") != std::string::npos);
}

TEST_CASE("CHANGE REFERENCE DATA for the PUK spends PUK tries") {
    CardFixture f;
    personalize(f, false);
    const std::string changePuk = "002400821031323334353637383838383838383838";
    const std::string wrongPuk = "002400821039393939393939393838383838383838";
    CHECK(f.sw("0024008208313233343536373838") == sw::kWrongLength);
    CHECK(f.sw(wrongPuk) == 0x63C2);
    CHECK(f.sw(changePuk) == sw::kSuccess);
    CHECK(toHex(f.nvm.persisted().at(field::kPuk)) == "3838383838383838");
    CHECK(toHex(f.nvm.persisted().at(field::kPukTries)) == "03");
    CHECK(f.sw("0024008310") == sw::kReferencedDataNotFound);
}

TEST_CASE("the state table: every instruction in every state") {
    // Builds a card in each lifecycle state, then sends each instruction with valid data.
    auto inState = [](Lifecycle state) {
        auto f = std::make_unique<CardFixture>();
        if (state == Lifecycle::Blank) f->issueIdentity();
        else personalize(*f, false);
        if (state == Lifecycle::Operational) f->send(kVerifyPin);
        if (state == Lifecycle::Blocked || state == Lifecycle::Terminated)
            for (int i = 0; i < 3; ++i) f->send(kVerifyWrong);
        if (state == Lifecycle::Terminated)
            for (int i = 0; i < 3; ++i) f->send(kResetWrongPuk);
        f->send(kSelect);
        REQUIRE(f->card.lifecycle() == state);
        return f;
    };
    struct Row {
        const char* name;
        const char* apdu;
        std::map<Lifecycle, std::uint16_t> expected;
    };
    const std::uint16_t ok = sw::kSuccess, no = sw::kConditionsNotSatisfied,
                        blocked = sw::kAuthenticationMethodBlocked;
    const Row rows[] = {
        {"SELECT", kSelect,
         {{Lifecycle::Blank, ok}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, ok}, {Lifecycle::Terminated, sw::kSelectedFileTerminated}}},
        {"GET DATA", "00CA00C100",
         {{Lifecycle::Blank, ok}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, ok}, {Lifecycle::Terminated, no}}},
        {"PUT DATA", "00DA00C506060808030300",
         {{Lifecycle::Blank, ok}, {Lifecycle::Personalized, no}, {Lifecycle::Operational, no},
          {Lifecycle::Blocked, no}, {Lifecycle::Terminated, no}}},
        {"PUT DATA share", "00DA00C941" "03" "1111111111111111111111111111111111111111111111111111111111111111"
                                        "2222222222222222222222222222222222222222222222222222222222222222",
         {{Lifecycle::Blank, ok}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, no}, {Lifecycle::Terminated, no}}},  // to a card without one
        {"ACTIVATE FILE", kActivate,
         {{Lifecycle::Blank, no}, {Lifecycle::Personalized, no}, {Lifecycle::Operational, no},
          {Lifecycle::Blocked, no}, {Lifecycle::Terminated, no}}},  // BLANK: nothing loaded
        {"VERIFY", kVerifyPin,
         {{Lifecycle::Blank, no}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, blocked}, {Lifecycle::Terminated, no}}},
        {"CHANGE REFERENCE DATA (PIN)", kChangePin,
         {{Lifecycle::Blank, no}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, blocked}, {Lifecycle::Terminated, no}}},
        {"RESET RETRY COUNTER", kResetWithPuk,
         {{Lifecycle::Blank, no}, {Lifecycle::Personalized, ok}, {Lifecycle::Operational, ok},
          {Lifecycle::Blocked, ok}, {Lifecycle::Terminated, no}}},
        {"WIPE", kWipe,
         {{Lifecycle::Blank, ok}, {Lifecycle::Personalized, no}, {Lifecycle::Operational, no},
          {Lifecycle::Blocked, no}, {Lifecycle::Terminated, no}}},
        {"unknown INS", "00EE0000",
         {{Lifecycle::Blank, sw::kInsNotSupported}, {Lifecycle::Personalized, sw::kInsNotSupported},
          {Lifecycle::Operational, sw::kInsNotSupported}, {Lifecycle::Blocked, sw::kInsNotSupported},
          {Lifecycle::Terminated, sw::kInsNotSupported}}},
    };
    for (const auto& row : rows) {
        for (const auto& entry : row.expected) {
            const Lifecycle state = entry.first;  // named, not bound: CAPTURE needs a variable
            const auto expected = entry.second;
            CAPTURE(row.name);
            CAPTURE(protocol::lifecycleName(state));
            auto f = inState(state);
            // A terminated card has no key left to open a session with: it hears the command
            // in the clear, and the state check refuses it before anything else.
            const std::string answer =
                state == Lifecycle::Terminated ? f->sendPlain(row.apdu) : f->send(row.apdu);
            CHECK(answer.substr(answer.size() - 4) == apdu::sw::hex(expected));
        }
    }
}

TEST_CASE("commands that carry a PIN or PUK are recognised for trace redaction") {
    CHECK(protocol::commandCarriesSecret(fromHex(kVerifyPin)));
    CHECK(protocol::commandCarriesSecret(fromHex(kChangePin)));
    CHECK(protocol::commandCarriesSecret(fromHex(kResetWithPuk)));
    CHECK(protocol::commandCarriesSecret(fromHex(kPutPin)));
    CHECK(protocol::commandCarriesSecret(fromHex(kPutPuk)));
    CHECK_FALSE(protocol::commandCarriesSecret(fromHex(kPutPolicy)));
    CHECK_FALSE(protocol::commandCarriesSecret(fromHex(kSelect)));
    CHECK_FALSE(protocol::commandCarriesSecret(fromHex("0020")));
}

TEST_CASE("a full memory answers 6A84 and changes nothing") {
    CardFixture loaded;
    loaded.issueIdentity();
    loaded.send(kPutPolicy);
    loaded.send(kPutPin);
    const card::NvmImage before = loaded.nvm.persisted();
    // Room for all that, plus 10 bytes: the PUK field needs 4 + 3 + 8 = 15.
    CardFixture f(before, card::Nvm::usage(before) + 10);
    CHECK(f.sw(kPutPuk) == sw::kNotEnoughMemory);
    CHECK(f.nvm.persisted() == before);
    CHECK(f.sw(kActivate) == sw::kConditionsNotSatisfied);         // the card is still usable
    CHECK(f.sw(kPutPolicy) == sw::kConditionsNotSatisfied);
}
