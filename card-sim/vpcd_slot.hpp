// One reader slot of vpcd (the virtual reader driver inside pcscd), card side: while a card is
// plugged in, the slot keeps a connection to vpcd's port for that slot (connected = inserted,
// closed = removed), answers vpcd's frames with the card, and connects again whenever vpcd
// closes the socket (pcscd restarting). Driven by the owner's poll loop; nothing here blocks
// longer than a send to a peer that stopped reading (bounded, and cut short by the stop signal).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "card-sim/slot_card.hpp"
#include "card-sim/vpcd_frame_sorter.hpp"
#include "card-sim/vpcd_protocol.hpp"

namespace quorum::sim {

struct SlotPlug {
    SlotCard* card = nullptr;
    bool trace = false;  // log every APDU (hex); the data of commands that may carry a secret is not shown
    // After answering this many more command APDUs the card is pulled in the middle of the
    // exchange: the next command gets no answer and the connection closes. 0: never.
    unsigned pullAfterApdus = 0;
    std::function<void(const std::string&)> log;  // one line per event; may be empty
};

class VpcdSlot {
public:
    using Clock = std::chrono::steady_clock;
    enum class Event { None, Seen, Pulled, Disconnected };

    VpcdSlot(int index, VpcdEndpoint endpoint, std::chrono::milliseconds retryInterval);
    ~VpcdSlot();
    VpcdSlot(const VpcdSlot&) = delete;
    VpcdSlot& operator=(const VpcdSlot&) = delete;

    int index() const { return index_; }
    const VpcdEndpoint& endpoint() const { return endpoint_; }
    bool occupied() const { return plug_.card != nullptr; }
    bool connected() const { return fd_ >= 0; }
    // True once vpcd asked the card for its ATR or powered it since the last connection:
    // pcscd has seen the card.
    bool seen() const { return seen_; }
    int fd() const { return fd_; }
    unsigned apdusAnswered() const { return apdus_; }
    SlotPlug& plug() { return plug_; }

    // The card goes in: the slot connects now or at the next retry.
    void insert(SlotPlug plug);
    // The card comes out: powered off, the connection closed (vpcd sees the card removed).
    void remove();
    // Pull the card after `apdus` more command APDUs (0: at the next one).
    void pullAfter(unsigned apdus);

    // When not connected: one connection attempt if one is due. Returns true if it connected.
    bool tryConnect(Clock::time_point now);
    // Milliseconds until tryConnect or onTime has something to do (-1: nothing pending).
    int msUntilDue(Clock::time_point now) const;
    // Time passed: a 1-byte frame held for kControlCodeHold with nothing after it is answered as
    // the command APDU it was (vpcd_frame_sorter.hpp). `stopFd` cuts a blocked send short.
    Event onTime(Clock::time_point now, int stopFd);
    // The socket is readable: reads and answers what vpcd sent. `stopFd` cuts a blocked send short.
    Event onReadable(int stopFd);

private:
    bool send(const Bytes& frame, int stopFd);
    Event handle(const VpcdMessage& message, int stopFd);
    Event answer(const Bytes& command, int stopFd);
    void closeConnection();
    void log(const std::string& line) const;

    int index_;
    VpcdEndpoint endpoint_;
    std::chrono::milliseconds retryInterval_;
    SlotPlug plug_;
    int fd_ = -1;
    VpcdFrameParser parser_;
    VpcdFrameSorter sorter_;
    std::vector<std::uint8_t> buffer_;  // one read's bytes: a frame of up to 65535 bytes and its length
    Clock::time_point nextAttempt_{};
    bool announcedWait_ = false;
    bool seen_ = false;
    bool pullArmed_ = false;
    unsigned pullAt_ = 0;
    unsigned pullAsked_ = 0;
    unsigned apdus_ = 0;
};

}  // namespace quorum::sim
