// The terminal while a ceremony holds it. Input echo is off the whole time, so keys typed while
// no prompt is active never show (and are thrown away before the next prompt); Ctrl-C (and
// SIGTERM, SIGHUP) becomes an orderly stop: the ceremony notices it at its next step (waits for
// cards look at least twice a second; a card in the middle of an exchange finishes it), records
// it in the audit log and shows the last hash. Without a terminal (scripts), only the signals are
// taken over.
#pragma once

#include <string>

#include "host/base/error.hpp"

namespace quorum::host {

// The ceremony was stopped by a signal (Ctrl-C, SIGTERM, SIGHUP).
class InterruptedError : public FatalError {
public:
    explicit InterruptedError(int signal);
    int signal() const noexcept { return signal_; }

private:
    int signal_;
};

class Console {
public:
    // Takes over the terminal (if there is one) and the signals until destroyed. One at a time.
    Console();
    ~Console();
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    // The one console of this process, or nullptr when no ceremony holds the terminal.
    static Console* current();
    bool hasTerminal() const { return fd_ >= 0; }

    // Asks a question with echo on (after throwing away what was typed before) and returns the
    // line typed. InterruptedError on a signal; FatalError without a terminal.
    std::string ask(const std::string& question);
    // Asks until the answer is "yes" (true) or "no" (false); other answers ask again.
    bool confirm(const std::string& question);

private:
    int fd_ = -1;
};

// The signal that stopped the ceremony, or 0.
int interruptedBy();
// Throws InterruptedError when a signal has come.
void throwIfInterrupted();

}  // namespace quorum::host
