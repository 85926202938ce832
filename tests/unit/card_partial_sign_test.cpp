// The card's threshold RSA share: stored once inside SCP11a, used by PARTIAL SIGN only for its
// holder, every partial counted; what the card computes is exactly crypto/shoup's partial
// signature, proof included, and k cards' partials combine into an OpenSSL-valid signature. The
// same for batches of 2 to 16 digests with one proof, checked by the host's BatchCollector.
#include <doctest/doctest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/command.hpp"
#include "apdu/response.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"
#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "firmware-model/rsa_share.hpp"
#include "host/card/quorum_card.hpp"
#include "host/ceremonies/partial_collector.hpp"
#include "protocol/commands.hpp"
#include "protocol/shares.hpp"
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

// Card `index`, issued and given `record` (PUT DATA 00CB) and PIN "123456" without a change due:
// OPERATIONAL at its first VERIFY.
void personalizeWith(CardFixture& f, int index, const Bytes& record) {
    f.issueIdentity(index);
    REQUIRE(f.send(putRsaShare(record)) == "9000");
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
}

// Card `index` of the small deal, OPERATIONAL with PIN "123456" verified in an open session.
void readyCard(CardFixture& f, int index) {
    personalizeWith(f, index, rsaShareRecord(index));
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
    const Bytes record = host::rsaShareRecord(key, deal.shares[2]);
    CHECK(record.size() > 2048);  // many short APDUs of a command chain
    personalizeWith(f, 3, record);
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

// ----- Batches: several digests in one PARTIAL SIGN, one proof (docs/batch-proof.md) ----------

namespace {

// SHA-256 of "bundle 1" .. "bundle <count>".
std::vector<Bytes> bundleDigests(std::size_t count) {
    std::vector<Bytes> digests;
    for (std::size_t j = 1; j <= count; ++j) {
        const std::string bundle = "bundle " + std::to_string(j);
        digests.push_back(crypto::sha256(Bytes(bundle.begin(), bundle.end())));
    }
    return digests;
}

std::string partialSignBatch(const std::vector<Bytes>& digests) {
    return toHex(protocol::command::partialSignBatch(digests).encode());
}

struct BatchAnswer {
    shoup::BatchPartial batch;
    std::uint32_t counter = 0;
    std::uint16_t sw = 0;
};

BatchAnswer signBatch(CardFixture& f, const std::vector<Bytes>& digests,
                      std::size_t modulusSize = smallDeal().publicKey.modulusSize()) {
    const auto response = apdu::ResponseApdu::parse(fromHex(f.send(partialSignBatch(digests))));
    BatchAnswer a;
    a.sw = response.sw;
    if (response.sw != sw::kSuccess) return a;
    REQUIRE(response.data.size() == (digests.size() + 1) * modulusSize + 101);
    auto decoded = protocol::PartialSignBatchAnswer::decode(response.data, modulusSize, digests.size());
    a.batch = {std::move(decoded.batch.values), std::move(decoded.batch.challenge), std::move(decoded.batch.response)};
    a.counter = decoded.usageCount;
    return a;
}

// `digests` signed by f's card through the host's QuorumCard: SCP11a with the test ceremony, the
// holder's PIN, PARTIAL SIGN with the batch; attributed to the index of the card's certificate.
host::SignedBatch signThroughQuorumCard(CardFixture& f, const std::vector<Bytes>& digests) {
    host::QuorumCard card(f.link, test::TestCeremony::instance().trust());
    card.openSecureChannel();
    card.verifyPin(Bytes{'1', '2', '3', '4', '5', '6'});
    return card.partialSignBatch(digests, smallDeal().publicKey.modulusSize(), card.index().value());
}

// RSASSA-PKCS1-v1_5 verification of a SHA-256 digest by OpenSSL (EVP_PKEY_verify), against the
// public key as `openssl dgst -verify` reads it.
bool opensslVerifiesDigest(const std::string& pem, const Bytes& digest, const Bytes& signature) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
    REQUIRE(key != nullptr);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key.get(), nullptr),
                                                                    EVP_PKEY_CTX_free);
    REQUIRE(ctx != nullptr);
    REQUIRE(EVP_PKEY_verify_init(ctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) == 1);
    REQUIRE(EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1);
    return EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size()) == 1;
}

}  // namespace

TEST_CASE("partial sign batch: 1 to 16 digests in one command, each answer crypto/shoup's, counted per signature") {
    CardFixture f;
    readyCard(f, 5);
    const shoup::PublicKey& key = smallDeal().publicKey;
    const shoup::KeyShare& share = smallDeal().shares[4];
    std::uint32_t uses = 0;
    for (std::size_t count = 1; count <= 16; ++count) {
        CAPTURE(count);
        const std::vector<Bytes> digests = bundleDigests(count);
        if (count == 1) {  // one digest: today's PARTIAL SIGN, byte for byte
            const Answer single = sign(f, 5, digests[0]);
            REQUIRE(single.sw == sw::kSuccess);
            CHECK(toHex(single.partial.challenge) ==
                  toHex(shoup::partialSign(key, share, digests[0], f.coprocessor.last).challenge));
            CHECK(single.counter == "00000001");
            uses = 1;
            continue;
        }
        const BatchAnswer a = signBatch(f, digests);
        REQUIRE(a.sw == sw::kSuccess);
        // x_{i,j} are deterministic; the proof is the one crypto/shoup makes with the card's r.
        const Bytes& r = f.coprocessor.last;
        REQUIRE(r.size() == shoup::randomSize(key.modulusSize()));
        const shoup::BatchPartial expected = shoup::partialSignBatch(key, share, digests, r);
        REQUIRE(a.batch.values.size() == count);
        for (std::size_t j = 0; j < count; ++j) CHECK(toHex(a.batch.values[j]) == toHex(expected.values[j]));
        CHECK(toHex(a.batch.challenge) == toHex(expected.challenge));
        CHECK(toHex(a.batch.response) == toHex(expected.response));
        CHECK(shoup::verifyBatch(key, 5, a.batch, digests));
        uses += static_cast<std::uint32_t>(count);
        CHECK(a.counter == uses);  // one use per partial signature
    }
    CHECK(uses == 136);
    CHECK(f.sendPlain("00CA00C300") == "000000889000");
    CHECK(toHex(f.nvm.persisted().at(field::kUsageCounter)) == "00000088");
}

TEST_CASE("partial sign batch: 17 digests, or data that is not whole digests, are refused; nothing is counted") {
    CardFixture f;
    readyCard(f, 2);
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{33}, std::size_t{63},
                                   std::size_t{65}, std::size_t{16 * 32 - 1}, std::size_t{16 * 32 + 1},
                                   std::size_t{17 * 32}, std::size_t{32 * 32}}) {
        CAPTURE(size);
        CHECK(f.send(commandHex(0x80, 0x3A, 0x00, 0x00, Bytes(size, 0xAB), 256)) == "6700");
    }
    CHECK(f.send(commandHex(0x80, 0x3A, 0x00, 0x01, Bytes(3 * 32, 0xAB), 256)) == "6A86");
    CHECK(signBatch(f, bundleDigests(16)).counter == 16);  // none counted before; the largest batch goes
    CHECK(f.sendPlain("00CA00C300") == "000000109000");
    CHECK_THROWS_AS((void)protocol::command::partialSignBatch(bundleDigests(17)), std::invalid_argument);
}

TEST_CASE("partial sign batch: a tampered x_{i,j}, c or z fails the proof, and a card with another card's share is caught") {
    const shoup::PublicKey& key = smallDeal().publicKey;
    const std::vector<Bytes> digests = bundleDigests(4);
    CardFixture f;
    readyCard(f, 5);
    const BatchAnswer a = signBatch(f, digests);
    REQUIRE(a.sw == sw::kSuccess);
    REQUIRE(shoup::verifyBatch(key, 5, a.batch, digests));
    for (std::size_t j = 0; j < digests.size(); ++j) {
        CAPTURE(j);
        for (const std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{63}}) {
            shoup::BatchPartial tampered = a.batch;
            tampered.values[j][at] ^= 0x01;
            CHECK_FALSE(shoup::verifyBatch(key, 5, tampered, digests));
        }
    }
    for (const std::size_t at : {std::size_t{0}, std::size_t{17}, std::size_t{31}}) {
        shoup::BatchPartial tampered = a.batch;
        tampered.challenge[at] ^= 0x80;
        CHECK_FALSE(shoup::verifyBatch(key, 5, tampered, digests));
    }
    for (const std::size_t at : {std::size_t{1}, std::size_t{64}, std::size_t{128}}) {
        shoup::BatchPartial tampered = a.batch;
        tampered.response[at] ^= 0x01;
        CHECK_FALSE(shoup::verifyBatch(key, 5, tampered, digests));
    }

    // Card 3's whole record on a card certified as card 5; then card 5's record with s_3 in it.
    const std::string other = "card 5's batch of 4 partial signatures fails its proof against the manifest";
    for (const Bytes& record : {rsaShareRecord(3), rsaShareRecord(5, [](auto& o) { o[6].value = smallDeal().shares[2].value; })}) {
        CardFixture impostor;
        personalizeWith(impostor, 5, record);
        const host::SignedBatch answer = signThroughQuorumCard(impostor, digests);
        CHECK(answer.index == 5);
        CHECK(answer.usageCount == 4);
        CHECK_FALSE(shoup::verifyBatch(key, 5, answer.batch, digests));
        host::BatchCollector collector(key, digests);
        const auto result = collector.offer(answer.index, answer.batch);
        CHECK(result.outcome == host::BatchCollector::Outcome::BadProof);
        CHECK(result.cardIndex == 5);
        CHECK(result.message.find(other) != std::string::npos);
        CHECK(collector.collected() == 0);
    }
}

TEST_CASE("partial sign batch: seven cards sign three digests; every three combine each digest into a signature OpenSSL verifies") {
    const shoup::PublicKey& key = smallDeal().publicKey;
    const std::vector<Bytes> digests = bundleDigests(3);
    std::vector<shoup::BatchPartial> batches;
    host::BatchCollector collector(key, digests);
    CHECK(collector.progress() == "0 of 3 batches of 3 partial signatures");
    for (int index = 1; index <= 7; ++index) {
        CardFixture f;
        personalizeWith(f, index, rsaShareRecord(index));
        const host::SignedBatch answer = signThroughQuorumCard(f, digests);
        CHECK(answer.index == index);
        CHECK(answer.usageCount == 3);
        const auto result = collector.offer(answer.index, answer.batch);
        CHECK(result.outcome == (index <= 3 ? host::BatchCollector::Outcome::Accepted
                                            : host::BatchCollector::Outcome::NotNeeded));
        if (index == 2) CHECK(result.message == "card 2 accepted: 2 of 3 batches of 3 partial signatures");
        batches.push_back(answer.batch);
    }
    CHECK(collector.offer(1, batches[0]).outcome == host::BatchCollector::Outcome::AlreadyCounted);
    CHECK(collector.refusal(1) == std::optional<std::string>("card 1 was already counted; please insert another card"));

    const std::vector<Bytes> signatures = collector.signatures();
    REQUIRE(signatures.size() == 3);
    const std::string pem = key.toPem();
    for (std::size_t j = 0; j < digests.size(); ++j) {
        CAPTURE(j);
        CHECK(opensslVerifiesDigest(pem, digests[j], signatures[j]));
        CHECK_FALSE(opensslVerifiesDigest(pem, digests[(j + 1) % 3], signatures[j]));
        int subsets = 0;
        for (int a = 1; a <= 7; ++a)
            for (int b = a + 1; b <= 7; ++b)
                for (int c = b + 1; c <= 7; ++c) {
                    const std::vector<shoup::Partial> partials = {batches[static_cast<std::size_t>(a - 1)].partial(a, j),
                                                                  batches[static_cast<std::size_t>(b - 1)].partial(b, j),
                                                                  batches[static_cast<std::size_t>(c - 1)].partial(c, j)};
                    CHECK(shoup::combine(key, partials, digests[j], false) == signatures[j]);
                    ++subsets;
                }
        CHECK(subsets == 35);
    }
}

TEST_CASE("partial sign batch: 16 digests with a 4096-bit key - the largest batch answer - through chaining and GET RESPONSE") {
    const shoup::Deal deal = test::shoup_keys::rsa4096_2of3();
    const shoup::PublicKey& key = deal.publicKey;
    CardFixture f;
    personalizeWith(f, 2, host::rsaShareRecord(key, deal.shares[1]));
    REQUIRE(f.send(kVerifyPin) == "9000");

    const std::vector<Bytes> digests = bundleDigests(16);
    CHECK(protocol::command::partialSignBatch(digests).data.size() == 512);  // command chaining
    CHECK(protocol::PartialSignBatchAnswer::encodedSize(512, 16) == 8805);
    const BatchAnswer a = signBatch(f, digests, 512);
    REQUIRE(a.sw == sw::kSuccess);
    CHECK(a.counter == 16);
    CHECK(shoup::verifyBatch(key, 2, a.batch, digests));
    const shoup::Partial other = shoup::partialSignWithoutProof(key, deal.shares[0], digests[15]);
    CHECK_NOTHROW(shoup::combine(key, {other, a.batch.partial(2, 15)}, digests[15], false));
}

TEST_CASE("partial sign batch: the card's products for moduli of 512, 1042 and 2048 bits are crypto/shoup's") {
    // 262643 (the smallest safe prime above 2^18) times a 1024-bit safe prime: 1042 bits, a top
    // byte of 3, so R = 2^{8L} is about 85 N - the card's reduction of R mod N takes many steps.
    const shoup::Deal odd = shoup::dealWithPrimes(fromHex("0401F3"), fromHex(test::shoup_keys::kRsa2048P), {},
                                                  fromHex(test::shoup_keys::kSmallVSeed), 2);
    REQUIRE(odd.publicKey.modulusBits() == 1042);
    REQUIRE(odd.publicKey.modulus.front() == 0x03);
    const shoup::Deal rsa2048 = test::shoup_keys::rsa2048_3of7();
    for (const shoup::Deal* deal : {&smallDeal(), &odd, &rsa2048}) {
        const shoup::PublicKey& key = deal->publicKey;
        CAPTURE(key.modulusBits());
        const shoup::KeyShare& share = deal->shares.back();
        const auto record = protocol::RsaShareRecord::decode(host::rsaShareRecord(key, share));
        REQUIRE(record);
        const std::vector<Bytes> digests = bundleDigests(5);
        test::CountingCoprocessor coprocessor;
        const protocol::PartialSignatureBatch batch = card::computePartialSignatureBatch(coprocessor, *record, digests);
        Bytes r = coprocessor.last;  // as drawn; the card clears the bits above L(N) + 512
        const int topBits = key.modulusBits() % 8;
        if (topBits != 0) r.front() = static_cast<std::uint8_t>(r.front() & ((1u << topBits) - 1));
        const shoup::BatchPartial expected = shoup::partialSignBatch(key, share, digests, r);
        CHECK(batch.values == expected.values);
        CHECK(toHex(batch.challenge) == toHex(expected.challenge));
        CHECK(toHex(batch.response) == toHex(expected.response));
        CHECK(shoup::verifyBatch(key, share.index, expected, digests));
    }
}
