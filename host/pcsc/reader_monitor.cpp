#include "host/pcsc/reader_monitor.hpp"

#include <algorithm>
#include <thread>

#include "host/pcsc/errors.hpp"

namespace quorum::host {
namespace {

// pcsc-lite's pseudo reader that wakes SCardGetStatusChange when readers come and go.
constexpr const char* kPnpReader = "\\\\?PnP?\\Notification";
// pcscd's own polling of readers is a few hundred ms; a wait never sleeps longer than this
// between re-reading the reader list, in case the PnP notification is not delivered.
constexpr std::chrono::milliseconds kSlice{1000};

bool present(DWORD state) {
    return (state & SCARD_STATE_PRESENT) != 0 && (state & SCARD_STATE_MUTE) == 0;
}
DWORD eventCount(DWORD state) { return state >> 16; }  // pcsc-lite: card events on this reader

}  // namespace

const char* eventName(ReaderEvent::Kind kind) {
    switch (kind) {
        case ReaderEvent::Kind::ReaderAdded: return "reader added";
        case ReaderEvent::Kind::ReaderRemoved: return "reader removed";
        case ReaderEvent::Kind::CardInserted: return "card inserted";
        case ReaderEvent::Kind::CardRemoved: return "card removed";
    }
    return "unknown";
}

PcscReaderMonitor::PcscReaderMonitor(const PcscContext& context) : context_(context) {}

void PcscReaderMonitor::syncReaderList(std::vector<ReaderEvent>& events) {
    const auto names = context_.listReaders();
    for (auto it = known_.begin(); it != known_.end();) {
        if (std::find(names.begin(), names.end(), it->first) != names.end()) {
            ++it;
            continue;
        }
        if (present(it->second.state))
            events.push_back({ReaderEvent::Kind::CardRemoved, it->first, {}});
        events.push_back({ReaderEvent::Kind::ReaderRemoved, it->first, {}});
        it = known_.erase(it);
    }
    for (const auto& name : names) {
        if (known_.count(name)) continue;
        known_[name] = Known{};
        events.push_back({ReaderEvent::Kind::ReaderAdded, name, {}});
    }
}

void PcscReaderMonitor::applyState(const std::string& reader, const SCARD_READERSTATE& now,
                                   std::vector<ReaderEvent>& events) {
    Known& known = known_[reader];
    const DWORD state = now.dwEventState & ~SCARD_STATE_CHANGED;
    const bool was = present(known.state);
    const bool is = present(state);
    Bytes atr(now.rgbAtr, now.rgbAtr + std::min<DWORD>(now.cbAtr, sizeof now.rgbAtr));
    // Same presence but a new event count: the card was swapped between two looks.
    const bool swapped = was && is && known.state != SCARD_STATE_UNAWARE &&
                         eventCount(known.state) != eventCount(state);
    if ((was && !is) || swapped) events.push_back({ReaderEvent::Kind::CardRemoved, reader, {}});
    if ((!was && is) || swapped) events.push_back({ReaderEvent::Kind::CardInserted, reader, atr});
    known.state = state;
    known.atr = is ? atr : Bytes{};
}

std::vector<ReaderEvent> PcscReaderMonitor::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::vector<ReaderEvent> events;
        syncReaderList(events);

        std::vector<std::string> names;
        std::vector<SCARD_READERSTATE> states;
        for (const auto& [name, known] : known_) {
            names.push_back(name);
            SCARD_READERSTATE s{};
            s.dwCurrentState = known.state;
            states.push_back(s);
        }
        SCARD_READERSTATE pnp{};
        pnp.szReader = kPnpReader;
        pnp.dwCurrentState = static_cast<DWORD>(known_.size() << 16);
        states.push_back(pnp);
        for (std::size_t i = 0; i < names.size(); ++i) states[i].szReader = names[i].c_str();

        // With events already found, only look (timeout 0) so they are reported at once.
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const auto slice = events.empty() ? std::clamp(left, std::chrono::milliseconds(0), kSlice)
                                          : std::chrono::milliseconds(0);
        const LONG rc = SCardGetStatusChange(context_.handle(), static_cast<DWORD>(slice.count()),
                                             states.data(), static_cast<DWORD>(states.size()));
        if (rc == SCARD_S_SUCCESS) {
            for (std::size_t i = 0; i < names.size(); ++i) {
                if ((states[i].dwEventState & SCARD_STATE_CHANGED) == 0 &&
                    known_[names[i]].state != SCARD_STATE_UNAWARE)
                    continue;
                if (states[i].dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
                    continue;  // the reader is going away: the next list sync reports it
                applyState(names[i], states[i], events);
            }
        } else if (rc != SCARD_E_TIMEOUT && rc != SCARD_E_UNKNOWN_READER &&
                   rc != SCARD_E_READER_UNAVAILABLE && rc != SCARD_E_NO_READERS_AVAILABLE) {
            throwPcscError("SCardGetStatusChange", rc);
        } else if (events.empty()) {
            // The reader list changed under us: look again shortly rather than spin.
            std::this_thread::sleep_for(std::min(slice, std::chrono::milliseconds(50)));
        }
        if (!events.empty()) return events;
        if (std::chrono::steady_clock::now() >= deadline) return {};
    }
}

std::vector<ReaderStatus> PcscReaderMonitor::readers() const {
    std::vector<ReaderStatus> out;
    for (const auto& [name, known] : known_)
        out.push_back({name, present(known.state), (known.state & SCARD_STATE_EXCLUSIVE) != 0,
                       known.atr, static_cast<unsigned>(eventCount(known.state))});
    return out;
}

}  // namespace quorum::host
