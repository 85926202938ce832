#include "host/ceremonies/console.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace quorum::host {

namespace {

std::atomic<int> gSignal{0};
Console* gConsole = nullptr;
extern "C" void onSignal(int signal) { gSignal.store(signal); }

const char* signalName(int signal) {
    switch (signal) {
        case SIGINT: return "Ctrl-C (SIGINT)";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP (the terminal went away)";
        default: return "a signal";
    }
}

void writeAll(int fd, const std::string& text) {
    for (std::size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

struct termios gSaved;
bool gRestore = false;

}  // namespace

InterruptedError::InterruptedError(int signal)
    : FatalError(std::string("the ceremony was interrupted by ") + signalName(signal)), signal_(signal) {}

int interruptedBy() { return gSignal.load(); }

void throwIfInterrupted() {
    if (const int signal = gSignal.load()) throw InterruptedError(signal);
}

Console::Console() {
    if (gConsole != nullptr) throw std::logic_error("a console is held already");
    gConsole = this;
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR and sees the flag
    for (int signal : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal, &action, nullptr);
    fd_ = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    // A ceremony in the background of a shell leaves the terminal alone (touching it would stop
    // the process with SIGTTOU): it cannot ask anything there either.
    if (fd_ >= 0 && ::tcgetpgrp(fd_) != ::getpgrp()) {
        ::close(fd_);
        fd_ = -1;
    }
    if (fd_ >= 0 && ::tcgetattr(fd_, &gSaved) == 0) {
        struct termios quiet = gSaved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOCTL);
        quiet.c_lflag |= ECHONL;
        gRestore = ::tcsetattr(fd_, TCSANOW, &quiet) == 0;
    }
}

Console::~Console() {
    if (fd_ >= 0) {
        if (gRestore) ::tcsetattr(fd_, TCSANOW, &gSaved);
        gRestore = false;
        ::close(fd_);
    }
    gConsole = nullptr;
}

Console* Console::current() { return gConsole; }

std::string Console::ask(const std::string& question) {
    throwIfInterrupted();
    if (fd_ < 0) throw FatalError("there is no terminal to ask \"" + question + "\"");
    ::tcflush(fd_, TCIFLUSH);  // what was typed before the question is not its answer
    struct termios now {};
    const bool canEcho = ::tcgetattr(fd_, &now) == 0;
    struct termios loud = now;
    loud.c_lflag |= ECHO;
    if (canEcho) ::tcsetattr(fd_, TCSANOW, &loud);
    writeAll(fd_, question + " ");
    std::string line;
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(fd_, &c, 1);
        if (n < 0 && errno == EINTR) {
            if (canEcho) ::tcsetattr(fd_, TCSANOW, &now);
            throwIfInterrupted();
            continue;
        }
        if (n <= 0 || c == '\n') break;
        if (line.size() < 1024) line += c;
    }
    if (canEcho) ::tcsetattr(fd_, TCSANOW, &now);
    throwIfInterrupted();
    return line;
}

bool Console::confirm(const std::string& question) {
    for (;;) {
        std::string answer = ask(question + " Type yes or no:");
        for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        while (!answer.empty() && std::isspace(static_cast<unsigned char>(answer.back()))) answer.pop_back();
        if (answer == "yes") return true;
        if (answer == "no") return false;
    }
}

}  // namespace quorum::host
