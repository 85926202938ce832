// Exhaustive tearing: for every state-changing command and every write it makes, cut the power
// right after that write, reload the card from what its memory kept, and check the invariants.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "apdu/command.hpp"
#include "apdu/status.hpp"
#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "firmware-model/card.hpp"
#include "host/card/quorum_card.hpp"
#include "protocol/commands.hpp"
#include "protocol/reshare.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
using namespace quorum::test::script;
using protocol::Lifecycle;
using test::CardFixture;
namespace field = card::field;
namespace sw = apdu::sw;

namespace {

struct TearCase {
    const char* name;
    std::vector<std::string> setup;  // APDUs that bring a fresh card to the starting state
    std::string command;             // the state-changing command under test
    bool spendsPinTry = false;       // the PIN counter must never rise above its value before
    bool spendsPukTry = false;       // likewise the PUK counter
    std::string prelude = "";        // sent in the same session first, untorn (e.g. VERIFY)
    // When set, the command is made for the card the setup made (e.g. sealed for its key).
    std::function<std::string(const card::NvmImage&)> commandFor = {};
    // When set, one more setup command made for that card, sent last.
    std::function<std::string(const card::NvmImage&)> setupFor = {};
    // The answer holds fresh random values (RESHARE OUT): only its length and its last 6 bytes
    // (usage counter, status) are the same every time.
    bool randomAnswer = false;
};

std::vector<std::string> personalized(bool changeBeforeUse = true) {
    return {kSelect, changeBeforeUse ? kPutPolicy : kPutPolicyNoChange, kPutPin, kPutPuk,
            kActivate};
}
std::vector<std::string> operational() {
    auto s = personalized();
    s.push_back(kChangePin);  // PIN is now 87654321
    return s;
}
const std::string kPutShare = "00DA00C941" "03" + std::string(128, '5');
std::vector<std::string> operationalWithShare() {
    std::vector<std::string> s = {kSelect, kPutShare, kPutPolicy, kPutPin, kPutPuk, kActivate,
                                  kChangePin};
    return s;
}
// Card 1 of the small 3-of-7 threshold RSA key of the tests.
std::string putRsaShare() {
    static const std::string hex = [] {
        const auto deal = test::shoup_keys::small3of7();
        apdu::CommandApdu put{0x00, 0xDA, 0x00, 0xCB, host::rsaShareRecord(deal.publicKey, deal.shares[0]), std::nullopt};
        return toHex(put.encode());
    }();
    return hex;
}
std::string partialSign() {
    apdu::CommandApdu sign{0x80, 0x3A, 0x00, 0x00, crypto::sha256(Bytes{'t', 'e', 'a', 'r'}), 256};
    return toHex(sign.encode());
}
// PARTIAL SIGN with nine digests: a batch, counted nine times in one commit.
std::string partialSignBatch() {
    Bytes data;
    for (std::uint8_t j = 1; j <= 9; ++j) {
        const Bytes digest = crypto::sha256(Bytes{'b', 'u', 'n', 'd', 'l', 'e', j});
        data.insert(data.end(), digest.begin(), digest.end());
    }
    apdu::CommandApdu sign{0x80, 0x3A, 0x00, 0x00, data, 256};
    return toHex(sign.encode());
}
std::vector<std::string> operationalWithRsaShare() {
    return {kSelect, putRsaShare(), kPutPolicy, kPutPin, kPutPuk, kActivate, kChangePin};
}
std::vector<std::string> blocked() {
    auto s = operational();
    for (int i = 0; i < 3; ++i) s.push_back(kVerifyWrong);
    return s;
}
std::vector<std::string> withPukTriesLeft(int left) {
    auto s = blocked();
    for (int i = 0; i < 3 - left; ++i) s.push_back(kResetWrongPuk);
    return s;
}
std::vector<std::string> plus(std::vector<std::string> s, const std::string& more) {
    s.push_back(more);
    return s;
}

// RESHARE OUT to two new cards of the test ceremony (2-of-2), from an old card holding kPutShare.
std::string reshareOut() {
    static const std::string hex = [] {
        const auto& ca = test::TestCeremony::instance().ca;
        protocol::ReshareOutRequest request{2, {'t', 'e', 'a', 'r'}, {}};
        for (int j = 1; j <= 2; ++j)
            request.certificates.push_back(ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), j).der());
        return toHex(protocol::command::reshareOut(request).encode());
    }();
    return hex;
}
// RESHARE IN for the card in `image` (card 1 of the test ceremony): two old cards of a 2-of-3
// deal redistribute to it and one other new card.
std::string reshareInFor(const card::NvmImage& image) {
    const auto certificate = crypto::Certificate::fromDer(image.at(field::kCardCertificate));
    const std::vector<crypto::reshare::NewCard> cards = {
        {1, certificate.publicKey().point()}, {2, crypto::EcPrivateKey::generate().publicKey().point()}};
    const auto deal = crypto::deal(2, 3);
    protocol::ReshareInRequest request{{'t', 'e', 'a', 'r'}, {}};
    for (int i : {1, 3})
        request.redistributions.push_back(
            protocol::recordOf(crypto::reshare::redistribute(deal.shares[i - 1], 2, cards, request.context)));
    return toHex(protocol::command::reshareIn(request).encode());
}

std::uint8_t byteOf(const card::NvmImage& image, const char* name) {
    auto it = image.find(name);
    return it == image.end() || it->second.size() != 1 ? 0 : it->second[0];
}

bool validLifecycle(std::uint8_t value) {
    for (auto state : {Lifecycle::Blank, Lifecycle::Personalized, Lifecycle::Operational,
                       Lifecycle::Blocked, Lifecycle::Retired, Lifecycle::Terminated})
        if (value == static_cast<std::uint8_t>(state)) return true;
    return false;
}

// Runs one case; returns the number of tear points checked.
std::size_t checkTearing(const TearCase& c) {
    CardFixture start;
    start.issueIdentity();
    for (const auto& apdu : c.setup) start.send(apdu);
    if (c.setupFor) REQUIRE(start.send(c.setupFor(start.nvm.persisted())).size() > 4);
    const card::NvmImage before = start.nvm.persisted();
    const std::string command = c.commandFor ? c.commandFor(before) : c.command;

    // The untorn run: how many writes the command makes, and every image it persists.
    CardFixture reference(before);
    reference.send(kSelect);
    if (!c.prelude.empty()) reference.send(c.prelude);
    const std::size_t writesBefore = reference.nvm.writeCount();
    const std::size_t historyBefore = reference.nvm.history().size();
    const std::string answer = reference.send(command);
    const std::size_t writes = reference.nvm.writeCount() - writesBefore;
    const auto& history = reference.nvm.history();
    const std::vector<card::NvmImage> committed(
        history.begin() + static_cast<std::ptrdiff_t>(historyBefore - 1), history.end());
    const std::string name = c.name;
    CAPTURE(name);
    CAPTURE(answer);
    REQUIRE(writes > 0);  // a case that writes nothing tests nothing here

    for (std::size_t k = 1; k <= writes + 1; ++k) {
        CAPTURE(k);
        CardFixture torn(before);
        torn.send(kSelect);
        if (!c.prelude.empty()) torn.send(c.prelude);
        torn.nvm.cutPowerAfterWrite(k);
        if (k > writes) {  // one past the last write: the command completes untouched
            const std::string completed = torn.send(command);
            if (c.randomAnswer) {
                CHECK(completed.size() == answer.size());
                CHECK(completed.substr(completed.size() - 12) == answer.substr(answer.size() - 12));
            } else {
                CHECK(completed == answer);
            }
            continue;
        }
        CHECK_THROWS_AS(torn.send(command), card::PowerLoss);
        const card::NvmImage kept = torn.nvm.persisted();

        // Atomicity: what survived is exactly one of the images the untorn run committed,
        // so every field is old or new and no transaction is half applied.
        CHECK(std::find(committed.begin(), committed.end(), kept) != committed.end());
        // A try counter never rises above its value before the attempt - unless the attempt
        // succeeded and its success (the counter's restoration) is what was kept.
        const bool succeeded = answer == "9000" && kept == committed.back();
        if (c.spendsPinTry && !succeeded)
            CHECK(byteOf(kept, field::kPinTries) <= byteOf(before, field::kPinTries));
        if (c.spendsPukTry && !succeeded)
            CHECK(byteOf(kept, field::kPukTries) <= byteOf(before, field::kPukTries));
        CHECK(validLifecycle(byteOf(kept, field::kLifecycle)));
        // A PIN counter at zero and the BLOCKED (or TERMINATED) state go together (a card retired
        // while BLOCKED keeps its counter at zero).
        if (kept.count(field::kPinTries) && byteOf(kept, field::kLifecycle) != static_cast<std::uint8_t>(Lifecycle::Retired)) {
            const bool noTries = byteOf(kept, field::kPinTries) == 0;
            const auto keptState = static_cast<Lifecycle>(byteOf(kept, field::kLifecycle));
            CHECK(noTries == (keptState == Lifecycle::Blocked || keptState == Lifecycle::Terminated));
        }

        // Power comes back: the card starts from what it kept and still answers.
        CardFixture reloaded(kept);
        const auto selectSw = reloaded.sw(kSelect);
        CHECK((selectSw == sw::kSuccess || selectSw == sw::kSelectedFileTerminated));
        const auto state = reloaded.card.lifecycle();
        if (state != Lifecycle::Blank && state != Lifecycle::Terminated && state != Lifecycle::Retired) {
            const auto pinState = reloaded.sw(kVerifyStatus);
            CHECK(((pinState & 0xFFF0) == sw::kVerifyFailed ||
                   pinState == sw::kAuthenticationMethodBlocked));
        }
        // A PUK counter left at zero always ends in a terminated card.
        if (byteOf(kept, field::kPukTries) == 0 && byteOf(kept, field::kLifecycle) != 0x01 &&
            kept.count(field::kPukTries))
            CHECK(state == Lifecycle::Terminated);
    }
    return writes;
}

}  // namespace

TEST_CASE("tearing: every write of every state-changing command") {
    const std::string changePuk = "002400821031323334353637383838383838383838";
    const std::string wrongPukChange = "002400821039393939393939393838383838383838";
    const TearCase cases[] = {
        {"PUT DATA policy", {kSelect}, kPutPolicy},
        {"PUT DATA PIN", {kSelect, kPutPolicy}, kPutPin},
        {"PUT DATA PUK", {kSelect, kPutPolicy, kPutPin}, kPutPuk},
        {"ACTIVATE FILE", {kSelect, kPutPolicy, kPutPin, kPutPuk}, kActivate},
        {"VERIFY right", personalized(), kVerifyPin, true},
        {"VERIFY right, takes the card over", personalized(false), kVerifyPin, true},
        {"VERIFY wrong", personalized(), kVerifyWrong, true},
        {"VERIFY right on the last try", plus(plus(operational(), kVerifyWrong), kVerifyWrong),
         kVerifyNewPin, true},
        {"VERIFY wrong on the last try (blocks)", plus(plus(operational(), kVerifyWrong), kVerifyWrong),
         kVerifyWrong, true},
        {"CHANGE REFERENCE DATA PIN right", personalized(), kChangePin, true},
        {"CHANGE REFERENCE DATA PIN wrong", operational(), kChangePin, true},
        {"CHANGE REFERENCE DATA PUK right", operational(), changePuk, false, true},
        {"CHANGE REFERENCE DATA PUK wrong", operational(), wrongPukChange, false, true},
        {"RESET RETRY COUNTER right", blocked(), kResetWithPuk, false, true},
        {"RESET RETRY COUNTER wrong", blocked(), kResetWrongPuk, false, true},
        {"RESET RETRY COUNTER wrong, last try (terminates)", withPukTriesLeft(1), kResetWrongPuk,
         false, true},
        {"RESET RETRY COUNTER right, last try", withPukTriesLeft(1), kResetWithPuk, false, true},
        {"PUT DATA share", {kSelect}, kPutShare},
        {"GET SHARE (counts the release)", operationalWithShare(), "8038000000", false, false,
         kVerifyNewPin},
        {"PUT DATA RSA share", {kSelect}, putRsaShare()},
        {"PARTIAL SIGN (counts the use)", operationalWithRsaShare(), partialSign(), false, false, kVerifyNewPin},
        {"PARTIAL SIGN, a batch of 9 (counts 9 uses at once)", operationalWithRsaShare(), partialSignBatch(), false,
         false, kVerifyNewPin},
        {"PUT DATA share, PERSONALIZED with a PIN change due", personalized(), kPutShare},
        {"PUT DATA RSA share, OPERATIONAL", operational(), putRsaShare()},
        {"WIPE after the identity", {kSelect}, kWipe},
        {"WIPE after share, policy, PIN and PUK", {kSelect, kPutShare, kPutPolicy, kPutPin, kPutPuk}, kWipe},
        {"WIPE after the RSA share", {kSelect, putRsaShare()}, kWipe},
        {"RESHARE OUT (counts the use)", operationalWithShare(), reshareOut(), false, false, kVerifyNewPin, {}, {},
         true},
        {"RESHARE IN, PERSONALIZED (becomes OPERATIONAL)", personalized(false), "", false, false, "", reshareInFor},
        {"RESHARE IN, PIN change due (stays PERSONALIZED)", personalized(), "", false, false, "", reshareInFor},
        {"RESHARE IN, OPERATIONAL", operational(), "", false, false, "", reshareInFor},
        {"RESHARE IN again, from another group of old cards", personalized(false), "", false, false, "", reshareInFor,
         reshareInFor},
        {"RETIRE with a share", operationalWithShare(), kRetire},
        {"RETIRE with an RSA share, PIN change due", {kSelect, putRsaShare(), kPutPolicy, kPutPin, kPutPuk, kActivate}, kRetire},
        {"RETIRE while BLOCKED", blocked(), kRetire},
    };
    std::size_t points = 0;
    for (const auto& c : cases) points += checkTearing(c);
    std::cout << "tearing: checked " << points << " tear points in " << std::size(cases)
              << " state-changing commands" << std::endl;
    CHECK(points >= std::size(cases));
}

TEST_CASE("tearing: the card's first power-up (manufacture) is all or nothing") {
    CardFixture reference;
    const std::size_t writes = reference.nvm.writeCount();
    REQUIRE(writes == 3);  // two staged writes and the commit
    for (std::size_t k = 1; k <= writes; ++k) {
        CAPTURE(k);
        card::MemoryNvm nvm;
        test::CountingCoprocessor coprocessor;
        nvm.cutPowerAfterWrite(k);
        CHECK_THROWS_AS(card::Card(nvm, coprocessor), card::PowerLoss);
        const auto kept = nvm.persisted();
        CHECK((kept.empty() || (kept.count(field::kCardId) && kept.count(field::kLifecycle))));
        CardFixture reloaded(kept);  // starts, with a fresh identity if none was kept
        CHECK(reloaded.sw(kSelect) == sw::kSuccess);
    }
    std::cout << "tearing: checked " << writes << " tear points in manufacture" << std::endl;
}

TEST_CASE("tearing: a batch PARTIAL SIGN commits its nine uses once, before the answer") {
    CardFixture start;
    start.issueIdentity();
    for (const auto& apdu : operationalWithRsaShare()) start.send(apdu);
    const card::NvmImage before = start.nvm.persisted();
    const auto counterOf = [](const card::NvmImage& image) { return toHex(image.at(field::kUsageCounter)); };
    REQUIRE(counterOf(before) == "00000000");

    CardFixture reference(before);
    reference.send(kSelect);
    reference.send(kVerifyNewPin);
    const std::size_t writesBefore = reference.nvm.writeCount();
    const std::size_t persistsBefore = reference.nvm.persistCount();
    const std::string answer = reference.send(partialSignBatch());
    REQUIRE(answer.size() > 4);
    CHECK(answer.substr(answer.size() - 12) == "000000099000");  // the counter ends the answer
    CHECK(reference.nvm.persistCount() - persistsBefore == 1);    // one commit
    const std::size_t writes = reference.nvm.writeCount() - writesBefore;
    CHECK(writes == 10);                                          // nine staged increments, the commit
    CHECK(counterOf(reference.nvm.persisted()) == "00000009");

    // Power cut after each write: before the commit nothing is counted; after it all nine uses
    // are, though the answer never left the card.
    for (std::size_t k = 1; k <= writes; ++k) {
        CAPTURE(k);
        CardFixture torn(before);
        torn.send(kSelect);
        torn.send(kVerifyNewPin);
        torn.nvm.cutPowerAfterWrite(k);
        CHECK_THROWS_AS(torn.send(partialSignBatch()), card::PowerLoss);
        CHECK(counterOf(torn.nvm.persisted()) == (k < writes ? "00000000" : "00000009"));
    }
}
