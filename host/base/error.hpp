// The one error hierarchy of the host. Every failure the host reports on purpose is a
// host::Error, in one of two branches that tell a caller what to do next:
//
//   Error
//   +-- AttemptError   this card, this input or this attempt failed: ask for another card or
//   |                  try again (a wrong PIN, a pulled card, a card of another set, a PIN too
//   |                  short, a card that is not a quorum card)
//   +-- FatalError     the ceremony cannot go on (bad arguments, a damaged file, the HSM or the
//                      PC/SC service failing, nothing left to read a PIN from)
//
// Each type carries what its callers need (tries left, status word, card index, PC/SC code), so
// nothing is decided by parsing message text. Errors of the lower layers (apdu::ApduError,
// protocol::DecodeError, crypto's) are translated where the host meets them.
#pragma once

#include <stdexcept>
#include <string>

namespace quorum::host {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class AttemptError : public Error {
public:
    using Error::Error;
};

class FatalError : public Error {
public:
    using Error::Error;
};

// The command line asks for something impossible or unsafe (k > n, an output that exists, a
// manifest of the other scheme): the message names the argument and what to do instead.
class UsageError : public FatalError {
public:
    using FatalError::FatalError;
};

// A file could not be read, created or written; the message names the file and the reason.
class FileError : public FatalError {
public:
    using FatalError::FatalError;
};

}  // namespace quorum::host
