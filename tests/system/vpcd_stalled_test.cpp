// card-sim against a vpcd that stops reading (a pcscd that hangs): card-sim's answers fill the
// socket buffers and its send blocks. SIGTERM must still end it at once with its card image whole.
// The vpcd here is the test's own listening socket on a free port of the test's namespace.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sockios.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "card-sim/vpcd_protocol.hpp"
#include "crypto/primitives.hpp"
#include "firmware-model/image_file.hpp"
#include "tests/system/harness.hpp"

using namespace quorum;
using namespace quorum::test;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

// A socket that is closed when the test ends.
struct Socket {
    int fd = -1;
    explicit Socket(int descriptor) : fd(descriptor) {}
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
};

// A vpcd of the test's own: listening on 127.0.0.1, on a port the kernel picks (`port`), with a
// small receive buffer that the accepted connection inherits (card-sim's answers fill it quickly).
void listenAsVpcd(const Socket& listening, std::uint16_t& port) {
    REQUIRE(listening.fd >= 0);
    const int small = 4096;
    REQUIRE(::setsockopt(listening.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listening.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listening.fd, 1) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(listening.fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port = ntohs(address.sin_port);
}

// The connection card-sim makes to `listening`, accepted within `timeout`.
int acceptWithin(const Socket& listening, milliseconds timeout) {
    pollfd ready{listening.fd, POLLIN, 0};
    REQUIRE(::poll(&ready, 1, static_cast<int>(timeout.count())) == 1);
    return ::accept4(listening.fd, nullptr, nullptr, SOCK_CLOEXEC);
}

// Bytes this side has sent that card-sim has not taken yet.
int unsent(int fd) {
    int queued = 0;
    REQUIRE(::ioctl(fd, SIOCOUTQ, &queued) == 0);
    return queued;
}

// Bytes card-sim has handed to its socket that TCP has not delivered here yet (tx_queue in
// /proc/net/tcp of its connection to `port`): while card-sim still answers, this grows.
long cardSimUnsent(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    char remote[16];
    std::snprintf(remote, sizeof remote, ":%04X", port);
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, peer, state, queues;
        fields >> slot >> local >> peer >> state >> queues;
        if (peer.size() < 5 || peer.compare(peer.size() - 5, 5, remote) != 0) continue;
        return std::stol(queues.substr(0, queues.find(':')), nullptr, 16);
    }
    return -1;
}

// Caps the send buffers of this (private) network namespace's TCP sockets while it lives, so that
// card-sim's send blocks after some 64 KiB of answers rather than the few MB autotuning allows
// (which a sanitizer build takes tens of seconds to produce); the old setting comes back after.
class SmallSendBuffers {
public:
    SmallSendBuffers() {
        std::ifstream in(kPath);
        std::getline(in, saved_);
        write("4096 16384 65536");
    }
    ~SmallSendBuffers() { write(saved_); }

private:
    static void write(const std::string& value) { std::ofstream(kPath) << value << "\n"; }
    static constexpr const char* kPath = "/proc/sys/net/ipv4/tcp_wmem";
    std::string saved_;
};

std::string digestOf(const std::string& path) {
    const std::string content = readFile(path);
    return toHex(crypto::sha256(Bytes(content.begin(), content.end())));
}

}  // namespace

TEST_CASE("card-sim: SIGTERM ends it at once while vpcd does not read its answers, and the image stays whole") {
    requirePrivateNamespace();
    const SmallSendBuffers smallSendBuffers;
    TempFolder folder;
    const std::string image = folder.file("card.json");
    // The card is made first (it gets its id), so that its image can be compared afterwards.
    REQUIRE(runCommand(builtProgram("card-sim") + " --info --image " + image).exitCode == 0);
    const std::string digestBefore = digestOf(image);

    Socket listening(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    std::uint16_t port = 0;
    listenAsVpcd(listening, port);
    ChildProcess cardSim({builtProgram("card-sim"), "--image", image, "--vpcd", "127.0.0.1:" + std::to_string(port),
                          "--retry-ms", "20"},
                         folder.file("card-sim.log"));
    Socket vpcd(acceptWithin(listening, milliseconds(5000)));
    REQUIRE(vpcd.fd >= 0);
    // This side's own send buffer must hold the commands that pile up (kPiledUp and more), which
    // the namespace's small default no longer does.
    const int sendBuffer = 1 << 20;
    REQUIRE(::setsockopt(vpcd.fd, SOL_SOCKET, SO_SNDBUF, &sendBuffer, sizeof sendBuffer) == 0);

    // SELECTs (43-byte answers) until card-sim stops taking them: its answers fill this side's
    // receive buffer and its own send buffer (at most 64 KiB here), its send blocks, and it
    // reads no more. Commands piling up here untaken, while its own unsent answers do not grow
    // either, for half a second, show that (a slow build still answering a backlog it read
    // earlier is not blocked yet: its unsent answers grow).
    const Bytes select = sim::vpcdFrame(fromHex("00A404000BF051554F52554D4341524400"));
    Bytes burst;
    for (int i = 0; i < 256; ++i) burst.insert(burst.end(), select.begin(), select.end());
    constexpr int kPiledUp = 256 * 1024;  // far more than TCP keeps unacknowledged on its own
    const auto giveUp = Clock::now() + std::chrono::seconds(30);
    auto stillSince = Clock::now();
    int lastUnsent = -1;
    long lastAnswered = -1;
    for (;;) {
        REQUIRE_MESSAGE(Clock::now() < giveUp, "card-sim kept reading for 30 s:\n" << readFile(folder.file("card-sim.log")));
        const bool full = ::send(vpcd.fd, burst.data(), burst.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0;
        const int queued = unsent(vpcd.fd);
        const long answered = cardSimUnsent(port);
        if (queued < kPiledUp || queued != lastUnsent || answered <= 0 || answered != lastAnswered) {
            lastUnsent = queued;
            lastAnswered = answered;
            stillSince = Clock::now();
        } else if (Clock::now() - stillSince > milliseconds(500)) {
            break;
        }
        if (full) std::this_thread::sleep_for(milliseconds(10));
    }
    REQUIRE(cardSim.running());

    const auto start = Clock::now();
    const int status = cardSim.stop(SIGTERM, milliseconds(10000));
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    const std::string log = readFile(folder.file("card-sim.log"));
    INFO(log);
    CHECK(took.count() < 2000);  // milliseconds
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(log.find("stopping while vpcd was not reading; dropping the connection") != std::string::npos);

    // The image is the card it was: loadable, and to the byte what it was before.
    CHECK_NOTHROW(card::ImageFileNvm::open(image));
    CHECK(digestOf(image) == digestBefore);
}
