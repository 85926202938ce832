// Ceremonies that survive tired people: each slip of the issue's "Seen" list made again in the
// room - real pcscd + vpcd + card-sim, the `ceremony` program as people run it, at a terminal
// where one matters - and what the people see now, and that nothing was lost: documents byte for
// byte, the cards (`ceremony pin status`), the audit log (its entries, `ceremony audit-verify`).
#include <doctest/doctest.h>
#include <json/json.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "crypto/primitives.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/pgp_words.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

bool shows(const std::string& screen, const std::string& text) {
    return screen.find(text) != std::string::npos;
}

// The details of the entries of `ceremonyDir`'s audit log recorded as `event`, in order.
std::vector<Json::Value> audited(const std::string& ceremonyDir, const std::string& event) {
    std::vector<Json::Value> found;
    std::istringstream lines(readFile(ceremonyDir + "/audit.log"));
    const Json::CharReaderBuilder builder;
    for (std::string line; std::getline(lines, line);) {
        Json::Value entry;
        std::string errors;
        std::istringstream in(line);
        REQUIRE_MESSAGE(Json::parseFromStream(builder, in, &entry, &errors), errors);
        if (entry["event"].asString() == event) found.push_back(entry["details"]);
    }
    return found;
}

// What the entries of `ceremonyDir`'s audit log recorded as `event` say in `fields`, entry after
// entry: "3/2 3/1" for the index and tries_left of two pin-wrong entries.
std::string auditedFields(const std::string& ceremonyDir, const std::string& event,
                          const std::vector<std::string>& fields) {
    std::string text;
    for (const auto& entry : audited(ceremonyDir, event)) {
        if (!text.empty()) text += " ";
        for (std::size_t i = 0; i < fields.size(); ++i)
            text += (i == 0 ? "" : "/") + entry[fields[i]].asString();
    }
    return text;
}

// The 32 words the screen shows after the last `label`: a SHA-256 to read aloud.
std::vector<std::string> wordsAfter(const std::string& screen, const std::string& label) {
    const auto at = screen.rfind(label);
    REQUIRE_MESSAGE(at != std::string::npos, "no \"" << label << "\" on the screen:\n" << screen);
    std::istringstream in(screen.substr(at + label.size()));
    std::vector<std::string> words;
    for (std::string word; words.size() < 32 && in >> word;) words.push_back(word);
    return words;
}

// The words as one line, the way pgpWords() writes them.
std::string joined(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
    return line;
}

// What `ceremony pin status` says of the card in reader 0.
std::string pinStatus(const Room& room, const std::string& ceremonyDir) {
    const auto status = room.unattended("pin status --ceremony " + ceremonyDir);
    INFO(status.output);
    CHECK(status.exitCode == 0);
    return status.output;
}

// A ceremony whose threshold card set has its cards at the holders' sites, and a key signing
// request: all that sign and partial-sign read before they ask for a card. The set's manifest is
// made here with the ceremony's CA from the fixed 512-bit key of tests/support/shoup_keys.hpp.
struct DistantSet {
    Room room;
    std::string dir = room.createCeremony("c");
    std::string manifest = room.file("c-set.json");
    std::string message = room.file("ksr.xml");

    DistantSet() {
        std::string passphrase = readFile(room.passphraseFile());
        passphrase.pop_back();  // its line end
        const crypto::CeremonyCa ca = host::CeremonyFiles(dir).loadCa(passphrase);
        thresholdManifest(ca, shoup_keys::small3of7().publicKey).save(manifest);
        std::ofstream(message) << "<KSR>the key signing request</KSR>\n";
    }
};

// No secret of `secrets` is in `ceremonyDir`'s audit log. (Hashes, fingerprints and card ids are
// long runs of hex digits where a PIN's digits may turn up by chance: they are left out.)
void checkNoSecretLogged(const std::string& ceremonyDir, const std::vector<std::string>& secrets) {
    const std::string log =
        std::regex_replace(readFile(ceremonyDir + "/audit.log"), std::regex("[0-9A-F]{16,}"), "");
    for (const auto& secret : secrets)
        CHECK_MESSAGE(!shows(log, secret), secret << " is in the audit log");
}

// `openssl dgst -verify` with the manifest's public key.
void checkSignature(const Room& room, const std::string& ceremonyDir, const std::string& manifest, const std::string& message,
                    const std::string& signature) {
    const std::string key = room.file("public.pem");
    REQUIRE(room.ceremony("public-key --ceremony " + ceremonyDir + " --manifest " + manifest + " > " + key).exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + key + " -signature " +
                                     signature + " " + message);
    INFO(verified.output);
    CHECK(shows(verified.output, "Verified OK"));
}

}  // namespace

TEST_CASE(
    "tired people: keygen asks again for a short transport PIN or PUK, lives through a wrong card, "
    "a pulled card and Ctrl-C, and --resume finishes the set; its cards sign") {
    Room room;
    const std::string dir = room.createCeremony("k");
    const std::string manifest = room.file("k-set.json");
    const std::string journal = dir + "/keygen-journal.json";
    const std::string holders = room.file("holders");
    std::ofstream(holders)
        << "# who holds which card, card 1 first\nAda Lovelace\nGrace Hopper\nAlan Turing\n"
           "Edsger Dijkstra\n";
    const std::string passphrase = room.passphraseFile();

    // Card 2 was issued on its own (ceremony issue-card): its holder has transport PIN 222222.
    room.insert("k-card2");
    const auto issued = room.unattended(
        "issue-card --ceremony " + dir + " --index 2 --pin-fd 0 --passphrase-file " + passphrase,
        {"222222", "22222222"});
    INFO(issued.output);
    REQUIRE(issued.exitCode == 0);
    CHECK(room.pull("k-card2") == 0);

    // The issuer first types a transport PIN of 5 characters for card 1, then a PUK of 7.
    const std::string issuerPins = room.secrets(
        "issuer-pins", {"12345", "123451", "1234567", "87654321", "123453", "87654323"});
    std::string stopped;
    {
        LiveCeremony keygen(room,
                            {"keygen", "--ceremony", dir, "--manifest", manifest, "-k", "2", "-n",
                             "4", "--holders", holders, "--no-pin-change", "--pin-file", issuerPins,
                             "--passphrase-file", passphrase, "--card-timeout", "30"},
                            "keygen");
        keygen.waitFor("Insert BLANK card 1 of 4 (for Ada Lovelace) into any reader.");
        keygen.offer("k-card1", "Card 1 of 4 issued. Remove it from Virtual PCD 00 00.");
        // Card 1 again where card 2 is asked for; then card 2, issued before.
        keygen.waitFor("Insert BLANK card 2 of 4 (for Grace Hopper) into any reader.");
        keygen.offer("k-card1", "Remove the card from Virtual PCD 00 00.");
        keygen.waitFor("Insert BLANK card 2 of 4", 2);
        keygen.offer("k-card2", "Card 2 of 4 issued.");
        // Card 3 is pulled half-way through its issuance: after its certificate and its share (15
        // APDUs answered), before its PIN policy.
        keygen.waitFor("Insert BLANK card 3 of 4 (for Alan Turing) into any reader.");
        keygen.offer("k-card3", "Remove the card from Virtual PCD 00 00.", 2,
                     {"--pull-after", "15"});
        // While card 3 is asked for again, somebody presses Ctrl-C.
        keygen.waitFor("Insert BLANK card 3 of 4", 2);
        const int status = keygen.process().stop(SIGINT, std::chrono::seconds(30));
        stopped = keygen.screen();
        INFO(stopped);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 130));
    }
    INFO(stopped);
    CHECK(shows(stopped,
                "That transport PIN cannot be used: it must have 6 to 8 characters, none of them a "
                "byte FF. Type another."));
    CHECK(shows(stopped,
                "That PUK cannot be used: it must have exactly 8 characters. Type another."));
    CHECK(shows(
        stopped,
        "This card is refused: this card was issued as card 1, and card 1 (Ada Lovelace, id "));
    CHECK(shows(stopped, "is in this set already; insert another card"));
    CHECK(shows(
        stopped,
        "This card was issued before as card 2 (ceremony issue-card) and joins the set; its holder "
        "keeps their PIN."));
    CHECK(shows(stopped, "The card was pulled or stopped answering; insert it again: "));
    CHECK(shows(stopped,
                "The ceremony stopped: the ceremony was interrupted by Ctrl-C (SIGINT) "
                "(2 of 4 cards issued)"));
    CHECK(shows(stopped, "Nothing issued is lost: the key generation is kept in " + journal +
                             ". Continue it with: ceremony keygen --resume --ceremony " + dir));
    CHECK(std::filesystem::exists(journal));
    CHECK(!std::filesystem::exists(manifest));
    CHECK(audited(dir, "keygen-start").size() == 1);
    REQUIRE(audited(dir, "keygen-stopped").size() == 1);
    CHECK(shows(audited(dir, "keygen-stopped")[0]["reason"].asString(),
                "Ctrl-C (SIGINT) (2 of 4 cards issued)"));
    const auto keygenRefusals = audited(dir, "card-refused");  // card 1 again, card 3 pulled
    REQUIRE(keygenRefusals.size() == 2);
    CHECK(keygenRefusals[1]["step"] == "keygen");
    CHECK(shows(keygenRefusals[1]["reason"].asString(), "the card stopped answering (pulled?)"));

    // The words written down at the stop, copied from the screen in capitals with spaces to
    // spare, say the log ends where the ceremony stopped; one word replaced is named.
    std::vector<std::string> words = wordsAfter(stopped, "read aloud and write down:");
    for (auto& word : words)
        std::transform(word.begin(), word.end(), word.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const auto writtenDown = [&](const std::vector<std::string>& list) {
        std::string text;
        for (std::size_t i = 0; i < list.size(); ++i)
            text += (i % 8 == 0 ? "\n   " : "  ") + list[i];
        return room.unattended("audit-verify --log " + dir + "/audit.log --last-hash '" + text +
                               "'");
    };
    const auto matching = writtenDown(words);
    CHECK(matching.exitCode == 0);
    CHECK(shows(matching.output, "chain intact, ends with the expected entry"));
    std::vector<std::string> misheard = words;
    misheard[9] = "GRAPEFRUIT";
    const auto refused = writtenDown(misheard);
    CHECK(refused.exitCode == 1);
    CHECK(shows(refused.output, "word 10, \"grapefruit\", is not a PGP word"));

    // A journal changed while the ceremony stood still (here: where the manifest is to go) is
    // refused before any card is asked for; the journal as the ceremony wrote it resumes.
    {
        std::stringstream text;
        text << std::ifstream(journal).rdbuf();
        const std::string original = text.str();
        std::string altered = original;
        const auto at = altered.find("\"" + manifest + "\"");
        REQUIRE(at != std::string::npos);
        altered.replace(at + 1, manifest.size(), dir + "/elsewhere.json");
        std::ofstream(journal, std::ios::trunc) << altered;
        const std::string unusedPins = room.secrets("unused-pins", {"123453", "87654323"});
        const auto tampered = room.unattended("keygen --resume --ceremony " + dir + " --passphrase-file " +
                                             passphrase + " --pin-file " + unusedPins + " --card-timeout 5");
        INFO(tampered.output);
        CHECK(tampered.exitCode != 0);
        CHECK(shows(tampered.output, journal + " fails its check against the ceremony's CA certificate"));
        CHECK(audited(dir, "keygen-resumed").empty());
        std::ofstream(journal, std::ios::trunc) << original;
    }

    // --resume: the half-issued card 3 is reset and issued (its PUK as first typed has 6
    // characters), then card 4; the manifest is written, the journal is gone.
    {
        const std::string resumePins =
            room.secrets("resume-pins", {"123453", "876543", "87654323", "123454", "87654324"});
        LiveCeremony resume(room,
                            {"keygen", "--resume", "--ceremony", dir, "--pin-file", resumePins,
                             "--passphrase-file", passphrase, "--card-timeout", "30"},
                            "resume");
        resume.waitFor("Resuming the key generation of " + manifest +
                       ": 2 of 4 cards issued, 2 to go.");
        resume.waitFor("Insert BLANK card 3 of 4 (for Alan Turing)");
        resume.offer("k-card3", "Card 3 of 4 issued.");
        resume.waitFor("Insert BLANK card 4 of 4 (for Edsger Dijkstra)");
        resume.offer("k-card4", "Card 4 of 4 issued.");
        CHECK(resume.exitCode() == 0);
        const std::string screen = resume.screen();
        INFO(screen);
        CHECK(shows(screen,
                    "This card was left half-issued (as card 3) by an interrupted issuance of this "
                    "ceremony: it is reset to BLANK."));
        CHECK(shows(screen, "That PUK cannot be used: it must have exactly 8 characters."));
        CHECK(shows(screen,
                    "Key generation done: 2 of 4 cards activate the key. Manifest: " + manifest));
    }
    CHECK(!std::filesystem::exists(journal));
    const host::Manifest set = host::Manifest::load(manifest);
    REQUIRE(set.cards.size() == 4);
    CHECK(set.card(1)->holder == "Ada Lovelace");
    CHECK(set.card(2)->holder == "Grace Hopper");
    CHECK(set.card(3)->holder == "Alan Turing");
    CHECK(set.card(4)->holder == "Edsger Dijkstra");
    CHECK(set.card(2)->describe() ==
          "card 2 (Grace Hopper, id " + toHex(set.card(2)->cardId).substr(0, 8) + "...)");
    REQUIRE(audited(dir, "keygen-resumed").size() == 1);
    CHECK(audited(dir, "keygen-resumed")[0]["cards_left"] == "2");
    REQUIRE(audited(dir, "card-wiped").size() == 1);
    CHECK(audited(dir, "card-wiped")[0]["index"] == "3");
    CHECK(auditedFields(dir, "card-issued", {"index", "how"}) ==
          "2/issue-card 1/issued 2/joined 3/issued 4/issued");
    CHECK(audited(dir, "keygen-done").size() == 1);

    // Signing with cards 1 and 4. Card 2 still has its transport PIN and card 1 is offered twice:
    // both are set aside before a PIN is asked (the PIN file has none for them).
    const std::string message = room.file("zone.txt");
    std::ofstream(message) << "the root zone's key signing request, first quarter\n";
    const std::string signature = room.file("zone.sig");
    {
        LiveCeremony sign(room,
                          {"sign", "--yes", "--ceremony", dir, "--manifest", manifest, "--in",
                           message, "--out", signature, "--pin-file",
                           room.secrets("sign-pins", {"123451", "123454"}), "--card-timeout", "30"},
                          "sign");
        sign.waitFor("(0 of 2 shares)");
        sign.offer("k-card2", "Remove the card from Virtual PCD 00 00.");
        sign.waitFor("(0 of 2 shares)", 2);
        sign.offer("k-card1", "card 1 accepted: 1 of 2 shares");
        sign.waitFor("(1 of 2 shares)");
        sign.offer("k-card1", "Remove the card from Virtual PCD 00 00.", 3);
        sign.waitFor("(1 of 2 shares)", 2);
        sign.offer("k-card4", "Signed: " + signature);
        CHECK(sign.exitCode() == 0);
        const std::string screen = sign.screen();
        INFO(screen);
        CHECK(shows(
            screen,
            "This card is refused: " + set.card(2)->describe() +
                " still has its transport PIN: its holder changes it first (`ceremony pin change"));
        CHECK(
            shows(screen,
                  "This card is refused: card 1 was already counted; please insert another card"));
        CHECK(shows(screen, "card 4 accepted: 2 of 2 shares"));
        CHECK(!shows(screen, "6985"));
    }
    checkSignature(room, dir, manifest, message, signature);
    const auto setAside = audited(dir, "card-refused");
    REQUIRE(setAside.size() == 4);
    CHECK(setAside[2]["index"] == "2");
    CHECK(setAside[3]["index"] == "1");

    // Card 2's holder changes the transport PIN: to itself first (refused, no try spent).
    room.insert("k-card2");
    const auto same =
        room.unattended("pin change --ceremony " + dir + " --pin-fd 0", {"222222", "222222"});
    CHECK(same.exitCode == 1);
    CHECK(shows(same.output,
                "the new PIN is the current one: choose another (nothing was sent to the card)"));
    CHECK(shows(pinStatus(room, dir), "PIN: 3 tries left"));
    const auto changed =
        room.unattended("pin change --ceremony " + dir + " --pin-fd 0", {"222222", "234567"});
    CHECK(changed.exitCode == 0);
    CHECK(shows(pinStatus(room, dir), "PIN: 3 of 3 tries left"));
    CHECK(room.pull("k-card2") == 0);
    CHECK(audited(dir, "pin-changed").size() == 1);

    // Card 2 signs with its holder's PIN, typed at the terminal where the prompt names the card,
    // after the people confirmed what is signed; --force replaces the first signature.
    const std::string message2 = room.file("zone2.txt");
    std::ofstream(message2) << "the root zone's key signing request, second quarter\n";
    const std::string first = readFile(signature);
    {
        LiveCeremony sign(
            room,
            {"sign", "--force", "--ceremony", dir, "--manifest", manifest, "--in", message2,
             "--out", signature, "--card-timeout", "30"},
            "sign-again",
            {{"Is this what is to be signed", "yes\n"},
             {"PIN of " + set.card(2)->describe() + " (6 to 8 characters): ", "234567\n"},
             {"PIN of " + set.card(4)->describe() + " (6 to 8 characters): ", "123454\n"}});
        sign.waitFor("(0 of 2 shares)");
        sign.offer("k-card2", "card 2 accepted: 1 of 2 shares");
        sign.waitFor("(1 of 2 shares)");
        sign.offer("k-card4", "Signed: " + signature);
        CHECK(sign.exitCode() == 0);
    }
    CHECK(readFile(signature) != first);
    checkSignature(room, dir, manifest, message2, signature);
    const auto starts = audited(dir, "sign-start");
    REQUIRE(starts.size() == 2);
    CHECK(!starts[0].isMember("replaces"));
    CHECK(starts[1]["replaces"] == signature);
    REQUIRE(audited(dir, "input-shown").size() == 2);
    CHECK(audited(dir, "input-shown")[1]["confirmed"] == "typed yes");
    checkNoSecretLogged(dir, {"12345", "123451", "1234567", "87654321", "876543", "87654323",
                              "123454", "87654324", "222222", "22222222", "234567"});
    CHECK(room.unattended("audit-verify --log " + dir + "/audit.log").exitCode == 0);
}

TEST_CASE(
    "tired people: a blocked card and a card counted already are set aside before their PIN; a PIN "
    "unblock that is not needed and a last PUK try without a terminal are refused; the audit log "
    "has every step") {
    Room room;
    const CardSet set = makeCardSet(room, "p", 2, 3);
    const std::string& dir = set.ceremonyDir;
    const std::string pin = "pin --ceremony " + dir + " --pin-fd 0 ";

    // Card 3's holder mistypes the PIN three times (the last one confirmed with --yes): blocked.
    room.insert(set.card(3));
    CHECK(shows(room.unattended(pin + "verify", {"000000"}).output, "PIN: wrong, 2 tries left"));
    CHECK(shows(room.unattended(pin + "verify", {"000000"}).output, "PIN: wrong, 1 try left"));
    CHECK(
        shows(room.unattended(pin + "verify --yes", {"000000"}).output, "the PIN is now blocked"));
    CHECK(shows(pinStatus(room, dir), "BLOCKED"));
    CHECK(room.pull(set.card(3)) == 0);

    // Card 1's PIN is not blocked: an unblock is refused and spends no PUK try.
    room.insert(set.card(1));
    const auto needless = room.unattended(pin + "unblock", {CardSet::puk(1), "135791"});
    CHECK(needless.exitCode == 1);
    CHECK(
        shows(needless.output,
              "the PIN of card 1 is not blocked (3 tries left): nothing to unblock, and the PUK is "
              "not spent"));
    CHECK(shows(pinStatus(room, dir), "PUK: 3 of 3 tries left"));
    CHECK(room.pull(set.card(1)) == 0);

    // Signing: blocked card 3 and card 1 a second time are set aside before any PIN (the PIN file
    // has lines for the two cards that sign, nothing more).
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "a DNSKEY RRset\n";
    {
        LiveCeremony sign(room,
                          {"sign", "--yes", "--ceremony", dir, "--manifest", set.manifest, "--in",
                           message, "--out", room.file("message.sig"), "--pin-file",
                           room.secrets("holder-pins", {CardSet::pin(1), CardSet::pin(2)}),
                           "--card-timeout", "30"},
                          "sign");
        sign.waitFor("(0 of 2 shares)");
        sign.offer(set.card(3), "Remove the card from Virtual PCD 00 00.");
        sign.waitFor("(0 of 2 shares)", 2);
        sign.offer(set.card(1), "card 1 accepted: 1 of 2 shares");
        sign.waitFor("(1 of 2 shares)");
        sign.offer(set.card(1), "Remove the card from Virtual PCD 00 00.", 3);
        sign.waitFor("(1 of 2 shares)", 2);
        sign.offer(set.card(2), "Signed: ");
        CHECK(sign.exitCode() == 0);
        const std::string screen = sign.screen();
        INFO(screen);
        const std::string card3 = host::Manifest::load(set.manifest).card(3)->describe();
        CHECK(shows(screen, "This card is refused: " + card3 +
                                " has its PIN blocked: its holder unblocks it with the PUK first "
                                "(`ceremony pin unblock --ceremony <folder>`); no PIN is asked"));
        CHECK(
            shows(screen,
                  "This card is refused: card 1 was already counted; please insert another card"));
    }

    // Card 3's holder mistypes the PUK twice; the last try is not spent without a terminal to
    // confirm it, then is spent with --yes and the right PUK.
    room.insert(set.card(3));
    CHECK(shows(room.unattended(pin + "unblock", {"11111111", "246802"}).output,
                "PUK: wrong, 2 tries left"));
    CHECK(shows(room.unattended(pin + "unblock", {"11111111", "246802"}).output,
                "PUK: wrong, 1 try left"));
    const auto lastTry = room.unattended(pin + "unblock", {CardSet::puk(3), "246802"});
    CHECK(lastTry.exitCode == 1);
    CHECK(shows(
        lastTry.output,
        "Card 3 has one PUK try left: a wrong PUK TERMINATES the card and erases its share for "
        "good. Without a terminal to confirm it, nothing is sent; give --yes to spend it"));
    const std::string blocked = pinStatus(room, dir);
    CHECK(shows(blocked, "BLOCKED"));
    CHECK(shows(blocked, "PUK: 1 of 3 tries left"));
    const auto unblocked = room.unattended(pin + "unblock --yes", {CardSet::puk(3), "246802"});
    CHECK(unblocked.exitCode == 0);
    CHECK(shows(unblocked.output, "PIN reset"));
    CHECK(shows(room.unattended(pin + "verify", {"246802"}).output, "PIN correct."));
    CHECK(room.pull(set.card(3)) == 0);

    // Credentials for a remote site.
    const auto host =
        room.unattended("host-issue --ceremony " + dir + " --name 'remote site' --out " +
                        room.file("remote") + " --passphrase-file " + room.passphraseFile());
    CHECK(host.exitCode == 0);

    // Every step is in the audit log, and no PIN or PUK.
    CHECK(audited(dir, "ca-created").size() == 1);
    CHECK(audited(dir, "host-issued").size() == 1);
    CHECK(audited(dir, "host-issued")[0]["host"] == "remote site");
    CHECK(auditedFields(dir, "pin-wrong", {"index", "tries_left"}) == "3/2 3/1 3/0");
    CHECK(auditedFields(dir, "puk-wrong", {"index", "tries_left"}) == "3/2 3/1");
    REQUIRE(audited(dir, "pin-unblocked").size() == 1);
    CHECK(audited(dir, "pin-unblocked")[0]["index"] == "3");
    const auto refused = audited(dir, "card-refused");
    REQUIRE(refused.size() == 2);
    CHECK(refused[0]["index"] == "3");
    CHECK(shows(refused[0]["reason"].asString(), "has its PIN blocked"));
    CHECK(refused[1]["index"] == "1");
    checkNoSecretLogged(
        dir, {CardSet::pin(1), CardSet::pin(2), CardSet::puk(3), "246802", "000000", "11111111"});
    CHECK(room.unattended("audit-verify --log " + dir + "/audit.log").exitCode == 0);
}

TEST_CASE(
    "tired people: pcscd stops while sign waits for the second card; the share in is kept, and the "
    "set signs once pcscd is back") {
    Room room;
    const CardSet set = makeCardSet(room, "s", 2, 3);
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "a DNSKEY RRset\n";
    const std::string signature = room.file("message.sig");
    {
        LiveCeremony sign(room,
                          {"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest",
                           set.manifest, "--in", message, "--out", signature, "--pin-file",
                           room.secrets("holder-pins", {CardSet::pin(1), CardSet::pin(3)}),
                           "--card-timeout", "30"},
                          "sign");
        sign.waitFor("(0 of 2 shares)");
        sign.offer(set.card(1), "card 1 accepted: 1 of 2 shares");
        sign.waitFor("(1 of 2 shares)");
        room.pcscd().stop(SIGKILL);
        sign.waitFor(
            "The PC/SC service (pcscd) stopped. Waiting for it to come back; nothing "
            "collected so far is lost (Ctrl-C stops the ceremony).");
        room.pcscd().start();
        sign.waitFor("The PC/SC service is back; the ceremony goes on.");
        sign.offer(set.card(3), "Signed: " + signature);
        CHECK(sign.exitCode() == 0);
        const std::string screen = sign.screen();
        INFO(screen);
        CHECK(shows(screen, "card 3 accepted: 2 of 2 shares"));
        CHECK(!shows(screen, "RPC"));
        CHECK(!shows(screen, "SCard"));
    }
    checkSignature(room, set.ceremonyDir, set.manifest, message, signature);
    CHECK(audited(set.ceremonyDir, "pcscd-lost").size() == 1);
    CHECK(audited(set.ceremonyDir, "pcscd-back").size() == 1);
    CHECK(audited(set.ceremonyDir, "share-offered").size() == 2);
}

TEST_CASE_FIXTURE(
    DistantSet,
    "tired people: swapped, existing and impossible arguments are refused before any card or PIN") {
    const std::string earlier = room.file("ksr.sig");
    std::ofstream(earlier) << "an earlier signature\n";
    const std::string documents = readFile(message) + readFile(earlier) + readFile(manifest);
    const std::string log = readFile(dir + "/audit.log");
    const std::string sign =
        "sign --ceremony " + dir + " --manifest " + manifest + " --card-timeout 5 ";

    struct Slip {
        const char* what;
        std::string arguments;
        std::string refusal;
    };
    const Slip slips[] = {
        {"--in and --out swapped", sign + "--yes --in " + earlier + " --out " + message,
         "--out " + message +
             " exists already: choose another name, or give --force to replace it"},
        {"--out is --in", sign + "--yes --force --in " + message + " --out " + message,
         "is also an input (" + message +
             "): it would be overwritten; were two arguments swapped?"},
        {"--out is the manifest", sign + "--yes --force --in " + message + " --out " + manifest,
         "is also an input (" + manifest + "): it would be overwritten"},
        {"--out in a missing folder",
         sign + "--yes --in " + message + " --out " + room.file("missing/ksr.sig"),
         "the folder " + room.file("missing") + " does not exist"},
        {"no terminal and no --yes", sign + "--in " + message + " --out " + room.file("new.sig"),
         "this ceremony asks the people in the room to confirm what it signs at the terminal, and "
         "there is none: give --yes when it was checked another way"},
        {"partial-sign: no terminal and no --yes",
         "partial-sign --ceremony " + dir + " --manifest " + manifest + " --card-timeout 5 --in " +
             message + " --out " + room.file("partial.json"),
         "and there is none: give --yes"},
        {"--ceremony and --manifest swapped",
         "sign --yes --ceremony " + manifest + " --manifest " + dir + " --in " + message +
             " --out " + room.file("new.sig") + " --card-timeout 5",
         "--manifest " + dir +
             " is a folder, not a card-set manifest (a ceremony's folder? were --ceremony and "
             "--manifest swapped?)"},
    };
    for (const auto& slip : slips) {
        CAPTURE(slip.what);
        const auto result = room.unattended(slip.arguments + " --pin-fd 0");
        INFO(result.output);
        CHECK(result.exitCode == 1);
        CHECK(shows(result.output, slip.refusal));
        CHECK(!shows(result.output, "Insert"));
    }

    // Another ceremony's folder with this set's manifest: refused at once, naming both.
    const std::string other = room.createCeremony("other");
    const auto mismatch =
        room.unattended("sign --yes --ceremony " + other + " --manifest " + manifest + " --in " +
                        message + " --out " + room.file("new.sig") + " --card-timeout 5");
    INFO(mismatch.output);
    CHECK(mismatch.exitCode == 1);
    CHECK(shows(mismatch.output,
                "--ceremony " + other + " does not belong to the card set of the manifest (set " +
                    toHex(host::Manifest::load(manifest).cardSetId).substr(0, 8) + "...)"));
    CHECK(!shows(mismatch.output, "Insert"));

    // Nothing was written or begun.
    CHECK(readFile(message) + readFile(earlier) + readFile(manifest) == documents);
    CHECK(readFile(dir + "/audit.log") == log);
    CHECK(!std::filesystem::exists(room.file("new.sig")));
    CHECK(!std::filesystem::exists(room.file("partial.json")));
}

TEST_CASE_FIXTURE(DistantSet,
                  "tired people: sign and partial-sign show what is to be signed before any card, "
                  "and sign nothing when the people say no") {
    const Bytes content = [&] {
        const std::string text = readFile(message);
        return Bytes(text.begin(), text.end());
    }();
    const std::string digest = toHex(crypto::sha256(content));

    struct Run {
        std::vector<std::string> arguments;
        std::string output;
        std::string stoppedEvent;
    };
    const Run runs[] = {
        {{"sign", "--ceremony", dir, "--manifest", manifest, "--in", message, "--out",
          room.file("ksr.sig")},
         room.file("ksr.sig"),
         "sign-stopped"},
        {{"partial-sign", "--ceremony", dir, "--manifest", manifest, "--in", message, "--out",
          room.file("partial.json")},
         room.file("partial.json"),
         "partial-sign-stopped"},
    };
    for (const auto& run : runs) {
        CAPTURE(run.arguments[0]);
        // The first answer is neither yes nor no: asked again.
        LiveCeremony ceremony(room, run.arguments, run.arguments[0],
                              {{"Is this what is to be signed", "maybe\n"},
                               {"Is this what is to be signed", "no\n"}});
        CHECK(ceremony.exitCode() == 1);
        const std::string screen = ceremony.screen();
        INFO(screen);
        CHECK(shows(screen, "To be signed: " + message + " (" + std::to_string(content.size()) +
                                " bytes)"));
        CHECK(shows(screen, "its SHA-256: " + digest));
        CHECK(joined(wordsAfter(screen, "read aloud:")) == host::pgpWords(crypto::sha256(content)));
        CHECK(
            shows(screen, "the people in the room did not confirm the input: nothing was signed"));
        CHECK(!shows(screen, "Insert"));
        CHECK(!std::filesystem::exists(run.output));
        const auto shown = audited(dir, "input-shown");
        REQUIRE(!shown.empty());
        CHECK(shown.back()["confirmed"] == "typed no");
        CHECK(shown.back()["sha256"] == digest);
        CHECK(audited(dir, run.stoppedEvent).size() == 1);
    }
    CHECK(readFile(message) == std::string(content.begin(), content.end()));
}

TEST_CASE_FIXTURE(DistantSet,
                  "tired people: keys typed while a ceremony waits for a card do not show, and "
                  "Ctrl-C stops it in order") {
    LiveCeremony sign(room,
                      {"sign", "--yes", "--ceremony", dir, "--manifest", manifest, "--in", message,
                       "--out", room.file("ksr.sig")},
                      "sign", {{"Insert a card of set", "where is my card 123456"}});
    sign.waitFor("Insert a card of set");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // time enough for an echo to show
    // Ctrl-C at its terminal.
    const int status = sign.process().stop(SIGINT, std::chrono::seconds(10));
    const std::string screen = sign.screen();
    INFO(screen);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 130));
    CHECK(!shows(screen, "where is my card"));
    CHECK(!shows(screen, "^C"));
    CHECK(shows(screen, "The ceremony stopped: the ceremony was interrupted by Ctrl-C (SIGINT)"));
    const auto stopped = audited(dir, "sign-stopped");
    REQUIRE(stopped.size() == 1);
    CHECK(shows(stopped[0]["reason"].asString(), "Ctrl-C"));
    // The last hash on the screen is the log's.
    const auto verified =
        room.unattended("audit-verify --log " + dir + "/audit.log --last-hash '" +
                        joined(wordsAfter(screen, "read aloud and write down:")) + "'");
    INFO(verified.output);
    CHECK(shows(verified.output, "ends with the expected entry"));
    CHECK(!std::filesystem::exists(room.file("ksr.sig")));
}

// issue-card asks again for a transport PIN or a PUK that breaks the policy, before it touches the
// card; secrets that run out before a good one leave the card untouched.
TEST_CASE(
    "tired people: issue-card asks again for a transport PIN or PUK the policy cannot take, before it "
    "touches the card") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string issue = "issue-card --ceremony " + dir +
                              " --index 1 --pin-fd 0 --passphrase-file " + room.passphraseFile();
    room.insert("card");
    const auto ranOut = room.unattended(issue, {"12345", "1234"});
    INFO(ranOut.output);
    CHECK(ranOut.exitCode == 1);
    CHECK(shows(ranOut.output, "That transport PIN cannot be used: it must have 6 to 8 characters"));
    CHECK(!shows(ranOut.output, "key pair generated on the card"));
    const auto again = room.unattended(issue, {"12345", "123456", "1234567", "12345678"});
    INFO(again.output);
    CHECK(again.exitCode == 0);
    CHECK(shows(again.output, "That transport PIN cannot be used: it must have 6 to 8 characters"));
    CHECK(shows(again.output, "That PUK cannot be used: it must have exactly 8 characters"));
    CHECK(shows(again.output, "card 1 personalized over SCP11a"));
    CHECK(!shows(again.output, "half-issued"));  // the first run did not touch it
}

// A card whose issue-card was interrupted after its certificate was stored stays BLANK with this
// ceremony's certificate: issue-card run again resets it (WIPE, witnessed) and issues it.
TEST_CASE("tired people: issue-card on a card an interrupted issue-card left half-issued") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string issue = "issue-card --ceremony " + dir +
                              " --index 1 --pin-fd 0 --passphrase-file " + room.passphraseFile();
    // Pulled after 7 APDUs: its key pair and certificate are stored, its secure channel not open.
    room.insert("card", 0, {"--pull-after", "7"});
    const auto pulled = room.unattended(issue, {"123456", "12345678"});
    INFO(pulled.output);
    CHECK(pulled.exitCode == 1);
    CHECK(room.pull("card") == 0);
    room.insert("card");
    const auto again = room.unattended(issue, {"123456", "12345678"});
    INFO(again.output);
    CHECK(!shows(again.output, "the card is BLANK and cannot take this step"));
    CHECK(again.exitCode == 0);
    CHECK(shows(again.output, "left half-issued (as card 1)"));
    CHECK(shows(again.output, "card 1 personalized over SCP11a"));
    CHECK(audited(dir, "card-wiped").size() == 1);
}

// A card of this ceremony that holds no share of the set (issued on its own with issue-card, as
// card 1, after the set was made) is set aside before its PIN, in words, not as a status word.
TEST_CASE(
    "tired people: a card of the ceremony that holds no share of the set is set aside in words") {
    Room room;
    const CardSet set = makeCardSet(room, "set", 2, 2);
    room.insert("spare");
    const auto issued = room.unattended("issue-card --ceremony " + set.ceremonyDir +
                                            " --index 1 --no-pin-change --pin-fd 0 " +
                                            "--passphrase-file " + room.passphraseFile(),
                                        {"123450", "87654320"});
    INFO(issued.output);
    REQUIRE(issued.exitCode == 0);
    CHECK(room.pull("spare") == 0);
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "a DNSKEY RRset\n";
    LiveCeremony sign(
        room,
        {"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest, "--in",
         message, "--out", room.file("message.sig"), "--pin-file",
         room.secrets("pins", {CardSet::pin(1), CardSet::pin(2)}), "--card-timeout", "30"},
        "sign");
    sign.waitFor("Insert a card");
    sign.offer("spare", "Remove the card from", 1);
    sign.offer(set.card(1), "Remove the card from", 2);
    sign.offer(set.card(2), "Signed: ");
    CHECK(sign.exitCode() == 0);
    const std::string screen = sign.screen();
    INFO(screen);
    CHECK(shows(screen, "card 1 accepted: 1 of 2 shares"));
    CHECK(!shows(screen, "6A88"));
    CHECK(!shows(screen, "6985"));
    const auto refused = audited(set.ceremonyDir, "card-refused");
    REQUIRE(refused.size() == 1);
    CHECK(shows(refused[0]["reason"].asString(),
                "is not the one the manifest lists for card 1 (id " +
                    toHex(host::Manifest::load(set.manifest).card(1)->cardId).substr(0, 8) +
                    "...): it was issued again outside this set's key generation"));
    CHECK(shows(screen, "it was issued again outside this set's key generation"));
}
