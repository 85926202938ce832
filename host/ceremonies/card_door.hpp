// Cards come and go one at a time in the readers a ceremony or a command watches: wait for one,
// wait for it to be removed.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "host/base/error.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/reader_monitor.hpp"

namespace quorum::host {

// No card came within the time the ceremony or command was told to wait.
class CardWaitTimeout : public FatalError {
public:
    using FatalError::FatalError;
};

class CardDoor {
public:
    // Watches `reader` (empty: every reader); waitForCard() gives up after `timeout` (nullopt: never).
    CardDoor(std::string reader, std::optional<std::chrono::milliseconds> timeout);
    // A ceremony's source: its reader, and its card timeout (0: wait for ever).
    explicit CardDoor(const CardSource& source);

    // Waits until a card is in a watched reader and returns the reader's name; `waiting` is
    // called once if it has to wait. CardWaitTimeout names what was missing: the reader itself,
    // or a card.
    std::string waitForCard(const std::function<void()>& waiting = {});
    void waitForRemoval(const std::string& reader);
    const PcscContext& context() const { return context_; }

private:
    std::string reader_;
    std::optional<std::chrono::milliseconds> timeout_;
    PcscContext context_;
    PcscReaderMonitor monitor_{context_};
};

}  // namespace quorum::host
