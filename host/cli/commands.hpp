// The `ceremony` program's command groups. Each group adds its subcommands to the app and what
// to run when one of them was given; main() parses, runs it, and turns errors into messages.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"

namespace quorum::host::cli {

constexpr int kExitFailure = 1;
constexpr int kExitInterrupted = 130;  // as a shell reports a program ended by Ctrl-C

// The subcommands of the program and what each runs (its exit code).
class Commands {
public:
    // Whether a command holds the terminal while it runs (a ceremony: input echo off, Ctrl-C an
    // orderly stop; host/ceremonies/console.hpp) or leaves it as it is (readers, watch).
    enum class Terminal { Leave, Hold };

    void add(CLI::App* subcommand, std::function<int()> run, Terminal terminal = Terminal::Hold) {
        commands_.push_back({subcommand, std::move(run), terminal});
    }
    // Runs the subcommand the command line named.
    int runParsed() const;

private:
    struct Command {
        CLI::App* subcommand;
        std::function<int()> run;
        Terminal terminal;
    };
    std::vector<Command> commands_;
};

// Where PINs and PUKs come from: --pin-file, --pin-fd, or the terminal.
struct SecretOptions {
    std::string file;
    int fd = -1;
    std::unique_ptr<SecretReader> open() const;
};
void addSecretOptions(CLI::App* command, SecretOptions& options);

// --reader and --card-timeout (help: `timeoutHelp`), for every command that takes cards.
void addCardSourceOptions(CLI::App* command, CardSource& cards, const char* timeoutHelp);

// The CA key passphrase: --passphrase-file, --passphrase-fd, or the terminal.
struct PassphraseOptions {
    std::string file;
    int fd = -1;
    // Asks twice on a terminal when `isNew`.
    std::string read(bool isNew) const;
};
void addPassphraseOptions(CLI::App* command, PassphraseOptions& options);

// A passphrase as read, zeroized when it goes; never printed or logged.
class Passphrase {
public:
    explicit Passphrase(const Bytes& secret) : text_(secret.begin(), secret.end()) {}
    ~Passphrase() { secureZero(text_.data(), text_.size()); }
    Passphrase(const Passphrase&) = delete;
    Passphrase& operator=(const Passphrase&) = delete;
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

// This host's key passphrase (another secret than the CA key's): --host-passphrase-file,
// --host-passphrase-fd, or the terminal.
struct HostPassphraseOptions {
    std::string file;
    int fd = -1;
    // Asks "Passphrase of this host's key"; a new one (`isNew`, with `prompt`) twice on a terminal.
    Passphrase read() const;
    Passphrase readNew(const std::string& prompt) const;
};
void addHostPassphraseOptions(CLI::App* command, HostPassphraseOptions& options);

// --ca FILE and --ceremony DIR, for commands that read a manifest outside a ceremony: the CA
// certificate its signature is checked against (host/ceremonies/requests.hpp manifestAnchor).
void addManifestTrustOptions(CLI::App* command, std::string& caPath, std::string& ceremonyDir);

// readers, probe, watch
void addReaderCommands(CLI::App& app, Commands& commands);
// ca-create, host-issue, host-key-protect, issue-card, manifest-sign
void addSetupCommands(CLI::App& app, Commands& commands);
// pin status | verify | change | unblock
void addPinCommands(CLI::App& app, Commands& commands);
// keygen, sign, partial-sign, combine, ksr-sign, sign-rrset
void addCeremonyCommands(CLI::App& app, Commands& commands);
// hsm-import: the signing key into another HSM's token, for good
void addHsmCommands(CLI::App& app, Commands& commands);
// reshare, retire: a key's shares moved to a new card set; cards retired for good
void addReshareCommands(CLI::App& app, Commands& commands);
// dnskey, cards, public-key, audit-verify
void addDocumentCommands(CLI::App& app, Commands& commands);
// run: a ceremony script, step by step, with a transcript for the witnesses
void addScriptCommands(CLI::App& app, Commands& commands);

// What a person reads about a command's failure, and the program's exit code for it.
struct Failure {
    std::string message;
    int exitCode;
};
// `error` (a std::exception) as main() reports it: the message after "error: ", and
// kExitInterrupted for Ctrl-C, kExitFailure for the rest.
Failure describeFailure(std::exception_ptr error);

}  // namespace quorum::host::cli
