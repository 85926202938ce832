// The card-set manifest: round trip, and every way a damaged or foreign manifest is refused.
#include "host/documents/manifest.hpp"

#include <doctest/doctest.h>

#include <filesystem>

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
