// Cards come and go in the readers a ceremony or a command watches: wait for a card not handed
// out before, let it go when done with it. One reader or several: with all the cards inserted at
// once, each is handed out once, in turn; a card is handed out again only after it was removed
// and inserted again - also to the next door of the same process (the next step of a script). If pcscd stops or restarts meanwhile, the door says so, waits for it
// to come back and goes on: what the ceremony holds (shares, partial signatures) is kept.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
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
    // Told when pcscd goes away (false) and when it is back (true).
    using ServiceListener = std::function<void(bool available)>;

    // Watches `reader` (empty: every reader); waitForCard() gives up after `timeout` (nullopt: never).
    CardDoor(std::string reader, std::optional<std::chrono::milliseconds> timeout, ServiceListener listener = {});
    // A ceremony's source: its reader, and its card timeout (0: wait for ever).
    explicit CardDoor(const CardSource& source, ServiceListener listener = {});

    // Waits until a watched reader holds a card this door has not handed out since it was
    // inserted, and returns the reader's name; `waiting` is called once if it has to wait.
    // CardWaitTimeout names what was missing: the reader itself, or a card. InterruptedError on
    // Ctrl-C.
    std::string waitForCard(const std::function<void()>& waiting = {});
    // Done with the card in `reader`: it may stay there, and is not handed out again until it is
    // removed and inserted again.
    void release(const std::string& reader);
    // After ServiceUnavailableError from a card exchange: waits until pcscd answers again.
    void awaitService();
    const PcscContext& context() const { return *context_; }

private:
    // Runs `step` (one look at the readers) until it returns true, living through pcscd restarts.
    void repeat(const std::function<bool()>& step);

    std::string reader_;
    std::optional<std::chrono::milliseconds> timeout_;
    ServiceListener listener_;
    std::unique_ptr<PcscContext> context_;
    std::unique_ptr<PcscReaderMonitor> monitor_;
};

}  // namespace quorum::host
