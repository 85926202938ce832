// pin status | verify | change | unblock: the holder's PIN, over SCP11a. Every change, unblock
// and wrong PIN or PUK goes to the ceremony's audit log (never a PIN); a last try is confirmed
// first; a PIN that would change nothing, or an unblock of a PIN that is not blocked, is refused
// before anything reaches the card.
#include <chrono>
#include <iostream>
#include <optional>

#include "crypto/primitives.hpp"
#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/console.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/cli/commands.hpp"
#include "host/documents/audit_log.hpp"

namespace quorum::host::cli {

namespace {

struct PinCommand {
    std::string action;
    std::string ceremonyDir;
    std::string reader;
    double wait = 0;
    bool yes = false;
    SecretOptions secrets;
    HostPassphraseOptions hostPassphrase;
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

// The people confirm before a last try, unless --yes (scripts). UsageError without a terminal.
void confirmLastTry(const std::string& warning, bool yes) {
    if (yes) return;
    Console* console = Console::current();
    if (console == nullptr || !console->hasTerminal())
        throw UsageError(warning + " Without a terminal to confirm it, nothing is sent; give --yes to spend it");
    if (!console->confirm(warning + " Go on?")) throw UsageError("stopped before the last try: nothing was sent");
}

// The PIN tries left, also on a card that answers nothing but PIN commands.
int pinTriesLeft(QuorumCard& card) { return card.pinTriesLeft().value_or(-1); }

class PinSession {
public:
    PinSession(const PinCommand& options, ConnectedCard& connected, AuditLog& audit)
        : options_(options), card_(connected.quorum()), audit_(audit) {
        fci_ = card_.select();
        if (fci_.is(protocol::Lifecycle::Blank)) throw UsageError("this card is BLANK: it has no PIN yet");
        index_ = card_.openSecureChannel().cardIndex.value_or(0);
    }

    int run() {
        auto reader = options_.secrets.open();
        if (options_.action == "verify") return verify(*reader);
        if (options_.action == "change") return change(*reader);
        return unblock(*reader);
    }

private:
    Json::Value entry() const { return details({{"index", std::to_string(index_)}, {"card_id", toHex(fci_.cardId)}}); }

    // Runs `send`; a wrong PIN or PUK is recorded (the tries left, never the secret).
    template <typename F>
    void recorded(F&& send) {
        try {
            send();
        } catch (const WrongSecretError& e) {
            Json::Value wrong = entry();
            wrong["tries_left"] = std::to_string(e.triesLeft());
            audit_.append(e.secret() == Secret::Puk ? "puk-wrong" : "pin-wrong", wrong);
            if (e.secret() == Secret::Puk && e.triesLeft() == 0) audit_.append("card-terminated", entry());
            throw;
        }
    }

    void refuseBlocked() {
        if (fci_.is(protocol::Lifecycle::Blocked))
            throw PinBlockedError("the PIN is blocked; unblock it with the PUK (`ceremony pin unblock --ceremony " +
                                      options_.ceremonyDir + "`); no PIN was asked",
                                  0x6983, index_);
        if (pinTriesLeft(card_) == 1)
            confirmLastTry("Card " + std::to_string(index_) + " has one PIN try left: a wrong PIN blocks it.",
                           options_.yes);
    }

    int verify(SecretReader& reader) {
        refuseBlocked();
        const Bytes pin = reader.next("PIN");
        recorded([&] { card_.verifyPin(pin); });
        std::cout << "PIN correct.\n";
        return 0;
    }

    int change(SecretReader& reader) {
        refuseBlocked();
        const Bytes current = reader.next("Current PIN");
        const Bytes fresh = reader.nextNew("New PIN");
        if (crypto::constantTimeEqual(current, fresh))
            throw UsageError("the new PIN is the current one: choose another (nothing was sent to the card)");
        recorded([&] { card_.changePin(current, fresh); });
        audit_.append("pin-changed", entry());
        std::cout << "PIN changed.\n";
        return 0;
    }

    int unblock(SecretReader& reader) {
        const bool blocked = fci_.is(protocol::Lifecycle::Blocked);
        if (!blocked) {
            const int left = pinTriesLeft(card_);
            throw UsageError("the PIN of card " + std::to_string(index_) + " is not blocked" +
                             (left >= 0 ? " (" + std::to_string(left) + " tries left)" : std::string()) +
                             ": nothing to unblock, and the PUK is not spent (`ceremony pin change` changes a PIN)");
        }
        const PinStatus status = card_.pinStatus();
        if (status.pukTriesLeft == 1)
            confirmLastTry("Card " + std::to_string(index_) +
                               " has one PUK try left: a wrong PUK TERMINATES the card and erases its share for good.",
                           options_.yes);
        const Bytes puk = reader.next("PUK");
        const Bytes fresh = reader.nextNew("New PIN");
        recorded([&] { card_.unblockPin(puk, fresh); });
        audit_.append("pin-unblocked", entry());
        std::cout << "PIN reset; the PIN try counter is full again.\n";
        return 0;
    }

    const PinCommand& options_;
    QuorumCard& card_;
    AuditLog& audit_;
    protocol::Fci fci_;
    int index_ = 0;
};

int pinCommand(const PinCommand& options) {
    const CeremonyFiles files(options.ceremonyDir);
    // What is recorded of a change, an unblock or a wrong secret must find the log whole, free
    // and with room before the card is asked for: never a changed PIN the log does not show.
    std::optional<AuditLog> audit;
    if (options.action != "status") {
        audit.emplace(AuditLog::open(files.auditLogPath()));
        requireRoom({{options.ceremonyDir, 3 * kAuditEntryRoom, "the audit log"}});
    }
    const FolderTrust loaded(files, options.hostPassphrase.read().text());
    CardDoor door(options.reader, std::chrono::milliseconds(static_cast<long long>(options.wait * 1000)));
    ConnectedCard connected(door.context(), door.waitForCard(), loaded.trust());
    if (options.action == "status") return showPinStatus(connected);
    return PinSession(options, connected, *audit).run();
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
    pinCmd->add_flag("--yes", options->yes,
                     "Spend a last PIN or PUK try without asking (scripts; at a terminal the program asks)");
    addSecretOptions(pinCmd, options->secrets);
    addHostPassphraseOptions(pinCmd, options->hostPassphrase);
    commands.add(pinCmd, [options] { return pinCommand(*options); });
}

}  // namespace quorum::host::cli
