// One card-sim process serving many simulated cards in many vpcd reader slots. The cards are the
// images NAME.json in the rack's folder; a control socket in that folder (rack.sock, mode 0600)
// takes one request per line and answers each with zero or more lines of data and a last line
// "ok ..." or "error ..." (docs/card-rack.md). Each card keeps its own image, lock and tearing
// behaviour; a SIGKILL of the rack is a power cut of every card in it, and leaves every image whole.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card-sim/slot_card.hpp"
#include "card-sim/vpcd_slot.hpp"

namespace quorum::sim {

struct RackOptions {
    // The folder of the card images and the control socket; empty: a rack of one card with no
    // control socket (card-sim --image).
    std::string folder;
    int slots = 8;
    VpcdEndpoint firstSlot;  // slot s is vpcd at firstSlot.host, port firstSlot.port + s
    std::chrono::milliseconds retryInterval{200};
    std::size_t nvmCapacity = card::kDefaultNvmCapacity;
    bool trace = false;  // trace every card's APDUs
    bool quiet = false;  // nothing on stderr but errors
};

class CardRack {
public:
    // Creates the folder (0700) and the control socket; throws std::runtime_error when another
    // rack serves the folder or the socket cannot be made.
    explicit CardRack(RackOptions options);
    ~CardRack();
    CardRack(const CardRack&) = delete;
    CardRack& operator=(const CardRack&) = delete;

    // A request, as the words of one control line; the answer's lines, the last "ok ..." or
    // "error ...". For requests that wait (insert --wait) the answer comes from run().
    std::vector<std::string> request(const std::vector<std::string>& words);

    // The card whose image is `image` goes into slot 0 with `plug`'s options (card-sim --image).
    void insertImage(const std::string& name, const std::string& image, SlotPlug plug);

    // Serves until `stopFd` is readable or a "stop" request came (every card removed, its image
    // saved), or - with `endWhenEmpty` - until no card is left in any slot (a pulled card).
    void run(int stopFd, bool endWhenEmpty = false);

private:
    struct Inserted {
        std::unique_ptr<SlotCard> card;
        int slot = 0;
        bool foreign = false;
    };
    struct Client {
        int fd = -1;
        std::string input;
        bool waiting = false;  // its answer comes when a slot is seen (insert --wait)
    };
    struct Waiter {
        int clientFd;
        std::vector<std::string> cards;
        VpcdSlot::Clock::time_point deadline;
        std::vector<std::string> answer;
    };

    std::vector<std::string> dispatch(const std::vector<std::string>& words, int clientFd);
    std::vector<std::string> insert(const std::vector<std::string>& words, int clientFd);
    std::vector<std::string> remove(const std::vector<std::string>& words);
    std::vector<std::string> pull(const std::vector<std::string>& words);
    std::vector<std::string> list() const;
    std::vector<std::string> readers() const;
    std::optional<std::string> cardIn(int slot) const;  // the card in `slot`, if any
    void take(const std::string& name);  // out of its slot; the image is closed and unlocked
    std::string imagePath(const std::string& name) const { return options_.folder + "/" + name + ".json"; }
    std::string describeSlot(int slot) const;
    void cardLog(const std::string& name, const std::string& line) const;
    void rackLog(const std::string& line) const;

    void acceptClient();
    void serveClient(Client& client);
    void answer(int fd, const std::vector<std::string>& lines);
    void settleWaiters(bool everything);
    void onSlotEvent(VpcdSlot& slot, VpcdSlot::Event event);  // a pulled card leaves the rack

    RackOptions options_;
    std::vector<std::unique_ptr<VpcdSlot>> slots_;
    std::map<std::string, Inserted> cards_;
    int folderLock_ = -1;
    int listenFd_ = -1;
    std::string socketPath_;
    std::vector<Client> clients_;
    std::vector<Waiter> waiters_;
    bool stopRequested_ = false;
};

// A line of an answer as it is sent: a multi-line message (a parser's) joined with " / ".
std::string answerLine(const std::string& text);

// The control socket of the rack in `folder`.
std::string rackSocket(const std::string& folder);

// Sends one request (its words) to the rack in `folder` and returns its answer's lines. Waits up
// to `connectTimeout` for a rack that is still starting. Throws std::runtime_error naming the
// folder when no rack answers there.
std::vector<std::string> askRack(const std::string& folder, const std::vector<std::string>& words,
                                 std::chrono::milliseconds connectTimeout);

}  // namespace quorum::sim
