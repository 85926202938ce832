// Files that survive full disks, kills and power cuts, and inputs read within bounds.
//
// A write goes to an unnamed file in the target's folder (O_TMPFILE; a named PATH.tmp where the
// filesystem has none), is fsynced, then linked in place (a new file) or renamed over the old
// one (a replacement), and the folder is fsynced. A full disk, a kill or a power cut leaves the
// old complete file or the new complete one, never a torn or empty one; a failed write removes
// what it made. The one window is a kill between linking PATH.tmp and renaming it: a complete
// PATH.tmp stays, which the next write of PATH removes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace quorum::platform {

// A file that could not be read or written; the message names the file (as `what` and path) and
// the reason, and for a full disk what to do. error() is the errno, 0 for a refused content.
class IoError : public std::runtime_error {
public:
    IoError(const std::string& message, int error) : std::runtime_error(message), error_(error) {}
    int error() const { return error_; }

private:
    int error_;
};

enum class Existing { Refuse, Replace };

// Writes `text` as PATH with `mode`, durably and atomically as above. With Existing::Refuse an
// existing PATH is an IoError (EEXIST) and is left alone.
void writeFileAtomically(const std::string& path, const std::string& text, mode_t mode, const std::string& what,
                         Existing existing);

// The bytes of the regular file PATH, at most `maxBytes`; IoError "the WHAT PATH is not a regular
// file" (a folder, /dev/zero, a FIFO), "... has more than N bytes", or the read's errno (ENOENT
// for a missing file). The result is read into one buffer, never reallocated, so a caller that
// zeroizes it leaves no copy behind.
std::string readFileBounded(const std::string& path, std::size_t maxBytes, const std::string& what);

// The folder of PATH ("." for a bare name).
std::string folderOf(const std::string& path);

// Bytes an unprivileged user may still write in the filesystem of `folder`; IoError if unknown.
std::uint64_t freeBytes(const std::string& folder);

// What a ceremony is about to write into a folder.
struct SpaceNeed {
    std::string folder;
    std::uint64_t bytes = 0;
    std::string what;  // "the manifest", "the audit log and keygen journal"
};

// Adds up the needs per filesystem and throws IoError (ENOSPC) naming the folder, what goes
// there, the bytes needed and free, when one of them has less room than needed.
void requireFreeSpace(const std::vector<SpaceNeed>& needs);

// "No space left on device ..." advice for an errno, or "" for any other error.
std::string fullDiskAdvice(int error, const std::string& path);

}  // namespace quorum::platform
