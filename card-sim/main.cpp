// card-sim: simulated quorum cards in vpcd virtual readers of pcscd - one card (--image), or a
// rack of many cards in many readers driven over a control socket (--rack, `card-sim ctl`).
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "card-sim/data_folder.hpp"
#include "card-sim/rack.hpp"
#include "card-sim/reader_conf.hpp"
#include "card-sim/slot_card.hpp"
#include "platform/secret_process.hpp"
#include "protocol/lifecycle.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

void logLine(const std::string& line) { std::cerr << "card-sim: " << line << std::endl; }

std::string folderOf(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

std::string stemOf(const std::string& path) {
    std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) name.resize(name.size() - 5);
    return name;
}

std::string defaultRack() {
    if (const char* rack = std::getenv("QUORUM_RACK"); rack && *rack) return rack;
    return quorum::sim::dataFolder() + "/rack";
}

// SIGTERM and SIGINT become readable bytes on a descriptor, so the serving loop can wait for them.
int stopSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    const int fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("signalfd: ") + std::strerror(errno));
    return fd;
}

// `card-sim ctl ...`: one request to a running rack; its data lines on stdout, its error on stderr.
int control(const std::string& folder, const std::vector<std::string>& words, double waitSeconds) {
    try {
        const auto lines = quorum::sim::askRack(folder, words, std::chrono::milliseconds(static_cast<long>(waitSeconds * 1000)));
        for (std::size_t i = 0; i + 1 < lines.size(); ++i) std::cout << lines[i] << "\n";
        const std::string& last = lines.back();
        if (last.rfind("error ", 0) == 0) {
            std::cerr << "card-sim ctl: " << last.substr(6) << std::endl;
            return kExitFailure;
        }
        if (last.size() > 3) std::cout << last.substr(3) << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "card-sim ctl: error: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace

int main(int argc, char** argv) {
    using namespace quorum;

    CLI::App app{
        "card-sim: simulated quorum cards in virtual PC/SC readers (vsmartcard's vpcd inside pcscd),\n"
        "so every PC/SC program sees them as cards in readers.\n"
        "  card-sim --image FILE          one card, inserted while card-sim runs (SIGTERM removes it)\n"
        "  card-sim --rack DIR            a rack: many cards (DIR/NAME.json) in many readers, inserted,\n"
        "                                 removed and pulled with `card-sim ctl` (docs/card-rack.md)\n"
        "  card-sim --reader-conf N --driver-copies DIR\n"
        "                                 the pcscd reader.conf.d entries for N readers (2 N slots)\n"
        "Slot s of the readers is vpcd port 35963 + s; slots 0 and 1 are Debian's own vpcd readers\n"
        "\"Virtual PCD 00 00\" and \"Virtual PCD 00 01\". If pcscd goes away, cards wait and are\n"
        "inserted again when it comes back.",
        "card-sim"};
    app.require_subcommand(0, 1);
    std::string imagePath;
    std::string rackFolder;
    int readers = 4;
    int readerConfCount = 0;
    std::string driverCopies;
    std::string vpcdAddress = "127.0.0.1:35963";
    int retryMs = 200;
    bool trace = false;
    bool quiet = false;
    bool info = false;
    unsigned pullAfter = 0;
    std::size_t capacity = card::kDefaultNvmCapacity;
    auto* image = app.add_option("--image", imagePath,
                   "Card image file (JSON; created on first use). Default: "
                   "DATA/cards/card-PORT.json where DATA is $QUORUM_DATA_DIR, "
                   "$XDG_DATA_HOME/quorum-cards or ~/.local/share/quorum-cards");
    auto* rack = app.add_option("--rack", rackFolder,
                                "Serve a rack of cards: the images NAME.json in this folder, the control socket "
                                "rack.sock, each card's log NAME.log")
                     ->excludes(image);
    app.add_option("--readers", readers, "With --rack: vpcd readers to serve (two slots each)")
        ->check(CLI::Range(1, 16))
        ->needs(rack)
        ->capture_default_str();
    auto* conf = app.add_option("--reader-conf", readerConfCount,
                                "Print the pcscd reader.conf.d entries for this many vpcd readers and exit")
                     ->check(CLI::Range(1, 8))
                     ->excludes(image)
                     ->excludes(rack);
    app.add_option("--driver-copies", driverCopies,
                   "With --reader-conf N > 1: the folder where each reader after the first gets its own copy "
                   "of the vpcd driver (vpcd's state is per loaded library); not inside pcscd's config folder")
        ->needs(conf);
    app.add_option("--vpcd", vpcdAddress, "vpcd to connect to (with --rack: slot 0's), HOST:PORT or [IPv6]:PORT")
        ->capture_default_str();
    app.add_option("--retry-ms", retryMs, "Milliseconds between attempts to reach vpcd")
        ->check(CLI::Range(10, 60000))
        ->capture_default_str();
    app.add_option("--nvm-capacity", capacity,
                   "Bytes of persistent memory a card has (writes beyond it answer 6A84)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20))
        ->capture_default_str();
    app.add_flag("--trace", trace,
                 "Log every command and response APDU (hex); the data of commands that carry a PIN, "
                 "PUK or share is not shown");
    app.add_flag("-q,--quiet", quiet, "Log nothing but errors");
    app.add_option("--pull-after", pullAfter,
                   "With --image: answer N command APDUs, then pull the card in the middle of the "
                   "exchange (no answer to the next one) and exit 0")
        ->excludes(rack);
    app.add_flag("--info", info,
                 "With --image: print the card id and lifecycle state of the image and exit (an image "
                 "that does not exist is created; an existing one is not written)")
        ->excludes(rack);
    app.set_version_flag("--version", std::string(QUORUM_VERSION));

    // card-sim ctl: requests to a running rack.
    auto* ctl = app.add_subcommand("ctl", "Send a request to a running rack (card-sim --rack)");
    ctl->require_subcommand(1);
    std::string ctlRack;
    double ctlWait = 5;
    ctl->add_option("--rack", ctlRack, "The rack's folder (default: $QUORUM_RACK, else DATA/rack)");
    ctl->add_option("--connect-wait", ctlWait, "Seconds to wait for a rack that is still starting")
        ->check(CLI::Range(0.0, 600.0))
        ->capture_default_str();
    std::vector<std::string> cards;
    std::string card;
    int slot = -1;
    unsigned pullCount = 0;
    std::string foreign;
    bool wait = false;
    bool cardTrace = false;
    unsigned insertPullAfter = 0;
    auto* insert = ctl->add_subcommand("insert", "Insert the cards CARD... (images RACK/CARD.json, created BLANK if new)");
    insert->add_option("CARD", cards, "Card names")->required();
    insert->add_option("--slot", slot, "Slot of the first card, the next ones after it (default: the first empty ones)")
        ->check(CLI::NonNegativeNumber);
    insert->add_flag("--trace", cardTrace, "Log this card's APDUs in RACK/CARD.log");
    insert->add_option("--pull-after", insertPullAfter, "Pull the card after N command APDUs")->check(CLI::PositiveNumber);
    insert->add_option("--foreign", foreign, "Instead: a card of another application answering this status word to every command (e.g. 6A82)");
    insert->add_flag("--wait", wait, "Answer only once pcscd has seen every card (up to 10 s)");
    auto* remove = ctl->add_subcommand("remove", "Remove the cards CARD... from their slots (their images are saved)");
    remove->add_option("CARD", cards, "Card names")->required();
    auto* pull = ctl->add_subcommand("pull", "Pull card CARD in the middle of an exchange, after N more command APDUs");
    pull->add_option("CARD", card, "Card name")->required();
    pull->add_option("--after", pullCount, "Command APDUs still answered (0: the next one is not)")->required();
    auto* list = ctl->add_subcommand("list", "Every card of the rack: slot, state, lifecycle, card id");
    auto* readerList = ctl->add_subcommand("readers", "Every slot: its vpcd port, its card, its reader name");
    auto* stop = ctl->add_subcommand("stop", "Stop the rack (every card removed, its image saved)");

    CLI11_PARSE(app, argc, argv);

    if (ctl->parsed()) {
        const std::string folder = ctlRack.empty() ? defaultRack() : ctlRack;
        std::vector<std::string> words;
        if (insert->parsed()) {
            words = {"insert"};
            words.insert(words.end(), cards.begin(), cards.end());
            if (slot >= 0) words.insert(words.end(), {"--slot", std::to_string(slot)});
            if (cardTrace) words.push_back("--trace");
            if (insertPullAfter != 0) words.insert(words.end(), {"--pull-after", std::to_string(insertPullAfter)});
            if (!foreign.empty()) words.insert(words.end(), {"--foreign", foreign});
            if (wait) words.push_back("--wait");
        } else if (remove->parsed()) {
            words = {"remove"};
            words.insert(words.end(), cards.begin(), cards.end());
        } else if (pull->parsed()) {
            words = {"pull", card, "--after", std::to_string(pullCount)};
        } else if (list->parsed()) {
            words = {"list"};
        } else if (readerList->parsed()) {
            words = {"readers"};
        } else if (stop->parsed()) {
            words = {"stop"};
        }
        return control(folder, words, ctlWait);
    }

    sim::VpcdEndpoint endpoint;
    try {
        endpoint = sim::VpcdEndpoint::parse(vpcdAddress);
    } catch (const std::invalid_argument& e) {
        logLine(std::string("error: ") + e.what());
        return kExitUsage;
    }
    if (conf->count() != 0) {
        if (readerConfCount > 1 && driverCopies.empty()) {
            logLine("error: --reader-conf " + std::to_string(readerConfCount) +
                    " needs --driver-copies DIR: each vpcd reader after the first loads its own copy of the driver");
            return kExitUsage;
        }
        try {
            sim::copyVpcdDriver(readerConfCount, driverCopies);
        } catch (const std::exception& e) {
            logLine(std::string("error: ") + e.what());
            return kExitFailure;
        }
        std::cout << sim::readerConf(readerConfCount, endpoint.port, driverCopies);
        return 0;
    }

    // The cards' PINs, PUKs, shares and keys live in this process: no core dump, no swap.
    const auto protection = platform::protectSecretProcess();
    if (!protection.note.empty() && !quiet) logLine(protection.note);

    try {
        if (info) {
            if (imagePath.empty()) throw std::runtime_error("--info needs --image");
            if (::access(imagePath.c_str(), F_OK) != 0) {
                sim::makeFolders(folderOf(imagePath));
                sim::ImageCard created(imagePath, capacity);  // a new card gets its id now
            }
            const sim::ImageSummary summary = sim::summarizeImage(imagePath);
            std::cout << "image: " << imagePath << "\ncard id: " << toHex(summary.cardId)
                      << "\nlifecycle: " << summary.lifecycle << "\n";
            return 0;
        }
        const int stopFd = stopSignals();
        sim::RackOptions options;
        options.firstSlot = endpoint;
        options.retryInterval = std::chrono::milliseconds(retryMs);
        options.nvmCapacity = capacity;
        options.trace = trace;
        options.quiet = quiet;
        if (!rackFolder.empty()) {
            options.folder = rackFolder;
            options.slots = readers * sim::kSlotsPerReader;
            sim::CardRack cardRack(options);
            if (!quiet)
                logLine("rack ready: " + std::to_string(options.slots) + " slots (vpcd ports " +
                        std::to_string(endpoint.port) + "-" + std::to_string(endpoint.port + options.slots - 1) +
                        "), cards in " + rackFolder + ", control socket " + sim::rackSocket(rackFolder));
            cardRack.run(stopFd);
            if (!quiet) logLine("rack stopped; every card image is saved");
            return 0;
        }
        if (imagePath.empty())
            imagePath = sim::dataFolder() + "/cards/card-" + std::to_string(endpoint.port) + ".json";
        sim::makeFolders(folderOf(imagePath));
        options.slots = 1;
        sim::CardRack one(options);
        sim::SlotPlug plug;
        plug.trace = trace;
        plug.pullAfterApdus = pullAfter;
        plug.log = [quiet](const std::string& line) {
            if (!quiet) logLine(line);
        };
        one.insertImage(stemOf(imagePath), imagePath, plug);
        one.run(stopFd, true);
        if (!quiet) logLine("stopped; card image " + imagePath + " is saved");
        return 0;
    } catch (const std::exception& e) {
        logLine(std::string("error: ") + e.what());
        return kExitFailure;
    }
}
