// ceremony: the host program people and scripts use around a quorum card ceremony. The command
// groups live in the other files of this folder; here they are assembled, and every error becomes
// one message a person can act on.
#include <exception>
#include <iostream>
#include <set>
#include <string>

#include <CLI/CLI.hpp>

#include "host/card/errors.hpp"
#include "host/ceremonies/console.hpp"
#include "host/cli/commands.hpp"
#include "host/pcsc/errors.hpp"
#include "platform/secret_process.hpp"

int main(int argc, char** argv) {
    using namespace quorum::host;
    // Before anything is read: PINs, shares, keys and the CA passphrase never reach a core file
    // or, where the system allows, swap.
    const auto protection = quorum::platform::protectSecretProcess();
    CLI::App app{"ceremony: quorum smartcard ceremonies (m-of-n key custody)", "ceremony"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(QUORUM_VERSION));
    cli::Commands commands;
    cli::addReaderCommands(app, commands);
    cli::addSetupCommands(app, commands);
    cli::addPinCommands(app, commands);
    cli::addCeremonyCommands(app, commands);
    cli::addHsmCommands(app, commands);
    cli::addReshareCommands(app, commands);
    cli::addDocumentCommands(app, commands);
    cli::addScriptCommands(app, commands);
    CLI11_PARSE(app, argc, argv);
    // Where memory cannot be locked, the commands that handle a PIN, share, key or passphrase say
    // so; the ones that only read public documents or readers keep their output clean.
    static const std::set<std::string> kPublicOnly{"readers", "probe",   "watch",        "public-key",
                                                   "dnskey",  "cards",   "audit-verify", "combine"};
    const auto chosen = app.get_subcommands();
    if (!protection.note.empty() && !chosen.empty() && kPublicOnly.count(chosen.front()->get_name()) == 0)
        std::cerr << protection.note << "\n";

    try {
        return commands.runParsed();
    } catch (const std::exception&) {
        const cli::Failure failure = cli::describeFailure(std::current_exception());
        std::cerr << "error: " << failure.message << "\n";
        return failure.exitCode;
    }
}

namespace quorum::host::cli {

Failure describeFailure(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const InterruptedError& e) {
        return {e.what(), kExitInterrupted};
    } catch (const WrongSecretError& e) {
        return {e.what(), kExitFailure};
    } catch (const CardAuthenticationError& e) {
        return {std::string("this card is not one of this ceremony's: ") + e.what(), kExitFailure};
    } catch (const SecureChannelError& e) {
        return {std::string("the secure channel to the card broke: ") + e.what(), kExitFailure};
    } catch (const PinBlockedError& e) {
        return {std::string(e.what()) + " (ceremony pin unblock)", kExitFailure};
    } catch (const ServiceUnavailableError& e) {
        return {std::string("the PC/SC service (pcscd) is not running or not reachable: start pcscd and try again\n  (") +
                    e.what() + ")",
                kExitFailure};
    } catch (const CardRemovedError& e) {
        return {std::string("the card was removed during the exchange; insert it again and retry\n  (") + e.what() + ")",
                kExitFailure};
    } catch (const std::exception& e) {
        return {e.what(), kExitFailure};
    }
}

}  // namespace quorum::host::cli
