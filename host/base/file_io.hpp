// Whole-file reads and new-file writes for the host's documents (certificates, keys, manifests,
// PIN files), with errors that name the file and what it was meant to hold.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::host {

// The most bytes an input file may have unless its reader says less: documents, certificates,
// scripts, files to be signed.
constexpr std::size_t kMaxInputFileBytes = 64 * 1024 * 1024;

// The bytes of the regular file PATH, at most `maxBytes`; FileError "cannot read the WHAT PATH:
// reason" otherwise (missing, a folder or device such as /dev/zero, too large).
std::string readWholeFile(const std::string& path, const std::string& what,
                          std::size_t maxBytes = kMaxInputFileBytes);

// Creates PATH with `mode` - never over an existing file - atomically as replaceFile does: a full
// disk or a kill leaves no file, never an empty or torn one; FileError naming the file otherwise.
void writeNewFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what);

// Writes `text` to PATH in place of what is there (or creates it), so that a crash, a kill or a
// full disk leaves the old complete file or the new complete one, never a mix and no temporary
// file (platform/durable_file.hpp). FileError naming the file, and for a full disk what to do.
void replaceFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what);

// Overwrites PATH with zeros, fsyncs it and removes it: for files that held sealed secrets.
// Nothing happens when it does not exist.
void destroyFile(const std::string& path, const std::string& what);

// Throws UsageError "the WHAT PATH exists already" when PATH exists: for outputs that must be
// new, checked before anybody inserts a card or types a secret.
void refuseExisting(const std::string& path, const std::string& what);

// Removes those of `paths` that exist, and says nothing of one it cannot remove: for taking back
// the files of a step that failed after writing them.
void removeQuietly(const std::vector<std::string>& paths);

// Writes (or replaces, atomically) an output file the user named (0644); FileError otherwise.
void writeOutput(const std::string& path, const Bytes& data, const std::string& what);

}  // namespace quorum::host
