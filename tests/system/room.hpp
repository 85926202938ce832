// The room of a system test, as the people at a ceremony see it: a private pcscd with the two
// vpcd readers; cards known by name (each a card image in the room's folder) that are inserted
// into a reader and pulled; files of PINs per holder; the `ceremony` program, run to its end or
// running while people act on what its screen says.
#pragma once

#include <doctest/doctest.h>

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/processes.hpp"
#include "tests/system/harness.hpp"

namespace quorum::test {

class Room {
public:
    Room();
    ~Room();
    Room(const Room&) = delete;
    Room& operator=(const Room&) = delete;

    // A path in the room's folder.
    std::string file(const std::string& name) const { return folder_.file(name); }
    const TempFolder& folder() const { return folder_; }
    PrivatePcscd& pcscd() { return *pcscd_; }

    // The image of card `card` (created by card-sim the first time the card is inserted).
    std::string image(const std::string& card) const { return file(card + ".json"); }
    // The name pcscd gives reader `slot` (0 or 1).
    static std::string reader(int slot) { return slot == 0 ? kReader0 : kReader1; }

    // Card `card` goes into reader `slot`; returns once pcscd sees it. `cardSimArgs` are more
    // card-sim options (e.g. --pull-after 8, --trace).
    void insert(const std::string& card, int slot = 0, std::vector<std::string> cardSimArgs = {});
    // Card `card0` goes into reader 0 and card `card1` into reader 1 at the same time; returns once
    // pcscd sees both (one wait for pcscd's polling instead of two).
    void insertTogether(const std::string& card0, const std::string& card1);
    // A card that is not a quorum card goes into reader `slot`: it answers every command with `sw`
    // (6A82: it has no such application; 9000: it says yes to SELECT but sends no FCI).
    void insertForeignCard(const std::string& name, const std::string& sw, int slot = 0);
    // Card `card` is pulled (card-sim ends: SIGTERM saves the image, SIGKILL is a power cut);
    // returns card-sim's exit status once the reader is empty.
    int pull(const std::string& card, int signal = SIGTERM);
    bool inserted(const std::string& card) const { return cards_.count(card) != 0; }
    // Whether the card-sim of inserted card `card` still runs (it has not ended on its own).
    bool cardSimRunning(const std::string& card);
    // What card-sim said about card `card` (its log accumulates over insertions).
    std::string cardLog(const std::string& card) const { return readFile(file(card + ".log")); }

    // A file of secrets, one per line in the order they will be asked (mode 600 unless told).
    std::string secrets(const std::string& name, const std::vector<std::string>& lines, mode_t mode = 0600) const;

    // `ceremony ARGUMENTS` (a shell word list) run to its end; stdout and stderr together.
    CommandResult ceremony(const std::string& arguments) const;
    // The same as a script runs it: without a terminal (setsid), `input` on its standard input,
    // one line each (for --pin-fd 0).
    CommandResult unattended(const std::string& arguments, const std::vector<std::string>& input = {}) const;
    // A ceremony folder `name` with its CA, under the passphrase of passphraseFile(); checks that
    // ca-create says it made it there.
    std::string createCeremony(const std::string& name) const;
    std::string passphraseFile() const { return file("passphrase"); }

private:
    // The program ARGV, the card `card` in reader `slot`, is started; its output goes to CARD.log.
    void start(const std::string& card, int slot, std::vector<std::string> argv);

    struct Inserted {
        std::unique_ptr<ChildProcess> process;
        int slot = 0;
    };
    TempFolder folder_;
    std::unique_ptr<PrivatePcscd> pcscd_;
    std::map<std::string, Inserted> cards_;
};

// What a person at a ceremony's terminal types: once the screen shows `after` (past where the
// previous one found its text), the keys `keys` ("yes\n"; "\x03" is Ctrl-C).
struct Typing {
    std::string after;
    std::string keys;
};

// A `ceremony` program that runs while the people in the room act on what its screen says.
class LiveCeremony {
public:
    // Starts `ceremony ARGUMENTS...` without a terminal of its own; its screen is the room's file
    // NAME.out.
    LiveCeremony(Room& room, std::vector<std::string> arguments, const std::string& name);
    // The same at a terminal of its own (tests/system/pty_session.py), where `typing` is typed in
    // order; the screen is what the terminal shows. process().stop(SIGINT) types Ctrl-C there.
    LiveCeremony(Room& room, std::vector<std::string> arguments, const std::string& name,
                 const std::vector<Typing>& typing);

    // Waits until the screen shows `text` at least `count` times; FAILs if the program ends first
    // or `timeout` passes.
    void waitFor(const std::string& text, int count = 1, std::chrono::seconds timeout = std::chrono::seconds(30));
    // A holder inserts `card` into reader 0, the ceremony works with it until the screen shows
    // `untilText` `count` times, the holder pulls it.
    void offer(const std::string& card, const std::string& untilText, int count = 1,
               std::vector<std::string> cardSimArgs = {});
    // The same with a card that is not a quorum card (Room::insertForeignCard).
    void offerForeign(const std::string& sw, const std::string& untilText, int count = 1);
    // Waits for the program's end and returns its exit code; FAILs if it does not end in time or
    // dies of a signal.
    int exitCode(std::chrono::seconds timeout = std::chrono::seconds(60));
    std::string screen() const { return readFile(screenPath_); }
    ChildProcess& process() { return *process_; }

private:
    Room& room_;
    std::string screenPath_;
    std::unique_ptr<ChildProcess> process_;
};

// A k-of-n card set made by `ceremony keygen` on cards PREFIX1..PREFIXn, inserted one after
// another into reader 0, without PIN change: card i's PIN is pin(i), its PUK puk(i).
struct CardSet {
    std::string ceremonyDir;
    std::string manifest;
    std::string prefix;
    int k = 0;
    int n = 0;
    std::string card(int i) const { return prefix + std::to_string(i); }
    static std::string pin(int i) { return "12345" + std::to_string(i); }
    static std::string puk(int i) { return "8765432" + std::to_string(i); }
};
// `scheme` is shamir or shoup; `extra` more keygen options.
CardSet makeCardSet(Room& room, const std::string& name, int k, int n, const std::string& scheme = "shamir",
                    std::vector<std::string> extra = {});

}  // namespace quorum::test
