#include "card-sim/vpcd_slot.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "protocol/commands.hpp"

namespace quorum::sim {

namespace {

// A send to vpcd that cannot complete within this time (pcscd stopped reading) drops the
// connection instead of holding every other slot and the stop signal hostage.
constexpr int kSendTimeoutMs = 5000;

// Linux clears TCP_QUICKACK after use, so it is set again before every read (vpcd sends length
// and body separately, and a delayed ACK would cost ~40 ms per APDU).
void quickAck(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

VpcdSlot::VpcdSlot(int index, VpcdEndpoint endpoint, std::chrono::milliseconds retryInterval)
    : index_(index), endpoint_(std::move(endpoint)), retryInterval_(retryInterval), buffer_(65536 + 2) {}

VpcdSlot::~VpcdSlot() { closeConnection(); }

void VpcdSlot::log(const std::string& line) const {
    if (plug_.log) plug_.log(line);
}

void VpcdSlot::insert(SlotPlug plug) {
    remove();
    plug_ = std::move(plug);
    apdus_ = 0;
    pullArmed_ = false;
    if (plug_.pullAfterApdus != 0) pullAfter(plug_.pullAfterApdus);
    nextAttempt_ = Clock::time_point{};
    announcedWait_ = false;
}

void VpcdSlot::remove() {
    if (plug_.card != nullptr) plug_.card->powerOff();
    closeConnection();
    plug_ = SlotPlug{};
}

void VpcdSlot::pullAfter(unsigned apdus) {
    pullArmed_ = true;
    pullAsked_ = apdus;
    pullAt_ = apdus_ + apdus;
}

void VpcdSlot::closeConnection() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    seen_ = false;
    parser_ = VpcdFrameParser{};
    sorter_.clear();
}

int VpcdSlot::msUntilDue(Clock::time_point now) const {
    if (!occupied()) return -1;
    if (connected()) return sorter_.msUntilExpiry(now);
    if (now >= nextAttempt_) return 0;
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(nextAttempt_ - now).count()) + 1;
}

VpcdSlot::Event VpcdSlot::onTime(Clock::time_point now, int stopFd) {
    if (!connected()) return Event::None;
    const auto command = sorter_.expire(now);
    if (!command) return Event::None;
    log("1-byte frame " + toHex(command->command) + " with nothing after it for " +
        std::to_string(kControlCodeHold.count() / 1000) + " s: a command APDU, not a vpcd control code");
    return handle(*command, stopFd);
}

bool VpcdSlot::tryConnect(Clock::time_point now) {
    if (!occupied() || connected() || now < nextAttempt_) return false;
    nextAttempt_ = now + retryInterval_;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(endpoint_.port);
    const int rc = ::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0)
        throw std::runtime_error("cannot resolve vpcd host \"" + endpoint_.host + "\": " + ::gai_strerror(rc));
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
    if (fd < 0) {
        if (!announcedWait_) log("waiting for vpcd at " + endpoint_.str() + " (is pcscd running with this reader?)");
        announcedWait_ = true;
        return false;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fd_ = fd;
    announcedWait_ = false;
    log("card inserted: connected to vpcd at " + endpoint_.str());
    quickAck(fd_);
    return true;
}

VpcdSlot::Event VpcdSlot::onReadable(int stopFd) {
    const ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) return Event::None;
    if (n <= 0) {
        plug_.card->powerOff();
        closeConnection();
        log("vpcd closed the connection; connecting again");
        return Event::Disconnected;
    }
    parser_.feed(buffer_.data(), static_cast<std::size_t>(n));
    Event result = Event::None;
    while (auto frame = parser_.next()) {
        for (const auto& message : sorter_.sort(*frame, Clock::now())) {
            const Event event = handle(message, stopFd);
            if (event == Event::Pulled || event == Event::Disconnected) return event;
            if (event == Event::Seen) result = Event::Seen;
        }
    }
    if (fd_ >= 0) quickAck(fd_);
    return result;
}

VpcdSlot::Event VpcdSlot::handle(const VpcdMessage& message, int stopFd) {
    SlotCard& card = *plug_.card;
    const bool firstLook = !seen_;
    switch (message.kind) {
        case VpcdMessage::Kind::PowerOff: card.powerOff(); return Event::None;
        case VpcdMessage::Kind::PowerOn: card.powerOn(); seen_ = true; break;
        case VpcdMessage::Kind::Reset: card.reset(); return Event::None;
        case VpcdMessage::Kind::GetAtr:
            seen_ = true;
            if (!send(vpcdFrame(card.atr()), stopFd)) return Event::Disconnected;
            break;
        case VpcdMessage::Kind::Command: return answer(message.command, stopFd);
    }
    return firstLook && seen_ ? Event::Seen : Event::None;
}

VpcdSlot::Event VpcdSlot::answer(const Bytes& command, int stopFd) {
    SlotCard& card = *plug_.card;
    if (pullArmed_ && apdus_ == pullAt_) {
        log("pulling the card in the middle of the exchange (after " + std::to_string(pullAsked_) +
            " more command APDUs, as asked)");
        card.powerOff();
        closeConnection();
        return Event::Pulled;
    }
    ++apdus_;
    if (plug_.trace) {
        // PINs and PUKs are never written anywhere: such commands are traced by header only.
        if (protocol::commandCarriesSecret(command))
            log("> " + toHex(command.data(), std::min<std::size_t>(4, command.size()), " ") + " [" +
                std::to_string(command.size() > 4 ? command.size() - 4 : 0) + " more bytes not shown: they may hold a secret]");
        else
            log("> " + toHex(command, " "));
    }
    const Bytes response = card.process(command);
    if (plug_.trace) log("< " + toHex(response, " "));
    return send(vpcdFrame(response), stopFd) ? Event::None : Event::Disconnected;
}

bool VpcdSlot::send(const Bytes& frame, int stopFd) {
    std::size_t done = 0;
    while (done < frame.size()) {
        const ssize_t n = ::send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd fds[2] = {{fd_, POLLOUT, 0}, {stopFd, POLLIN, 0}};
            const int ready = ::poll(fds, stopFd >= 0 ? 2 : 1, kSendTimeoutMs);
            if (ready > 0 && (fds[0].revents & POLLOUT) != 0) continue;
            if (ready < 0 && errno == EINTR) continue;
            log(ready == 0 ? "vpcd did not take the answer within 5 s; dropping the connection"
                           : "stopping while vpcd was not reading; dropping the connection");
        }
        plug_.card->powerOff();
        closeConnection();
        return false;
    }
    return true;
}

}  // namespace quorum::sim
