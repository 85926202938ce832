#include "host/ceremonies/card_loops.hpp"

#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/console.hpp"
#include "host/pcsc/errors.hpp"

namespace quorum::host {

namespace {

// The manifest's entry for the card whose certificate says `info`; SetAside when it has none.
const ManifestCard& listedCard(const Manifest& manifest, const crypto::CertificateInfo& info, const Bytes& cardId) {
    const int index = info.cardIndex.value_or(0);
    const ManifestCard* listed = manifest.card(index);
    if (listed == nullptr)
        throw SetAside("this card says it is card " + std::to_string(index) + " of the set, but the manifest lists no "
                       "such card", index);
    if (listed->cardId != cardId)
        throw SetAside("this card says it is card " + std::to_string(index) + ", but its card id " + toHex(cardId) +
                       " is not the one the manifest lists for " + listed->describe() +
                       ": it was issued again outside this set's key generation",
                       index);
    return *listed;
}

// Before any PIN: the states in which the holder's PIN can do no good.
void refuseUnusable(const protocol::Fci& fci, const ManifestCard& listed) {
    if (fci.is(protocol::Lifecycle::Blocked))
        throw SetAside(listed.describe() + " has its PIN blocked: its holder unblocks it with the PUK first (`ceremony "
                       "pin unblock --ceremony <folder>`); no PIN is asked",
                       listed.index);
    if (fci.is(protocol::Lifecycle::Personalized) && fci.pinPolicy && fci.pinPolicy->changeBeforeUse)
        throw SetAside(listed.describe() + " still has its transport PIN: its holder changes it first (`ceremony pin "
                       "change --ceremony <folder>`); no PIN is asked",
                       listed.index);
}

// Asks for the holder's PIN until one fits the card's policy, and VERIFYs it.
void verifyHolder(QuorumCard& card, const ManifestCard& listed, const PinPolicy& policy, SecretReader& pins,
                  StepTimes& times, CeremonyContext& context) {
    std::ostream& out = context.out();
    const auto left = card.pinTriesLeft();
    if (left && *left == 1) {
        Console* console = Console::current();
        const std::string warning = listed.describe() +
                                    " has one PIN try left: a wrong PIN now blocks it (the PUK unblocks it).";
        if (console == nullptr || !console->hasTerminal())
            throw SetAside(warning + " A ceremony without a terminal does not spend that try; its holder verifies "
                                     "the PIN by hand (`ceremony pin verify`)",
                           listed.index);
        if (!console->confirm(warning + " Go on?")) throw SetAside("the holder chose not to spend the last PIN try", listed.index);
    }
    for (;;) {
        const Bytes pin = pins.next("PIN of " + listed.describe() + " (" + policy.pinLengthText() + ")");
        try {
            times.time("VERIFY (wrapped)", [&] { card.verifyPin(pin); });
            return;
        } catch (const PinFormatError& e) {
            out << "That PIN cannot be right: " << e.what() << ". No try was spent; type it again." << std::endl;
        } catch (const WrongSecretError& e) {
            context.audit().append("pin-wrong", details({{"index", std::to_string(listed.index)},
                                                         {"card_id", toHex(listed.cardId)},
                                                         {"tries_left", std::to_string(e.triesLeft())}}));
            throw;
        }
    }
}

}  // namespace

void recordRefusal(CeremonyContext& context, const AttemptError& refusal, Json::Value entry) {
    entry["reason"] = refusal.what();
    if (const auto* cardError = dynamic_cast<const CardError*>(&refusal); cardError && cardError->cardIndex())
        entry["index"] = std::to_string(*cardError->cardIndex());
    if (const auto* refused = dynamic_cast<const CardRefusedError*>(&refusal))
        entry["status_word"] =
            toHex({static_cast<std::uint8_t>(refused->sw() >> 8), static_cast<std::uint8_t>(refused->sw())});
    context.audit().append("card-refused", entry);
}

void collectFromCards(const CardSource& source, CeremonyContext& context, const Manifest& manifest,
                      SecretReader& pins, StepTimes& times, const CardWish& wish) {
    std::ostream& out = context.out();
    CardDoor door(source, [&](bool available) { context.serviceChanged(available); });
    while (!wish.done()) {
        out << wish.prompt() << std::endl;
        const std::string reader = door.waitForCard();
        try {
            ConnectedCard connected(door.context(), reader, context.trust());
            QuorumCard& card = connected.quorum();
            const protocol::Fci fci =
                times.time("SELECT (a plain APDU round trip: the baseline)", [&] { return card.select(); });
            if (fci.is(protocol::Lifecycle::Retired))
                throw SetAside("this card is RETIRED: its share was erased for good (ceremony reshare or retire); it "
                               "cannot take part - insert another card");
            const crypto::CertificateInfo info = times.time(
                "SCP11a: certificate read and checked, PSO, MUTUAL AUTHENTICATE", [&] { return card.openSecureChannel(); });
            const ManifestCard& listed = listedCard(manifest, info, fci.cardId);
            if (wish.pinNeeded) refuseUnusable(fci, listed);
            if (wish.refuseBeforePin)
                if (const auto reason = wish.refuseBeforePin(listed)) throw SetAside(*reason, listed.index);
            if (wish.pinNeeded) verifyHolder(card, listed, fci.pinPolicy.value_or(PinPolicy{}), pins, times, context);
            wish.use(card, info, listed);
        } catch (const ServiceUnavailableError&) {
            door.awaitService();
            continue;
        } catch (const AttemptError& e) {
            const char* opening = "This card cannot take part now: ";
            if (dynamic_cast<const CardProtocolError*>(&e))
                opening = "This card is refused: it is not a quorum card, or it answered against the specification: ";
            else if (dynamic_cast<const CardAuthenticationError*>(&e) || dynamic_cast<const SetAside*>(&e))
                opening = "This card is refused: ";
            else if (dynamic_cast<const SecureChannelError*>(&e))
                opening = "The secure channel to this card broke: ";
            else if (dynamic_cast<const PcscAttemptError*>(&e))
                opening = "The card was pulled or stopped answering; insert it again: ";
            out << opening << e.what() << std::endl;
            recordRefusal(context, e);
        }
        out << "Remove the card from " << reader << "." << std::endl;
        door.release(reader);  // it may stay: the next card may be in another reader already
    }
}

}  // namespace quorum::host
