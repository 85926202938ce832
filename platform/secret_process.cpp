#include "platform/secret_process.hpp"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#if defined(__SANITIZE_ADDRESS__)
#define QUORUM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUORUM_ASAN 1
#endif
#endif

namespace quorum::platform {

namespace {

// Whether the effective capabilities hold CAP_IPC_LOCK (bit 14), as /proc/self/status says.
bool mayLockWithoutLimit() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("CapEff:", 0) != 0) continue;
        try {
            const unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
            return (caps >> 14) & 1U;
        } catch (const std::exception&) {
            return false;
        }
    }
    return false;
}

}  // namespace

SecretProcessProtection protectSecretProcess() {
    SecretProcessProtection result;
    const struct rlimit noCore {0, 0};
    const bool limited = ::setrlimit(RLIMIT_CORE, &noCore) == 0;
    const bool undumpable = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
    result.coreDumpsOff = limited && undumpable;
    std::string note;
    if (!result.coreDumpsOff)
        note = std::string("core dumps could not be turned off (") + std::strerror(errno) + ")";

#ifdef QUORUM_ASAN
    // AddressSanitizer answers mlockall with success and locks nothing (its shadow memory cannot
    // be locked): say so rather than claim the pages are locked.
    note += std::string(note.empty() ? "" : "; ") +
            "memory is not locked: an AddressSanitizer build cannot lock memory, so secrets could reach swap";
    result.note = "note: " + note + ".";
    return result;
#endif
    struct rlimit memlock {};
    const bool unlimited = ::getrlimit(RLIMIT_MEMLOCK, &memlock) == 0 && memlock.rlim_cur == RLIM_INFINITY;
    if (unlimited || mayLockWithoutLimit()) {
#ifdef MCL_ONFAULT
        const int flags = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;  // pages are locked as they are touched
#else
        const int flags = MCL_CURRENT | MCL_FUTURE;
#endif
        result.memoryLocked = ::mlockall(flags) == 0;
        if (!result.memoryLocked)
            note += std::string(note.empty() ? "" : "; ") + "memory is not locked (mlockall: " + std::strerror(errno) +
                    "): secrets could reach swap";
    } else {
        note += std::string(note.empty() ? "" : "; ") + "memory is not locked: this user may lock only " +
                std::to_string(memlock.rlim_cur / 1024) +
                " KiB (ulimit -l), so secrets could reach swap; run as root, raise the limit to unlimited, or use "
                "encrypted swap or none";
    }
    if (!note.empty()) result.note = "note: " + note + ".";
    return result;
}

}  // namespace quorum::platform
