// Moving to another HSM (issue 13): a second SoftHSM2 token, made here by softhsm2-util in a
// token store of its own and reached through another module (OpenSC's pkcs11-spy), plays the new
// vendor's HSM next to the ceremony's own token. `ceremony sign` activates the key in it,
// `ceremony hsm-import` puts the key into it for good, and programs that are no part of the
// project - pkcs11-tool (OpenSC), openssl, python3's cryptography - show what the token holds and
// sign with it.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "host/ceremonies/ceremony_files.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

constexpr const char* kSoftHsm = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kTokenPin = "24681357";

bool shows(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

int count(const std::string& text, const std::string& part) {
    int found = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++found;
    return found;
}

// Environment variables set for every program the test starts while this lives, then restored.
class Environment {
public:
    explicit Environment(const std::vector<std::pair<std::string, std::string>>& values) {
        for (const auto& [name, value] : values) {
            const char* before = std::getenv(name.c_str());
            before_.emplace_back(name, before ? std::optional<std::string>(before) : std::nullopt);
            ::setenv(name.c_str(), value.c_str(), 1);
        }
    }
    ~Environment() {
        for (const auto& [name, value] : before_) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> before_;
};

// OpenSC's pkcs11-spy: a PKCS#11 module of another project that passes every call on to the
// module PKCS11SPY names and writes it down in PKCS11SPY_OUTPUT.
std::string spyModule() {
    const auto found = runCommand("ls /usr/lib/*/pkcs11/pkcs11-spy.so 2>/dev/null | head -n 1");
    std::string path = found.output.substr(0, found.output.find('\n'));
    REQUIRE_MESSAGE(!path.empty(), "no pkcs11-spy.so (Debian package opensc-pkcs11)");
    return path;
}

// The other HSM: token "other" in a SoftHSM2 store of its own (the ceremony's own token sets
// SOFTHSM2_CONF itself, to its own store), reached by the ceremony through pkcs11-spy - another
// module, which records what is asked of the token - and by pkcs11-tool directly.
class OtherHsm {
public:
    explicit OtherHsm(const Room& room)
        : folder_(room.file("other-hsm")),
          module_(spyModule()),
          environment_({{"SOFTHSM2_CONF", folder_ + "/softhsm2.conf"},
                        {"PKCS11SPY", kSoftHsm},
                        {"PKCS11SPY_OUTPUT", folder_ + "/calls.log"}}) {
        std::filesystem::create_directories(folder_ + "/tokens");
        std::ofstream(folder_ + "/softhsm2.conf")
            << "directories.tokendir = " << folder_
            << "/tokens\nobjectstore.backend = file\nlog.level = ERROR\n";
        const auto made =
            runCommand("softhsm2-util --init-token --free --label other --so-pin 87654321 --pin " +
                       std::string(kTokenPin));
        INFO(made.output);
        REQUIRE(made.exitCode == 0);
        pinFile_ = room.secrets("other-hsm-pin", {kTokenPin});
    }

    const std::string& module() const { return module_; }
    const std::string& pinFile() const { return pinFile_; }
    // What the ceremony is told of the token.
    std::vector<std::string> options() const {
        return {"--pkcs11-module", module_, "--token-label", "other", "--token-pin-file", pinFile_};
    }
    // How many times the ceremony made the PKCS#11 call `function` through the spy.
    int calls(const std::string& function) const {
        const std::string log = folder_ + "/calls.log";
        return std::filesystem::exists(log) ? count(readFile(log), ": " + function + "\n") : 0;
    }
    // pkcs11-tool on the token, logged in as its user.
    CommandResult tool(const std::string& arguments) const {
        return anonymousTool("--login --pin " + std::string(kTokenPin) + " " + arguments);
    }
    // pkcs11-tool on the token, not logged in.
    CommandResult anonymousTool(const std::string& arguments) const {
        return runCommand("pkcs11-tool --module " + std::string(kSoftHsm) +
                          " --token-label other " + arguments + " 2>&1");
    }

private:
    std::string folder_;
    std::string module_;
    Environment environment_;
    std::string pinFile_;
};

// `ceremony ARGUMENTS` collecting the shares of `cards` one after another, until the screen
// shows `doneText`; returns the screen.
std::string withCards(Room& room, std::vector<std::string> arguments, const std::string& name,
                      const CardSet& set, const std::vector<int>& cards,
                      const std::string& doneText) {
    LiveCeremony ceremony(room, std::move(arguments), name);
    ceremony.waitFor("(0 of " + std::to_string(set.k) + " shares)");
    for (std::size_t i = 0; i < cards.size(); ++i)
        ceremony.offer(set.card(cards[i]), i + 1 < cards.size() ? "Remove the card from" : doneText,
                       i + 1 < cards.size() ? static_cast<int>(i + 1) : 1);
    CHECK(ceremony.exitCode() == 0);
    return ceremony.screen();
}

std::vector<std::string> joined(std::vector<std::string> first,
                                const std::vector<std::string>& more) {
    first.insert(first.end(), more.begin(), more.end());
    return first;
}

// `openssl dgst -sha256 -verify` with the public key in PEM file `key`.
void checkSignature(const std::string& key, const std::string& message,
                    const std::string& signature) {
    const auto verified = runCommand("openssl dgst -sha256 -verify " + key + " -signature " +
                                     signature + " " + message + " 2>&1");
    INFO(verified.output);
    CHECK(verified.exitCode == 0);
    CHECK(shows(verified.output, "Verified OK"));
}

// The flags of the Access line of the first private key pkcs11-tool --list-objects shows.
std::vector<std::string> accessOfPrivateKey(const std::string& listing) {
    const auto key = listing.find("Private Key Object");
    REQUIRE(key != std::string::npos);
    const auto line = listing.find("Access:", key);
    REQUIRE(line != std::string::npos);
    std::istringstream flags(listing.substr(line + 7, listing.find('\n', line) - line - 7));
    std::vector<std::string> found;
    for (std::string flag; std::getline(flags, flag, ',');) {
        flag.erase(0, flag.find_first_not_of(' '));
        flag.erase(flag.find_last_not_of(' ') + 1);
        found.push_back(flag);
    }
    return found;
}

// The lines of the audit log of `ceremonyDir` that record `event`.
std::vector<std::string> audited(const std::string& ceremonyDir, const std::string& event) {
    std::vector<std::string> found;
    std::istringstream lines(readFile(ceremonyDir + "/audit.log"));
    for (std::string line; std::getline(lines, line);)
        if (shows(line, "\"event\":\"" + event + "\"")) found.push_back(line);
    return found;
}

// The public key of `set`, as `ceremony public-key` writes it (PEM), in the room.
std::string publicKeyFile(const Room& room, const CardSet& set) {
    const std::string path = room.file("public.pem");
    REQUIRE(room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " > " + path)
                .exitCode == 0);
    return path;
}

// The key's Subject Key Identifier (RFC 5280) in lower-case hex, as python3's cryptography makes
// it.
std::string subjectKeyIdentifier(const std::string& publicKeyPem) {
    const auto made = runCommand(
        "python3 -c \"import sys; from cryptography import x509; "
        "from cryptography.hazmat.primitives.serialization import load_pem_public_key; "
        "print(x509.SubjectKeyIdentifier.from_public_key(load_pem_public_key(open(sys.argv[1], "
        "'rb').read()))"
        ".digest.hex(), end='')\" " +
        publicKeyPem);
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    REQUIRE(made.output.size() == 40);
    return made.output;
}

}  // namespace

TEST_CASE(
    "hsm move: sign in another HSM's token, import the key into it for good, pkcs11-tool signs "
    "with it") {
    Room room;
    const CardSet set = makeCardSet(room, "c", 2, 3);
    OtherHsm other(room);
    const std::string publicKey = publicKeyFile(room, set);
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "signed in the new HSM\n";

    // (a) sign, the key activated in the other token. The ceremony's own token is put away
    // meanwhile: had sign used it, a fresh one would be made there and could not unwrap the key.
    const std::string ownToken = set.ceremonyDir + "/hsm";
    std::filesystem::rename(ownToken, ownToken + "-away");
    const std::string signature = room.file("message.sig");
    {
        const std::string screen = withCards(
            room,
            joined({"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest,
                    "--in", message, "--out", signature, "--card-timeout", "30", "--pin-file",
                    room.secrets("sign-pins", {CardSet::pin(1), CardSet::pin(3)})},
                   other.options()),
            "sign", set, {1, 3}, "Signed: ");
        INFO(screen);
        CHECK(shows(screen, "card 3 accepted: 2 of 2 shares"));
        CHECK_FALSE(std::filesystem::exists(ownToken));
    }
    CHECK(other.calls("C_UnwrapKey") == 1);
    CHECK(other.calls("C_SignInit") == 1);
    std::filesystem::rename(ownToken + "-away", ownToken);
    checkSignature(publicKey, message, signature);

    // (b) hsm-import into the other token, where kskm would find it by its label.
    {
        const std::string screen = withCards(
            room,
            joined({"hsm-import", "--ceremony", set.ceremonyDir, "--manifest", set.manifest,
                    "--label", "KSK-2027", "--card-timeout", "30", "--pin-file",
                    room.secrets("import-pins", {CardSet::pin(2), CardSet::pin(3)})},
                   other.options()),
            "import", set, {2, 3}, "Imported: ");
        INFO(screen);
        CHECK(shows(screen,
                    "Read back: token, private, sensitive, not extractable; RSA, modulus and "
                    "exponent equal"));
        CHECK(shows(screen,
                    "A test signature made in the token verifies with the manifest's public key."));
    }
    CHECK(other.calls("C_UnwrapKey") == 2);
    CHECK(other.calls("C_CreateObject") == 3);  // an activation key twice, the public key once

    // pkcs11-tool lists the pair under the label, with the key's Subject Key Identifier as ID; the
    // private key is sensitive and not extractable (pkcs11-tool names "extractable" among its
    // Access flags when it is), and private: not there for anybody who has not logged in.
    const std::string keyId = subjectKeyIdentifier(publicKey);
    {
        const auto listed = other.tool("--list-objects");
        INFO(listed.output);
        CHECK(listed.exitCode == 0);
        CHECK(count(listed.output, "label:      KSK-2027") == 2);
        CHECK(count(listed.output, "ID:         " + keyId) == 2);
        CHECK(shows(listed.output, "Private Key Object; RSA"));
        CHECK(shows(listed.output, "Public Key Object; RSA 2048 bits"));
        const std::vector<std::string> access = accessOfPrivateKey(listed.output);
        CHECK(std::count(access.begin(), access.end(), "sensitive") == 1);
        CHECK(std::count(access.begin(), access.end(), "extractable") == 0);
        const auto anonymous = other.anonymousTool("--list-objects");
        INFO(anonymous.output);
        CHECK(count(anonymous.output, "label:      KSK-2027") == 1);
        CHECK_FALSE(shows(anonymous.output, "Private Key Object"));
    }

    // It signs in the token, and openssl verifies that with the manifest's public key.
    const std::string toolSignature = room.file("tool.sig");
    {
        const auto toolSigned = other.tool("--sign -m SHA256-RSA-PKCS --label KSK-2027 -i " +
                                           message + " -o " + toolSignature);
        INFO(toolSigned.output);
        CHECK(toolSigned.exitCode == 0);
    }
    checkSignature(publicKey, message, toolSignature);

    // The audit log tells where the key went, and its chain is whole.
    const auto done = audited(set.ceremonyDir, "hsm-import-done");
    REQUIRE(done.size() == 1);
    CHECK(shows(done[0], "\"module\":\"" + other.module() + "\""));
    CHECK(shows(done[0], "\"token_label\":\"other\""));
    CHECK(shows(done[0], "\"key_label\":\"KSK-2027\""));
    std::string upperId = keyId;
    for (char& c : upperId) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(shows(done[0], "\"key_id\":\"" + upperId + "\""));
    CHECK(room.ceremony("audit-verify --log " + set.ceremonyDir + "/audit.log").exitCode == 0);

    // (c) Refused before anybody is asked for a card: nothing recorded, nothing changed in the
    // token.
    const std::string pins = room.secrets("refused-pins", {CardSet::pin(1), CardSet::pin(2)});
    const auto refused = [&](const std::string& ceremonyDir, const std::string& manifest,
                             const std::string& options) {
        const auto result =
            room.unattended("hsm-import --ceremony " + ceremonyDir + " --manifest " + manifest +
                            " --card-timeout 5 --pin-file " + pins + " " + options);
        INFO(result.output);
        CHECK(result.exitCode == 1);
        CHECK_FALSE(shows(result.output, "Insert a card"));
        return result.output;
    };
    const std::string token = " --token-label other --token-pin-file " + other.pinFile();
    const std::string module = " --pkcs11-module " + other.module();
    CHECK(shows(
        refused(set.ceremonyDir, set.manifest, "--label KSK-2027" + module + token),
        "holds 2 object(s) labelled \"KSK-2027\" already: choose another --label, or --force"));
    const std::string openPin = room.secrets("open-pin", {kTokenPin}, 0644);
    CHECK(shows(
        refused(set.ceremonyDir, set.manifest,
                "--label KSK-new" + module + " --token-label other --token-pin-file " + openPin),
        "--token-pin-file " + openPin +
            " is readable by others; make it private first (chmod 600)"));
    CHECK(shows(refused(set.ceremonyDir, set.manifest,
                        "--label KSK-new" + module + " --token-label elsewhere --token-pin-file " +
                            other.pinFile()),
                "no HSM token labelled \"elsewhere\" in " + other.module()));
    CHECK(
        shows(refused(set.ceremonyDir, set.manifest,
                      "--label KSK-new --pkcs11-module " + room.file("no-such-module.so") + token),
              "cannot load PKCS#11 module '" + room.file("no-such-module.so") + "'"));
    // A threshold RSA set: its key never exists whole.
    const std::string thresholdDir = room.createCeremony("t");
    const std::string thresholdManifestPath = room.file("t-set.json");
    std::string passphrase = readFile(room.passphraseFile());
    passphrase.pop_back();  // its line end
    thresholdManifest(host::CeremonyFiles(thresholdDir).loadCa(passphrase),
                      shoup_keys::small3of7().publicKey)
        .save(thresholdManifestPath);
    CHECK(shows(refused(thresholdDir, thresholdManifestPath, "--label KSK-new" + module + token),
                "is a threshold RSA (shoup) card set: its private key never exists whole"));
    CHECK(audited(set.ceremonyDir, "hsm-import-start").size() == 1);
    if (std::filesystem::exists(thresholdDir + "/audit.log"))
        CHECK(audited(thresholdDir, "hsm-import-start").empty());
    CHECK(count(other.tool("--list-objects").output, "label:      KSK-2027") == 2);
}

TEST_CASE(
    "hsm move: a P-256 key imported, then imported again with --force in place of the first; "
    "Ctrl-C stops an import in order") {
    Room room;
    const CardSet set = makeCardSet(room, "p", 1, 1, "shamir", {"--key-type", "p256"});
    OtherHsm other(room);
    const std::string publicKey = publicKeyFile(room, set);
    const auto arguments = [&](const std::string& name, const std::string& label) {
        return joined({"hsm-import", "--ceremony", set.ceremonyDir, "--manifest", set.manifest,
                       "--label", label, "--card-timeout", "30", "--pin-file",
                       room.secrets(name + "-pins", {CardSet::pin(1)})},
                      other.options());
    };
    const auto import = [&](const std::string& name, const std::vector<std::string>& more) {
        return withCards(room, joined(arguments(name, "zone-ksk"), more), name, set, {1},
                         "Imported: ");
    };
    {
        const std::string screen = import("first", {});
        INFO(screen);
        CHECK(shows(
            screen,
            "Read back: token, private, sensitive, not extractable; EC P-256, point equal to the "
            "manifest's public key"));
        CHECK_FALSE(shows(screen, "Replaced"));
    }
    {
        const std::string screen = import("again", {"--force"});
        INFO(screen);
        CHECK(shows(screen, "Replaced 2 older object(s) labelled \"zone-ksk\"."));
    }
    const auto starts = audited(set.ceremonyDir, "hsm-import-start");
    REQUIRE(starts.size() == 2);
    CHECK_FALSE(shows(starts[0], "\"replaces\""));
    CHECK(shows(starts[1], "\"replaces\":\"2 object(s)\""));

    // One pair is left, under the key's Subject Key Identifier.
    const auto listed = other.tool("--list-objects");
    INFO(listed.output);
    CHECK(count(listed.output, "label:      zone-ksk") == 2);
    CHECK(count(listed.output, "ID:         " + subjectKeyIdentifier(publicKey)) == 2);
    CHECK(shows(listed.output, "Private Key Object; EC"));

    // It signs a SHA-256 digest in the token (CKM_ECDSA; DER as openssl wants it), and openssl
    // verifies that with the manifest's public key.
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "signed with P-256 in the new HSM\n";
    REQUIRE(runCommand("openssl dgst -sha256 -binary -out " + room.file("digest") + " " + message)
                .exitCode == 0);
    {
        const auto signedHere = other.tool("--sign -m ECDSA -f openssl --label zone-ksk -i " +
                                           room.file("digest") + " -o " + room.file("message.sig"));
        INFO(signedHere.output);
        CHECK(signedHere.exitCode == 0);
    }
    checkSignature(publicKey, message, room.file("message.sig"));

    // Ctrl-C while the import waits for a card: recorded as stopped, nothing left in the token.
    {
        LiveCeremony interrupted(room, arguments("interrupted", "interrupted"), "interrupted");
        interrupted.waitFor("(0 of 1 shares)");
        const int status = interrupted.process().stop(SIGINT, std::chrono::seconds(10));
        INFO(interrupted.screen());
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 130));
    }
    const auto stopped = audited(set.ceremonyDir, "hsm-import-stopped");
    REQUIRE(stopped.size() == 1);
    CHECK(shows(stopped[0], "Ctrl-C"));
    CHECK_FALSE(shows(other.tool("--list-objects").output, "interrupted"));
}
