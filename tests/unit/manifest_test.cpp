// The card-set manifest: round trip, and every way a damaged or foreign manifest is refused.
#include "host/documents/manifest.hpp"

#include <doctest/doctest.h>
#include <json/json.h>

#include <filesystem>
#include <functional>

#include "host/documents/manifest_signature.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using host::Manifest;
using host::ManifestError;
using test::TestCeremony;

namespace {
Manifest sample() {
    const auto& ca = TestCeremony::instance().ca;
    Manifest m;
    m.cardSetId = ca.cardSetId();
    m.k = 2;
    m.n = 3;
    m.caCertificatePem = ca.certificate().pem();
    for (int i = 1; i <= 3; ++i)
        m.cards.push_back({i, Bytes(16, static_cast<std::uint8_t>(i)),
                           ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), i).pem(),
                           i == 2 ? "Ana Example" : ""});
    m.commitments = crypto::deal(2, 3).commitments;
    m.signingKey = {"p256", "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----\n",
                    Bytes(40, 0xAB), "CKM_AES_KEY_WRAP_PAD"};
    return m;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}
}  // namespace

TEST_CASE("manifest: JSON round trip and file round trip") {
    const Manifest m = sample();
    const Manifest back = Manifest::fromJson(m.toJson());
    CHECK(back.toJson() == m.toJson());
    CHECK(toHex(back.commitments.digest()) == toHex(m.commitments.digest()));
    CHECK(back.cards.size() == 3);
    CHECK(back.cards[2].index == 3);
    CHECK(back.cards[1].holder == "Ana Example");  // holders are optional, per card
    CHECK(back.cards[0].holder.empty());
    CHECK(back.cards[1].describe() == "card 2 (Ana Example, id 02020202...)");
    CHECK(back.cards[0].describe() == "card 1 (id 01010101...)");

    test::TempFolder folder;
    const auto path = folder.file("set.json");
    m.save(path);
    CHECK(Manifest::load(path).toJson() == m.toJson());
    CHECK_THROWS_WITH_AS(m.save(path), doctest::Contains("cannot create the manifest"), ManifestError);
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read) !=
          std::filesystem::perms::none);  // public on purpose
}

TEST_CASE("manifest: damaged or inconsistent manifests are refused, naming the field") {
    const Manifest m = sample();
    const std::string good = m.toJson();
    struct Case {
        const char* name;
        std::string text;
        const char* expected;
    };
    const Manifest other = [&] {
        Manifest o = m;
        o.k = 3;
        o.commitments = crypto::deal(3, 3).commitments;
        return o;
    }();
    const Case cases[] = {
        {"not JSON", good.substr(0, good.size() / 2), "not valid JSON"},
        {"format", replaced(good, "quorum-card-set", "something"), "\"format\""},
        {"version", replaced(good, "\"version\" : 1", "\"version\" : 2"), "version 2"},
        {"k > n", replaced(good, "\"k\" : 2", "\"k\" : 4"), "k = 4"},
        {"commitments threshold", replaced(other.toJson(), "\"k\" : 3", "\"k\" : 2"),
         "for 3 shares"},
        {"commitments digest", replaced(good, toHex(m.commitments.digest()), std::string(64, '0')),
         "commitments_sha256"},
        {"card index twice", replaced(good, "\"index\" : 3", "\"index\" : 2"), "listed twice"},
        {"card index outside 1..n", replaced(good, "\"index\" : 3", "\"index\" : 9"),
         "index 9 is outside 1..3"},
        {"missing signing key type", replaced(good, "\"type\" : \"p256\",", ""),
         "\"type\" is missing"},
        {"other wrap mechanism", replaced(good, "CKM_AES_KEY_WRAP_PAD", "CKM_AES_ECB"),
         "wrap mechanism"},
        {"holder not a string", replaced(good, "\"Ana Example\"", "7"),
         "cards[1]: \"holder\" is not a string"},
        {"empty holder", replaced(good, "\"Ana Example\"", "\"\""),
         "\"holder\": a holder's name has 1 to 100"},
        {"holder with a line break", replaced(good, "\"Ana Example\"", "\"Ana\\nExample\""),
         "control characters"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK_THROWS_WITH_AS(Manifest::fromJson(c.text), doctest::Contains(c.expected),
                             ManifestError);
    }
    // A card certificate of another CA, or listed under the wrong index.
    Manifest foreign = m;
    foreign.cards[0].certificatePem =
        TestCeremony::other().ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), 1).pem();
    CHECK_THROWS_WITH_AS(Manifest::fromJson(foreign.toJson()), doctest::Contains("card 1"),
                         ManifestError);
    Manifest swapped = m;
    std::swap(swapped.cards[0].certificatePem, swapped.cards[1].certificatePem);
    CHECK_THROWS_WITH_AS(Manifest::fromJson(swapped.toJson()),
                         doctest::Contains("certificate is for card 2"), ManifestError);
}

TEST_CASE(
    "manifest: a set's lineage - role, generation, parent, supersession - round trips and is "
    "checked") {
    Manifest m = sample();
    // A manifest written before lineage existed reads as an operational first generation.
    CHECK(Manifest::fromJson(m.toJson()).lineage.role == "operational");
    CHECK(Manifest::fromJson(m.toJson()).lineage.generation == 1);
    CHECK(Manifest::fromJson(m.toJson()).lineage.current());

    m.lineage.role = host::ManifestLineage::kRecovery;
    m.lineage.generation = 3;
    m.lineage.parentSha256 = Bytes(32, 0x11);
    m.lineage.supersededBySha256 = Bytes(32, 0x22);
    m.lineage.supersededBy = "/srv/c/set-4.json";
    const Manifest back = Manifest::fromJson(m.toJson());
    CHECK(back.lineage.role == "recovery");
    CHECK(back.lineage.generation == 3);
    CHECK(back.lineage.parentSha256 == Bytes(32, 0x11));
    CHECK(back.lineage.supersededBySha256 == Bytes(32, 0x22));
    CHECK(back.lineage.supersededBy == "/srv/c/set-4.json");
    CHECK(!back.lineage.current());
    CHECK(back.toJson() == m.toJson());

    m.lineage.supersededBySha256.clear();
    m.lineage.retired = true;
    CHECK(!Manifest::fromJson(m.toJson()).lineage.current());

    const std::string text = m.toJson();
    const auto refused = [&](const std::string& from, const std::string& to) {
        try {
            Manifest::fromJson(replaced(text, from, to));
        } catch (const ManifestError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK(test::contains(refused("\"role\" : \"recovery\"", "\"role\" : \"spare\""),
                         "is not operational, recovery or transport"));
    CHECK(test::contains(refused("\"generation\" : 3", "\"generation\" : 1"),
                         "generation 1 has no parent"));
    CHECK(test::contains(refused("\"generation\" : 3", "\"generation\" : 0"),
                         "generation must be 1 or more"));
    CHECK(test::contains(refused("\"retired\" : true", "\"retired\" : 1"),
                         "\"retired\" is not true or false"));
}

TEST_CASE("manifest: a reshare's draft has no commitments until the old cards gave theirs") {
    Manifest m = sample();
    m.commitments = {};
    const std::string draft = m.toJson();
    CHECK(draft.find("commitments") == std::string::npos);
    CHECK(Manifest::fromJson(draft, true).commitments.points.empty());
    CHECK_THROWS_AS(Manifest::fromJson(draft), ManifestError);  // a finished manifest needs them
}

// Issue 15, failure 9: a changed digit of the wrapped key, the key type or the public key was
// found only after three holders had released their shares. Now every field is under the CA's
// signature, checked against the ceremony's own CA certificate before anything else happens.
TEST_CASE("manifest: the CA's signature covers every field and is checked against the ceremony's CA") {
    const auto& ca = TestCeremony::instance().ca;
    Manifest m = sample();
    host::signManifest(m, ca);
    const Manifest back = Manifest::fromJson(m.toJson());
    CHECK(back.caSignature == m.caSignature);
    CHECK(host::signedBy(back, ca.certificate()));
    CHECK_NOTHROW(host::authenticateManifest(back, ca.certificate(), "set.json"));

    const auto refusal = [&](const Manifest& changed) {
        try {
            host::authenticateManifest(Manifest::fromJson(changed.toJson()), ca.certificate(), "set.json");
        } catch (const host::ManifestAuthenticationError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    const std::string changedAfter = "the manifest was changed after the ceremony wrote it";
    // Every field, one at a time, as an attacker (or a stray editor) would change it in the file.
    const std::vector<std::pair<const char*, std::function<void(Manifest&)>>> changes = {
        {"a wrapped key digit", [](Manifest& x) { x.signingKey.wrappedKey[7] ^= 0x01; }},
        {"the key type", [](Manifest& x) { x.signingKey.type = "rsa2048"; }},
        {"the public key", [](Manifest& x) { x.signingKey.publicKeyPem += "\n"; }},
        {"a holder", [](Manifest& x) { x.cards[1].holder = "Mallory Example"; }},
        {"a holder added", [](Manifest& x) { x.cards[0].holder = "Mallory Example"; }},
        {"a card id", [](Manifest& x) { x.cards[2].cardId[0] ^= 0x80; }},
        {"k", [](Manifest& x) {
             x.k = 3;
             x.commitments = crypto::deal(3, 3).commitments;
         }},
        {"the commitments", [](Manifest& x) { x.commitments = crypto::deal(2, 3).commitments; }},
        {"the role", [](Manifest& x) { x.lineage.role = host::ManifestLineage::kRecovery; }},
        {"the generation and parent", [](Manifest& x) {
             x.lineage.generation = 2;
             x.lineage.parentSha256 = Bytes(32, 0x11);
         }},
        {"superseded marking taken out", [](Manifest& x) {
             x.lineage.supersededBySha256 = Bytes(32, 0x22);
             x.lineage.supersededBy = "new.json";
         }},
        {"retired", [](Manifest& x) { x.lineage.retired = true; }},
        {"the signature itself", [](Manifest& x) { x.caSignature[10] ^= 0x01; }},
    };
    for (const auto& [changeName, change] : changes) {
        const std::string name = changeName;  // a copy: a structured binding cannot be captured (C++17)
        CAPTURE(name);
        Manifest changed = m;
        change(changed);
        CHECK(test::contains(refusal(changed), changedAfter));
    }
    // The superseded marking the other way: a signed marking cannot be taken out either.
    Manifest superseded = m;
    superseded.lineage.supersededBySha256 = Bytes(32, 0x22);
    superseded.lineage.supersededBy = "new.json";
    host::signManifest(superseded, ca);
    Manifest unmarked = superseded;
    unmarked.lineage.supersededBySha256.clear();
    unmarked.lineage.supersededBy.clear();
    CHECK(test::contains(refusal(unmarked), changedAfter));

    // Unsigned (written before manifests were signed): refused, saying what to do.
    Manifest unsigned_ = m;
    unsigned_.caSignature.clear();
    const std::string said = refusal(unsigned_);
    CHECK(test::contains(said, "set.json is not signed by the ceremony's CA"));
    CHECK(test::contains(said, "ceremony manifest-sign --ceremony DIR --manifest set.json"));

    // Another ceremony's manifest, even signed by its own CA, is not this ceremony's.
    const auto& other = TestCeremony::other().ca;
    CHECK_THROWS_WITH_AS(host::authenticateManifest(back, other.certificate(), "set.json"),
                         doctest::Contains("names another CA than this ceremony's"),
                         host::ManifestAuthenticationError);
    // A whole manifest made anew under another CA and signed by it: refused against ours.
    Manifest forged = m;
    forged.cardSetId = other.cardSetId();
    forged.caCertificatePem = other.certificate().pem();
    for (auto& card : forged.cards)
        card.certificatePem = other.issueCard(crypto::EcPrivateKey::generate().publicKey(), card.index).pem();
    host::signManifest(forged, other);
    CHECK(host::signedBy(forged, other.certificate()));
    CHECK(!host::signedBy(forged, ca.certificate()));
    // The CA signs only manifests that name it.
    CHECK_THROWS_AS(host::signManifest(forged, ca), std::invalid_argument);
}

TEST_CASE("manifest: the signing input is canonical - the JSON's layout does not matter, every field does") {
    const auto& ca = TestCeremony::instance().ca;
    Manifest m = sample();
    host::signManifest(m, ca);
    // The same fields laid out otherwise (no indentation) still verify.
    Json::Value root;
    Json::Reader().parse(m.toJson(), root);
    Json::StreamWriterBuilder compact;
    compact["indentation"] = "";
    const Manifest relaid = Manifest::fromJson(Json::writeString(compact, root));
    CHECK(host::signedBy(relaid, ca.certificate()));
    // Length prefixes: moving a character from one field to the next changes the input.
    Manifest a = m;
    Manifest b = m;
    a.cards[0].holder = "AB";
    a.cards[1].holder = "C";
    b.cards[0].holder = "A";
    b.cards[1].holder = "BC";
    CHECK(host::manifestSigningInput(a) != host::manifestSigningInput(b));
}
