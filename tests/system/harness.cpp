#include "tests/system/harness.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "apdu/status.hpp"
#include "card-sim/reader_conf.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/errors.hpp"
#include "host/card/quorum_card.hpp"
#include "host/pcsc/reader_monitor.hpp"

namespace quorum::test {

std::string builtProgram(const std::string& name) {
    return std::string(QUORUM_BIN_DIR) + "/" + name;
}

PrivatePcscd::PrivatePcscd(const TempFolder& folder)
    : configDir_(folder.file("reader.conf.d")), logPath_(folder.file("pcscd.log")) {
    requirePrivateNamespace();
    std::filesystem::create_directories(configDir_);
    const std::string drivers = folder.file("vpcd-drivers");
    sim::copyVpcdDriver(kVpcdReaders, drivers);
    std::ofstream(configDir_ + "/vpcd") << sim::readerConf(kVpcdReaders, kVpcdPort0, drivers);
    start();
}

PrivatePcscd::~PrivatePcscd() {
    if (process_) process_->stop(SIGKILL);
}

void PrivatePcscd::start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"pcscd", "--foreground", "--config", configDir_}, logPath_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string lastSeen;
    for (;;) {
        try {
            host::PcscContext context;
            const auto readers = context.listReaders();
            if (readers.size() >= static_cast<std::size_t>(kSlots)) return;
            lastSeen = std::to_string(readers.size()) + " readers";
        } catch (const host::Error& e) {
            lastSeen = e.what();  // not up yet
        }
        if (!process_->running()) throw std::runtime_error("pcscd exited at start:\n" + log());
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("pcscd did not list the vpcd readers within 10 s (last: " +
                                     lastSeen + "); its log:\n" + log());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void PrivatePcscd::stop(int signal) {
    if (process_) process_->stop(signal);
    process_.reset();
    std::error_code ec;
    // A killed pcscd leaves its socket behind; clients must see "no service", not a stale file.
    std::filesystem::remove("/run/pcscd/pcscd.comm", ec);
}

std::vector<std::string> cardSimCommand(const std::string& image, int slot,
                                        std::vector<std::string> extraArgs) {
    std::vector<std::string> argv{builtProgram("card-sim"), "--image", image, "--vpcd",
                                  "127.0.0.1:" + std::to_string(kVpcdPort0 + slot), "--retry-ms", "20"};
    for (auto& a : extraArgs) argv.push_back(std::move(a));
    return argv;
}

void waitForCard(const std::string& reader, bool present, std::chrono::milliseconds timeout) {
    host::PcscContext context;
    host::PcscReaderMonitor monitor(context);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    monitor.wait(std::chrono::milliseconds(0));
    for (;;) {
        for (const auto& r : monitor.readers())
            if (r.reader == reader && r.cardPresent == present) return;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= std::chrono::milliseconds(0))
            throw std::runtime_error(std::string("reader ") + reader + " did not " +
                                     (present ? "get a card" : "lose its card") + " in time");
        monitor.wait(left);
    }
}

crypto::Certificate issueIdentity(apdu::CardChannel& plain, int index, const TestCeremony& ceremony) {
    host::QuorumCard card(plain);
    return card.issueIdentity(ceremony.ca, index);
}

std::unique_ptr<host::SecureChannel> openSession(apdu::CardChannel& plain,
                                                 const host::CeremonyTrust& trust,
                                                 apdu::CardChannel* below) {
    const auto selected = plain.transmit(apdu::CommandApdu::select(protocol::kApplicationId));
    if (!selected.ok() && selected.sw != apdu::sw::kSelectedFileTerminated)
        throw std::runtime_error("SELECT answered " + apdu::sw::name(selected.sw));
    return std::make_unique<host::SecureChannel>(below ? *below : plain, trust);
}

FaultyCard::FaultyCard(const std::string& fault, const std::string& image, const std::string& logPath, int slot)
    : slot_(slot) {
    auto argv = cardSimCommand(image, slot);
    argv[0] = builtProgram("card-sim-fault-" + fault);
    process_ = std::make_unique<ChildProcess>(std::move(argv), logPath);
    waitForCard(sim::readerName(slot), true);
}

FaultyCard::~FaultyCard() {
    try {
        process_->stop(SIGTERM);
        waitForCard(sim::readerName(slot_), false);
    } catch (const std::exception&) {
        // the card is gone either way; a later insertion waits for its reader
    }
}

}  // namespace quorum::test
