#include "host/ceremonies/card_door.hpp"

#include <map>
#include <thread>

#include "host/ceremonies/console.hpp"
#include "host/pcsc/errors.hpp"

namespace quorum::host {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kPoll(500);

// The cards this process was done with and that have not left their reader since (reader -> its
// pcsc-lite event count then). Kept across doors: a card one step of a script was done with is
// not taken by the next step until it is removed and inserted again.
std::map<std::string, unsigned>& handedOut() {
    static std::map<std::string, unsigned> cards;
    return cards;
}

std::optional<milliseconds> timeoutOf(const CardSource& source) {
    if (source.cardTimeout <= 0) return std::nullopt;
    return milliseconds(static_cast<long long>(source.cardTimeout * 1000));
}
}  // namespace

CardDoor::CardDoor(std::string reader, std::optional<milliseconds> timeout, ServiceListener listener)
    : reader_(std::move(reader)),
      timeout_(timeout),
      listener_(std::move(listener)),
      context_(std::make_unique<PcscContext>()),
      monitor_(std::make_unique<PcscReaderMonitor>(*context_)) {}

CardDoor::CardDoor(const CardSource& source, ServiceListener listener)
    : CardDoor(source.reader, timeoutOf(source), std::move(listener)) {}

void CardDoor::awaitService() {
    if (listener_) listener_(false);
    handedOut().clear();  // a new pcscd counts card events afresh
    monitor_.reset();
    context_.reset();
    for (;;) {
        throwIfInterrupted();
        try {
            auto context = std::make_unique<PcscContext>();
            context->listReaders();  // answers only once the daemon is really there
            context_ = std::move(context);
            monitor_ = std::make_unique<PcscReaderMonitor>(*context_);
            break;
        } catch (const ServiceUnavailableError&) {
            std::this_thread::sleep_for(kPoll);
        }
    }
    if (listener_) listener_(true);
}

void CardDoor::repeat(const std::function<bool()>& step) {
    for (;;) {
        throwIfInterrupted();
        try {
            if (step()) return;
        } catch (const ServiceUnavailableError&) {
            awaitService();
        }
    }
}

std::string CardDoor::waitForCard(const std::function<void()>& waiting) {
    const auto start = Clock::now();
    bool told = false;
    std::string found;
    repeat([&] {
        monitor_->wait(milliseconds(0));
        bool readerSeen = false;
        for (const auto& r : monitor_->readers()) {
            if (!reader_.empty() && r.reader != reader_) continue;
            readerSeen = true;
            const auto handed = handedOut().find(r.reader);
            if (r.cardPresent && (handed == handedOut().end() || handed->second != r.events)) {
                found = r.reader;
                handedOut().erase(r.reader);
                return true;
            }
        }
        milliseconds slice = kPoll;
        if (timeout_) {
            const auto left = *timeout_ - std::chrono::duration_cast<milliseconds>(Clock::now() - start);
            if (left <= milliseconds(0)) {
                if (!reader_.empty() && !readerSeen)
                    throw CardWaitTimeout("no reader named \"" + reader_ + "\" (see `ceremony readers`)");
                const std::string where = reader_.empty() ? "in any reader" : "in reader \"" + reader_ + "\"";
                if (*timeout_ == milliseconds(0)) throw CardWaitTimeout("no card " + where + ": insert a card");
                throw CardWaitTimeout("no card was inserted " + where + " within " +
                                      std::to_string(timeout_->count() / 1000) + " s");
            }
            slice = std::min(slice, left);
        }
        if (!told && waiting) waiting();
        told = true;
        monitor_->wait(slice);
        return false;
    });
    return found;
}

void CardDoor::release(const std::string& reader) {
    for (const auto& r : monitor_->readers())
        if (r.reader == reader && r.cardPresent) handedOut()[reader] = r.events;
}

}  // namespace quorum::host
