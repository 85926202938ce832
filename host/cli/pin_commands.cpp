// pin status | verify | change | unblock: the holder's PIN, over SCP11a.
#include <chrono>
#include <iostream>

#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/cli/commands.hpp"

namespace quorum::host::cli {

namespace {

struct PinCommand {
    std::string action;
    std::string ceremonyDir;
    std::string reader;
    double wait = 0;
    SecretOptions secrets;
};

std::string triesText(int left, int limit) {
    return std::to_string(left) + " of " + std::to_string(limit) + (limit == 1 ? " try" : " tries") + " left";
}

int showPinStatus(ConnectedCard& connected) {
    QuorumCard& card = connected.quorum();
    const protocol::Fci info = card.select();
    std::cout << "card " << toHex(info.cardId) << " in " << connected.reader() << ": " << info.lifecycleName() << "\n";
    if (info.is(protocol::Lifecycle::Blank)) {
        std::cout << "not personalized yet: no PIN\n";
        return 0;
    }
    // Only a card of this ceremony gets its PIN state shown: authenticate it first.
    const auto& certified = card.openSecureChannel();
    std::cout << "card " << certified.cardIndex.value_or(0) << " of set " << toHex(certified.cardSetId) << "\n";
    if (info.is(protocol::Lifecycle::Personalized)) {
        // A card waiting for its transport PIN to be changed answers nothing but PIN commands.
        try {
            card.pinStatus();
        } catch (const CardRefusedError&) {
            const auto left = card.pinTriesLeft();
            std::cout << "PIN: " << (left ? std::to_string(*left) : std::string("?"))
                      << " tries left\nThe transport PIN must be changed before the card can be used (ceremony pin "
                         "change).\n";
            return 0;
        }
    }
    const PinStatus status = card.pinStatus();
    std::cout << "PIN: " << triesText(status.pinTriesLeft, status.pinTryLimit)
              << (status.pinTriesLeft == 0 ? " (blocked: unblock it with the PUK)" : "") << "\n"
              << "PUK: " << triesText(status.pukTriesLeft, status.pukTryLimit) << "\n";
    if (status.changeRequired)
        std::cout << "The transport PIN must be changed before the card can be used (ceremony pin change).\n";
    return 0;
}

int pinCommand(const PinCommand& options) {
    const FolderTrust loaded{CeremonyFiles(options.ceremonyDir)};
    CardDoor door(options.reader, std::chrono::milliseconds(static_cast<long long>(options.wait * 1000)));
    ConnectedCard connected(door.context(), door.waitForCard(), loaded.trust());
    if (options.action == "status") return showPinStatus(connected);
    QuorumCard& card = connected.quorum();
    card.select();
    auto reader = options.secrets.open();
    if (options.action == "verify") {
        card.verifyPin(reader->next("PIN"));
        std::cout << "PIN correct.\n";
    } else if (options.action == "change") {
        Bytes current = reader->next("Current PIN");
        Bytes fresh = reader->nextNew("New PIN");
        card.changePin(current, fresh);
        std::cout << "PIN changed.\n";
    } else {
        Bytes puk = reader->next("PUK");
        Bytes fresh = reader->nextNew("New PIN");
        card.unblockPin(puk, fresh);
        std::cout << "PIN reset; the PIN try counter is full again.\n";
    }
    return 0;
}

}  // namespace

void addPinCommands(CLI::App& app, Commands& commands) {
    auto options = std::make_shared<PinCommand>();
    auto* pinCmd = app.add_subcommand("pin", "The card holder's PIN: status, verify, change, unblock (with the PUK)");
    pinCmd->add_option("action", options->action, "status | verify | change | unblock")
        ->required()
        ->check(CLI::IsMember({"status", "verify", "change", "unblock"}));
    pinCmd->add_option("--ceremony", options->ceremonyDir, "The ceremony's folder (CA certificate, host credentials)")
        ->required();
    pinCmd->add_option("--reader", options->reader, "Reader name (default: the first reader holding a card)");
    pinCmd->add_option("--wait", options->wait, "Seconds to wait for a card to be inserted");
    addSecretOptions(pinCmd, options->secrets);
    commands.add(pinCmd, [options] { return pinCommand(*options); });
}

}  // namespace quorum::host::cli
