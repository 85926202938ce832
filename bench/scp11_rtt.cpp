// scp11_rtt: what SCP11a costs through PC/SC. Two simulated cards of one rack: a wrapped GET DATA
// on one (inside a session) against the same plain GET DATA on the other, interleaved; then the
// handshake (SELECT, certificate read and check, PSO, MUTUAL AUTHENTICATE) against a plain round
// trip.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apdu/command_chaining.hpp"
#include "apdu/response_chaining.hpp"
#include "crypto/certificate.hpp"
#include "crypto/primitives.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/channel.hpp"
#include "host/card/quorum_card.hpp"
#include "host/card/secure_channel.hpp"

using namespace quorum;
using Clock = std::chrono::steady_clock;

namespace {
double micros(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

struct Stack {
    host::PcscCard card;
    host::PcscChannel raw{card};
    apdu::ResponseChainingChannel responses{raw};
    apdu::CommandChainingChannel chained{responses};
    Stack(const host::PcscContext& context, const std::string& reader) : card(context, reader) {}
};
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"SCP11a cost through PC/SC: wrapped vs plain APDU, handshake vs plain APDU"};
    std::string secureReader = "Virtual PCD 00 00";
    std::string plainReader = "Virtual PCD 00 01";
    int iterations = 2000;
    int handshakes = 100;
    app.add_option("--secure-reader", secureReader, "Reader of the card used with SCP11a (BLANK)")->capture_default_str();
    app.add_option("--plain-reader", plainReader, "Reader of the card used in the clear")->capture_default_str();
    app.add_option("-n,--iterations", iterations, "Round trips per card")->capture_default_str();
    app.add_option("--handshakes", handshakes, "Handshakes timed")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        // A throwaway ceremony in memory; the secure card gets its identity from it.
        const auto ca = crypto::CeremonyCa::create("bench CA", crypto::randomBytes(crypto::kCardSetIdSize));
        auto hostKey = crypto::EcPrivateKey::generate();
        auto hostCertificate = ca.issueHost(hostKey.publicKey(), "bench host");
        const host::HostCredentials credentials{std::move(hostKey), std::move(hostCertificate)};
        const host::CeremonyTrust trust{credentials, ca.certificate(), ca.cardSetId()};

        host::PcscContext context;
        Stack secure(context, secureReader);
        Stack plain(context, plainReader);
        host::QuorumCard(secure.chained).issueIdentity(ca, 1);
        host::QuorumCard(plain.chained).select();

        // Handshakes.
        std::vector<double> handshakeMicros;
        std::unique_ptr<host::SecureChannel> session;
        for (int i = 0; i < handshakes; ++i) {
            const auto start = Clock::now();
            host::QuorumCard quorum(secure.chained, trust);
            quorum.openSecureChannel();
            handshakeMicros.push_back(micros(start, Clock::now()));
        }
        host::QuorumCard(secure.chained).select();
        session = std::make_unique<host::SecureChannel>(secure.chained, trust);

        const auto getCardId = apdu::CommandApdu::getData(0x00C1);
        std::vector<double> wrappedMicros, plainMicros;
        for (int i = 0; i < iterations + 100; ++i) {
            const auto a = Clock::now();
            const auto w = session->transmit(getCardId);
            const auto b = Clock::now();
            const auto p = plain.chained.transmit(getCardId);
            const auto c = Clock::now();
            if (!w.ok() || !p.ok()) throw std::runtime_error("GET DATA failed");
            if (i < 100) continue;  // warm-up
            wrappedMicros.push_back(micros(a, b));
            plainMicros.push_back(micros(b, c));
        }
        const double plainMedian = median(plainMicros);
        const double wrappedMedian = median(wrappedMicros);
        const double handshakeMedian = median(handshakeMicros);
        std::printf("| operation | median (us) | ratio to a plain APDU |\n|---|---:|---:|\n");
        std::printf("| plain GET DATA 00C1 (baseline) | %.1f | 1.00x |\n", plainMedian);
        std::printf("| same, wrapped in SCP11a (C-MAC, C-DEC, R-MAC, R-ENC) | %.1f | %.2fx |\n",
                    wrappedMedian, wrappedMedian / plainMedian);
        std::printf("| SCP11a handshake (SELECT, GET DATA BF21 + chain check, PSO, MUTUAL AUTH) | %.1f | %.1fx |\n",
                    handshakeMedian, handshakeMedian / plainMedian);
        std::printf("\n%d wrapped/plain round trips interleaved on two simulated cards; %d handshakes\n",
                    iterations, handshakes);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "scp11_rtt: error: " << e.what() << "\n";
        return 1;
    }
}
