#include "host/ceremonies/keygen.hpp"

#include <algorithm>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"
#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/console.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/shamir.hpp"
#include "host/ceremonies/shoup.hpp"
#include "host/documents/keygen_journal.hpp"
#include "host/documents/manifest_signature.hpp"
#include "host/pcsc/errors.hpp"
#include "platform/durable_file.hpp"

namespace quorum::host {

namespace {

std::unique_ptr<KeygenScheme> makeScheme(Scheme scheme) {
    return scheme == Scheme::Shoup ? shoupKeygen() : shamirKeygen();
}

// Refuses, before anything is dealt or any card asked for, a key generation whose files would
// not fit: the manifest (generously: a 4096-bit threshold set's keys and every card's
// certificate), the journal (twice: the old one stays until the new one replaces it) and the
// audit log's entries.
void requireRoomForKeygen(const std::string& ceremonyDir, const std::string& manifestPath, int n) {
    const std::uint64_t manifest = manifestRoom(n);
    const std::uint64_t journal = manifest + static_cast<std::uint64_t>(n) * 1024;
    requireRoom({{platform::folderOf(manifestPath), manifest, "the manifest"},
                 {ceremonyDir, 2 * journal + auditRoom(n), "the keygen journal and the audit log"}});
}

// The n cards of a key generation, one after another, each step recorded in the journal.
class Issuance {
public:
    Issuance(const CardSource& cards, CeremonyContext& context, KeygenScheme& scheme, KeygenJournal& journal,
             std::map<int, Bytes>& shares, const PinPolicy& policy, SecretReader& pins, std::string journalPath)
        : cards_(cards),
          context_(context),
          scheme_(scheme),
          journal_(journal),
          shares_(shares),
          policy_(policy),
          pins_(pins),
          journalPath_(std::move(journalPath)),
          out_(context.out()) {}

    void run() {
        CardDoor door(cards_, [this](bool available) { context_.serviceChanged(available); });
        const std::string where = cards_.reader.empty() ? "any reader" : "reader " + cards_.reader;
        while (!journal_.remaining().empty()) {
            throwIfInterrupted();
            const int wanted = journal_.remaining().front();
            out_ << "Insert BLANK card " << wanted << " of " << journal_.draft.n << holderText(wanted) << " into "
                 << where << "." << std::endl;
            const std::string reader = door.waitForCard();
            std::optional<int> issued;
            try {
                ConnectedCard connected(door.context(), reader, context_.trust());
                issued = take(connected.quorum(), wanted);
            } catch (const ServiceUnavailableError&) {
                door.awaitService();
                continue;
            } catch (const AttemptError& e) {
                // A card pulled half-way is not refused: inserted again, it is reset and issued.
                const bool pulled = dynamic_cast<const PcscAttemptError*>(&e) != nullptr;
                out_ << (pulled ? "The card was pulled or stopped answering; insert it again: "
                                : "This card is refused: ")
                     << e.what() << std::endl;
                recordRefusal(context_, e, details({{"step", "keygen"}}));
            }
            if (issued)
                out_ << "Card " << *issued << " of " << journal_.draft.n << " issued. Remove it from " << reader << "."
                     << std::endl;
            else
                out_ << "Remove the card from " << reader << "." << std::endl;
            door.release(reader);
        }
    }

private:
    std::string holder(int index) const {
        return journal_.holders.empty() ? std::string() : journal_.holders.at(static_cast<std::size_t>(index - 1));
    }
    std::string holderText(int index) const {
        const std::string name = holder(index);
        return name.empty() ? std::string() : " (for " + name + ")";
    }

    // What to do with the card in the reader; the index it was issued as, or nothing.
    std::optional<int> take(QuorumCard& card, int wanted) {
        protocol::Fci fci = card.select();
        if (fci.is(protocol::Lifecycle::Blank)) {
            if (card.hasCertificate()) {
                resetHalfIssued(card, fci, context_.audit(), out_);
                fci = card.select();
            }
            return issueBlank(card, fci, wanted);
        }
        if (fci.is(protocol::Lifecycle::Personalized) || fci.is(protocol::Lifecycle::Operational))
            return join(card, fci);
        throw CardProtocolError("this card is " + fci.lifecycleName() +
                                ": it cannot be issued; use a BLANK card (or one issued for this set)");
    }

    int issueBlank(QuorumCard& card, const protocol::Fci& fci, int index) {
        // Both secrets are asked, and checked against the policy, before the card is touched.
        const std::string name = "card " + std::to_string(index);
        const Bytes pin = askTransportPin(pins_, policy_, name, out_);
        const Bytes puk = askPuk(pins_, policy_, name, out_);
        throwIfInterrupted();
        journal_.started = KeygenJournal::Started{index, fci.cardId};
        journal_.save(journalPath_, context_.ca());
        const crypto::Certificate certificate = card.issueIdentity(context_.ca(), index);
        card.openSecureChannel();
        storeShare(card, index);
        card.personalize(policy_, pin, puk);
        record(index, fci.cardId, certificate, "issued");
        return index;
    }

    // A card issued on its own (ceremony issue-card) for this set, or one this key generation
    // finished personalizing just before it stopped.
    int join(QuorumCard& card, const protocol::Fci& fci) {
        crypto::CertificateInfo info;
        try {
            info = card.openSecureChannel();
        } catch (const CardAuthenticationError& e) {
            throw CardAuthenticationError(std::string("this card was issued by another ceremony: ") + e.what());
        }
        const int index = info.cardIndex.value_or(0);
        if (const ManifestCard* listed = journal_.draft.card(index))
            throw CardProtocolError("this card was issued as card " + std::to_string(index) + ", and " +
                                    listed->describe() + " is in this set already; insert another card");
        if (index < 1 || index > journal_.draft.n)
            throw CardProtocolError("this card was issued as card " + std::to_string(index) + ", but the set has " +
                                    std::to_string(journal_.draft.n) + " cards");
        if (journal_.started && journal_.started->index == index && journal_.started->cardId == fci.cardId) {
            record(index, fci.cardId, card.certificate(), "completed");  // it stopped after ACTIVATE FILE
            return index;
        }
        storeShare(card, index);
        record(index, fci.cardId, card.certificate(), "joined");
        out_ << "This card was issued before as card " << index
             << " (ceremony issue-card) and joins the set; its holder keeps their PIN." << std::endl;
        return index;
    }

    // The card's share, when this issuance deals them (a reshare's new cards get theirs later).
    void storeShare(QuorumCard& card, int index) {
        const auto share = shares_.find(index);
        if (share != shares_.end()) scheme_.storeShare(card, index, share->second, journal_.draft);
    }

    void record(int index, const Bytes& cardId, const crypto::Certificate& certificate, const char* how) {
        journal_.draft.cards.push_back({index, cardId, certificate.pem(), holder(index)});
        std::sort(journal_.draft.cards.begin(), journal_.draft.cards.end(),
                  [](const ManifestCard& a, const ManifestCard& b) { return a.index < b.index; });
        shares_.erase(index);  // zeroized: the share lives on its card only now
        journal_.started.reset();
        journal_.sealedShares = sealShares(context_.ca(), shares_);
        journal_.save(journalPath_, context_.ca());
        Json::Value entry = details({{"index", std::to_string(index)},
                                     {"card_id", toHex(cardId)},
                                     {"certificate_sha256", toHex(certificate.sha256Fingerprint())},
                                     {"how", how}});
        if (!holder(index).empty()) entry["holder"] = holder(index);
        context_.audit().append("card-issued", entry);
    }

    const CardSource& cards_;
    CeremonyContext& context_;
    KeygenScheme& scheme_;
    KeygenJournal& journal_;
    std::map<int, Bytes>& shares_;
    const PinPolicy& policy_;
    SecretReader& pins_;
    std::string journalPath_;
    std::ostream& out_;
};

}  // namespace

Bytes askTransportPin(SecretReader& pins, const PinPolicy& policy, const std::string& card, std::ostream& out) {
    for (;;) {
        Bytes pin = pins.nextNew("Transport PIN for " + card + " (" + policy.pinLengthText() + ")");
        if (protocol::checkPin(pin, policy) == protocol::PinProblem::None) return pin;
        out << "That transport PIN cannot be used: it must have " << policy.pinLengthText()
            << ", none of them a byte FF. Type another." << std::endl;
    }
}

Bytes askPuk(SecretReader& pins, const PinPolicy& policy, const std::string& card, std::ostream& out) {
    for (;;) {
        Bytes puk = pins.nextNew("PUK for " + card + " (" + std::to_string(policy.pukLength) + " characters)");
        if (puk.size() == policy.pukLength) return puk;
        out << "That PUK cannot be used: it must have exactly " << int{policy.pukLength}
            << " characters. Type another." << std::endl;
    }
}

void issueRemainingCards(const CardSource& cards, CeremonyContext& context, KeygenScheme& scheme,
                         KeygenJournal& journal, const std::string& journalPath, std::map<int, Bytes>& shares,
                         SecretReader& pins) {
    const auto policy = PinPolicy::decode(journal.pinPolicy);
    if (!policy) throw KeygenJournalError(journalPath + ": \"pin_policy\" is not a valid PIN policy");
    Issuance(cards, context, scheme, journal, shares, *policy, pins, journalPath).run();
}

void resetHalfIssued(QuorumCard& card, const protocol::Fci& fci, AuditLog& audit, std::ostream& out) {
    crypto::CertificateInfo info;
    try {
        info = card.openSecureChannel();
    } catch (const CardAuthenticationError& e) {
        throw CardAuthenticationError(std::string("this BLANK card was half-issued by another ceremony (") + e.what() +
                                      "); only that ceremony can reset it");
    }
    card.wipe();
    audit.append("card-wiped",
                 details({{"card_id", toHex(fci.cardId)}, {"index", std::to_string(info.cardIndex.value_or(0))}}));
    out << "This card was left half-issued (as card " << info.cardIndex.value_or(0)
        << ") by an interrupted issuance of this ceremony: it is reset to BLANK." << std::endl;
}

void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out) {
    checkKeygenRequest(request);
    if (!request.resume) requireRoomForKeygen(request.ceremonyDir, request.manifestPath, request.n);
    CeremonyContext context = CeremonyContext::withCa(request.ceremonyDir, caPassphrase, hostPassphrase, out);
    const std::string journalPath = CeremonyFiles(request.ceremonyDir).keygenJournalPath();
    KeygenJournal journal;
    std::map<int, Bytes> shares;
    std::unique_ptr<KeygenScheme> scheme;
    if (request.resume) {
        journal = KeygenJournal::load(journalPath);
        journal.authenticate(context.ca().certificate(), journalPath);
        if (journal.draft.cardSetId != context.cardSetId())
            throw KeygenJournalError(journalPath + " is the journal of another card set");
        checkOutput("the manifest", journal.manifestPath, std::nullopt);
        requireRoomForKeygen(request.ceremonyDir, journal.manifestPath, journal.draft.n);
        shares = openShares(context.ca(), journal.sealedShares);
        scheme = makeScheme(journal.scheme == Manifest::kSchemeShoup ? Scheme::Shoup : Scheme::Shamir);
        const auto left = journal.remaining();
        context.audit().append("keygen-resumed", details({{"card_set_id", toHex(context.cardSetId())},
                                                          {"cards_issued", std::to_string(journal.draft.cards.size())},
                                                          {"cards_left", std::to_string(left.size())}}));
        out << "Resuming the key generation of " << journal.manifestPath << ": " << journal.draft.cards.size() << " of "
            << journal.draft.n << " cards issued, " << left.size() << " to go." << std::endl;
    } else {
        scheme = makeScheme(request.scheme);
        context.audit().append("keygen-start", details({{"card_set_id", toHex(context.cardSetId())},
                                                        {"scheme", schemeName(request.scheme)},
                                                        {"k", std::to_string(request.k)},
                                                        {"n", std::to_string(request.n)},
                                                        {"key_type", keyTypeName(request.keyType)}}));
        Manifest& manifest = journal.draft;
        manifest.cardSetId = context.cardSetId();
        manifest.k = request.k;
        manifest.n = request.n;
        manifest.caCertificatePem = context.ca().certificate().pem();
        manifest.signingKey.type = keyTypeName(request.keyType);
        shares = scheme->deal(request, context, manifest);

        const std::string& pem = manifest.signingKey.publicKeyPem;
        const Bytes keyFingerprint = crypto::sha256(Bytes(pem.begin(), pem.end()));
        context.showFingerprint("public key", keyFingerprint);
        context.audit().append("signing-key-generated",
                               details({{"public_key_sha256", toHex(keyFingerprint)}, {"scheme", manifest.scheme}}));
        journal.manifestPath = request.manifestPath;
        journal.scheme = manifest.scheme;
        journal.keyType = keyTypeName(request.keyType);
        journal.pinPolicy = request.policy.encode();
        journal.holders = request.holders.empty() ? std::vector<std::string>(static_cast<std::size_t>(request.n))
                                                  : request.holders;
        journal.sealedShares = sealShares(context.ca(), shares);
        journal.save(journalPath, context.ca());
    }
    try {
        issueRemainingCards(request.cards, context, *scheme, journal, journalPath, shares, pins);
        signManifest(journal.draft, context.ca());
        journal.draft.save(journal.manifestPath);  // atomic: on a full disk, no manifest rather than an empty one
    } catch (const std::exception& e) {
        context.stopped("keygen-stopped", std::string(e.what()) + " (" + std::to_string(journal.draft.cards.size()) +
                                              " of " + std::to_string(journal.draft.n) + " cards issued)");
        out << "Nothing issued is lost: the key generation is kept in " << journalPath
            << ". Continue it with: ceremony keygen --resume --ceremony " << request.ceremonyDir << std::endl
            << "(The journal holds the signing key, wrapped, its public values and the " << journal.draft.cards.size()
            << " cards issued; on a full disk, free some space first.)" << std::endl;
        throw;
    }
    destroyFile(journalPath, "keygen journal");
    const std::string text = journal.draft.toJson();
    context.finish("keygen-done", details({{"manifest_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}));
    out << "Key generation done: " << scheme->summary(journal.draft.k, journal.draft.n)
        << " Manifest: " << journal.manifestPath << std::endl;
}

}  // namespace quorum::host
