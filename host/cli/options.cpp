#include "host/cli/commands.hpp"

#include "host/ceremonies/console.hpp"

namespace quorum::host::cli {

int Commands::runParsed() const {
    for (const auto& command : commands_) {
        if (!command.subcommand->parsed()) continue;
        // A console held already (by `ceremony run`, whose steps these are) serves this command too.
        if (command.terminal == Terminal::Leave || Console::current() != nullptr) return command.run();
        Console console;
        return command.run();
    }
    throw std::logic_error("no command was parsed");
}

std::unique_ptr<SecretReader> SecretOptions::open() const {
    if (!file.empty()) return SecretReader::fromFile(file);
    if (fd >= 0) return SecretReader::fromFd(fd);
    return SecretReader::terminal();
}

void addSecretOptions(CLI::App* command, SecretOptions& options) {
    auto* file = command->add_option(
        "--pin-file", options.file, "Read PINs and PUKs from this file, one per line, in the order asked (file mode 600)");
    command->add_option("--pin-fd", options.fd, "Read PINs and PUKs from this open file descriptor, one per line")
        ->excludes(file);
}

std::string PassphraseOptions::read(bool isNew) const {
    auto reader = !file.empty() ? SecretReader::fromFile(file, "passphrase")
                  : fd >= 0     ? SecretReader::fromFd(fd, "passphrase")
                                : SecretReader::terminal("passphrase");
    Bytes secret = isNew ? reader->nextNew("New passphrase for the CA key") : reader->next("Passphrase of the CA key");
    return std::string(secret.begin(), secret.end());
}

namespace {
std::unique_ptr<SecretReader> openHostPassphrase(const HostPassphraseOptions& options) {
    const std::string kind = "host passphrase";  // --host-passphrase-file and -fd in its errors
    if (!options.file.empty()) return SecretReader::fromFile(options.file, kind);
    if (options.fd >= 0) return SecretReader::fromFd(options.fd, kind);
    return SecretReader::terminal(kind);
}
}  // namespace

Passphrase HostPassphraseOptions::read() const {
    return Passphrase(openHostPassphrase(*this)->next("Passphrase of this host's key"));
}

Passphrase HostPassphraseOptions::readNew(const std::string& prompt) const {
    return Passphrase(openHostPassphrase(*this)->nextNew(prompt));
}

void addHostPassphraseOptions(CLI::App* command, HostPassphraseOptions& options) {
    auto* file = command->add_option("--host-passphrase-file", options.file,
                                     "Read the passphrase of this host's key (host-key.pem) from this file (mode 600)");
    command->add_option("--host-passphrase-fd", options.fd,
                        "Read the passphrase of this host's key from this open file descriptor")
        ->excludes(file);
}

void addManifestTrustOptions(CLI::App* command, std::string& caPath, std::string& ceremonyDir) {
    auto* ca = command->add_option("--ca", caPath,
                                   "The ceremony's CA certificate (its ca.pem, obtained apart from the manifest): the "
                                   "manifest's signature is checked against it");
    command->add_option("--ceremony", ceremonyDir, "Or the ceremony's folder, whose ca.pem is used")->excludes(ca);
}

void addPassphraseOptions(CLI::App* command, PassphraseOptions& options) {
    auto* file = command->add_option("--passphrase-file", options.file, "Read the CA key passphrase from this file (mode 600)");
    command->add_option("--passphrase-fd", options.fd, "Read the CA key passphrase from this open file descriptor")
        ->excludes(file);
}

void addCardSourceOptions(CLI::App* command, CardSource& cards, const char* timeoutHelp) {
    command->add_option("--reader", cards.reader, "Reader to use (default: any)");
    command->add_option("--card-timeout", cards.cardTimeout, timeoutHelp);
}

}  // namespace quorum::host::cli
