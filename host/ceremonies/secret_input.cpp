#include "host/ceremonies/secret_input.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "host/ceremonies/console.hpp"

namespace quorum::host {
namespace {

constexpr std::size_t kMaxSecret = 64;

// Reads one line from `fd` byte by byte (so nothing past it is consumed from a shared pipe).
Bytes readLine(int fd, const std::string& source) {
    Bytes line;
    for (;;) {
        std::uint8_t c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) {
            throwIfInterrupted();  // Ctrl-C at a prompt stops the ceremony
            continue;
        }
        if (n < 0) throw SecretInputError("cannot read a secret from " + source + ": " + std::strerror(errno));
        if (n == 0) {
            if (line.empty()) throw SecretInputError("no more secrets in " + source + " (end of input)");
            break;
        }
        if (c == '\n') break;
        if (line.size() == kMaxSecret)
            throw SecretInputError("a secret in " + source + " is longer than " +
                                   std::to_string(kMaxSecret) + " bytes");
        line.push_back(c);
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

class LineReader : public SecretReader {
public:
    LineReader(int fd, std::string source, bool ownsFd) : fd_(fd), source_(std::move(source)), owns_(ownsFd) {}
    ~LineReader() override {
        if (owns_) ::close(fd_);
    }
    Bytes next(const std::string&) override { return readLine(fd_, source_); }
    Bytes nextNew(const std::string& prompt) override { return next(prompt); }

private:
    int fd_;
    std::string source_;
    bool owns_;
};

class TerminalReader : public SecretReader {
public:
    explicit TerminalReader(int fd) : fd_(fd) {}
    ~TerminalReader() override { ::close(fd_); }

    Bytes next(const std::string& prompt) override {
        termios saved{};
        if (::tcgetattr(fd_, &saved) != 0)
            throw SecretInputError(std::string("cannot control the terminal: ") + std::strerror(errno));
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        // Echo off and earlier keys thrown away *before* the prompt shows: flushing after it
        // threw away what a quick typist (or a pasted line) had already answered.
        ::tcsetattr(fd_, TCSAFLUSH, &quiet);
        write(prompt + ": ");
        try {
            Bytes secret = readLine(fd_, "the terminal");
            ::tcsetattr(fd_, TCSAFLUSH, &saved);
            return secret;
        } catch (...) {
            ::tcsetattr(fd_, TCSAFLUSH, &saved);
            throw;
        }
    }

    Bytes nextNew(const std::string& prompt) override {
        for (int attempt = 0; attempt < 3; ++attempt) {
            Bytes first = next(prompt);
            Bytes again = next(prompt + " (again)");
            if (first == again) return first;
            write("The two entries differ; please enter it again.\n");
        }
        throw SecretInputError("the new secret was entered differently three times");
    }

private:
    void write(const std::string& text) {
        [[maybe_unused]] const ssize_t n = ::write(fd_, text.data(), text.size());
    }
    int fd_;
};

}  // namespace

namespace {
// "pin" for --pin-file, "passphrase" for --passphrase-file, "host-passphrase" for --host-passphrase-file.
std::string optionName(const std::string& kind) {
    std::string name;
    for (char c : kind) name += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}
}  // namespace

std::unique_ptr<SecretReader> SecretReader::terminal(const std::string& kind) {
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        throw SecretInputError("no terminal to ask for a " + kind + " (use --" + optionName(kind) + "-file or --" +
                               optionName(kind) + "-fd in scripts)");
    return std::make_unique<TerminalReader>(fd);
}

std::unique_ptr<SecretReader> SecretReader::fromFd(int fd, const std::string& kind) {
    if (::fcntl(fd, F_GETFD) < 0)
        throw SecretInputError("--" + optionName(kind) + "-fd " + std::to_string(fd) + " is not an open file descriptor");
    return std::make_unique<LineReader>(fd, "file descriptor " + std::to_string(fd), false);
}

std::unique_ptr<SecretReader> SecretReader::fromFile(const std::string& path, const std::string& kind) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw SecretInputError("cannot open " + kind + " file " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        throw SecretInputError(kind + " file " + path + " is readable by others; make it private first (chmod 600)");
    }
    return std::make_unique<LineReader>(fd, kind + " file " + path, true);
}

}  // namespace quorum::host
