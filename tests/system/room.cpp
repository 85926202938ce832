#include "tests/system/room.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

namespace quorum::test {

namespace {
int portOf(int slot) { return kVpcdPort0 + slot; }
}  // namespace

Room::Room() : pcscd_(std::make_unique<PrivatePcscd>(folder_)) {
    secrets("passphrase", {"correct horse battery"});
}

Room::~Room() {
    cards_.clear();  // card-sims go before pcscd
    pcscd_.reset();
}

void Room::start(const std::string& card, int slot, std::vector<std::string> argv) {
    REQUIRE_MESSAGE(!inserted(card), "card " << card << " is inserted already");
    cards_[card] = {std::make_unique<ChildProcess>(std::move(argv), file(card + ".log")), slot};
}

void Room::insert(const std::string& card, int slot, std::vector<std::string> cardSimArgs) {
    start(card, slot, cardSimCommand(image(card), slot, std::move(cardSimArgs)));
    waitForCard(reader(slot), true);
}

void Room::insertTogether(const std::string& card0, const std::string& card1) {
    start(card0, 0, cardSimCommand(image(card0), 0));
    start(card1, 1, cardSimCommand(image(card1), 1));
    waitForCard(reader(0), true);
    waitForCard(reader(1), true);
}

void Room::insertForeignCard(const std::string& name, const std::string& sw, int slot) {
    start(name, slot, {builtProgram("bare_card"), std::to_string(portOf(slot)), sw});
    waitForCard(reader(slot), true);
}

bool Room::cardSimRunning(const std::string& card) {
    const auto found = cards_.find(card);
    REQUIRE_MESSAGE(found != cards_.end(), "card " << card << " is not inserted");
    return found->second.process->running();
}

int Room::pull(const std::string& card, int signal) {
    const auto found = cards_.find(card);
    REQUIRE_MESSAGE(found != cards_.end(), "card " << card << " is not inserted");
    const int status = found->second.process->stop(signal);
    const int slot = found->second.slot;
    cards_.erase(found);
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
    return runCommand(builtProgram("ceremony") + " " + arguments);
}

CommandResult Room::unattended(const std::string& arguments, const std::vector<std::string>& input) const {
    const std::string feed = input.empty() ? "/dev/null" : secrets("unattended-input", input);
    return runCommand("setsid -w " + builtProgram("ceremony") + " " + arguments + " <" + feed);
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
    arguments.insert(arguments.begin(), builtProgram("ceremony"));
    process_ = std::make_unique<ChildProcess>(std::move(arguments), screenPath_);
}

LiveCeremony::LiveCeremony(Room& room, std::vector<std::string> arguments, const std::string& name,
                           const std::vector<Typing>& typing)
    : room_(room), screenPath_(room.file(name + ".out")) {
    std::vector<std::string> argv{"/usr/bin/python3", std::string(QUORUM_SOURCE_DIR) + "/tests/system/pty_session.py"};
    for (const auto& typed : typing) argv.insert(argv.end(), {"--expect", typed.after, "--type", typed.keys});
    argv.insert(argv.end(), {"--", builtProgram("ceremony")});
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
                         std::vector<std::string> cardSimArgs) {
    room_.insert(card, 0, std::move(cardSimArgs));
    waitFor(untilText, count);
    CHECK(room_.pull(card) == 0);
}

void LiveCeremony::offerForeign(const std::string& sw, const std::string& untilText, int count) {
    room_.insertForeignCard("foreign-" + sw, sw);
    waitFor(untilText, count);
    room_.pull("foreign-" + sw, SIGKILL);
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
    LiveCeremony keygen(room, std::move(arguments), name + "-keygen");
    for (int i = 1; i <= n; ++i) {
        // Dealing a threshold RSA key searches for safe primes first: seconds to minutes.
        keygen.waitFor("Insert BLANK card " + std::to_string(i) + " of " + std::to_string(n), 1, std::chrono::seconds(300));
        keygen.offer(set.card(i), "Card " + std::to_string(i) + " of " + std::to_string(n) + " issued");
    }
    REQUIRE(keygen.exitCode() == 0);
    return set;
}

}  // namespace quorum::test
