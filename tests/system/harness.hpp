// The real processes of a system test: a private pcscd with the vpcd driver, and card-sims.
#pragma once

#include <csignal>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/processes.hpp"

namespace quorum::test {

constexpr const char* kReader0 = "Virtual PCD 00 00";
constexpr const char* kReader1 = "Virtual PCD 00 01";
constexpr int kVpcdPort0 = 35963;

// pcscd in the foreground with a reader.conf.d of the test's own that loads vpcd.
class PrivatePcscd {
public:
    explicit PrivatePcscd(const TempFolder& folder);
    ~PrivatePcscd();
    void start();  // returns once pcscd answers and lists both vpcd readers
    void stop(int signal = SIGTERM);
    std::string log() const { return readFile(logPath_); }

private:
    std::string configDir_;
    std::string logPath_;
    std::unique_ptr<ChildProcess> process_;
};

// build/bin/card-sim holding `image`, in the reader listening on `port`.
class CardSim {
public:
    CardSim(std::string image, std::string logPath, int port = kVpcdPort0);
    // The same with more command-line options appended (e.g. {"--trace"}).
    CardSim(std::string image, std::string logPath, int port, std::vector<std::string> extraArgs);
    // SIGTERM (card removed, image saved); returns the exit status.
    int stop(int signal = SIGTERM);
    bool running() { return process_->running(); }
    std::string log() const { return readFile(logPath_); }

private:
    std::string logPath_;
    std::unique_ptr<ChildProcess> process_;
};

// Path of a program built next to the tests (build/bin/NAME).
std::string builtProgram(const std::string& name);

// Waits until `reader` reports a card (true) or no card (false); throws on timeout.
void waitForCard(const std::string& reader, bool present,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace quorum::test
