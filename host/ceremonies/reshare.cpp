#include "host/ceremonies/reshare.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/console.hpp"
#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/documents/card_history.hpp"
#include "host/documents/keygen_journal.hpp"
#include "host/documents/manifest_signature.hpp"
#include "host/documents/reshare_journal.hpp"

namespace quorum::host {

namespace {

Bytes sha256Of(const std::string& text) {
    return crypto::sha256(Bytes(text.begin(), text.end()));
}

// New cards are issued without a share: they get theirs from the old cards afterwards.
class NoShareYet : public KeygenScheme {
public:
    std::map<int, Bytes> deal(const KeygenRequest&, CeremonyContext&, Manifest&) override {
        return {};
    }
    void storeShare(QuorumCard&, int, const Bytes&, const Manifest&) override {}
    std::string summary(int, int) const override { return {}; }
};

// A threshold RSA set holds shares of a key whose private exponent is gone: there is nothing to
// redistribute from without the dealer.
void requireShamir(const Manifest& manifest, const std::string& path) {
    if (manifest.shoup())
        throw UsageError(
            path +
            " is a threshold RSA set (shoup): its key's private exponent was destroyed when it "
            "was dealt, by design, so its shares cannot be moved to new cards. Make a new key on "
            "the new cards (`ceremony keygen --scheme shoup`) and roll the key over (for DNSSEC, a "
            "KSK rollover).");
}

// What binds every sealed sub-share to this reshare: the old set, k', n' and the new cards.
Bytes reshareContext(const Bytes& oldManifestSha256, const Manifest& draft) {
    const std::string label = "quorum reshare v1";
    Bytes input(label.begin(), label.end());
    input.insert(input.end(), oldManifestSha256.begin(), oldManifestSha256.end());
    input.push_back(static_cast<std::uint8_t>(draft.k));
    input.push_back(static_cast<std::uint8_t>(draft.n));
    for (const auto& card : draft.cards) {
        const Bytes fingerprint =
            crypto::Certificate::fromPem(card.certificatePem).sha256Fingerprint();
        input.insert(input.end(), fingerprint.begin(), fingerprint.end());
    }
    return crypto::sha256(input);
}

// For card loops that ask no PIN.
class NoSecrets : public SecretReader {
public:
    Bytes next(const std::string&) override { throw FatalError("no secret is asked in this step"); }
    Bytes nextNew(const std::string&) override {
        throw FatalError("no secret is asked in this step");
    }
};

// RETIRE, witnessed: the "card-retired" entry is where `ceremony cards` and `ceremony retire`
// learn that a card's share is gone, so both retirement loops write it here.
void retireCard(QuorumCard& card, const ManifestCard& listed, CeremonyContext& context) {
    card.retire();
    context.audit().append("card-retired",
                           details({{"index", std::to_string(listed.index)}, {"card_id", toHex(listed.cardId)}}));
}

int unerased(const Manifest& old, const ReshareJournal& journal) {
    return old.n - static_cast<int>(journal.retired.size());
}

class Reshare {
public:
    Reshare(const ReshareRequest& request, CeremonyContext& context, SecretReader& pins)
        : request_(request),
          context_(context),
          pins_(pins),
          files_(request.ceremonyDir),
          issuancePath_(files_.reshareIssuancePath()),
          journalPath_(files_.reshareJournalPath()),
          out_(context.out()) {}

    void run() {
        if (request_.resume) {
            load();
        } else {
            start();
        }
        if (!issuance_.remaining().empty()) issueNewCards();
        if (journal_.context.empty()) {
            journal_.context = reshareContext(journal_.oldManifestSha256, issuance_.draft);
            journal_.save(journalPath_, context_.ca());
        }
        if (static_cast<int>(journal_.redistributions.size()) < old_.k) collectFromOldCards();
        if (static_cast<int>(journal_.filled.size()) < journal_.n) fillNewCards();
        if (journal_.newManifestSha256.empty()) writeNewManifest();
        if (journal_.retireOld) retireOldCards();
        finish();
    }

private:
    void start() {
        old_ = loadManifestArgument(request_.oldManifestPath, context_.trust().ca);
        journal_.oldManifestPath = request_.oldManifestPath;
        journal_.oldManifestSha256 = sha256Of(readWholeFile(request_.oldManifestPath, "manifest"));
        journal_.newManifestPath = request_.newManifestPath;
        journal_.k = request_.k;
        journal_.n = request_.n;
        journal_.role = request_.role;
        journal_.retireOld = request_.old == ReshareRequest::OldCards::Retire;

        Manifest& draft = issuance_.draft;
        draft.cardSetId = old_.cardSetId;
        draft.k = request_.k;
        draft.n = request_.n;
        draft.scheme = old_.scheme;
        draft.caCertificatePem = old_.caCertificatePem;
        draft.signingKey = old_.signingKey;
        draft.lineage.role = request_.role;
        draft.lineage.generation = old_.lineage.generation + 1;
        draft.lineage.parentSha256 = journal_.oldManifestSha256;
        issuance_.manifestPath = request_.newManifestPath;
        issuance_.scheme = old_.scheme;
        issuance_.keyType = old_.signingKey.type;
        issuance_.pinPolicy = request_.policy.encode();
        issuance_.holders = request_.holders.empty()
                                ? std::vector<std::string>(static_cast<std::size_t>(request_.n))
                                : request_.holders;
        issuance_.sealedShares = sealShares(context_.ca(), {});
        context_.audit().append("reshare-start",
                                details({{"card_set_id", toHex(old_.cardSetId)},
                                         {"old_manifest_sha256", toHex(journal_.oldManifestSha256)},
                                         {"old_k", std::to_string(old_.k)},
                                         {"old_n", std::to_string(old_.n)},
                                         {"k", std::to_string(request_.k)},
                                         {"n", std::to_string(request_.n)},
                                         {"role", request_.role},
                                         {"old_cards", journal_.retireOld ? "retire" : "keep"}}));
        issuance_.save(issuancePath_, context_.ca());
        journal_.save(journalPath_, context_.ca());
        out_ << "Resharing " << request_.oldManifestPath << " (" << old_.k << " of " << old_.n
             << ") to a new " << request_.role << " set of " << request_.k << " of " << request_.n
             << " cards. The activation key "
             << "is never rebuilt: the old cards hand their shares to the new cards sealed, card "
                "to card."
             << std::endl;
    }

    void load() {
        journal_ = ReshareJournal::load(journalPath_);
        journal_.authenticate(context_.ca().certificate(), journalPath_);
        issuance_ = KeygenJournal::load(issuancePath_);
        issuance_.authenticate(context_.ca().certificate(), issuancePath_);
        old_ = Manifest::load(journal_.oldManifestPath);
        authenticateManifest(old_, context_.trust().ca, journal_.oldManifestPath);
        // Both journals are the CA's; what they carry over from the old set must still be its.
        const Manifest& draft = issuance_.draft;
        if (draft.cardSetId != old_.cardSetId || draft.caCertificatePem != old_.caCertificatePem ||
            draft.signingKey.publicKeyPem != old_.signingKey.publicKeyPem ||
            draft.signingKey.wrappedKey != old_.signingKey.wrappedKey ||
            draft.lineage.parentSha256 != journal_.oldManifestSha256)
            throw ReshareJournalError(issuancePath_ + " does not carry on " + journal_.oldManifestPath +
                                      " (its set, CA, signing key or parent differ): it was changed; give the "
                                      "reshare up with --abandon");
        if (sha256Of(readWholeFile(journal_.oldManifestPath, "manifest")) !=
                journal_.oldManifestSha256 &&
            journal_.newManifestSha256.empty())
            throw ReshareJournalError(journal_.oldManifestPath +
                                      " changed since the reshare began: it cannot go on; "
                                      "give it up with --abandon");
        context_.audit().append(
            "reshare-resumed",
            details({{"new_cards_issued", std::to_string(issuance_.draft.cards.size())},
                     {"old_cards_given", std::to_string(journal_.redistributions.size())},
                     {"new_cards_filled", std::to_string(journal_.filled.size())},
                     {"old_cards_retired", std::to_string(journal_.retired.size())}}));
        out_ << "Resuming the reshare of " << journal_.oldManifestPath << " to "
             << journal_.newManifestPath << ": " << issuance_.draft.cards.size() << " of "
             << journal_.n << " new cards issued, " << journal_.redistributions.size() << " of "
             << old_.k << " old cards given, " << journal_.filled.size() << " of " << journal_.n
             << " new cards filled." << std::endl;
    }

    void issueNewCards() {
        out_ << "Step 1 of 4: the new cards are issued (key pair, certificate, PINs); they get "
                "their shares in step 3."
             << std::endl;
        NoShareYet scheme;
        std::map<int, Bytes> none;
        issueRemainingCards(request_.cards, context_, scheme, issuance_, issuancePath_, none,
                            pins_);
    }

    void collectFromOldCards() {
        out_ << "Step 2 of 4: " << old_.k
             << " cards of the old set, each after its holder's PIN, seal their share "
             << "for the new cards." << std::endl;
        std::vector<crypto::Certificate> newCards;
        for (const auto& card : issuance_.draft.cards)
            newCards.push_back(crypto::Certificate::fromPem(card.certificatePem));
        StepTimes times;
        CardWish wish;
        wish.done = [&] { return static_cast<int>(journal_.redistributions.size()) >= old_.k; };
        wish.prompt = [&] {
            return "Insert a card of the old set (" +
                   std::to_string(journal_.redistributions.size()) + " of " +
                   std::to_string(old_.k) + " given).";
        };
        wish.refuseBeforePin = [&](const ManifestCard& card) -> std::optional<std::string> {
            if (journal_.from(card.index) != nullptr)
                return card.describe() +
                       " gave its share already; please use another card of the old set";
            return std::nullopt;
        };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&,
                       const ManifestCard& listed) {
            crypto::reshare::Redistribution made =
                card.reshareOut(journal_.k, newCards, journal_.context);
            if (made.from != listed.index ||
                !crypto::reshare::fromShareHolder(made, old_.commitments)) {
                context_.audit().append("redistribution-refused",
                                        details({{"index", std::to_string(listed.index)},
                                                 {"card_id", toHex(listed.cardId)}}));
                throw SetAside(
                    listed.describe() +
                        "'s redistribution does not start from its share (D_0 is not its "
                        "public share point): this card is faulty or tampered with; it is "
                        "set aside, please use another card of the old set",
                    listed.index);
            }
            journal_.redistributions.push_back(std::move(made));
            journal_.save(journalPath_, context_.ca());
            context_.audit().append(
                "redistribution-made",
                details({{"index", std::to_string(listed.index)},
                         {"card_id", toHex(listed.cardId)},
                         {"commitments_sha256",
                          toHex(journal_.from(listed.index)->commitments.digest())}}));
            out_ << listed.describe() << " gave its share, sealed for the " << journal_.n
                 << " new cards (" << journal_.redistributions.size() << " of " << old_.k << ")."
                 << std::endl;
        };
        collectFromCards(request_.cards, context_, old_, pins_, times, wish);
    }

    void fillNewCards() {
        out_ << "Step 3 of 4: each new card takes its share from the sealed ones (no PIN)."
             << std::endl;
        StepTimes times;
        CardWish wish;
        wish.pinNeeded = false;
        wish.done = [&] {
            return static_cast<int>(journal_.filled.size()) >= journal_.n ||
                   static_cast<int>(journal_.redistributions.size()) < old_.k;
        };
        wish.prompt = [&] {
            std::string missing;
            for (const auto& card : issuance_.draft.cards)
                if (journal_.filled.count(card.index) == 0)
                    missing += (missing.empty() ? "" : ", ") + card.describe();
            return "Insert a new card (" + std::to_string(journal_.filled.size()) + " of " +
                   std::to_string(journal_.n) + " have their share; waiting for " + missing + ").";
        };
        wish.refuseBeforePin = [&](const ManifestCard& card) -> std::optional<std::string> {
            if (journal_.filled.count(card.index) != 0)
                return card.describe() + " has its share already";
            return std::nullopt;
        };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&,
                       const ManifestCard& listed) {
            try {
                card.reshareIn(journal_.redistributions, journal_.context);
            } catch (const RedistributionRefusedError& e) {
                dropOldCard(e.oldCard(), listed, e.what());
                throw;
            }
            journal_.filled.insert(listed.index);
            journal_.save(journalPath_, context_.ca());
            context_.audit().append("card-filled", details({{"index", std::to_string(listed.index)},
                                                            {"card_id", toHex(listed.cardId)}}));
            out_ << listed.describe() << " has its share (" << journal_.filled.size() << " of "
                 << journal_.n << ")." << std::endl;
        };
        collectFromCards(request_.cards, context_, issuance_.draft, pins_, times, wish);
        if (static_cast<int>(journal_.redistributions.size()) < old_.k) {
            // An old card's sealed sub-share was bad: another old card replaces it, and every new
            // card takes its share again from the new group (a card filled from the bad group has
            // none: RESHARE IN stores nothing when it refuses).
            collectFromOldCards();
            fillNewCards();
        }
    }

    // A new card refused old card `from`'s sub-share: that card is named and its redistribution
    // dropped. The new shares are points of one polynomial made by the whole group of k old
    // cards: once the group changes, every new card takes its share again (RESHARE IN replaces
    // one it holds).
    void dropOldCard(int from, const ManifestCard& newCard, const std::string& why) {
        const ManifestCard* bad = old_.card(from);
        const std::string name = bad ? bad->describe() : "old card " + std::to_string(from);
        out_ << newCard.describe() << " refused the share sealed by " << name << " (" << why
             << "): that card is faulty or tampered with; another card of the old set will replace "
                "it, and every new "
                "card takes its share again."
             << std::endl;
        context_.audit().append("redistribution-refused",
                                details({{"index", std::to_string(from)},
                                         {"by_new_card", std::to_string(newCard.index)},
                                         {"reason", why}}));
        auto& list = journal_.redistributions;
        list.erase(
            std::remove_if(list.begin(), list.end(), [&](const auto& r) { return r.from == from; }),
            list.end());
        journal_.filled.clear();
        journal_.save(journalPath_, context_.ca());
    }

    void writeNewManifest() {
        out_ << "Step 4 of 4: the new set's manifest." << std::endl;
        Manifest manifest = issuance_.draft;
        manifest.commitments = crypto::reshare::combinedCommitments(journal_.redistributions);
        if (manifest.commitments.points.at(0) != old_.commitments.points.at(0))
            throw FatalError(
                "the new commitments do not keep the old C_0: the redistribution is inconsistent; "
                "nothing was written (give the reshare up with --abandon)");
        signManifest(manifest, context_.ca());
        manifest.save(journal_.newManifestPath);
        const std::string text = manifest.toJson();
        journal_.newManifestSha256 = sha256Of(text);
        journal_.save(journalPath_, context_.ca());
        destroyFile(issuancePath_, "reshare issuance journal");
        context_.audit().append(
            "reshare-set-made",
            details({{"manifest_sha256", toHex(journal_.newManifestSha256)},
                     {"commitments_sha256", toHex(manifest.commitments.digest())},
                     {"role", manifest.lineage.role},
                     {"generation", std::to_string(manifest.lineage.generation)}}));
        context_.showFingerprint("new manifest", journal_.newManifestSha256);
        out_ << "New set written: " << journal_.newManifestPath << " (" << journal_.k << " of "
             << journal_.n << ", same signing key, same activation key: the HSM is untouched)."
             << std::endl;
    }

    void retireOldCards() {
        const auto left = [&] { return unerased(old_, journal_); };
        if (left() >= old_.k && !request_.acceptUnerased) {
            out_ << "The old cards are retired now: " << left() << " of the old set's " << old_.n
                 << " shares are unerased, and " << old_.k
                 << " of them still open the key; at most " << old_.k - 1 << " may stay."
                 << std::endl;
            StepTimes times;
            CardWish wish;
            wish.pinNeeded = false;
            wish.done = [&] { return left() < old_.k; };
            wish.prompt = [&] {
                return "Insert a card of the old set to retire it (" + std::to_string(left()) +
                       " shares unerased; retire " + std::to_string(left() - old_.k + 1) +
                       " more).";
            };
            wish.refuseBeforePin = [&](const ManifestCard& card) -> std::optional<std::string> {
                if (journal_.retired.count(card.index) != 0)
                    return card.describe() + " is retired already";
                return std::nullopt;
            };
            wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&,
                           const ManifestCard& listed) {
                retireCard(card, listed, context_);
                journal_.retired.insert(listed.index);
                journal_.save(journalPath_, context_.ca());
                out_ << listed.describe() << " is retired: its share is erased (" << left()
                     << " of the old set's shares unerased)." << std::endl;
            };
            collectFromCards(request_.cards, context_, old_, pins_, times, wish);
        } else if (left() >= old_.k) {
            context_.audit().append(
                "retirement-left-unfinished",
                details({{"unerased", std::to_string(left())}, {"k", std::to_string(old_.k)}}));
            out_ << "Warning: " << left() << " shares of the old set are unerased - " << old_.k
                 << " of them can still open the key. Retire its cards with `ceremony retire "
                    "--manifest "
                 << journal_.oldManifestPath << "`." << std::endl;
        }
        Manifest superseded = old_;
        superseded.lineage.supersededBySha256 = journal_.newManifestSha256;
        superseded.lineage.supersededBy = journal_.newManifestPath;
        signManifest(superseded, context_.ca());
        replaceFile(journal_.oldManifestPath, superseded.toJson(), 0644, "manifest");
        context_.audit().append(
            "manifest-superseded",
            details({{"manifest", journal_.oldManifestPath},
                     {"superseded_by_sha256", toHex(journal_.newManifestSha256)},
                     {"unerased", std::to_string(left())}}));
        out_ << journal_.oldManifestPath << " is marked superseded; " << left() << " of its "
             << old_.n << " shares remain unerased." << std::endl;
    }

    void finish() {
        destroyFile(journalPath_, "reshare journal");
        context_.finish("reshare-done",
                        details({{"manifest_sha256", toHex(journal_.newManifestSha256)},
                                 {"old_cards_retired", std::to_string(journal_.retired.size())}}));
        out_ << "Reshare done: " << journal_.newManifestPath << " is the new " << journal_.role
             << " set, " << journal_.k << " of " << journal_.n << " cards of the same key."
             << std::endl;
    }

    const ReshareRequest& request_;
    CeremonyContext& context_;
    SecretReader& pins_;
    CeremonyFiles files_;
    std::string issuancePath_;
    std::string journalPath_;
    std::ostream& out_;
    Manifest old_;
    ReshareJournal journal_;
    KeygenJournal issuance_;
};

void abandon(const ReshareRequest& request, CeremonyContext& context, std::ostream& out) {
    const CeremonyFiles files(request.ceremonyDir);
    const ReshareJournal journal = ReshareJournal::load(files.reshareJournalPath());
    if (!journal.newManifestSha256.empty())
        throw UsageError(
            "the new set is made already (" + journal.newManifestPath +
            "): only the old cards' "
            "retirement is left; finish it with --resume (or `ceremony retire --manifest " +
            journal.oldManifestPath + "`)");
    std::size_t issued = 0;
    if (std::filesystem::exists(files.reshareIssuancePath())) {
        issued = KeygenJournal::load(files.reshareIssuancePath()).draft.cards.size();
        destroyFile(files.reshareIssuancePath(), "reshare issuance journal");
    }
    destroyFile(files.reshareJournalPath(), "reshare journal");
    context.finish("reshare-abandoned",
                   details({{"new_cards_issued", std::to_string(issued)},
                            {"old_cards_given", std::to_string(journal.redistributions.size())},
                            {"new_cards_filled", std::to_string(journal.filled.size())}}));
    out << "Reshare given up. The old set " << journal.oldManifestPath
        << " is untouched and current. " << issued
        << " new cards were issued; those that took a share hold one of a set without a manifest: "
           "retire them "
           "(`ceremony retire`) or WIPE them before they are used again."
        << std::endl;
}

// Refuses, before any card, a reshare whose files would not fit: the new manifest (none once it
// is written), the old one rewritten marked superseded, both journals (twice: the old copy
// stays until the new replaces it) and the audit log's entries for the old and the new cards.
void requireRoomForReshare(const std::string& ceremonyDir, const std::string& oldManifestPath,
                           const std::string& newManifestPath, int oldCards, int newCards) {
    const std::uint64_t issuance = manifestRoom(newCards) + static_cast<std::uint64_t>(newCards) * 1024;
    const std::uint64_t journal = manifestRoom(oldCards + newCards);
    std::vector<platform::SpaceNeed> needs{
        {platform::folderOf(oldManifestPath), manifestRoom(oldCards), "the old manifest marked superseded"},
        {ceremonyDir, 2 * (issuance + journal) + auditRoom(oldCards + newCards),
         "the reshare journals and the audit log"}};
    if (newCards > 0) needs.push_back({platform::folderOf(newManifestPath), manifestRoom(newCards), "the new manifest"});
    requireRoom(needs);
}

}  // namespace

void checkReshareRequest(const ReshareRequest& request) {
    const CeremonyFiles files(request.ceremonyDir);
    const bool waiting = std::filesystem::exists(files.reshareJournalPath());
    if (request.resume || request.abandon) {
        if (!waiting)
            throw UsageError(std::string(request.resume ? "--resume" : "--abandon") +
                             ": no interrupted reshare in " + request.ceremonyDir + " (no " +
                             files.reshareJournalPath() + ")");
        if (request.resume) {  // everything else comes from the journals
            const ReshareJournal journal = ReshareJournal::load(files.reshareJournalPath());
            const int newCards = std::filesystem::exists(files.reshareIssuancePath())
                                     ? KeygenJournal::load(files.reshareIssuancePath()).draft.n
                                     : 0;  // the new manifest is written: the old cards' retirement is left
            requireRoomForReshare(request.ceremonyDir, journal.oldManifestPath, journal.newManifestPath,
                                  Manifest::load(journal.oldManifestPath).n, newCards);
        }
        return;
    }
    if (waiting)
        throw UsageError("an interrupted reshare is waiting in " + request.ceremonyDir +
                         ": continue it with `ceremony "
                         "reshare --resume --ceremony " +
                         request.ceremonyDir + "` or give it up with --abandon");
    const Manifest old =
        loadManifestArgument(request.oldManifestPath, request.ceremonyDir);
    requireShamir(old, request.oldManifestPath);
    if (request.k < 1 || request.k > request.n || request.n > crypto::kFeldmanMaxShares)
        throw UsageError("-k " + std::to_string(request.k) + " -n " + std::to_string(request.n) +
                         ": need 1 <= k <= n <= " + std::to_string(crypto::kFeldmanMaxShares));
    if (!ManifestLineage::validRole(request.role))
        throw UsageError("--role " + request.role + ": operational, recovery or transport");
    if (request.old == ReshareRequest::OldCards::Unset)
        throw UsageError(
            "say what becomes of the old cards: --retire-old (their shares are erased as they are "
            "inserted again) or --keep-old (the old set stays usable)");
    if (request.old == ReshareRequest::OldCards::Retire &&
        request.role != ManifestLineage::kOperational)
        throw UsageError("a " + request.role + " set is made next to the old one: use --keep-old");
    if (const std::string wrong = request.policy.problem(); !wrong.empty())
        throw UsageError("PIN policy: " + wrong);
    if (!request.holders.empty() && static_cast<int>(request.holders.size()) != request.n)
        throw UsageError("holders: " + std::to_string(request.holders.size()) + " names for " +
                         std::to_string(request.n) + " cards");
    if (std::filesystem::exists(files.keygenJournalPath()))
        throw UsageError("an interrupted key generation is waiting in " + request.ceremonyDir +
                         ": finish it first (`ceremony keygen --resume`)");
    checkOutput("--new-manifest", request.newManifestPath, std::nullopt, {request.oldManifestPath});
    requireRoomForReshare(request.ceremonyDir, request.oldManifestPath, request.newManifestPath, old.n, request.n);
}

void runReshare(const ReshareRequest& request, SecretReader& pins, const std::string& caPassphrase,
                const std::string& hostPassphrase, std::ostream& out) {
    checkReshareRequest(request);
    CeremonyContext context = CeremonyContext::withCa(request.ceremonyDir, caPassphrase, hostPassphrase, out);
    if (request.abandon) {
        abandon(request, context, out);
        return;
    }
    try {
        Reshare(request, context, pins).run();
    } catch (const std::exception& e) {
        context.stopped("reshare-stopped", e.what());
        out << "Nothing is lost: the reshare is kept in "
            << CeremonyFiles(request.ceremonyDir).reshareJournalPath()
            << ". Continue it with `ceremony reshare --resume --ceremony " << request.ceremonyDir
            << "`, or give it up with --abandon (the old set stays as it is)." << std::endl;
        throw;
    }
}

void checkRetireRequest(const RetireRequest& request) {
    const Manifest manifest = loadCeremonyManifest(request.manifestPath, request.ceremonyDir);
    requireShamir(manifest, request.manifestPath);
    // The manifest is rewritten, marked retired, once fewer than k shares are left.
    requireRoom({{platform::folderOf(request.manifestPath), manifestRoom(manifest.n), "the manifest marked retired"},
                 {request.ceremonyDir, auditRoom(manifest.n), "the audit log"}});
}

void runRetire(const RetireRequest& request, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out) {
    checkRetireRequest(request);
    // The CA signs the manifest again when it marks the set retired.
    CeremonyContext context = CeremonyContext::withCa(request.ceremonyDir, caPassphrase, hostPassphrase, out);
    Manifest manifest = Manifest::load(request.manifestPath);
    authenticateManifest(manifest, context.trust().ca, request.manifestPath);
    const Bytes manifestSha256 = sha256Of(readWholeFile(request.manifestPath, "manifest"));
    context.audit().append("retire-start", details({{"manifest_sha256", toHex(manifestSha256)},
                                                    {"role", manifest.lineage.role}}));
    // Cards retired before (a reshare's --retire-old, an earlier run), as this ceremony's log says.
    std::set<int> retired;
    for (const auto& history :
         cardHistories(manifest, readAuditLog(CeremonyFiles(request.ceremonyDir).auditLogPath())))
        if (history.state == "RETIRED") retired.insert(history.card.index);
    const std::size_t before = retired.size();
    const auto left = [&] { return manifest.n - static_cast<int>(retired.size()); };
    if (before > 0)
        out << before << " of the set's " << manifest.n << " cards were retired before; " << left()
            << " to go." << std::endl;
    try {
        StepTimes times;
        NoSecrets none;
        CardWish wish;
        wish.pinNeeded = false;
        wish.done = [&] { return left() == 0; };
        wish.prompt = [&] {
            return "Insert a card of " + request.manifestPath + " to retire it (" +
                   std::to_string(retired.size()) + " of " + std::to_string(manifest.n) +
                   " retired; Ctrl-C ends).";
        };
        wish.refuseBeforePin = [&](const ManifestCard& card) -> std::optional<std::string> {
            if (retired.count(card.index) != 0) return card.describe() + " is retired already";
            return std::nullopt;
        };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&,
                       const ManifestCard& listed) {
            retireCard(card, listed, context);
            retired.insert(listed.index);
            out << listed.describe() << " is retired: its share is erased." << std::endl;
            if (left() < manifest.k && !manifest.lineage.retired) {
                manifest.lineage.retired = true;
                signManifest(manifest, context.ca());
                replaceFile(request.manifestPath, manifest.toJson(), 0644, "manifest");
                context.audit().append("manifest-retired",
                                       details({{"manifest", request.manifestPath}}));
                out << "Fewer than " << manifest.k
                    << " of this set's cards can hold a share now: the set cannot open "
                    << "the key any more, and " << request.manifestPath << " is marked retired."
                    << std::endl;
            }
        };
        collectFromCards(request.cards, context, manifest, none, times, wish);
    } catch (const std::exception& e) {
        context.stopped("retire-stopped", std::string(e.what()) + " (" +
                                              std::to_string(retired.size() - before) +
                                              " cards retired in this run)");
        throw;
    }
    context.finish("retire-done", details({{"retired", std::to_string(retired.size() - before)}}));
    out << "Every card of " << request.manifestPath << " is retired." << std::endl;
}

}  // namespace quorum::host
