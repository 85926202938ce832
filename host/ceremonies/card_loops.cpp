#include "host/ceremonies/card_loops.hpp"

#include "host/card/connected_card.hpp"
#include "host/pcsc/errors.hpp"

namespace quorum::host {

void issueCards(const KeygenRequest& request, CeremonyContext& context, SecretReader& pins, Manifest& manifest,
                const std::function<void(QuorumCard&, int index)>& storeShare) {
    std::ostream& out = context.out();
    CardDoor door(request.cards);
    for (int index = 1; index <= request.n; ++index) {
        out << "Insert BLANK card " << index << " of " << request.n << "." << std::endl;
        const std::string reader = door.waitForCard();
        {
            ConnectedCard connected(door.context(), reader, context.trust());
            QuorumCard& card = connected.quorum();
            const protocol::Fci info = card.select();
            if (!info.is(protocol::Lifecycle::Blank))
                throw FatalError("the card in " + reader + " is " + info.lifecycleName() +
                                 ", not BLANK: keygen stops (nothing was written to it)");
            const crypto::Certificate certificate = card.issueIdentity(context.ca(), index);
            card.openSecureChannel();
            storeShare(card, index);
            Bytes pin = pins.nextNew("Transport PIN for card " + std::to_string(index));
            Bytes puk = pins.nextNew("PUK for card " + std::to_string(index));
            card.personalize(request.policy, pin, puk);
            manifest.cards.push_back({index, info.cardId, certificate.pem()});
            context.audit().append("card-issued",
                                   details({{"index", std::to_string(index)},
                                            {"card_id", toHex(info.cardId)},
                                            {"certificate_sha256", toHex(certificate.sha256Fingerprint())}}));
        }
        out << "Card " << index << " of " << request.n << " issued. Remove it." << std::endl;
        door.waitForRemoval(reader);
    }
}

namespace {
// Asks for the holder's PIN until one fits the card's policy, and VERIFYs it.
void verifyHolder(QuorumCard& card, int index, const PinPolicy& policy, SecretReader& pins, StepTimes& times,
                  std::ostream& out) {
    for (;;) {
        const Bytes pin = pins.next("PIN of card " + std::to_string(index) + " (" + policy.pinLengthText() + ")");
        try {
            times.time("VERIFY (wrapped)", [&] { card.verifyPin(pin); });
            return;
        } catch (const PinFormatError& e) {
            out << "That PIN cannot be right: " << e.what() << ". No try was spent; type it again." << std::endl;
        }
    }
}
}  // namespace

void collectFromCards(CardDoor& door, CeremonyContext& context, SecretReader& pins, StepTimes& times,
                      const std::function<bool()>& done, const std::function<std::string()>& prompt,
                      const std::function<void(QuorumCard&, const crypto::CertificateInfo&)>& use) {
    std::ostream& out = context.out();
    while (!done()) {
        out << prompt() << std::endl;
        const std::string reader = door.waitForCard();
        try {
            ConnectedCard connected(door.context(), reader, context.trust());
            QuorumCard& card = connected.quorum();
            const protocol::Fci fci =
                times.time("SELECT (a plain APDU round trip: the baseline)", [&] { return card.select(); });
            const crypto::CertificateInfo info = times.time(
                "SCP11a: certificate read and checked, PSO, MUTUAL AUTHENTICATE", [&] { return card.openSecureChannel(); });
            verifyHolder(card, info.cardIndex.value_or(0), fci.pinPolicy.value_or(PinPolicy{}), pins, times, out);
            use(card, info);
        } catch (const CardAuthenticationError& e) {
            out << "This card is refused: " << e.what() << std::endl;
        } catch (const CardProtocolError& e) {
            out << "This card is refused: it is not a quorum card, or it answered against the specification: "
                << e.what() << std::endl;
        } catch (const CardRefusedError& e) {  // wrong PIN, blocked, PIN change pending...
            out << "This card cannot take part now: " << e.what() << std::endl;
        } catch (const SecureChannelError& e) {
            out << "The secure channel to this card broke: " << e.what() << std::endl;
        } catch (const PcscAttemptError& e) {
            out << "The card was pulled or stopped answering (" << e.what() << "); insert it again." << std::endl;
        } catch (const AttemptError& e) {
            out << "This card cannot take part now: " << e.what() << std::endl;
        }
        out << "Remove the card." << std::endl;
        if (!done()) door.waitForRemoval(reader);  // the last one may stay: we go on now
    }
}

}  // namespace quorum::host
