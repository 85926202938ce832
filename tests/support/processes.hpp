// Child processes for system tests: a private pcscd and card-sim instances.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace quorum::test {

// Fails (throws) unless this process runs in a network namespace of its own, so a test can
// never reach the machine's real pcscd. scripts/in-private-pcscd provides such a namespace.
void requirePrivateNamespace();

// A started program; the destructor kills it (SIGKILL) if it still runs.
class ChildProcess {
public:
    // Starts `argv[0]` (searched in PATH) with stdout+stderr appended to `logPath`.
    ChildProcess(std::vector<std::string> argv, const std::string& logPath);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    // Sends `signal` and waits up to `timeout` for the exit; returns the exit status as
    // waitpid reports it, or throws if it does not exit in time.
    int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
};

// Runs a command to completion and returns its exit code and combined output.
struct CommandResult {
    int exitCode;
    std::string output;
};
CommandResult runCommand(const std::string& shellCommand);

// A temporary folder removed with its content at the end of the test.
class TempFolder {
public:
    TempFolder();
    ~TempFolder();
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string readFile(const std::string& path);

}  // namespace quorum::test
