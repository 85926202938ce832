#include "tests/support/processes.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace quorum::test {

void requirePrivateNamespace() {
    std::error_code ec;
    const auto mine = std::filesystem::read_symlink("/proc/self/ns/net", ec);
    const auto init = std::filesystem::read_symlink("/proc/1/ns/net", ec);
    if (std::getenv("QUORUM_PRIVATE_PCSCD") == nullptr || (!ec && mine == init))
        throw std::runtime_error(
            "system tests must run in a private namespace so they never touch this machine's "
            "pcscd: run them as `scripts/in-private-pcscd build/bin/system_tests` (ctest does)");
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& logPath) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0) throw std::runtime_error("cannot open " + logPath + ": " + std::strerror(errno));
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid_ == 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "cannot start %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(log);
}

ChildProcess::~ChildProcess() {
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool ChildProcess::running() {
    if (reaped_) return false;
    const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return !reaped_;
}

int ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
    if (!reaped_) ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("process " + std::to_string(pid_) + " did not exit within " +
                                     std::to_string(timeout.count()) + " ms after signal " +
                                     std::to_string(signal));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
}

CommandResult runCommand(const std::string& shellCommand) {
    const std::string full = shellCommand + " 2>&1";
    FILE* pipe = ::popen(full.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run: " + shellCommand);
    std::string output;
    std::array<char, 4096> buffer{};
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TempFolder::TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "quorum-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error(std::string("mkdtemp: ") + std::strerror(errno));
    path_ = pattern;
}

TempFolder::~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace quorum::test
