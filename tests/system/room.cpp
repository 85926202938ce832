#include "tests/system/room.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <set>
#include <thread>

#include "card-sim/rack.hpp"
#include "card-sim/reader_conf.hpp"

namespace quorum::test {

Room::Room() : pcscd_(std::make_unique<PrivatePcscd>(folder_)) {
    secrets("passphrase", {"correct horse battery"});
    secrets("host-passphrase", {"staple tree doorway"});
    startRack();
}

namespace {
// The subcommands that open this host's key, or write a new one.
bool usesHostKey(const std::string& subcommand) {
    static const std::set<std::string> kUsers = {"ca-create", "host-issue",   "issue-card", "keygen",     "sign",
                                                 "partial-sign", "ksr-sign", "sign-rrset", "reshare",    "retire",
                                                 "hsm-import",   "pin",      "manifest-sign"};
    return kUsers.count(subcommand) != 0;
}
}  // namespace

std::string Room::withHostPassphrase(const std::string& arguments) const {
    const std::size_t end = arguments.find(' ');
    const std::string subcommand = arguments.substr(0, end);
    if (!usesHostKey(subcommand) || arguments.find("--host-passphrase") != std::string::npos) return arguments;
    return subcommand + " --host-passphrase-file " + hostPassphraseFile() +
           (end == std::string::npos ? "" : arguments.substr(end));
}

std::vector<std::string> Room::withHostPassphrase(std::vector<std::string> arguments) const {
    if (arguments.empty() || !usesHostKey(arguments.front())) return arguments;
    for (const auto& word : arguments)
        if (word.rfind("--host-passphrase", 0) == 0) return arguments;
    arguments.insert(arguments.begin() + 1, {"--host-passphrase-file", hostPassphraseFile()});
    return arguments;
}

Room::~Room() {
    // The rack goes before pcscd; SIGTERM removes every card and saves its image.
    if (rack_) rack_->stop(SIGTERM);
    rack_.reset();
    pcscd_.reset();
}

std::string Room::reader(int slot) { return sim::readerName(slot); }

void Room::startRack() {
    rack_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{builtProgram("card-sim"), "--rack", rackFolder(), "--readers",
                                 std::to_string(kVpcdReaders), "--retry-ms", "20"},
        file("rack.log"));
    rack({"list"});  // answers once the rack listens (askRack waits for it to start)
}

std::vector<std::string> Room::rack(const std::vector<std::string>& words) {
    std::vector<std::string> lines;
    try {
        lines = sim::askRack(rackFolder(), words, std::chrono::seconds(10));
    } catch (const std::exception& e) {
        FAIL("the rack did not answer: " << e.what() << "\nits log:\n" << readFile(file("rack.log")));
    }
    INFO("rack request: " << words.front() << (words.size() > 1 ? " " + words[1] : std::string()));
    REQUIRE_MESSAGE(lines.back().rfind("ok", 0) == 0, lines.back());
    return lines;
}

void Room::put(const std::string& card, int slot, std::vector<std::string> options) {
    REQUIRE_MESSAGE(!inserted(card), "card " << card << " is inserted already");
    std::vector<std::string> words{"insert", card, "--slot", std::to_string(slot)};
    words.insert(words.end(), options.begin(), options.end());
    rack(words);
    cards_[card] = {slot, std::move(options)};
}

void Room::insert(const std::string& card, int slot, std::vector<std::string> options) {
    put(card, slot, std::move(options));
    waitForCard(reader(slot), true);
}

void Room::insertTogether(const std::vector<std::string>& cards) {
    REQUIRE(cards.size() <= static_cast<std::size_t>(kSlots));
    for (std::size_t i = 0; i < cards.size(); ++i) put(cards[i], static_cast<int>(i), {});
    for (std::size_t i = 0; i < cards.size(); ++i) waitForCard(reader(static_cast<int>(i)), true);
}

void Room::insertForeignCard(const std::string& name, const std::string& sw, int slot) {
    insert(name, slot, {"--foreign", sw});
}

bool Room::inSlot(const std::string& card) {
    for (const auto& line : rack({"list"}))
        if (line.rfind(card + " ", 0) == 0) return line.find(" slot=- ") == std::string::npos;
    return false;
}

int Room::pull(const std::string& card, int signal) {
    const auto found = cards_.find(card);
    REQUIRE_MESSAGE(found != cards_.end(), "card " << card << " is not inserted");
    const int slot = found->second.slot;
    cards_.erase(found);
    int status = 0;
    if (signal == SIGKILL) {
        status = rack_->stop(SIGKILL);
        startRack();
        waitForCard(reader(slot), false);
        const auto others = cards_;
        cards_.clear();
        for (const auto& [name, inserted] : others) put(name, inserted.slot, inserted.options);
        for (const auto& [name, inserted] : others) waitForCard(reader(inserted.slot), true);
        return status;
    }
    REQUIRE_MESSAGE((signal == SIGTERM || signal == SIGINT), "a card is pulled with SIGTERM, SIGINT or SIGKILL");
    if (inSlot(card)) rack({"remove", card});  // a card pulled by --pull-after has left already
    waitForCard(reader(slot), false);
    return status;
}

std::string Room::secrets(const std::string& name, const std::vector<std::string>& lines, mode_t mode) const {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    const std::string path = file(name);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
}

CommandResult Room::ceremony(const std::string& arguments) const {
    return runCommand(builtProgram("ceremony") + " " + withHostPassphrase(arguments));
}

CommandResult Room::unattended(const std::string& arguments, const std::vector<std::string>& input) const {
    const std::string feed = input.empty() ? "/dev/null" : secrets("unattended-input", input);
    return runCommand("setsid -w " + builtProgram("ceremony") + " " + withHostPassphrase(arguments) + " <" + feed);
}

std::string Room::createCeremony(const std::string& name) const {
    const std::string dir = file(name);
    const auto made = ceremony("ca-create --ceremony " + dir + " --passphrase-file " + passphraseFile());
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    CHECK(made.output.find("ceremony created in " + dir) != std::string::npos);
    return dir;
}

LiveCeremony::LiveCeremony(Room& room, std::vector<std::string> arguments, const std::string& name)
    : room_(room), screenPath_(room.file(name + ".out")) {
    arguments = room.withHostPassphrase(std::move(arguments));
    arguments.insert(arguments.begin(), builtProgram("ceremony"));
    process_ = std::make_unique<ChildProcess>(std::move(arguments), screenPath_);
}

LiveCeremony::LiveCeremony(Room& room, std::vector<std::string> arguments, const std::string& name,
                           const std::vector<Typing>& typing)
    : room_(room), screenPath_(room.file(name + ".out")) {
    std::vector<std::string> argv{"/usr/bin/python3", std::string(QUORUM_SOURCE_DIR) + "/tests/system/pty_session.py"};
    for (const auto& typed : typing) argv.insert(argv.end(), {"--expect", typed.after, "--type", typed.keys});
    argv.insert(argv.end(), {"--", builtProgram("ceremony")});
    arguments = room.withHostPassphrase(std::move(arguments));
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    process_ = std::make_unique<ChildProcess>(std::move(argv), screenPath_);
}

void LiveCeremony::waitFor(const std::string& text, int count, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::string content = screen();
        int found = 0;
        for (std::size_t at = content.find(text); at != std::string::npos; at = content.find(text, at + 1)) ++found;
        if (found >= count) return;
        if (!process_->running()) FAIL("the ceremony ended before showing \"" << text << "\":\n" << content);
        if (std::chrono::steady_clock::now() > deadline)
            FAIL("no \"" << text << "\" within " << timeout.count() << " s:\n" << content);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void LiveCeremony::offer(const std::string& card, const std::string& untilText, int count,
                         std::vector<std::string> insertOptions) {
    room_.insert(card, 0, std::move(insertOptions));
    waitFor(untilText, count);
    CHECK(room_.pull(card) == 0);
}

void LiveCeremony::offerForeign(const std::string& sw, const std::string& untilText, int count) {
    room_.insertForeignCard("foreign-" + sw, sw);
    waitFor(untilText, count);
    room_.pull("foreign-" + sw);
}

int LiveCeremony::exitCode(std::chrono::seconds timeout) {
    const int status = process_->stop(0, timeout);
    INFO(screen());
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

CardSet makeCardSet(Room& room, const std::string& name, int k, int n, const std::string& scheme,
                    std::vector<std::string> extra) {
    CardSet set{room.createCeremony(name), room.file(name + "-set.json"), name + "-card", k, n};
    std::vector<std::string> issuerSecrets;
    for (int i = 1; i <= n; ++i) {
        issuerSecrets.push_back(CardSet::pin(i));
        issuerSecrets.push_back(CardSet::puk(i));
    }
    std::vector<std::string> arguments{"keygen", "--scheme", scheme, "--ceremony", set.ceremonyDir, "--manifest",
                                       set.manifest, "-k", std::to_string(k), "-n", std::to_string(n),
                                       "--no-pin-change", "--pin-file", room.secrets(name + "-issuer-pins", issuerSecrets),
                                       "--passphrase-file", room.passphraseFile(), "--card-timeout", "30"};
    for (auto& e : extra) arguments.push_back(std::move(e));
    if (n <= kSlots) {
        // The whole set at once, one card per reader, before keygen starts: it takes them in
        // reader order, so card PREFIXi (slot i - 1) becomes card i.
        std::vector<std::string> cards;
        for (int i = 1; i <= n; ++i) cards.push_back(set.card(i));
        room.insertTogether(cards);
        LiveCeremony keygen(room, std::move(arguments), name + "-keygen");
        // Dealing a threshold RSA key searches for safe primes first: seconds to minutes.
        REQUIRE(keygen.exitCode(std::chrono::seconds(300)) == 0);
        CHECK(keygen.screen().find("Card " + std::to_string(n) + " of " + std::to_string(n) + " issued") !=
              std::string::npos);
        for (const auto& card : cards) room.pull(card);
        return set;
    }
    LiveCeremony keygen(room, std::move(arguments), name + "-keygen");
    for (int i = 1; i <= n; ++i) {
        keygen.waitFor("Insert BLANK card " + std::to_string(i) + " of " + std::to_string(n), 1, std::chrono::seconds(300));
        keygen.offer(set.card(i), "Card " + std::to_string(i) + " of " + std::to_string(n) + " issued");
    }
    REQUIRE(keygen.exitCode() == 0);
    return set;
}

std::string reshareStoppedAfterOneOldCard(Room& room, const CardSet& old, const CardSet& renewed) {
    LiveCeremony run(room,
                     {"reshare", "--keep-old", "--ceremony", old.ceremonyDir, "--manifest", old.manifest,
                      "--new-manifest", renewed.manifest, "-k", "2", "-n", "2", "--no-pin-change", "--pin-file",
                      room.secrets("first-pins", {CardSet::pin(1), CardSet::puk(1), CardSet::pin(2), CardSet::puk(2),
                                                  CardSet::pin(3)}),
                      "--passphrase-file", room.passphraseFile(), "--card-timeout", "30"},
                     "first");
    run.offer(renewed.card(1), "Card 1 of 2 issued");
    run.offer(renewed.card(2), "Card 2 of 2 issued");
    run.offer(old.card(3), "gave its share, sealed for the");
    run.waitFor("Insert a card of the old set (1 of 2 given).");
    const int status = run.process().stop(SIGINT, std::chrono::seconds(30));
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 130));
    return run.screen();
}

std::string resumeReshareStoppedAfterOneOldCard(Room& room, const CardSet& old, const CardSet& renewed) {
    LiveCeremony run(room,
                     {"reshare", "--resume", "--ceremony", old.ceremonyDir, "--pin-file",
                      room.secrets("resume-pins", {CardSet::pin(1)}), "--passphrase-file", room.passphraseFile(),
                      "--card-timeout", "30"},
                     "resume");
    run.waitFor("Resuming the reshare");
    run.offer(old.card(3), "gave its share already", 1);  // counted before the stop: refused before its PIN
    run.offer(old.card(1), "gave its share, sealed for the");
    run.offer(renewed.card(1), "has its share (1 of 2)");
    run.offer(renewed.card(2), "Reshare done");
    CHECK(run.exitCode() == 0);
    return run.screen();
}

}  // namespace quorum::test
