// Reader and card events from SCardGetStatusChange: readers appearing and vanishing, cards
// inserted and removed.
#pragma once

#include <winscard.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/pcsc/context.hpp"

namespace quorum::host {

struct ReaderEvent {
    enum class Kind { ReaderAdded, ReaderRemoved, CardInserted, CardRemoved };
    Kind kind;
    std::string reader;
    Bytes atr;  // for CardInserted
};
const char* eventName(ReaderEvent::Kind kind);

struct ReaderStatus {
    std::string reader;
    bool cardPresent = false;
    bool inUseExclusively = false;
    Bytes atr;
    // pcsc-lite's count of card events in this reader: a card that is removed and inserted again
    // (or swapped between two looks) comes back with another count.
    unsigned events = 0;
};

class PcscReaderMonitor {
public:
    // The monitor starts from an empty world: the first wait() reports every reader already
    // attached (ReaderAdded) and every card already inserted (CardInserted).
    explicit PcscReaderMonitor(const PcscContext& context);

    // Blocks until something changes or `timeout` passes (empty result). Throws
    // CancelledError after context.cancel(), ServiceUnavailableError if pcscd goes away.
    std::vector<ReaderEvent> wait(std::chrono::milliseconds timeout);

    // The state as of the last wait().
    std::vector<ReaderStatus> readers() const;

private:
    struct Known {
        DWORD state = SCARD_STATE_UNAWARE;
        Bytes atr;
    };
    void syncReaderList(std::vector<ReaderEvent>& events);
    void applyState(const std::string& reader, const SCARD_READERSTATE& now,
                    std::vector<ReaderEvent>& events);

    const PcscContext& context_;
    std::map<std::string, Known> known_;
};

}  // namespace quorum::host
