#include "card-sim/vpcd_card_link.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "apdu/status.hpp"
#include "protocol/commands.hpp"

namespace quorum::sim {
namespace {

// Linux clears TCP_QUICKACK after use, so it is set again before every read (see VPCD.md:
// vpcd sends length and body separately, and a delayed ACK would cost ~40 ms per APDU).
void quickAck(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

bool sendAll(int fd, const Bytes& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

VpcdCardLink::VpcdCardLink(card::Card& card, VpcdCardLinkOptions options)
    : card_(card), options_(std::move(options)) {}

void VpcdCardLink::log(const std::string& line) const {
    if (options_.log) options_.log(line);
}

int VpcdCardLink::connectOnce() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(options_.endpoint.port);
    const int rc = ::getaddrinfo(options_.endpoint.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0)
        throw std::runtime_error("cannot resolve vpcd host \"" + options_.endpoint.host +
                                 "\": " + ::gai_strerror(rc));
    int fd = -1;
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

void VpcdCardLink::run(int stopFd) {
    bool announcedWait = false;
    for (;;) {
        const int fd = connectOnce();
        if (fd < 0) {
            if (!announcedWait) {
                log("waiting for vpcd at " + options_.endpoint.str() + " (is pcscd running?)");
                announcedWait = true;
            }
            pollfd stop{stopFd, POLLIN, 0};
            const int ready = ::poll(&stop, 1, static_cast<int>(options_.retryInterval.count()));
            if (ready > 0) return;
            continue;
        }
        announcedWait = false;
        log("card inserted: connected to vpcd at " + options_.endpoint.str());
        const End end = serve(fd, stopFd);
        card_.powerOff();
        ::close(fd);
        if (end == End::Stop) {
            log("card removed: disconnected from vpcd");
            return;
        }
        log("vpcd closed the connection; reconnecting");
    }
}

VpcdCardLink::End VpcdCardLink::serve(int fd, int stopFd) {
    VpcdFrameParser parser;
    std::array<std::uint8_t, 65536 + 2> buffer{};
    for (;;) {
        quickAck(fd);
        pollfd fds[2] = {{fd, POLLIN, 0}, {stopFd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
        }
        if (fds[1].revents != 0) return End::Stop;
        if (fds[0].revents == 0) continue;
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return End::Disconnected;
        parser.feed(buffer.data(), static_cast<std::size_t>(n));
        while (auto frame = parser.next()) {
            if (!handleFrame(fd, *frame)) return pulled_ ? End::Stop : End::Disconnected;
        }
    }
}

bool VpcdCardLink::handleFrame(int fd, const Bytes& frame) {
    if (frame.empty()) return true;
    if (frame.size() == 1) {
        switch (frame[0]) {
            case vpcd::kPowerOff: card_.powerOff(); return true;
            case vpcd::kPowerOn: card_.powerOn(); return true;
            case vpcd::kReset: card_.reset(); return true;
            case vpcd::kGetAtr: return sendAll(fd, vpcdFrame(card::Card::atr()));
            default:
                log("ignoring unknown vpcd control code " + toHex(frame));
                return true;
        }
    }
    if (options_.pullAfterApdus != 0 && apdusAnswered_ == options_.pullAfterApdus) {
        log("pulling the card in the middle of the exchange (--pull-after " +
            std::to_string(options_.pullAfterApdus) + ")");
        pulled_ = true;
        return false;
    }
    ++apdusAnswered_;
    if (options_.trace) {
        // PINs and PUKs are never written anywhere: such commands are traced by header only.
        if (protocol::commandCarriesSecret(frame))
            log("> " + toHex(frame.data(), 4, " ") + " [" + std::to_string(frame.size() - 4) +
                " more bytes not shown: they may hold a secret]");
        else
            log("> " + toHex(frame, " "));
    }
    Bytes response;
    try {
        response = card_.process(frame);
    } catch (const std::exception& e) {
        // The card could not complete (e.g. its image could not be written): nothing was
        // committed, and the reader gets a status word instead of a hung transmit.
        log(std::string("card error: ") + e.what());
        response = {static_cast<std::uint8_t>(apdu::sw::kMemoryFailure >> 8),
                    static_cast<std::uint8_t>(apdu::sw::kMemoryFailure & 0xFF)};
    }
    if (options_.trace) log("< " + toHex(response, " "));
    return sendAll(fd, vpcdFrame(response));
}

}  // namespace quorum::sim
