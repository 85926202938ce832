#include "card-sim/slot_card.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "apdu/status.hpp"
#include "protocol/lifecycle.hpp"

namespace quorum::sim {

namespace {

// An exclusive lock on IMAGE.lock, so that two simulators never serve one card image.
int lockImage(const std::string& image) {
    const std::string lockPath = image + ".lock";
    const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open lock file " + lockPath + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw std::runtime_error("card image " + image + " is in use by another card-sim (lock " + lockPath +
                                 " is held)");
    }
    return fd;
}

}  // namespace

ImageCard::ImageCard(const std::string& image, std::size_t nvmCapacity) : lockFd_(lockImage(image)) {
    try {
        nvm_ = std::make_unique<card::ImageFileNvm>(card::ImageFileNvm::open(image, nvmCapacity));
        existed_ = nvm_->existedOnDisk();
        coprocessor_ = std::make_unique<card::OpensslCoprocessor>();
        card_ = std::make_unique<card::Card>(*nvm_, *coprocessor_);
    } catch (...) {
        ::close(lockFd_);
        throw;
    }
}

ImageCard::~ImageCard() {
    card_.reset();
    ::close(lockFd_);
}

Bytes ImageCard::process(const Bytes& command) {
    try {
        return card_->process(command);
    } catch (const std::exception& e) {
        // The card could not complete (e.g. its image could not be written): nothing was
        // committed, and the reader gets a status word instead of a hung transmit.
        error_ = e.what();
        return {static_cast<std::uint8_t>(apdu::sw::kMemoryFailure >> 8),
                static_cast<std::uint8_t>(apdu::sw::kMemoryFailure & 0xFF)};
    }
}

std::string ImageCard::takeError() {
    std::string error;
    error.swap(error_);
    return error;
}

ImageSummary summarizeImage(const std::string& image) {
    const auto nvm = card::ImageFileNvm::open(image);
    ImageSummary summary;
    summary.cardId = nvm.read(card::field::kCardId).value_or(Bytes{});
    const auto lifecycle = nvm.read(card::field::kLifecycle);
    summary.lifecycle = lifecycle && lifecycle->size() == 1
                            ? protocol::describeLifecycle((*lifecycle)[0])
                            : (nvm.existedOnDisk() ? "no lifecycle" : "new");
    return summary;
}

}  // namespace quorum::sim
