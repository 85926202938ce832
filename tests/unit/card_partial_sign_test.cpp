// The card's threshold RSA share: stored once inside SCP11a, used by PARTIAL SIGN only for its
// holder, every partial counted; what the card computes is exactly crypto/shoup's partial
// signature, proof included, and k cards' partials combine into an OpenSSL-valid signature.
#include <doctest/doctest.h>

#include <functional>

#include "apdu/command.hpp"
#include "apdu/response.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"
#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "host/card/quorum_card.hpp"
#include "protocol/commands.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
using namespace quorum::test::script;
using test::CardFixture;
namespace shoup = crypto::shoup;
namespace sw = apdu::sw;
namespace field = card::field;
using apdu::Tlv;

namespace {

const shoup::Deal& smallDeal() {
    static const shoup::Deal deal = test::shoup_keys::small3of7();
    return deal;
}

// The PUT DATA 00CB record, with `change` applied to its objects before encoding.
Bytes rsaShareRecord(int index, const std::function<void(std::vector<Tlv>&)>& change = {}) {
    const shoup::PublicKey& key = smallDeal().publicKey;
    std::vector<Tlv> objects = {Tlv::primitive(0x80, {static_cast<std::uint8_t>(index)}),
                                Tlv::primitive(0x81, {static_cast<std::uint8_t>(key.n)}),
                                Tlv::primitive(0x82, {static_cast<std::uint8_t>(key.k)}),
                                Tlv::primitive(0x83, key.modulus),
                                Tlv::primitive(0x84, key.v),
                                Tlv::primitive(0x85, key.verificationKey(index)),
                                Tlv::primitive(0x86, smallDeal().shares.at(static_cast<std::size_t>(index - 1)).value)};
    if (change) change(objects);
    return apdu::encodeTlv(objects);
}

std::string commandHex(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, const Bytes& data,
                       std::optional<std::size_t> ne = std::nullopt) {
    apdu::CommandApdu command{cla, ins, p1, p2, data, ne};
    return toHex(command.encode());
}

std::string putRsaShare(const Bytes& record) { return commandHex(0x00, 0xDA, 0x00, 0xCB, record); }
std::string partialSign(const Bytes& digest) { return commandHex(0x80, 0x3A, 0x00, 0x00, digest, 256); }

const Bytes kDigest = crypto::sha256(Bytes{'q', 'u', 'o', 'r', 'u', 'm'});

// Card `index` of the small deal, OPERATIONAL with PIN "123456" verified in an open session.
void readyCard(CardFixture& f, int index) {
    f.issueIdentity(index);
    REQUIRE(f.send(putRsaShare(rsaShareRecord(index))) == "9000");
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    REQUIRE(f.send(kVerifyPin) == "9000");
    REQUIRE(f.card.lifecycle() == protocol::Lifecycle::Operational);
}

struct Answer {
    shoup::Partial partial;
    std::string counter;
    std::uint16_t sw;
};

Answer sign(CardFixture& f, int index, const Bytes& digest = kDigest) {
    const auto response = apdu::ResponseApdu::parse(fromHex(f.send(partialSign(digest))));
    Answer a{{}, "", response.sw};
    if (response.sw != sw::kSuccess) return a;
    const std::size_t size = smallDeal().publicKey.modulusSize();
    const Bytes& v = response.data;
    REQUIRE(v.size() == size + shoup::kChallengeSize + shoup::responseSize(size) + 4);
    auto at = v.begin();
    a.partial.index = index;
    a.partial.value.assign(at, at + static_cast<std::ptrdiff_t>(size));
    at += static_cast<std::ptrdiff_t>(size);
    a.partial.challenge.assign(at, at + static_cast<std::ptrdiff_t>(shoup::kChallengeSize));
    at += static_cast<std::ptrdiff_t>(shoup::kChallengeSize);
    a.partial.response.assign(at, at + static_cast<std::ptrdiff_t>(shoup::responseSize(size)));
    at += static_cast<std::ptrdiff_t>(shoup::responseSize(size));
    a.counter = toHex(Bytes(at, v.end()));
    return a;
}

}  // namespace

TEST_CASE("partial sign: the RSA share is stored once, inside SCP11a, while BLANK, and checked") {
    CardFixture f;
    f.issueIdentity(2);
    const Bytes record = rsaShareRecord(2);
    CHECK(protocol::commandCarriesSecret(fromHex(putRsaShare(record))));  // kept out of traces
    CHECK(f.sendPlain(putRsaShare(record)) == "6982");                // never in the clear

    // Every malformed record is refused with 6A80 and nothing is stored.
    auto broken = [&](const std::function<void(std::vector<Tlv>&)>& change) {
        return f.send(putRsaShare(rsaShareRecord(2, change)));
    };
    CHECK(broken([](auto& o) { o[0].value = {0}; }) == "6A80");                 // index 0
    CHECK(broken([](auto& o) { o[0].value = {8}; }) == "6A80");                 // index > n
    CHECK(broken([](auto& o) { o[1].value = {17}; o[0].value = {2}; }) == "6A80");  // n > 16
    CHECK(broken([](auto& o) { o[2].value = {8}; }) == "6A80");                 // k > n
    CHECK(broken([](auto& o) { o[3].value.back() &= 0xFE; }) == "6A80");        // N even
    CHECK(broken([](auto& o) { o[4].value = o[3].value; }) == "6A80");          // v = N
    CHECK(broken([](auto& o) { o[6].value.pop_back(); }) == "6A80");            // s_i short
    CHECK(broken([](auto& o) { std::swap(o[4], o[5]); }) == "6A80");            // order
    CHECK(broken([](auto& o) { o.pop_back(); }) == "6A80");                     // s_i missing
    CHECK(broken([](auto& o) { o.push_back(Tlv::primitive(0x87, {1})); }) == "6A80");  // extra
    CHECK(f.nvm.persisted().count(field::kRsaShare) == 0);

    CHECK(f.send(putRsaShare(record)) == "9000");
    CHECK(f.send(putRsaShare(record)) == "6985");                     // never replaced
    CHECK(f.nvm.persisted().at(field::kRsaShare) == record);
    CHECK(f.send("00DA00C941" "03" + std::string(128, '1')) == "6985");  // one kind of share only
    CHECK(f.send("00CA00C300") == "000000009000");                   // used 0 times
}

TEST_CASE("partial sign: a card with a Feldman share holds no RSA share, and has none to sign with") {
    CardFixture f;
    f.issueIdentity(3);
    REQUIRE(f.send("00DA00C941" "03" + std::string(128, '1')) == "9000");
    CHECK(f.send(putRsaShare(rsaShareRecord(3))) == "6985");
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    REQUIRE(f.send(kVerifyPin) == "9000");
    CHECK(f.send(partialSign(kDigest)) == "6A88");
}

TEST_CASE("partial sign: needs an OPERATIONAL card, a protected session and the PIN in it") {
    CardFixture f;
    f.issueIdentity(4);
    REQUIRE(f.send(putRsaShare(rsaShareRecord(4))) == "9000");
    CHECK(f.send(partialSign(kDigest)) == "6985");                    // BLANK
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    CHECK(f.send(partialSign(kDigest)) == "6985");                    // PERSONALIZED
    REQUIRE(f.send(kVerifyPin) == "9000");
    CHECK(sign(f, 4).sw == sw::kSuccess);

    f.openSession();                                                  // a new session: no PIN yet
    CHECK(f.send(partialSign(kDigest)) == "6982");
    CHECK(f.sendPlain(partialSign(kDigest)) == "6982");               // in the clear: never
    CHECK(f.send(kVerifyWrong) == "63C2");
    CHECK(f.send(partialSign(kDigest)) == "6982");                    // a wrong PIN is no PIN
    CHECK(f.send(kVerifyPin) == "9000");
    CHECK(f.send(commandHex(0x80, 0x3A, 0x00, 0x00, Bytes(31, 0xAB), 256)) == "6700");  // not a digest
    CHECK(f.send(commandHex(0x80, 0x3A, 0x00, 0x00, Bytes(33, 0xAB), 256)) == "6700");
    CHECK(f.send(commandHex(0x80, 0x3A, 0x01, 0x00, kDigest, 256)) == "6A86");
    CHECK(sign(f, 4).counter == "00000002");
    CHECK(f.sendPlain("00CA00C300") == "000000029000");              // the count is public

    // Blocked: nothing. Terminated: the share is erased.
    for (int i = 0; i < 3; ++i) f.send(kVerifyWrong);
    CHECK(f.send(partialSign(kDigest)) == "6985");
    for (int i = 0; i < 3; ++i) f.send(kResetWrongPuk);
    const Bytes erased = f.nvm.persisted().at(field::kRsaShare);
    CHECK(erased == Bytes(erased.size(), 0x00));
}

TEST_CASE("partial sign: an OPERATIONAL card without a share takes one over SCP11a, and signs") {
    CardFixture f;
    test::personalize(f, false);                                      // issued as card 1
    REQUIRE(f.send(kVerifyPin) == "9000");
    REQUIRE(f.card.lifecycle() == protocol::Lifecycle::Operational);
    const Bytes record = rsaShareRecord(1);
    CHECK(f.sendPlain(putRsaShare(record)) == "6982");                // never in the clear
    CHECK(f.send(putRsaShare(rsaShareRecord(1, [](auto& o) { o[0].value = {0}; }))) == "6A80");
    CHECK(f.send(putRsaShare(record)) == "9000");                     // no PIN asked
    CHECK(f.nvm.persisted().at(field::kRsaShare) == record);
    CHECK(f.send("00CA00C300") == "000000009000");                   // used 0 times
    CHECK(f.send(putRsaShare(record)) == "6985");                     // never replaced
    CHECK(f.send("00DA00C941" "03" + std::string(128, '1')) == "6985");  // one kind of share only
    CHECK(f.send(kPutPolicyNoChange) == "6985");                      // personalization stays closed

    f.openSession();
    CHECK(f.send(partialSign(kDigest)) == "6982");                    // the holder's PIN first
    f.openSession();
    REQUIRE(f.send(kVerifyPin) == "9000");
    const Answer a = sign(f, 1);
    REQUIRE(a.sw == sw::kSuccess);
    CHECK(a.counter == "00000001");
    CHECK(shoup::verifyPartial(smallDeal().publicKey, a.partial, kDigest));
}

TEST_CASE("partial sign: the card computes crypto/shoup's partial signature, proof included") {
    CardFixture f;
    readyCard(f, 5);
    const shoup::PublicKey& key = smallDeal().publicKey;
    const Answer first = sign(f, 5);
    REQUIRE(first.sw == sw::kSuccess);
    CHECK(first.counter == "00000001");

    // x_i is deterministic; the proof is the one crypto/shoup makes with the card's r.
    Bytes r = f.coprocessor.last;
    REQUIRE(r.size() == shoup::randomSize(key.modulusSize()));
    const shoup::Partial expected = shoup::partialSign(key, smallDeal().shares[4], kDigest, r);
    CHECK(toHex(first.partial.value) == toHex(expected.value));
    CHECK(toHex(first.partial.challenge) == toHex(expected.challenge));
    CHECK(toHex(first.partial.response) == toHex(expected.response));
    CHECK(shoup::verifyPartial(key, first.partial, kDigest));
    CHECK_FALSE(shoup::verifyPartial(key, first.partial, crypto::sha256(Bytes{'o', 't', 'h', 'e', 'r'})));

    // Fresh randomness each time: same x_i, another proof, still valid; counted every time.
    const Answer second = sign(f, 5);
    CHECK(second.counter == "00000002");
    CHECK(second.partial.value == first.partial.value);
    CHECK(second.partial.challenge != first.partial.challenge);
    CHECK(shoup::verifyPartial(key, second.partial, kDigest));
    CHECK(toHex(f.nvm.persisted().at(field::kUsageCounter)) == "00000002");
}

TEST_CASE("partial sign: three cards' partials combine into the signature any other three give") {
    const shoup::PublicKey& key = smallDeal().publicKey;
    std::vector<shoup::Partial> partials;
    for (int index : {2, 6, 7}) {
        CardFixture f;
        readyCard(f, index);
        const Answer a = sign(f, index);
        REQUIRE(a.sw == sw::kSuccess);
        partials.push_back(a.partial);
    }
    const Bytes signature = shoup::combine(key, partials, kDigest);
    std::vector<shoup::Partial> fromCrypto;
    for (int index : {1, 3, 4}) fromCrypto.push_back(shoup::partialSignWithoutProof(key, smallDeal().shares[index - 1], kDigest));
    CHECK(signature == shoup::combine(key, fromCrypto, kDigest, false));  // any 3 give the same
}

TEST_CASE("partial sign: a 4096-bit key - the largest record and answer - goes through chaining and GET RESPONSE") {
    const shoup::Deal deal = test::shoup_keys::rsa4096_2of3();
    const shoup::PublicKey& key = deal.publicKey;
    REQUIRE(key.modulusBits() == 4096);
    CardFixture f;
    f.issueIdentity(3);
    const Bytes record = host::rsaShareRecord(key, deal.shares[2]);
    CHECK(record.size() > 2048);  // many short APDUs of a command chain
    REQUIRE(f.send(putRsaShare(record)) == "9000");
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    REQUIRE(f.send(kVerifyPin) == "9000");

    const auto response = apdu::ResponseApdu::parse(fromHex(f.send(partialSign(kDigest))));
    REQUIRE(response.sw == sw::kSuccess);
    REQUIRE(response.data.size() == 2 * 512 + 101);
    auto at = response.data.begin();
    shoup::Partial partial{3, Bytes(at, at + 512), Bytes(at + 512, at + 544), Bytes(at + 544, at + 544 + 577)};
    CHECK(toHex(Bytes(at + 1121, response.data.end())) == "00000001");
    CHECK(shoup::verifyPartial(key, partial, kDigest));
    const shoup::Partial other = shoup::partialSignWithoutProof(key, deal.shares[0], kDigest);
    CHECK_NOTHROW(shoup::combine(key, {other, partial}, kDigest, false));  // y^e == x is checked inside
}
