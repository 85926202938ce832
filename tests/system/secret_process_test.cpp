// Processes that hold secrets keep them out of core files and swap (issue 15, failure 13),
// checked from outside the process, through /proc, as an administrator would: `ceremony` waiting
// for the CA passphrase has a core limit of 0, is not dumpable (its /proc/PID/mem, environ and
// status belong to root, not to the user it runs as, who can then neither read its memory nor
// attach a debugger) and has its memory locked; where its user may not lock memory, it says so in
// one line and goes on.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/thrown.hpp"
#include "tests/system/harness.hpp"

using namespace quorum::test;

namespace {

// A line of /proc/PID/FILE starting with `key`, or "" (the process is gone).
std::string procLine(pid_t pid, const std::string& file, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key, 0) == 0) return line;
    return "";
}

// A copy of the built program NAME in `folder`, so that an ordinary user can run it wherever the
// build is (a build under /root is out of such a user's reach).
std::string runnableByAnyone(const TempFolder& folder, const std::string& name) {
    const std::string copy = folder.file(name);
    if (::access(copy.c_str(), X_OK) != 0) {
        REQUIRE(runCommand("cp '" + builtProgram(name) + "' '" + copy + "' && chmod 755 '" + copy + "'").exitCode == 0);
    }
    return copy;
}

bool coreLimitZero(pid_t pid) {
    std::istringstream words(procLine(pid, "limits", "Max core file size"));
    std::string max, core, file, size, soft, hard;
    words >> max >> core >> file >> size >> soft >> hard;
    return soft == "0" && hard == "0";
}

// `ceremony ca-create` started through `prefix` (setpriv, prlimit) waiting for its passphrase on
// a pipe that stays open; its pid once its main() has protected it, or a FAIL.
pid_t waitingCeremony(const TempFolder& folder, const std::string& name, const std::string& prefix) {
    const std::string dir = folder.file(name);
    REQUIRE(::mkdir(dir.c_str(), 0777) == 0);
    REQUIRE(::chmod(dir.c_str(), 0777) == 0);
    // Only echo writes to the output runCommand reads, so it returns at once.
    const auto started = runCommand("(sleep 30 </dev/null 2>/dev/null | " + prefix + " " + runnableByAnyone(folder, "ceremony") +
                                    " ca-create --ceremony " + dir + "/c --passphrase-fd 0 > " + dir +
                                    "/out 2>&1 & echo $!)");
    REQUIRE(started.exitCode == 0);
    const pid_t pid = std::stoi(started.output);
    for (int i = 0; i < 200 && !coreLimitZero(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    INFO(readFile(dir + "/out"));
    REQUIRE(coreLimitZero(pid));
    return pid;
}

}  // namespace

TEST_CASE("secrets: ceremony turns core dumps off, is not dumpable and locks its memory, seen through /proc") {
    TempFolder folder;
    REQUIRE(::chmod(folder.path().c_str(), 0755) == 0);

    // As an ordinary user (nobody) who may lock only 64 KiB.
    const pid_t user = waitingCeremony(folder, "user", "prlimit --memlock=65536:65536 setpriv --reuid=65534 "
                                                       "--regid=65534 --clear-groups");
    CHECK(procLine(user, "status", "Uid:").find("65534") != std::string::npos);
    struct stat st {};
    for (const char* file : {"mem", "environ", "status"}) {  // not dumpable: the kernel gives them to root
        CAPTURE(file);
        REQUIRE(::stat(("/proc/" + std::to_string(user) + "/" + file).c_str(), &st) == 0);
        CHECK(st.st_uid == 0);
    }
    CHECK(procLine(user, "status", "VmLck:").find(" 0 kB") != std::string::npos);
    // The note comes once the command line is read, a moment after the protection (longer under
    // a sanitizer): up to 10 s.
    for (int i = 0; i < 200 && !contains(readFile(folder.file("user/out")), "note:"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(user, SIGKILL);
    for (int i = 0; i < 100 && ::kill(user, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string note = readFile(folder.file("user/out"));
    INFO(note);
    CHECK(contains(note, "note: memory is not locked: "));
    if (!contains(note, "an AddressSanitizer build cannot lock memory"))
        CHECK(contains(note, "note: memory is not locked: this user may lock only 64 KiB (ulimit -l)"));

    // As root, who may lock: every page it touches stays in memory - but in an AddressSanitizer
    // build, where mlockall does nothing, it says that instead of claiming it.
    const pid_t root = waitingCeremony(folder, "root", "");
    const std::string locked = procLine(root, "status", "VmLck:");
    INFO(locked);
    REQUIRE(!locked.empty());
    // Nothing locked means a sanitizer build, which says so: wait for it. Otherwise no note
    // should come; half a second after the protection is time enough to have printed one.
    for (int i = 0; i < (locked.find(" 0 kB") != std::string::npos ? 200 : 10) &&
                    !contains(readFile(folder.file("root/out")), "note:");
         ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::kill(root, SIGKILL);
    for (int i = 0; i < 100 && ::kill(root, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::string rootNote = readFile(folder.file("root/out"));
    INFO(rootNote);
    if (contains(rootNote, "an AddressSanitizer build cannot lock memory")) {
        CHECK(locked.find(" 0 kB") != std::string::npos);
    } else {
        CHECK(locked.find(" 0 kB") == std::string::npos);
        CHECK(!contains(rootNote, "note:"));
    }
}

TEST_CASE("secrets: card-sim, which holds every card's PIN, PUK and share, is protected the same way") {
    TempFolder folder;
    REQUIRE(::chmod(folder.path().c_str(), 0777) == 0);
    // A rack as an ordinary user (nobody); no pcscd is needed to see how the process is kept.
    ChildProcess rack({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", runnableByAnyone(folder, "card-sim"),
                       "--rack", folder.file("rack"), "--readers", "1", "--vpcd", "127.0.0.1:1"},
                      folder.file("rack.log"));
    for (int i = 0; i < 200 && !coreLimitZero(rack.pid()); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    INFO(readFile(folder.file("rack.log")));
    CHECK(coreLimitZero(rack.pid()));
    CHECK(procLine(rack.pid(), "status", "Uid:").find("65534") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(("/proc/" + std::to_string(rack.pid()) + "/mem").c_str(), &st) == 0);
    CHECK(st.st_uid == 0);  // not dumpable: the kernel gives its memory file to root
    CHECK(rack.stop(SIGTERM) == 0);
}
