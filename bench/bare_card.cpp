// bare_card: the fastest possible vpcd "card" - answers every APDU with one status word (9000
// unless told otherwise), nothing else. The baseline for bench/apdu_rtt: same socket options as
// card-sim, no card logic at all. (The system tests' card of another application is the rack's
// `insert --foreign SW`.)
// Usage: bare_card [PORT] [SW, 4 hex digits]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <thread>

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 35964;
    const unsigned long word = argc > 2 ? std::strtoul(argv[2], nullptr, 16) : 0x9000;
    const unsigned char atr[] = {0x3B, 0x80, 0x80, 0x01, 0x01};
    for (;;) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        unsigned char buf[65538];
        std::size_t have = 0;
        for (;;) {
            ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
            const ssize_t n = ::recv(fd, buf + have, sizeof buf - have, 0);
            if (n <= 0) break;
            have += static_cast<std::size_t>(n);
            while (have >= 2) {
                const std::size_t len = (static_cast<std::size_t>(buf[0]) << 8) | buf[1];
                if (have < 2 + len) break;
                if (len == 1 && buf[2] == 0x04) {
                    unsigned char out[2 + sizeof atr] = {0, sizeof atr};
                    std::memcpy(out + 2, atr, sizeof atr);
                    ::send(fd, out, sizeof out, MSG_NOSIGNAL);
                } else if (len > 1) {
                    const unsigned char answer[] = {0x00, 0x02, static_cast<unsigned char>(word >> 8),
                                                    static_cast<unsigned char>(word)};
                    ::send(fd, answer, sizeof answer, MSG_NOSIGNAL);
                }
                std::memmove(buf, buf + 2 + len, have - 2 - len);
                have -= 2 + len;
            }
        }
        ::close(fd);
    }
}
