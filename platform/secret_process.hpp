// A process that holds secrets (PINs, shares, keys, the CA passphrase) protects them from the
// two ways they would leave it behind its back: core dumps and swap.
#pragma once

#include <string>

namespace quorum::platform {

struct SecretProcessProtection {
    bool coreDumpsOff = false;  // RLIMIT_CORE 0 and not dumpable (PR_SET_DUMPABLE 0)
    bool memoryLocked = false;  // mlockall: no page of this process goes to swap
    // One line for the person at the terminal when something could not be done, else "".
    std::string note;
};

// Call first thing in main(): sets RLIMIT_CORE to 0 (soft and hard), makes the process not
// dumpable (no core, no ptrace or /proc/PID/mem by other users, /proc/PID owned by root), and
// locks its memory (mlockall, current and future pages, as they are touched) where the process
// may: with CAP_IPC_LOCK or an unlimited RLIMIT_MEMLOCK. Under a lower limit, locking every
// future page would make later allocations fail, so it is not tried and the note says so.
// An AddressSanitizer build does not lock (ASan makes mlockall a no-op) and says so. Never
// throws: the caller shows the note and goes on.
SecretProcessProtection protectSecretProcess();

}  // namespace quorum::platform
