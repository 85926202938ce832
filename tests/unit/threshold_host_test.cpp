// The host's side of threshold RSA without cards: the manifest's threshold key, the partial
// signature file, and the collector that checks every proof against the manifest.
#include <doctest/doctest.h>

#include "crypto/primitives.hpp"
#include "host/documents/manifest.hpp"
#include "host/ceremonies/partial_collector.hpp"
#include "host/documents/partial_file.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
using host::Manifest;
using host::ManifestError;
using host::PartialCollector;
using host::PartialFile;
using host::PartialFileError;
namespace shoup = crypto::shoup;

namespace {

const shoup::Deal& smallDeal() {
    static const shoup::Deal deal = test::shoup_keys::small3of7();
    return deal;
}

const Bytes kDigest = crypto::sha256(Bytes{'r', 'o', 'o', 't'});

Manifest thresholdManifest() {
    return test::thresholdManifest(test::TestCeremony::instance().ca, smallDeal().publicKey);
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

shoup::Partial partialOf(int index, const Bytes& digest = kDigest) {
    return shoup::partialSign(smallDeal().publicKey, smallDeal().shares.at(static_cast<std::size_t>(index - 1)), digest);
}

}  // namespace

TEST_CASE("threshold manifest: round trip, and a damaged threshold key is refused by name") {
    const Manifest m = thresholdManifest();
    const std::string good = m.toJson();
    const Manifest back = Manifest::fromJson(good);
    CHECK(back.shoup());
    CHECK(back.toJson() == good);
    CHECK(back.rsaKey.modulus == m.rsaKey.modulus);
    CHECK(back.rsaKey.verificationKeys == m.rsaKey.verificationKeys);
    CHECK(good.find("\"commitments\"") == std::string::npos);   // no Shamir fields
    CHECK(good.find("\"wrapped_key\"") == std::string::npos);

    const std::string v3 = toHex(m.rsaKey.verificationKeys[2]);
    struct Case {
        const char* name;
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {"unknown scheme", replaced(good, "\"shoup-rsa\"", "\"shoup-dsa\""), "scheme \"shoup-dsa\" is not supported"},
        {"more than 16 cards", replaced(good, "\"n\" : 7", "\"n\" : 17"), "need 1 <= k <= n <= 16"},
        {"exponent", replaced(good, "65537", "3"), "\"public_exponent\" must be 65537"},
        {"a verification key missing", replaced(good, ",\n      \"" + v3 + "\"", ""), "must list 7 values"},
        {"a verification key not hex", replaced(good, v3, "XY" + v3.substr(2)), "verification_keys[2] is not hex"},
        {"modulus even", replaced(good, toHex(m.rsaKey.modulus), toHex(m.rsaKey.modulus).substr(0, 127) + "0"),
         "threshold_rsa"},
        {"public key of another key", replaced(good, "\"type\" : \"rsa512\"", "\"type\" : \"rsa2048\""),
         "type \"rsa2048\" but the threshold key is rsa512"},
        {"modulus_bits", replaced(good, "\"modulus_bits\" : 512", "\"modulus_bits\" : 2048"),
         "\"modulus_bits\" does not match"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK_THROWS_WITH_AS(Manifest::fromJson(c.text), doctest::Contains(c.message), ManifestError);
    }
    // The PEM public key must be the threshold key's own.
    Manifest other = m;
    other.signingKey.publicKeyPem = shoup::dealWithPrimes(fromHex(test::shoup_keys::kSmallQ),
                                                          fromHex(test::shoup_keys::kSmallP),
                                                          {fromHex(test::shoup_keys::kSmallA1)},
                                                          fromHex(test::shoup_keys::kSmallVSeed), 3)
                                        .publicKey.toPem();
    CHECK(other.signingKey.publicKeyPem == m.signingKey.publicKeyPem);  // same N, same e: same key
    other.signingKey.publicKeyPem = replaced(m.signingKey.publicKeyPem, "MFwwDQYJ", "MFwwDQYK");
    CHECK_THROWS_WITH_AS(Manifest::fromJson(other.toJson()), doctest::Contains("is not the threshold key's"),
                         ManifestError);
}

TEST_CASE("partial file: round trip, strict reading, never over an existing file") {
    PartialFile f;
    f.cardSetId = test::TestCeremony::instance().ca.cardSetId();
    f.cardId = Bytes(16, 0x42);
    f.digest = kDigest;
    f.partial = partialOf(4);
    f.usageCount = 17;
    const std::string good = f.toJson();
    const PartialFile back = PartialFile::fromJson(good);
    CHECK(back.toJson() == good);
    CHECK(back.partial.index == 4);
    CHECK(back.partial.value == f.partial.value);
    CHECK(back.partial.response == f.partial.response);
    CHECK(back.usageCount == 17);

    const std::string response = toHex(f.partial.response);
    struct Case {
        const char* name;
        std::string text;
        const char* message;
    };
    const Case cases[] = {
        {"not JSON", good.substr(0, good.size() / 2), "not valid JSON"},
        {"format", replaced(good, "quorum-partial-signature", "quorum-card-set"), "\"format\" is not"},
        {"version", replaced(good, "\"version\" : 1", "\"version\" : 2"), "version 1 only"},
        {"index 0", replaced(good, "\"card_index\" : 4", "\"card_index\" : 0"), "card index 1..16"},
        {"index 17", replaced(good, "\"card_index\" : 4", "\"card_index\" : 17"), "card index 1..16"},
        {"digest short", replaced(good, toHex(kDigest), toHex(kDigest).substr(2)), "\"digest_sha256\" has 31 bytes"},
        {"response short", replaced(good, response, response.substr(2)), "\"response\" has"},
        // Issue 15, failure 11: a 512-byte partial was reported as a response of the wrong size.
        {"partial of 512 bytes", replaced(good, "\"partial\" : \"", "\"partial\" : \"" + std::string(2 * (512 - f.partial.value.size()), '0')),
         "\"partial\" has 512 bytes, but the proof's \"response\" has"},
        {"challenge missing", replaced(good, "\"challenge\"", "\"chalenge\""), "\"challenge\" is missing"},
        {"counter negative", replaced(good, "\"usage_counter\" : 17", "\"usage_counter\" : -1"), "\"usage_counter\""},
        {"not hex", replaced(good, response, "ZZ" + response.substr(2)), "\"response\" is not hex"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK_THROWS_WITH_AS(PartialFile::fromJson(c.text), doctest::Contains(c.message), PartialFileError);
    }

    test::TempFolder folder;
    const std::string path = folder.file("partial.json");
    f.save(path);
    CHECK(PartialFile::load(path).toJson() == good);
    CHECK_THROWS_WITH_AS(f.save(path), doctest::Contains("cannot create the partial signature"), PartialFileError);
    CHECK_THROWS_WITH_AS(PartialFile::load(folder.file("none.json")), doctest::Contains("none.json"), PartialFileError);
}

TEST_CASE("partial collector: each card once, every proof checked, a bad partial named, k combine") {
    const shoup::PublicKey& key = smallDeal().publicKey;
    PartialCollector collector(key, kDigest);
    CHECK(collector.progress() == "0 of 3 partial signatures");
    CHECK_THROWS_AS(collector.signature(), shoup::ShoupError);

    // A partial made with another card's share, presented as card 2's: refused, card 2 named.
    shoup::Partial impostor = partialOf(5);
    impostor.index = 2;
    auto result = collector.offer(impostor);
    CHECK(result.outcome == PartialCollector::Outcome::BadProof);
    CHECK(result.message.find("card 2's partial signature fails its proof against the manifest") != std::string::npos);
    // A partial of another message: refused.
    CHECK(collector.offer(partialOf(3, crypto::sha256(Bytes{'x'}))).outcome == PartialCollector::Outcome::BadProof);
    // Outside the set: refused.
    shoup::Partial stranger = partialOf(1);
    stranger.index = 8;
    CHECK(collector.offer(stranger).outcome == PartialCollector::Outcome::BadProof);
    CHECK(collector.collected() == 0);

    CHECK(collector.offer(partialOf(2)).message == "card 2 accepted: 1 of 3 partial signatures");
    CHECK(collector.offer(partialOf(2)).outcome == PartialCollector::Outcome::AlreadyCounted);
    CHECK(collector.offer(partialOf(7)).outcome == PartialCollector::Outcome::Accepted);
    CHECK(collector.offer(partialOf(3)).message == "card 3 accepted: 3 of 3 partial signatures");
    CHECK(collector.complete());
    CHECK(collector.offer(partialOf(4)).outcome == PartialCollector::Outcome::NotNeeded);

    const Bytes signature = collector.signature();
    std::vector<shoup::Partial> others;
    for (int index : {1, 4, 6}) others.push_back(partialOf(index));
    CHECK(signature == shoup::combine(key, others, kDigest));
}
