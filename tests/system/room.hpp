// The room of a system test, as the people at a ceremony see it: a private pcscd with eight vpcd
// reader slots; a rack of cards (one `card-sim --rack` process, driven over its control socket)
// whose cards are known by name (each a card image in the rack's folder) and are inserted into a
// slot and pulled; files of PINs per holder; the `ceremony` program, run to its end or running
// while people act on what its screen says.
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
    // The folder of the rack: the card images, their logs, the control socket.
    std::string rackFolder() const { return file("rack"); }

    // The image of card `card` (created by the rack the first time the card is inserted).
    std::string image(const std::string& card) const { return rackFolder() + "/" + card + ".json"; }
    // The name pcscd gives slot `slot` (0 to kSlots - 1).
    static std::string reader(int slot);

    // Card `card` goes into slot `slot`; returns once pcscd sees it. `options` are more options of
    // the rack's insert request (e.g. --pull-after 8, --trace).
    void insert(const std::string& card, int slot = 0, std::vector<std::string> options = {});
    // Cards `cards` go into slots 0, 1, ... at the same time; returns once pcscd sees them all (one
    // wait for pcscd's polling instead of one per card).
    void insertTogether(const std::vector<std::string>& cards);
    void insertTogether(const std::string& card0, const std::string& card1) { insertTogether({card0, card1}); }
    // A card that is not a quorum card goes into slot `slot`: it answers every command with `sw`
    // (6A82: it has no such application; 9000: it says yes to SELECT but sends no FCI).
    void insertForeignCard(const std::string& name, const std::string& sw, int slot = 0);
    // Card `card` is pulled; returns once its reader is empty. SIGTERM or SIGINT: taken out of the
    // rack (its image saved), returns 0. SIGKILL: a power cut - the rack is killed with every card
    // in it and started again, the other cards inserted again; returns the rack's status as
    // waitpid reports it.
    int pull(const std::string& card, int signal = SIGTERM);
    bool inserted(const std::string& card) const { return cards_.count(card) != 0; }
    // Whether card `card` is still in its slot as far as the rack knows (not pulled by
    // --pull-after, the rack alive).
    bool inSlot(const std::string& card);
    // What the rack said about card `card` (its log accumulates over insertions).
    std::string cardLog(const std::string& card) const { return readFile(rackFolder() + "/" + card + ".log"); }
    // One request to the rack (the words of `card-sim ctl`); its answer's lines. FAILs on "error".
    std::vector<std::string> rack(const std::vector<std::string>& words);

    // A file of secrets, one per line in the order they will be asked (mode 600 unless told).
    std::string secrets(const std::string& name, const std::vector<std::string>& lines, mode_t mode = 0600) const;

    // Every way below of running `ceremony` gives a command that opens this host's key
    // (withHostPassphrase) --host-passphrase-file hostPassphraseFile(), unless its arguments name
    // a host passphrase themselves (a test of a wrong one, of the terminal prompt).
    // `ceremony ARGUMENTS` (a shell word list) run to its end; stdout and stderr together.
    CommandResult ceremony(const std::string& arguments) const;
    // The same as a script runs it: without a terminal (setsid), `input` on its standard input,
    // one line each (for --pin-fd 0).
    CommandResult unattended(const std::string& arguments, const std::vector<std::string>& input = {}) const;
    // A ceremony folder `name` with its CA, under the passphrase of passphraseFile(); checks that
    // ca-create says it made it there.
    std::string createCeremony(const std::string& name) const;
    std::string passphraseFile() const { return file("passphrase"); }
    // The passphrase of the host keys the room's ceremonies write (another one than the CA's).
    std::string hostPassphraseFile() const { return file("host-passphrase"); }
    // `arguments` (the subcommand first) with --host-passphrase-file hostPassphraseFile() after the
    // subcommand when it opens or writes a host key and no host passphrase is named.
    std::string withHostPassphrase(const std::string& arguments) const;
    std::vector<std::string> withHostPassphrase(std::vector<std::string> arguments) const;

private:
    void startRack();
    // The insert request for `card` into `slot`; does not wait for pcscd.
    void put(const std::string& card, int slot, std::vector<std::string> options);

    struct Inserted {
        int slot = 0;
        std::vector<std::string> options;  // of its insert request, to insert it again after a power cut
    };
    TempFolder folder_;
    std::unique_ptr<PrivatePcscd> pcscd_;
    std::unique_ptr<ChildProcess> rack_;
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
    // A holder inserts `card` into slot 0, the ceremony works with it until the screen shows
    // `untilText` `count` times, the holder pulls it.
    void offer(const std::string& card, const std::string& untilText, int count = 1,
               std::vector<std::string> insertOptions = {});
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

// A k-of-n card set made by `ceremony keygen` on cards PREFIX1..PREFIXn, all inserted at once in
// slots 0..n-1 (one after another into slot 0 when n exceeds the slots), without PIN change: card
// i's PIN is pin(i), its PUK puk(i).
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

// A --keep-old reshare of the 2-of-3 set `old` to the 2-of-2 set `renewed` (no PIN change),
// stopped by Ctrl-C once both new cards are issued and old card 3 gave its share: checks it ends
// with status 130 and returns its screen.
std::string reshareStoppedAfterOneOldCard(Room& room, const CardSet& old, const CardSet& renewed);
// That reshare continued by `--resume` to its end: old card 3 is refused (its share was counted
// before the stop), old card 1 gives its share, the new cards take theirs. Checks it ends with 0
// and returns its screen.
std::string resumeReshareStoppedAfterOneOldCard(Room& room, const CardSet& old, const CardSet& renewed);

}  // namespace quorum::test
