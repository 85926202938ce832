// ceremony: the host program people and scripts use around a quorum card ceremony.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "apdu/command.hpp"
#include "apdu/response_chaining.hpp"
#include "apdu/status.hpp"
#include "host/card_info.hpp"
#include "host/pcsc.hpp"
#include "host/pcsc_channel.hpp"
#include "host/pcsc_error.hpp"
#include "host/reader_monitor.hpp"

namespace {

using namespace quorum;
using namespace quorum::host;
using std::chrono::milliseconds;

constexpr int kExitFailure = 1;

milliseconds seconds(double s) { return milliseconds(static_cast<long long>(s * 1000)); }

int listReaders() {
    PcscContext context;
    PcscReaderMonitor monitor(context);
    monitor.wait(milliseconds(0));
    const auto readers = monitor.readers();
    if (readers.empty()) {
        std::cout << "No readers. Is the reader plugged in (or card-sim's vpcd driver loaded)?\n";
        return kExitFailure;
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const auto& r = readers[i];
        std::cout << i << ": " << r.reader << "\n";
        if (r.cardPresent)
            std::cout << "   card present, ATR " << toHex(r.atr, " ")
                      << (r.inUseExclusively ? " (in exclusive use by another program)" : "")
                      << "\n";
        else
            std::cout << "   no card\n";
    }
    return 0;
}

// The reader named by the user, or the only/first reader holding a card, waiting up to `wait`.
std::string chooseReader(const PcscContext& context, const std::string& wanted, milliseconds wait) {
    PcscReaderMonitor monitor(context);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool prompted = false;
    for (;;) {
        monitor.wait(milliseconds(0));
        bool readerSeen = false;
        for (const auto& r : monitor.readers()) {
            if (!wanted.empty() && r.reader != wanted) continue;
            readerSeen = true;
            if (r.cardPresent) return r.reader;
        }
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= milliseconds(0)) {
            if (!wanted.empty() && !readerSeen)
                throw std::runtime_error("no reader named \"" + wanted +
                                         "\" (see `ceremony readers`)");
            throw std::runtime_error(wanted.empty() ? "no card in any reader: insert a card"
                                                    : "no card in reader \"" + wanted + "\": insert a card");
        }
        if (!prompted) {
            std::cerr << "Insert a card" << (wanted.empty() ? "" : " into " + wanted) << "...\n";
            prompted = true;
        }
        monitor.wait(left);
    }
}

int probe(const std::string& wantedReader, double waitSeconds) {
    PcscContext context;
    const std::string reader = chooseReader(context, wantedReader, seconds(waitSeconds));
    PcscCard card(context, reader);
    std::cout << "reader: " << reader << "\n";
    std::cout << "ATR:    " << toHex(card.atr(), " ") << "\n";
    PcscChannel raw(card);
    apdu::ResponseChainingChannel channel(raw);
    const auto select = apdu::CommandApdu::select(kQuorumAid);
    const auto answer = channel.transmit(select);
    std::cout << "SELECT: " << toHex(select.encode(), " ") << "\n";
    std::cout << "answer: " << toHex(answer.data, " ") << (answer.data.empty() ? "" : " ")
              << apdu::sw::name(answer.sw) << "\n";
    if (!answer.ok()) {
        std::cerr << "error: this card did not select the quorum application ("
                  << apdu::sw::name(answer.sw) << ")\n";
        return kExitFailure;
    }
    const CardInfo info = parseFci(answer.data);
    std::cout << "card id:   " << toHex(info.cardId) << "\n"
              << "lifecycle: " << info.lifecycleName() << "\n"
              << "format:    " << static_cast<int>(info.formatVersion) << "\n";
    return 0;
}

int watch(double timeoutSeconds, int maxEvents) {
    PcscContext context;
    PcscReaderMonitor monitor(context);
    const bool forever = timeoutSeconds <= 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds(timeoutSeconds);
    int seen = 0;
    while (maxEvents <= 0 || seen < maxEvents) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (forever) left = milliseconds(1000);
        if (!forever && left <= milliseconds(0)) break;
        for (const auto& e : monitor.wait(left)) {
            std::cout << eventName(e.kind) << ": " << e.reader;
            if (!e.atr.empty()) std::cout << " ATR " << toHex(e.atr, " ");
            std::cout << std::endl;
            ++seen;
        }
    }
    if (maxEvents > 0 && seen < maxEvents) {
        std::cerr << "error: saw " << seen << " of " << maxEvents << " events before the timeout\n";
        return kExitFailure;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ceremony: quorum smartcard ceremonies (m-of-n key custody)", "ceremony"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(QUORUM_VERSION));

    auto* readers = app.add_subcommand("readers", "List PC/SC readers, their cards and ATRs");

    std::string reader;
    double waitSeconds = 0;
    auto* probeCmd = app.add_subcommand("probe", "Select the quorum application on a card and show what it says");
    probeCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    probeCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted")
        ->check(CLI::NonNegativeNumber);

    double timeoutSeconds = 0;
    int maxEvents = 0;
    auto* watchCmd = app.add_subcommand("watch", "Print reader and card events as they happen");
    watchCmd->add_option("--timeout", timeoutSeconds, "Stop after this many seconds (default: never)")
        ->check(CLI::NonNegativeNumber);
    watchCmd->add_option("--events", maxEvents, "Stop after this many events; fail if fewer arrive")
        ->check(CLI::NonNegativeNumber);

    CLI11_PARSE(app, argc, argv);

    try {
        if (readers->parsed()) return listReaders();
        if (probeCmd->parsed()) return probe(reader, waitSeconds);
        if (watchCmd->parsed()) return watch(timeoutSeconds, maxEvents);
    } catch (const ServiceUnavailableError& e) {
        std::cerr << "error: the PC/SC service (pcscd) is not running or not reachable: start pcscd "
                     "and try again\n  (" << e.what() << ")\n";
    } catch (const CardRemovedError& e) {
        std::cerr << "error: the card was removed during the exchange; insert it again and retry\n  ("
                  << e.what() << ")\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    return kExitFailure;
}
