// card-sim: one simulated quorum card inserted in a vpcd virtual reader of pcscd.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "card-sim/data_folder.hpp"
#include "card-sim/vpcd_card_link.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/image_file.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

void logLine(const std::string& line) { std::cerr << "card-sim: " << line << std::endl; }

std::string folderOf(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// Holds an exclusive lock on IMAGE.lock so that two card-sims never share one card image.
int lockImage(const std::string& image) {
    const std::string lockPath = image + ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot open lock file " + lockPath + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw std::runtime_error("card image " + image +
                                 " is in use by another card-sim (lock " + lockPath + " is held)");
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace quorum;

    CLI::App app{
        "card-sim: a simulated quorum card in a virtual PC/SC reader.\n"
        "Connects to vsmartcard's vpcd driver inside pcscd, so every PC/SC program sees the card\n"
        "in reader \"Virtual PCD 00 00\" (port 35963) or \"Virtual PCD 00 01\" (port 35964).\n"
        "Starting card-sim inserts the card; SIGTERM or SIGINT removes it (image saved, exit 0).\n"
        "If pcscd goes away, card-sim waits and inserts the card again when it comes back.",
        "card-sim"};
    std::string imagePath;
    std::string vpcdAddress = "127.0.0.1:35963";
    int retryMs = 200;
    bool trace = false;
    bool quiet = false;
    bool info = false;
    unsigned pullAfter = 0;
    std::size_t capacity = card::kDefaultNvmCapacity;
    app.add_option("--image", imagePath,
                   "Card image file (JSON; created on first use). Default: "
                   "DATA/cards/card-PORT.json where DATA is $QUORUM_DATA_DIR, "
                   "$XDG_DATA_HOME/quorum-cards or ~/.local/share/quorum-cards");
    app.add_option("--vpcd", vpcdAddress, "vpcd to connect to, HOST:PORT or [IPv6]:PORT")
        ->capture_default_str();
    app.add_option("--retry-ms", retryMs, "Milliseconds between attempts to reach vpcd")
        ->check(CLI::Range(10, 60000))
        ->capture_default_str();
    app.add_option("--nvm-capacity", capacity,
                   "Bytes of persistent memory the card has (writes beyond it answer 6A84)")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20))
        ->capture_default_str();
    app.add_flag("--trace", trace,
                 "Log every command and response APDU (hex) to stderr; the data of commands "
                 "that carry a PIN or PUK is not shown");
    app.add_flag("-q,--quiet", quiet, "Log nothing but errors");
    app.add_option("--pull-after", pullAfter,
                   "Test aid: answer N command APDUs, then pull the card in the middle of the "
                   "exchange (no answer to the next one) and exit 0");
    app.add_flag("--info", info,
                 "Print the card id and lifecycle state of the image (creating it if new) and exit");
    app.set_version_flag("--version", std::string(QUORUM_VERSION));

    CLI11_PARSE(app, argc, argv);

    sim::VpcdEndpoint endpoint;
    try {
        endpoint = sim::VpcdEndpoint::parse(vpcdAddress);
    } catch (const std::invalid_argument& e) {
        logLine(std::string("error: ") + e.what());
        return kExitUsage;
    }

    // Signals become readable bytes on a descriptor, so the serving loop can wait for both.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const int stopFd = ::signalfd(-1, &stopSignals, SFD_CLOEXEC);
    if (stopFd < 0) {
        logLine(std::string("error: signalfd: ") + std::strerror(errno));
        return kExitFailure;
    }

    try {
        if (imagePath.empty())
            imagePath = sim::dataFolder() + "/cards/card-" + std::to_string(endpoint.port) + ".json";
        sim::makeFolders(folderOf(imagePath));
        const int lockFd = lockImage(imagePath);
        auto nvm = card::ImageFileNvm::open(imagePath, capacity);
        const bool existed = nvm.existedOnDisk();
        card::OpensslCoprocessor coprocessor;
        card::Card card(nvm, coprocessor);
        if (info) {
            std::cout << "image: " << imagePath << "\ncard id: " << toHex(card.cardId())
                      << "\nlifecycle: " << protocol::lifecycleName(card.lifecycle()) << "\n";
            ::close(lockFd);
            return 0;
        }
        if (!quiet)
            logLine(std::string(existed ? "loaded" : "created") + " card " + toHex(card.cardId()) +
                    " (" + protocol::lifecycleName(card.lifecycle()) + ") from " + imagePath);

        sim::VpcdCardLinkOptions options;
        options.endpoint = endpoint;
        options.retryInterval = std::chrono::milliseconds(retryMs);
        options.trace = trace;
        options.pullAfterApdus = pullAfter;
        options.log = [quiet](const std::string& line) {
            if (!quiet) logLine(line);
        };
        sim::VpcdCardLink link(card, options);
        link.run(stopFd);
        ::close(lockFd);
        if (!quiet) logLine("stopped; card image " + imagePath + " is saved");
        return 0;
    } catch (const std::exception& e) {
        logLine(std::string("error: ") + e.what());
        return kExitFailure;
    }
}
