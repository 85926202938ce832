// Whole-file reads and new-file writes for the host's documents (certificates, keys, manifests,
// PIN files), with errors that name the file and what it was meant to hold.
#pragma once

#include <sys/types.h>

#include <string>

#include "apdu/bytes.hpp"

namespace quorum::host {

// The file's bytes; FileError "cannot read the WHAT PATH: reason" otherwise.
std::string readWholeFile(const std::string& path, const std::string& what);

// Creates PATH with `mode` - never over an existing file - writes `text` and fsyncs it;
// FileError "cannot create WHAT PATH: reason" (or write/fsync) otherwise.
void writeNewFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what);

// Writes `text` to PATH in place of what is there (or creates it), so that a crash, a kill or a
// full disk leaves the old complete file or the new complete one, never a mix and no temporary
// file: a temporary file next to it, fsynced, renamed over it, the folder fsynced. FileError
// naming the file otherwise.
void replaceFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what);

// Overwrites PATH with zeros, fsyncs it and removes it: for files that held sealed secrets.
// Nothing happens when it does not exist.
void destroyFile(const std::string& path, const std::string& what);

// Throws UsageError "the WHAT PATH exists already" when PATH exists: for outputs that must be
// new, checked before anybody inserts a card or types a secret.
void refuseExisting(const std::string& path, const std::string& what);

// Writes (or replaces) an output file the user named; FileError otherwise.
void writeOutput(const std::string& path, const Bytes& data, const std::string& what);

}  // namespace quorum::host
