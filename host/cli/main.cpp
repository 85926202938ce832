// ceremony: the host program people and scripts use around a quorum card ceremony. The command
// groups live in the other files of this folder; here they are assembled, and every error becomes
// one message a person can act on.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "host/card/errors.hpp"
#include "host/ceremonies/console.hpp"
#include "host/cli/commands.hpp"
#include "host/pcsc/errors.hpp"

int main(int argc, char** argv) {
    using namespace quorum::host;
    CLI::App app{"ceremony: quorum smartcard ceremonies (m-of-n key custody)", "ceremony"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(QUORUM_VERSION));
    cli::Commands commands;
    cli::addReaderCommands(app, commands);
    cli::addSetupCommands(app, commands);
    cli::addPinCommands(app, commands);
    cli::addCeremonyCommands(app, commands);
    cli::addDocumentCommands(app, commands);
    CLI11_PARSE(app, argc, argv);

    try {
        return commands.runParsed();
    } catch (const InterruptedError& e) {
        std::cerr << "error: " << e.what() << "\n";
        return cli::kExitInterrupted;
    } catch (const WrongSecretError& e) {
        std::cerr << "error: " << e.what() << "\n";
    } catch (const CardAuthenticationError& e) {
        std::cerr << "error: this card is not one of this ceremony's: " << e.what() << "\n";
    } catch (const SecureChannelError& e) {
        std::cerr << "error: the secure channel to the card broke: " << e.what() << "\n";
    } catch (const PinBlockedError& e) {
        std::cerr << "error: " << e.what() << " (ceremony pin unblock)\n";
    } catch (const ServiceUnavailableError& e) {
        std::cerr << "error: the PC/SC service (pcscd) is not running or not reachable: start pcscd and try again\n  ("
                  << e.what() << ")\n";
    } catch (const CardRemovedError& e) {
        std::cerr << "error: the card was removed during the exchange; insert it again and retry\n  (" << e.what()
                  << ")\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    return cli::kExitFailure;
}
