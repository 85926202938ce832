// Keeps one card inserted in a vpcd virtual reader: connects, answers vpcd, reconnects.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "card-sim/vpcd_protocol.hpp"
#include "firmware-model/card.hpp"

namespace quorum::sim {

struct VpcdCardLinkOptions {
    VpcdEndpoint endpoint;
    std::chrono::milliseconds retryInterval{200};  // between connection attempts
    bool trace = false;                            // log every APDU (hex) through `log`
    // Test aid: after answering this many command APDUs, the card is pulled - the next command
    // gets no answer, the connection closes and run() returns. 0: never.
    unsigned pullAfterApdus = 0;
    std::function<void(const std::string&)> log;   // one line per event; may be empty
};

class VpcdCardLink {
public:
    VpcdCardLink(card::Card& card, VpcdCardLinkOptions options);

    // Connects (and reconnects whenever vpcd closes the socket, e.g. pcscd restarting) until
    // `stopFd` becomes readable; then powers the card off, closes the socket (vpcd sees the card
    // removed) and returns. Throws only for errors that retrying cannot mend.
    void run(int stopFd);

private:
    enum class End { Disconnected, Stop };
    int connectOnce();            // a connected socket, or -1
    End serve(int fd, int stopFd);
    bool handleFrame(int fd, const Bytes& frame);  // false if the reply could not be sent
    void log(const std::string& line) const;

    card::Card& card_;
    VpcdCardLinkOptions options_;
    unsigned apdusAnswered_ = 0;
    bool pulled_ = false;
};

}  // namespace quorum::sim
