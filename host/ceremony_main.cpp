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
#include "host/quorum_card.hpp"
#include "host/reader_monitor.hpp"
#include "host/secret_input.hpp"

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

// A card in a reader, spoken to through GET RESPONSE handling, as a QuorumCard.
class ConnectedCard {
public:
    ConnectedCard(const std::string& wantedReader, double waitSeconds)
        : card_(context_, chooseReader(context_, wantedReader, seconds(waitSeconds))),
          raw_(card_),
          channel_(raw_),
          quorum_(channel_) {}
    QuorumCard& quorum() { return quorum_; }
    const std::string& reader() const { return card_.reader(); }

private:
    PcscContext context_;
    PcscCard card_;
    PcscChannel raw_;
    apdu::ResponseChainingChannel channel_;
    QuorumCard quorum_;
};

// Where secrets come from: --pin-file, --pin-fd, or the terminal.
struct SecretOptions {
    std::string file;
    int fd = -1;
    std::unique_ptr<SecretReader> open() const {
        if (!file.empty()) return SecretReader::fromFile(file);
        if (fd >= 0) return SecretReader::fromFd(fd);
        return SecretReader::terminal();
    }
};

void addSecretOptions(CLI::App* command, SecretOptions& options) {
    auto* file = command->add_option(
        "--pin-file", options.file,
        "Read PINs and PUKs from this file, one per line, in the order asked (file mode 600)");
    command->add_option("--pin-fd", options.fd,
                        "Read PINs and PUKs from this open file descriptor, one per line")
        ->excludes(file);
}

std::string triesText(int left, int limit) {
    return std::to_string(left) + " of " + std::to_string(limit) + (limit == 1 ? " try" : " tries") + " left";
}

int showPinStatus(ConnectedCard& connected) {
    const CardInfo info = connected.quorum().select();
    std::cout << "card " << toHex(info.cardId) << " in " << connected.reader() << ": "
              << info.lifecycleName() << "\n";
    if (info.lifecycleName() == "BLANK") {
        std::cout << "not personalized yet: no PIN\n";
        return 0;
    }
    if (info.lifecycleName() == "PERSONALIZED") {
        // A card waiting for its transport PIN to be changed answers nothing but PIN commands.
        try {
            connected.quorum().pinStatus();
        } catch (const CardRefusedError&) {
            const auto left = connected.quorum().pinTriesLeft();
            std::cout << "PIN: " << (left ? std::to_string(*left) : std::string("?"))
                      << " tries left\nThe transport PIN must be changed before the card can be "
                         "used (ceremony pin change).\n";
            return 0;
        }
    }
    const PinStatus status = connected.quorum().pinStatus();
    std::cout << "PIN: " << triesText(status.pinTriesLeft, status.pinTryLimit)
              << (status.pinTriesLeft == 0 ? " (blocked: unblock it with the PUK)" : "") << "\n"
              << "PUK: " << triesText(status.pukTriesLeft, status.pukTryLimit) << "\n";
    if (status.changeRequired)
        std::cout << "The transport PIN must be changed before the card can be used "
                     "(ceremony pin change).\n";
    return 0;
}

int personalize(ConnectedCard& connected, const PinPolicy& policy, const SecretOptions& secrets) {
    const CardInfo info = connected.quorum().select();
    if (info.lifecycleName() != "BLANK")
        throw std::runtime_error("card " + toHex(info.cardId) + " is " + info.lifecycleName() +
                                 ": only a BLANK card can be personalized");
    auto reader = secrets.open();
    Bytes pin = reader->nextNew("Transport PIN (" + std::to_string(policy.pinMin) + "-" +
                                std::to_string(policy.pinMax) + " characters)");
    Bytes puk = reader->nextNew("PUK (" + std::to_string(policy.pukLength) + " characters)");
    connected.quorum().personalize(policy, pin, puk);
    std::cout << "card " << toHex(info.cardId) << " personalized: PIN " << policy.pinMin << "-"
              << policy.pinMax << " characters, " << policy.pinTries << " PIN tries, "
              << policy.pukTries << " PUK tries"
              << (policy.changeBeforeUse ? "; the holder must change the transport PIN first" : "")
              << "\n";
    return 0;
}

int pinCommand(ConnectedCard& connected, const std::string& action, const SecretOptions& secrets) {
    if (action == "status") return showPinStatus(connected);
    connected.quorum().select();
    auto reader = secrets.open();
    if (action == "verify") {
        connected.quorum().verifyPin(reader->next("PIN"));
        std::cout << "PIN correct.\n";
    } else if (action == "change") {
        Bytes current = reader->next("Current PIN");
        Bytes fresh = reader->nextNew("New PIN");
        connected.quorum().changePin(current, fresh);
        std::cout << "PIN changed.\n";
    } else {
        Bytes puk = reader->next("PUK");
        Bytes fresh = reader->nextNew("New PIN");
        connected.quorum().unblockPin(puk, fresh);
        std::cout << "PIN reset; the PIN try counter is full again.\n";
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

    PinPolicy policy;
    bool noPinChange = false;
    SecretOptions secrets;
    auto* personalizeCmd =
        app.add_subcommand("personalize", "Load a BLANK card: PIN policy, transport PIN and PUK");
    personalizeCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    personalizeCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted");
    personalizeCmd->add_option("--pin-min", policy.pinMin, "Shortest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    personalizeCmd->add_option("--pin-max", policy.pinMax, "Longest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    personalizeCmd->add_option("--puk-length", policy.pukLength, "PUK length")->check(CLI::Range(6, 16))->capture_default_str();
    personalizeCmd->add_option("--pin-tries", policy.pinTries, "Wrong PINs before the PIN blocks")->check(CLI::Range(1, 15))->capture_default_str();
    personalizeCmd->add_option("--puk-tries", policy.pukTries, "Wrong PUKs before the card is terminated")->check(CLI::Range(1, 15))->capture_default_str();
    personalizeCmd->add_flag("--no-pin-change", noPinChange, "Do not require the holder to change the transport PIN");
    addSecretOptions(personalizeCmd, secrets);

    std::string pinAction;
    auto* pinCmd = app.add_subcommand("pin", "The card holder's PIN: status, verify, change, unblock (with the PUK)");
    pinCmd->add_option("action", pinAction, "status | verify | change | unblock")
        ->required()
        ->check(CLI::IsMember({"status", "verify", "change", "unblock"}));
    pinCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    pinCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted");
    addSecretOptions(pinCmd, secrets);

    CLI11_PARSE(app, argc, argv);

    try {
        if (readers->parsed()) return listReaders();
        if (probeCmd->parsed()) return probe(reader, waitSeconds);
        if (watchCmd->parsed()) return watch(timeoutSeconds, maxEvents);
        if (personalizeCmd->parsed()) {
            if (policy.pinMin > policy.pinMax)
                throw std::invalid_argument("--pin-min is larger than --pin-max");
            policy.changeBeforeUse = !noPinChange;
            ConnectedCard connected(reader, waitSeconds);
            return personalize(connected, policy, secrets);
        }
        if (pinCmd->parsed()) {
            ConnectedCard connected(reader, waitSeconds);
            return pinCommand(connected, pinAction, secrets);
        }
    } catch (const WrongSecretError& e) {
        std::cerr << "error: " << e.what() << "\n";
    } catch (const PinBlockedError& e) {
        std::cerr << "error: " << e.what() << " (ceremony pin unblock)\n";
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
