#include "host/ceremonies/card_door.hpp"

namespace quorum::host {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr milliseconds kPoll(500);

std::optional<milliseconds> timeoutOf(const CardSource& source) {
    if (source.cardTimeout <= 0) return std::nullopt;
    return milliseconds(static_cast<long long>(source.cardTimeout * 1000));
}
}  // namespace

CardDoor::CardDoor(std::string reader, std::optional<milliseconds> timeout)
    : reader_(std::move(reader)), timeout_(timeout) {}

CardDoor::CardDoor(const CardSource& source) : CardDoor(source.reader, timeoutOf(source)) {}

std::string CardDoor::waitForCard(const std::function<void()>& waiting) {
    const auto start = Clock::now();
    bool told = false;
    for (;;) {
        monitor_.wait(milliseconds(0));
        bool readerSeen = false;
        for (const auto& r : monitor_.readers()) {
            if (!reader_.empty() && r.reader != reader_) continue;
            readerSeen = true;
            if (r.cardPresent) return r.reader;
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
        monitor_.wait(slice);
    }
}

void CardDoor::waitForRemoval(const std::string& reader) {
    for (;;) {
        monitor_.wait(milliseconds(0));
        bool present = false;
        for (const auto& r : monitor_.readers())
            if (r.reader == reader && r.cardPresent) present = true;
        if (!present) return;
        monitor_.wait(kPoll);
    }
}

}  // namespace quorum::host
