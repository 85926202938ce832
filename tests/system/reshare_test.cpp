// Reshare through real pcscd + vpcd + card-sim: a 3-of-7 Shamir set moved to seven new cards
// (two holders replaced), the old cards retired; the new set signs and signs a KSR; a recovery
// 5-of-7 set made next to it signs too; old and new cards are never mixed.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/system/room.hpp"

using namespace quorum::test;

namespace {

bool shows(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// `ceremony reshare` of `from` into `to` (cards TO.prefix + 1..n, BLANK), with the old cards
// `givers` giving their shares; `extra` says what becomes of the old set. Returns the screen.
std::string reshare(Room& room, const CardSet& from, const CardSet& to,
                    const std::vector<int>& givers, const std::vector<std::string>& extra,
                    const std::vector<int>& retiring = {}) {
    std::vector<std::string> secrets;
    for (int i = 1; i <= to.n; ++i) {
        secrets.push_back(CardSet::pin(i));
        secrets.push_back(CardSet::puk(i));
    }
    for (const int i : givers) secrets.push_back(CardSet::pin(i));
    std::vector<std::string> arguments{"reshare",
                                       "--ceremony",
                                       from.ceremonyDir,
                                       "--manifest",
                                       from.manifest,
                                       "--new-manifest",
                                       to.manifest,
                                       "-k",
                                       std::to_string(to.k),
                                       "-n",
                                       std::to_string(to.n),
                                       "--no-pin-change",
                                       "--pin-file",
                                       room.secrets(to.prefix + "-reshare-pins", secrets),
                                       "--passphrase-file",
                                       room.passphraseFile(),
                                       "--card-timeout",
                                       "30"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    LiveCeremony run(room, arguments, to.prefix + "-reshare");
    for (int i = 1; i <= to.n; ++i) {
        run.waitFor("Insert BLANK card " + std::to_string(i) + " of " + std::to_string(to.n));
        run.offer(to.card(i),
                  "Card " + std::to_string(i) + " of " + std::to_string(to.n) + " issued");
    }
    int given = 0;
    for (const int i : givers) run.offer(from.card(i), "gave its share, sealed for the", ++given);
    for (int i = 1; i <= to.n; ++i)
        run.offer(to.card(i),
                  "has its share (" + std::to_string(i) + " of " + std::to_string(to.n) + ")");
    int retired = 0;
    for (const int i : retiring)
        run.offer(from.card(i), "is retired: its share is erased", ++retired);
    const int exitCode = run.exitCode();
    const std::string screen = run.screen();
    CHECK_MESSAGE(exitCode == 0, screen.substr(screen.size() > 1500 ? screen.size() - 1500 : 0));
    return run.screen();
}

// `ceremony sign` of `message` with cards `cards` of `set` into `signature` (whose name also names
// the screen: one per signature); returns the screen.
std::string sign(Room& room, const CardSet& set, const std::vector<int>& cards,
                 const std::string& message, const std::string& signature) {
    std::vector<std::string> pins;
    for (const int i : cards) pins.push_back(CardSet::pin(i));
    LiveCeremony run(
        room,
        {"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest, "--in",
         message, "--out", signature, "--pin-file",
         room.secrets(std::filesystem::path(signature).stem().string() + "-pins", pins),
         "--card-timeout", "30"},
        std::filesystem::path(signature).stem().string() + "-sign");
    for (std::size_t i = 0; i + 1 < cards.size(); ++i)
        run.offer(set.card(cards[i]), "Remove the card from", static_cast<int>(i + 1));
    run.offer(set.card(cards.back()), "Signed: ");
    const int exitCode = run.exitCode();
    const std::string screen = run.screen();
    CHECK_MESSAGE(exitCode == 0, screen.substr(screen.size() > 1500 ? screen.size() - 1500 : 0));
    return screen;
}

void checkSignature(Room& room, const CardSet& set, const std::string& message,
                    const std::string& signature) {
    const std::string key = room.file(set.prefix + "-public.pem");
    REQUIRE(room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " > " + key).exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + key + " -signature " +
                                     signature + " " + message + " 2>&1");
    INFO(verified.output);
    CHECK(verified.output == "Verified OK\n");
}

}  // namespace

TEST_CASE(
    "reshare: a 3-of-7 set moves to new cards without the secret, old cards retired; a recovery "
    "set") {
    Room room;
    const CardSet old = makeCardSet(room, "old", 3, 7);
    const CardSet renewed{old.ceremonyDir, room.file("renewed.json"), "new", 3, 7};
    const std::string oldText = readFile(old.manifest);
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "the root zone's DNSKEY RRset\n";

    // Refused before anything: the old set must say what becomes of its cards; k' > n'.
    const auto undecided =
        room.ceremony("reshare --ceremony " + old.ceremonyDir + " --manifest " + old.manifest +
                      " --new-manifest " + renewed.manifest + " -k 3 -n 7 --passphrase-file " +
                      room.passphraseFile() + " --pin-fd 0 < /dev/null");
    CHECK(undecided.exitCode == 1);
    CHECK(shows(undecided.output, "--retire-old"));
    const auto tooMany = room.ceremony("reshare --keep-old --ceremony " + old.ceremonyDir +
                                       " --manifest " + old.manifest + " --new-manifest " +
                                       renewed.manifest + " -k 5 -n 4 --passphrase-file " +
                                       room.passphraseFile() + " --pin-fd 0 < /dev/null");
    CHECK(tooMany.exitCode == 1);
    CHECK(shows(tooMany.output, "need 1 <= k <= n"));
    CHECK(!std::filesystem::exists(renewed.manifest));

    // Old cards 2, 5 and 7 give their shares; cards 1..5 are retired (2 of 7 left unerased < 3).
    const std::string screen =
        reshare(room, old, renewed, {2, 5, 7}, {"--retire-old"}, {1, 2, 3, 4, 5});
    INFO(screen);
    CHECK(shows(screen, "Reshare done"));
    CHECK(shows(screen, "is marked superseded; 2 of its 7 shares remain unerased"));
    CHECK(count(readFile(old.ceremonyDir + "/audit.log"), "\"redistribution-made\"") == 3);

    // The new manifest: same key, same wrapped blob, new cards, C'_0 = C_0, generation 2.
    const auto compared = runCommand(
        "/usr/bin/python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); "
        "b=json.load(open(sys.argv[2])); "
        "print(a[\"signing_key\"]==b[\"signing_key\"], "
        "a[\"commitments\"][2:132]==b[\"commitments\"][2:132], "
        "a[\"commitments\"]!=b[\"commitments\"], set(c[\"card_id\"] for c in a[\"cards\"]) & "
        "set(c[\"card_id\"] for c "
        "in b[\"cards\"]), b[\"set\"][\"generation\"], a[\"set\"].get(\"superseded_by\") == "
        "sys.argv[2])' " +
        old.manifest + " " + renewed.manifest);
    INFO(compared.output);
    CHECK(compared.output == "True True True set() 2 True\n");
    CHECK(readFile(old.manifest) != oldText);

    // The new set signs; the old manifest is refused; an old card is refused in the new set.
    const std::string signature = room.file("renewed.sig");
    sign(room, renewed, {1, 4, 7}, message, signature);
    checkSignature(room, renewed, message, signature);
    const auto superseded =
        room.ceremony("sign --yes --ceremony " + old.ceremonyDir + " --manifest " + old.manifest +
                      " --in " + message + " --out " + room.file("never.sig") + " --pin-fd 0");
    CHECK(superseded.exitCode == 1);
    CHECK(shows(superseded.output, "was replaced by " + renewed.manifest));
    {
        // Old card 6 (unerased) and old card 1 (retired) are not cards of the new set.
        LiveCeremony mixed(
            room,
            {"sign", "--yes", "--ceremony", old.ceremonyDir, "--manifest", renewed.manifest, "--in",
             message, "--out", room.file("mixed.sig"), "--pin-file",
             room.secrets("mixed-pins", {CardSet::pin(2), CardSet::pin(3), CardSet::pin(5)}),
             "--card-timeout", "30"},
            "mixed");
        mixed.offer(old.card(6), "Remove the card from", 1);
        mixed.offer(old.card(1), "Remove the card from", 2);
        mixed.offer(renewed.card(2), "Remove the card from", 3);
        mixed.offer(renewed.card(3), "Remove the card from", 4);
        mixed.offer(renewed.card(5), "Signed: ");
        CHECK(mixed.exitCode() == 0);
        const std::string out = mixed.screen();
        INFO(out);
        CHECK(shows(out, "is not the one the manifest lists for card 6"));
        CHECK(shows(out, "this card is RETIRED"));
        CHECK(readFile(room.file("mixed.sig")) == readFile(signature));
    }

    // The new set signs a KSR.
    const std::string ksr = QUORUM_SOURCE_DIR "/tests/data/iana/ksr-root-2017-q2-0.xml";
    const std::string skr = room.file("skr.xml");
    {
        LiveCeremony run(
            room,
            {"ksr-sign", "--yes", "--ceremony", old.ceremonyDir, "--manifest", renewed.manifest,
             "--ksr", ksr, "--at", "2017-03-15T12:00:00", "--out", skr, "--pin-file",
             room.secrets("ksr-pins", {CardSet::pin(6), CardSet::pin(3), CardSet::pin(1)}),
             "--card-timeout", "30"},
            "ksr-sign");
        run.offer(renewed.card(6), "Remove the card from", 1);
        run.offer(renewed.card(3), "Remove the card from", 2);
        run.offer(renewed.card(1), "SKR written");
        CHECK(run.exitCode() == 0);
    }
    const std::string ksk = room.file("ksk.key");
    REQUIRE(room.ceremony("dnskey --ceremony " + renewed.ceremonyDir + " --manifest " + renewed.manifest + " > " + ksk).exitCode == 0);
    const auto skrChecked =
        runCommand("/usr/bin/python3 " QUORUM_SOURCE_DIR "/tests/system/skr_check.py " + skr + " " +
                   ksk + " " + ksr);
    INFO(skrChecked.output);
    CHECK(skrChecked.exitCode == 0);

    // A recovery set of 5 of 7 next to the new one, which stays current; it signs with 5 cards.
    const CardSet recovery{old.ceremonyDir, room.file("recovery.json"), "rec", 5, 7};
    const std::string made =
        reshare(room, renewed, recovery, {7, 1, 4}, {"--keep-old", "--role", "recovery"});
    CHECK(shows(made, "is the new recovery set, 5 of 7 cards of the same key"));
    const std::string recoverySignature = room.file("recovery.sig");
    sign(room, recovery, {3, 1, 7, 5, 2}, message, recoverySignature);
    CHECK(readFile(recoverySignature) == readFile(signature));  // the same key
    sign(room, renewed, {2, 5, 6}, message, room.file("renewed-again.sig"));

    // `ceremony cards` tells each set's role and state.
    const auto sets = room.ceremony("cards --ceremony " + old.ceremonyDir + " --manifest " + old.manifest + " --manifest " +
                                    renewed.manifest + " --manifest " + recovery.manifest +
                                    " --log " + old.ceremonyDir + "/audit.log");
    INFO(sets.output);
    CHECK(sets.exitCode == 0);
    CHECK(shows(sets.output, old.manifest + ": card set "));
    CHECK(shows(sets.output,
                "3 of 7, operational set, generation 1, superseded by " + renewed.manifest));
    CHECK(shows(sets.output, renewed.manifest + ": card set "));
    CHECK(shows(sets.output, "3 of 7, operational set, generation 2, current"));
    CHECK(shows(sets.output, "5 of 7, recovery set, generation 3, current"));
    CHECK(count(sets.output, ": RETIRED,") == 5);
    CHECK(!shows(sets.output, "another key"));

    // The two unerased old cards are retired later; the old set is then marked retired.
    {
        LiveCeremony run(room,
                         {"retire", "--ceremony", old.ceremonyDir, "--manifest", old.manifest, "--passphrase-file", room.passphraseFile(),
                          "--card-timeout", "30"},
                         "retire");
        run.waitFor("5 of the set's 7 cards were retired before; 2 to go.");
        run.offer(old.card(6), "is retired: its share is erased", 1);
        run.offer(old.card(7), "Every card of");
        CHECK(run.exitCode() == 0);
        CHECK(shows(run.screen(), "is marked retired"));
    }
    const auto audit = room.ceremony("audit-verify --log " + old.ceremonyDir + "/audit.log");
    CHECK(audit.exitCode == 0);
}

TEST_CASE("reshare: a threshold RSA set cannot be re-shared, and says what to do instead") {
    Room room;
    const CardSet set = makeCardSet(room, "rsa", 2, 2, "shoup");
    const auto refused = room.ceremony("reshare --keep-old --ceremony " + set.ceremonyDir +
                                       " --manifest " + set.manifest + " --new-manifest " +
                                       room.file("new.json") + " -k 2 -n 3 --passphrase-file " +
                                       room.passphraseFile() + " --pin-fd 0 < /dev/null");
    INFO(refused.output);
    CHECK(refused.exitCode == 1);
    CHECK(shows(refused.output, "cannot be moved to new cards"));
    CHECK(shows(refused.output, "KSK rollover"));
    CHECK(!std::filesystem::exists(room.file("new.json")));
}

TEST_CASE(
    "reshare: stopped by Ctrl-C after one old card, resumed to the end; another given up, nothing "
    "lost") {
    Room room;
    const CardSet old = makeCardSet(room, "old", 2, 3);
    const CardSet renewed{old.ceremonyDir, room.file("renewed.json"), "new", 2, 2};
    const std::string oldText = readFile(old.manifest);
    const std::string journal = old.ceremonyDir + "/reshare-journal.json";
    {
        const std::string screen = reshareStoppedAfterOneOldCard(room, old, renewed);
        INFO(screen);
        CHECK(shows(screen, "Nothing is lost"));
        CHECK(shows(screen, "ceremony reshare --resume --ceremony " + old.ceremonyDir));
    }
    CHECK(std::filesystem::exists(journal));
    CHECK(!std::filesystem::exists(renewed.manifest));
    // A new reshare is refused while this one waits.
    const auto waiting = room.ceremony("reshare --keep-old --ceremony " + old.ceremonyDir +
                                       " --manifest " + old.manifest + " --new-manifest " +
                                       room.file("other.json") + " -k 2 -n 2 --passphrase-file " +
                                       room.passphraseFile() + " --pin-fd 0 < /dev/null");
    CHECK(waiting.exitCode == 1);
    CHECK(shows(waiting.output, "an interrupted reshare is waiting"));
    CHECK(shows(resumeReshareStoppedAfterOneOldCard(room, old, renewed),
                "2 of 2 new cards issued, 1 of 2 old cards given"));
    CHECK(!std::filesystem::exists(journal));
    CHECK(readFile(old.manifest) == oldText);  // --keep-old: the old set stays current
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "signed by either set\n";
    const std::string fromNew = room.file("from-new.sig"), fromOld = room.file("from-old.sig");
    sign(room, renewed, {2, 1}, message, fromNew);
    sign(room, old, {2, 1}, message, fromOld);
    CHECK(readFile(fromNew) == readFile(fromOld));

    // A transport set given up after its card was issued: the journals go, the sets stay as they
    // were.
    const CardSet transport{old.ceremonyDir, room.file("transport.json"), "tr", 1, 1};
    {
        LiveCeremony run(room,
                         {"reshare",
                          "--keep-old",
                          "--role",
                          "transport",
                          "--ceremony",
                          old.ceremonyDir,
                          "--manifest",
                          renewed.manifest,
                          "--new-manifest",
                          transport.manifest,
                          "-k",
                          "1",
                          "-n",
                          "1",
                          "--no-pin-change",
                          "--pin-file",
                          room.secrets("transport-pins", {CardSet::pin(1), CardSet::puk(1)}),
                          "--passphrase-file",
                          room.passphraseFile(),
                          "--card-timeout",
                          "30"},
                         "transport");
        run.offer(transport.card(1), "Card 1 of 1 issued");
        run.waitFor("Insert a card of the old set (0 of 2 given).");
        run.process().stop(SIGINT, std::chrono::seconds(30));
    }
    const auto given =
        room.ceremony("reshare --abandon --ceremony " + old.ceremonyDir + " --passphrase-file " +
                      room.passphraseFile() + " --pin-fd 0 < /dev/null");
    INFO(given.output);
    CHECK(given.exitCode == 0);
    CHECK(shows(given.output, "Reshare given up"));
    CHECK(!std::filesystem::exists(journal));
    CHECK(!std::filesystem::exists(transport.manifest));
    CHECK(shows(readFile(old.ceremonyDir + "/audit.log"), "\"reshare-abandoned\""));
    CHECK(room.ceremony("audit-verify --log " + old.ceremonyDir + "/audit.log").exitCode == 0);
}

TEST_CASE(
    "reshare: an old card whose share was altered is named and set aside; another old card gives") {
    Room room;
    const CardSet old = makeCardSet(room, "old", 2, 3);
    const CardSet renewed{old.ceremonyDir, room.file("renewed.json"), "new", 2, 2};
    // Old card 1's share value altered in its memory (the last digit of the value: hex digit 65).
    REQUIRE(runCommand("/usr/bin/python3 " QUORUM_SOURCE_DIR "/tests/system/tamper_share.py " +
                       room.image(old.card(1)) + " share 65 2>&1")
                .exitCode == 0);
    LiveCeremony run(
        room,
        {"reshare", "--keep-old", "--ceremony", old.ceremonyDir, "--manifest", old.manifest,
         "--new-manifest", renewed.manifest, "-k", "2", "-n", "2", "--no-pin-change", "--pin-file",
         room.secrets("pins", {CardSet::pin(1), CardSet::puk(1), CardSet::pin(2), CardSet::puk(2),
                               CardSet::pin(1), CardSet::pin(2), CardSet::pin(3)}),
         "--passphrase-file", room.passphraseFile(), "--card-timeout", "30"},
        "reshare");
    run.offer(renewed.card(1), "Card 1 of 2 issued");
    run.offer(renewed.card(2), "Card 2 of 2 issued");
    run.offer(old.card(1), "Remove the card from", 1);
    run.offer(old.card(2), "gave its share, sealed for the", 1);
    run.offer(old.card(3), "gave its share, sealed for the", 2);
    run.offer(renewed.card(1), "has its share (1 of 2)");
    run.offer(renewed.card(2), "Reshare done");
    CHECK(run.exitCode() == 0);
    const std::string screen = run.screen();
    INFO(screen);
    CHECK(shows(screen, "card 1 (id "));
    CHECK(shows(screen, "'s redistribution does not start from its share"));
    CHECK(shows(readFile(old.ceremonyDir + "/audit.log"), "\"redistribution-refused\""));
    // The new set opens the key: it signs as the old set's two good cards do.
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "after a cheating card\n";
    sign(room, renewed, {1, 2}, message, room.file("new.sig"));
    sign(room, old, {2, 3}, message, room.file("old.sig"));
    CHECK(readFile(room.file("new.sig")) == readFile(room.file("old.sig")));
}
