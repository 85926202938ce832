// Whole-file reads and new-file writes for the host's documents (certificates, keys, manifests,
// PIN files), with errors that name the file and what it was meant to hold.
#pragma once

#include <sys/types.h>

#include <string>

namespace quorum::host {

// The file's bytes; std::runtime_error "cannot read the WHAT PATH: reason" otherwise.
std::string readWholeFile(const std::string& path, const std::string& what);

// Creates PATH with `mode` - never over an existing file - writes `text` and fsyncs it;
// std::runtime_error "cannot create WHAT PATH: reason" (or write/fsync) otherwise.
void writeNewFile(const std::string& path, const std::string& text, mode_t mode,
                  const std::string& what);

}  // namespace quorum::host
