// Issue 15, failures 9 and 7: everything a ceremony can check is checked before the first card.
// A manifest changed after its ceremony wrote it (a wrapped-key digit, k, the public key) was
// found only after the holders had released their shares, and `public-key` printed a substituted
// key; an unsigned one now says how its CA holder signs it. A missing HSM token, or the
// ceremony's HSM PIN file opened up to everyone, was found only after the shares were given.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "crypto/certificate.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/documents/manifest.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

bool shows(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// `path` with its JSON field edited by python3, into `out` (nothing else of the file changes).
void edited(const std::string& path, const std::string& out, const std::string& edit) {
    const auto ran = runCommand("/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); " + edit +
                                "; open(sys.argv[2],\"w\").write(json.dumps(m, indent=2))' " + path + " " + out +
                                " 2>&1");
    INFO(ran.output);
    REQUIRE(ran.exitCode == 0);
}

// A sign that must stop before it asks for any card (no card is ever inserted: a ceremony that
// waited for one would time out instead, saying so).
CommandResult signBeforeCards(Room& room, const CardSet& set, const std::string& manifest,
                              const std::string& more = "") {
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "to be signed\n";
    return room.unattended("sign --yes --ceremony " + set.ceremonyDir + " --manifest " + manifest + " --in " +
                           message + " --out " + room.file("message.sig") + " --card-timeout 2 --pin-file " +
                           room.secrets("pins", {CardSet::pin(1), CardSet::pin(2)}) + more);
}

void checkNoCardAsked(const CommandResult& result) {
    CHECK(result.exitCode == 1);
    CHECK(!shows(result.output, "Insert a card"));
}

// Environment variable `name` set to `value` while this lives.
class EnvironmentVariable {
public:
    EnvironmentVariable(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~EnvironmentVariable() {
        if (old_.empty())
            ::unsetenv(name_);
        else
            ::setenv(name_, old_.c_str(), 1);
    }
    EnvironmentVariable(const EnvironmentVariable&) = delete;
    EnvironmentVariable& operator=(const EnvironmentVariable&) = delete;

private:
    const char* name_;
    std::string old_;
};

}  // namespace

TEST_CASE("manifest: a manifest changed after keygen is refused before any card, and by public-key") {
    Room room;
    const CardSet set = makeCardSet(room, "m", 2, 2, "shamir", {"--key-type", "p256"});
    const std::string ca = " --ca " + set.ceremonyDir + "/ca.pem";

    const auto key = room.ceremony("public-key" + ca + " --manifest " + set.manifest);
    INFO(key.output);
    REQUIRE(key.exitCode == 0);
    CHECK(shows(key.output, "-----BEGIN PUBLIC KEY-----"));

    const std::string changed = "the CA's signature does not match the contents";
    struct Change {
        const char* name;
        std::string edit;
    };
    const Change changes[] = {
        {"a digit of the wrapped key",
         "w=m[\"signing_key\"][\"wrapped_key\"]; m[\"signing_key\"][\"wrapped_key\"]=w[:10]+(\"0\" if w[10]!=\"0\" "
         "else \"1\")+w[11:]"},
        {"the public key (another set's)", "m[\"signing_key\"][\"public_key\"]=open(\"" + room.file("other.pem") +
                                               "\").read()"},
        {"a holder", "m[\"cards\"][0][\"holder\"]=\"Mallory\""},
    };
    runCommand("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null | openssl pkey -pubout > " +
               room.file("other.pem"));
    for (const auto& change : changes) {
        CAPTURE(change.name);
        const std::string tampered = room.file("tampered.json");
        std::filesystem::remove(tampered);
        edited(set.manifest, tampered, change.edit);
        const auto refused = signBeforeCards(room, set, tampered);
        INFO(refused.output);
        checkNoCardAsked(refused);
        CHECK(shows(refused.output, tampered + ": " + changed));
        const auto printed = room.ceremony("public-key" + ca + " --manifest " + tampered);
        CHECK(printed.exitCode == 1);
        CHECK(shows(printed.output, changed));
        CHECK(!shows(printed.output, "BEGIN PUBLIC KEY"));
    }

    // public-key wants a CA certificate obtained apart from the manifest, and another ceremony's
    // CA is not this set's.
    const auto anchorless = room.ceremony("public-key --manifest " + set.manifest);
    CHECK(anchorless.exitCode != 0);
    CHECK(shows(anchorless.output, "give the ceremony's CA certificate, --ca CA.pem or --ceremony DIR"));
    const std::string otherDir = room.createCeremony("other");
    const auto foreign = room.ceremony("public-key --ca " + otherDir + "/ca.pem --manifest " + set.manifest);
    CHECK(foreign.exitCode == 1);
    CHECK(shows(foreign.output, "names another CA than this ceremony's"));
    CHECK(!shows(foreign.output, "BEGIN PUBLIC KEY"));
}

TEST_CASE("manifest: an unsigned manifest says what to do; manifest-sign signs it once, audited, never over a change") {
    Room room;
    const CardSet set = makeCardSet(room, "u", 2, 2, "shamir", {"--key-type", "p256"});
    const std::string old = room.file("old.json");
    edited(set.manifest, old, "del m[\"ca_signature\"]");  // as manifests were written before they were signed

    const auto refused = signBeforeCards(room, set, old);
    INFO(refused.output);
    checkNoCardAsked(refused);
    CHECK(shows(refused.output, old + " is not signed by the ceremony's CA"));
    CHECK(shows(refused.output, "ceremony manifest-sign --ceremony DIR --manifest " + old));

    // Without a terminal it must be told --yes; it says so before the passphrase is asked.
    const auto unconfirmed = room.unattended("manifest-sign --ceremony " + set.ceremonyDir + " --manifest " + old);
    CHECK(unconfirmed.exitCode != 0);
    CHECK(shows(unconfirmed.output, "--yes"));

    const auto made = room.unattended("manifest-sign --yes --ceremony " + set.ceremonyDir + " --manifest " + old +
                                      " --passphrase-file " + room.passphraseFile());
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    CHECK(shows(made.output, "manifest file SHA-256"));
    CHECK(shows(made.output, "no record of this file's SHA-256"));
    CHECK(shows(made.output, old + " is signed by the ceremony's CA."));
    const std::string log = readFile(set.ceremonyDir + "/audit.log");
    CHECK(shows(log, "\"manifest-signed\""));
    CHECK(room.ceremony("audit-verify --log " + set.ceremonyDir + "/audit.log").exitCode == 0);
    const auto before = room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + set.manifest);
    const auto after = room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + old);
    CHECK(after.exitCode == 0);
    CHECK(after.output == before.output);

    const auto again = room.unattended("manifest-sign --yes --ceremony " + set.ceremonyDir + " --manifest " + old);
    CHECK(again.exitCode == 0);
    CHECK(shows(again.output, "signed by this ceremony's CA already: nothing to do"));

    // A signed manifest changed afterwards is not signed over.
    const std::string tampered = room.file("tampered.json");
    edited(set.manifest, tampered, "m[\"cards\"][1][\"holder\"]=\"Mallory\"");
    const auto overChange = room.unattended("manifest-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                                            tampered + " --passphrase-file " + room.passphraseFile());
    CHECK(overChange.exitCode == 1);
    CHECK(shows(overChange.output, "never over a change"));
}

// Failure 11: an altered k blamed the partials, an altered v named every card faulty.
TEST_CASE("manifest: a threshold set with k or v altered is refused by combine for what it is, not blamed on cards") {
    Room room;
    const std::string dir = room.createCeremony("t");
    const std::string manifest = room.file("t-set.json");
    std::string passphrase = readFile(room.passphraseFile());
    passphrase.pop_back();  // its line end
    thresholdManifest(host::CeremonyFiles(dir).loadCa(passphrase), shoup_keys::small3of7().publicKey).save(manifest);
    for (const std::string edit : {"m[\"k\"]=2", "v=m[\"threshold_rsa\"][\"v\"]; m[\"threshold_rsa\"][\"v\"]=v[:-1]+(\"2\" if v[-1]!=\"2\" else \"4\")"}) {
        CAPTURE(edit);
        const std::string altered = room.file("altered.json");
        std::filesystem::remove(altered);
        edited(manifest, altered, edit);
        const auto combined = room.ceremony("combine --ceremony " + dir + " --manifest " + altered + " --out " +
                                            room.file("sig") + " " + room.file("p1.json") + " " + room.file("p2.json"));
        INFO(combined.output);
        CHECK(combined.exitCode == 1);
        CHECK(shows(combined.output, "the CA's signature does not match the contents"));
        CHECK(!shows(combined.output, "partial"));
        CHECK(!shows(combined.output, "faulty"));
    }
}

TEST_CASE("hsm: a missing token, or the ceremony's HSM PIN file readable by others, is found before any card") {
    Room room;
    const CardSet set = makeCardSet(room, "h", 2, 2, "shamir", {"--key-type", "p256"});

    // The ceremony's own token PIN file, opened up to everyone.
    const std::string pinPath = set.ceremonyDir + "/hsm/user-pin";
    std::filesystem::permissions(pinPath, std::filesystem::perms::others_read | std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    const auto open = signBeforeCards(room, set, set.manifest);
    INFO(open.output);
    checkNoCardAsked(open);
    CHECK(shows(open.output, "the ceremony's HSM user PIN file " + pinPath +
                                 " is readable by others; make it private first (chmod 600)"));
    std::filesystem::permissions(pinPath, std::filesystem::perms::others_read | std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::remove);

    // Another module's token that is not there.
    const std::string store = room.file("empty-hsm");
    std::filesystem::create_directories(store + "/tokens");
    std::ofstream(store + "/softhsm2.conf") << "directories.tokendir = " << store
                                            << "/tokens\nobjectstore.backend = file\nlog.level = ERROR\n";
    const EnvironmentVariable conf("SOFTHSM2_CONF", store + "/softhsm2.conf");
    const auto missing = signBeforeCards(room, set, set.manifest,
                                         " --token-label nowhere --token-pin-file " +
                                             room.secrets("token-pin", {"1234"}));
    INFO(missing.output);
    checkNoCardAsked(missing);
    CHECK(shows(missing.output, "no HSM token labelled \"nowhere\""));
}
