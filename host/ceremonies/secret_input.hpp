// Where PINs and PUKs come from: the terminal without echo, or - for scripts and tests - a file
// descriptor or a file, one secret per line. Never the command line (it shows in `ps`).
#pragma once

#include <memory>
#include <string>

#include "apdu/bytes.hpp"
#include "host/base/error.hpp"

namespace quorum::host {

class SecretInputError : public FatalError {
public:
    using FatalError::FatalError;
};

class SecretReader {
public:
    // What is read ("PIN": errors speak of a PIN file and --pin-fd; "passphrase": of a
    // passphrase file and --passphrase-fd).
    // Prompts on /dev/tty and reads with echo off.
    static std::unique_ptr<SecretReader> terminal(const std::string& kind = "PIN");
    // Reads lines from an open descriptor (e.g. a pipe: --pin-fd 3).
    static std::unique_ptr<SecretReader> fromFd(int fd, const std::string& kind = "PIN");
    // Reads lines from a file, which must not be readable by group or others.
    static std::unique_ptr<SecretReader> fromFile(const std::string& path, const std::string& kind = "PIN");

    virtual ~SecretReader() = default;
    // The next secret (without its line end). `prompt` is shown on a terminal only.
    // Throws SecretInputError when there is none left or input fails.
    virtual Bytes next(const std::string& prompt) = 0;
    // A new secret: a terminal asks twice and insists the two agree.
    virtual Bytes nextNew(const std::string& prompt) = 0;
};

}  // namespace quorum::host
