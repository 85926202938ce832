// The real processes of a system test: a private pcscd with the vpcd driver, and card-sim's
// command line; PC/SC connections to a card for the tests that speak APDUs.
#pragma once

#include <csignal>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "host/card/connected_card.hpp"
#include "host/pcsc/context.hpp"
#include "host/card/secure_channel.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/processes.hpp"

namespace quorum::test {

constexpr const char* kReader0 = "Virtual PCD 00 00";
constexpr const char* kReader1 = "Virtual PCD 00 01";
constexpr int kVpcdPort0 = 35963;
constexpr int kVpcdReaders = 4;  // eight slots: a whole 3-of-7 set fits at once
constexpr int kSlots = 2 * kVpcdReaders;

// pcscd in the foreground with a reader.conf.d of the test's own that loads vpcd with
// kVpcdReaders readers (`card-sim --reader-conf`).
class PrivatePcscd {
public:
    explicit PrivatePcscd(const TempFolder& folder);
    ~PrivatePcscd();
    void start();  // returns once pcscd answers and lists every vpcd slot
    void stop(int signal = SIGTERM);
    std::string log() const { return readFile(logPath_); }

private:
    std::string configDir_;
    std::string logPath_;
    std::unique_ptr<ChildProcess> process_;
};

// Path of a program built next to the tests (build/bin/NAME).
std::string builtProgram(const std::string& name);

// Waits until `reader` reports a card (true) or no card (false); throws on timeout.
void waitForCard(const std::string& reader, bool present,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The command line of a card-sim of its own (not the room's rack) for the card in `image`, in
// slot `slot`, with more options `extraArgs` (e.g. --trace).
std::vector<std::string> cardSimCommand(const std::string& image, int slot = 0,
                                        std::vector<std::string> extraArgs = {});

// One PC/SC connection to the card in `reader`, with the host's one channel stack on it
// (host::ConnectedCard: GET RESPONSE and command chaining). A SecureChannel goes on top of link().
struct PcscStack {
    explicit PcscStack(const std::string& reader = kReader0) : connected(context, reader) {}
    host::PcscContext context;
    host::ConnectedCard connected;
    host::CardLink& link() { return connected.link(); }
    host::PcscCard& card() { return connected.pcsc(); }
};

// The card's identity as card `index` of `ceremony`, in the clear on a BLANK card: SELECT, PUT
// DATA 00C8 (CA key), GENERATE KEY 00 47 80 00, PUT DATA BF21 (the certificate the CA issues).
crypto::Certificate issueIdentity(apdu::CardChannel& plain, int index,
                                  const TestCeremony& ceremony = TestCeremony::instance());

// SELECT in the clear through `plain`, then the SCP11a handshake through `below` (`plain` itself
// unless a test puts something in between). Throws CardAuthenticationError as SecureChannel does.
std::unique_ptr<host::SecureChannel> openSession(apdu::CardChannel& plain,
                                                 const host::CeremonyTrust& trust,
                                                 apdu::CardChannel* below = nullptr);

// A card of a seeded-fault build of the card model (card-sim-fault-FAULT, firmware-model/seeded_fault.hpp)
// with the image `image`, in reader `slot` from construction (once pcscd sees it) until destruction.
class FaultyCard {
public:
    FaultyCard(const std::string& fault, const std::string& image, const std::string& logPath, int slot = 0);
    ~FaultyCard();
    FaultyCard(const FaultyCard&) = delete;
    FaultyCard& operator=(const FaultyCard&) = delete;

private:
    std::unique_ptr<ChildProcess> process_;
    int slot_;
};

}  // namespace quorum::test
