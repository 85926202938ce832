// readers, probe, watch: what PC/SC sees, without any ceremony.
#include <chrono>
#include <iostream>

#include "apdu/status.hpp"
#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/cli/commands.hpp"
#include "host/pcsc/reader_monitor.hpp"
#include "protocol/commands.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/fci.hpp"

namespace quorum::host::cli {

namespace {

using std::chrono::milliseconds;

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
                      << (r.inUseExclusively ? " (in exclusive use by another program)" : "") << "\n";
        else
            std::cout << "   no card\n";
    }
    return 0;
}

int probe(const std::string& wantedReader, double waitSeconds) {
    CardDoor door(wantedReader, seconds(waitSeconds));
    const std::string reader = door.waitForCard(
        [&] { std::cerr << "Insert a card" << (wantedReader.empty() ? "" : " into " + wantedReader) << "...\n"; });
    ConnectedCard card(door.context(), reader);
    std::cout << "reader: " << reader << "\n";
    std::cout << "ATR:    " << toHex(card.pcsc().atr(), " ") << "\n";
    const auto select = protocol::command::select();
    const auto answer = card.link().transmit(select);
    std::cout << "SELECT: " << toHex(select.encode(), " ") << "\n";
    std::cout << "answer: " << toHex(answer.data, " ") << (answer.data.empty() ? "" : " ") << apdu::sw::name(answer.sw)
              << "\n";
    if (!answer.ok()) {
        std::cerr << "error: this card did not select the quorum application (" << apdu::sw::name(answer.sw) << ")\n";
        return kExitFailure;
    }
    try {
        const protocol::Fci info = protocol::Fci::decode(answer.data);
        std::cout << "card id:   " << toHex(info.cardId) << "\n"
                  << "lifecycle: " << info.lifecycleName() << "\n"
                  << "format:    " << static_cast<int>(info.formatVersion) << "\n";
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(e.what());
    }
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

void addReaderCommands(CLI::App& app, Commands& commands) {
    commands.add(app.add_subcommand("readers", "List PC/SC readers, their cards and ATRs"), [] { return listReaders(); },
                 Commands::Terminal::Leave);

    struct Probe {
        std::string reader;
        double wait = 0;
    };
    auto probeOptions = std::make_shared<Probe>();
    auto* probeCmd = app.add_subcommand("probe", "Select the quorum application on a card and show what it says");
    probeCmd->add_option("--reader", probeOptions->reader, "Reader name (default: the first reader holding a card)");
    probeCmd->add_option("--wait", probeOptions->wait, "Seconds to wait for a card to be inserted")
        ->check(CLI::NonNegativeNumber);
    commands.add(
        probeCmd, [probeOptions] { return probe(probeOptions->reader, probeOptions->wait); }, Commands::Terminal::Leave);

    struct Watch {
        double timeout = 0;
        int events = 0;
    };
    auto watchOptions = std::make_shared<Watch>();
    auto* watchCmd = app.add_subcommand("watch", "Print reader and card events as they happen");
    watchCmd->add_option("--timeout", watchOptions->timeout, "Stop after this many seconds (default: never)")
        ->check(CLI::NonNegativeNumber);
    watchCmd->add_option("--events", watchOptions->events, "Stop after this many events; fail if fewer arrive")
        ->check(CLI::NonNegativeNumber);
    commands.add(
        watchCmd, [watchOptions] { return watch(watchOptions->timeout, watchOptions->events); }, Commands::Terminal::Leave);
}

}  // namespace quorum::host::cli
