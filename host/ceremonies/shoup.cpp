#include "host/ceremonies/shoup.hpp"

#include <chrono>
#include <iomanip>
#include <optional>

#include "crypto/primitives.hpp"
#include "crypto/public_key.hpp"
#include "crypto/shoup.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/partial_collector.hpp"
#include "host/documents/partial_file.hpp"

namespace quorum::host {

namespace {

namespace shoup = crypto::shoup;

int modulusBits(SigningKeyType type) {
    switch (type) {
        case SigningKeyType::Rsa2048: return 2048;
        case SigningKeyType::Rsa3072: return 3072;
        case SigningKeyType::Rsa4096: return 4096;
        case SigningKeyType::P256: break;
    }
    throw UsageError("the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096");
}

const char* outcomeName(PartialCollector::Outcome outcome) {
    switch (outcome) {
        case PartialCollector::Outcome::Accepted: return "accepted";
        case PartialCollector::Outcome::AlreadyCounted: return "already-counted";
        case PartialCollector::Outcome::NotNeeded: return "not-needed";
        case PartialCollector::Outcome::BadProof: return "bad-proof";
    }
    return "unknown";
}

// Tells the people what became of a card's partial signature(s) and records it.
void recordOffer(CeremonyContext& context, StepTimes& times, const QuorumTally::Result& result,
                 const ManifestCard& listed, std::uint32_t usageCount) {
    context.out() << result.message << std::endl;
    times.time("audit entry (append + fsync)", [&] {
        return context.audit().append("partial-offered", details({{"index", std::to_string(result.cardIndex)},
                                                                  {"card_id", toHex(listed.cardId)},
                                                                  {"outcome", outcomeName(result.outcome)},
                                                                  {"usage_counter", std::to_string(usageCount)}}));
    });
}

const Manifest& requireThreshold(const Manifest& manifest, const std::string& path) {
    if (!manifest.shoup())
        throw UsageError(path + " is a card set of scheme \"" + manifest.scheme +
                         "\": its cards make no partial signatures (use `ceremony sign`)");
    return manifest;
}

class ShoupKeygen : public KeygenScheme {
public:
    std::map<int, Bytes> deal(const KeygenRequest& request, CeremonyContext& context, Manifest& manifest) override {
        using Clock = std::chrono::steady_clock;
        std::ostream& out = context.out();
        const int bits = modulusBits(request.keyType);
        out << "Dealing a " << bits << "-bit threshold RSA key, " << request.k << " of " << request.n
            << ": searching for two safe primes (seconds to minutes)" << std::flush;
        const auto start = Clock::now();
        auto lastDot = start;
        shoup::Deal dealt = shoup::deal(bits, request.k, request.n, [&] {
            const auto now = Clock::now();
            if (now - lastDot >= std::chrono::seconds(2)) {
                out << "." << std::flush;
                lastDot = now;
            }
        });
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        out << "\nKey dealt in " << std::fixed << std::setprecision(1) << seconds << std::defaultfloat
            << " s; the private exponent is gone." << std::endl;
        manifest.scheme = Manifest::kSchemeShoup;
        manifest.rsaKey = dealt.publicKey;
        manifest.signingKey.publicKeyPem = dealt.publicKey.toPem();
        out << "Threshold RSA public key (" << keyTypeName(request.keyType) << ")\n";
        std::map<int, Bytes> shares;
        for (const auto& share : dealt.shares) shares[share.index] = share.value;
        return shares;
    }
    void storeShare(QuorumCard& card, int index, const Bytes& share, const Manifest& manifest) override {
        card.storeRsaShare(manifest.rsaKey, shoup::KeyShare{index, share});
    }
    std::string summary(int k, int n) const override {
        return "any " + std::to_string(k) + " of the " + std::to_string(n) + " cards sign with partial signatures.";
    }
};

// One message: PARTIAL SIGN with one digest, each partial proven on its own.
class ShoupSigner : public CardSigner {
public:
    ShoupSigner(const Manifest& manifest, const Bytes& message)
        : manifest_(manifest), collector_(manifest.rsaKey, crypto::sha256(message)), digest_(crypto::sha256(message)) {}

    bool complete() const override { return collector_.complete(); }
    std::string progress() const override { return collector_.progress(); }
    std::optional<std::string> refusal(int index) const override { return collector_.refusal(index); }

    void take(QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed,
              CeremonyContext& context, StepTimes& times) override {
        const int index = info.cardIndex.value_or(0);
        const SignedPartial made = times.time("PARTIAL SIGN (wrapped)", [&] {
            return card.partialSign(digest_, manifest_.rsaKey.modulusSize(), index);
        });
        const auto result = times.time("proof checked against the manifest", [&] { return collector_.offer(made.partial); });
        recordOffer(context, times, result, listed, made.usageCount);
    }

    std::vector<Bytes> signatures(StepTimes& times) override {
        return {times.time("partials combined, y^e == x checked", [&] { return collector_.signature(); })};
    }

private:
    const Manifest& manifest_;
    PartialCollector collector_;
    Bytes digest_;
};

// Several messages (a KSR's bundles): one PARTIAL SIGN with all their digests and one proof.
class ShoupBatchSigner : public CardSigner {
public:
    ShoupBatchSigner(const Manifest& manifest, std::vector<Bytes> digests)
        : manifest_(manifest), collector_(manifest.rsaKey, std::move(digests)) {}

    bool complete() const override { return collector_.complete(); }
    std::string progress() const override { return collector_.progress(); }
    std::optional<std::string> refusal(int index) const override { return collector_.refusal(index); }

    void take(QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed,
              CeremonyContext& context, StepTimes& times) override {
        const int index = info.cardIndex.value_or(0);
        const SignedBatch made = times.time("PARTIAL SIGN of every message, batched (wrapped)", [&] {
            return card.partialSignBatch(collector_.digests(), manifest_.rsaKey.modulusSize(), index);
        });
        const auto result =
            times.time("batch proof checked against the manifest", [&] { return collector_.offer(index, made.batch); });
        recordOffer(context, times, result, listed, made.usageCount);
    }

    std::vector<Bytes> signatures(StepTimes& times) override {
        return times.time("partials combined per message, y^e == x checked", [&] { return collector_.signatures(); });
    }

private:
    const Manifest& manifest_;
    BatchCollector collector_;
};

}  // namespace

std::unique_ptr<KeygenScheme> shoupKeygen() { return std::make_unique<ShoupKeygen>(); }

std::unique_ptr<CardSigner> shoupSigner(const Manifest& manifest, std::vector<Bytes> messages) {
    if (messages.size() == 1) return std::make_unique<ShoupSigner>(manifest, messages.front());
    if (messages.empty() || messages.size() > shoup::kMaxBatch)
        throw UsageError("the threshold RSA scheme signs 1 to " + std::to_string(shoup::kMaxBatch) +
                         " messages with one insertion of each card, not " + std::to_string(messages.size()));
    std::vector<Bytes> digests;
    for (const auto& message : messages) digests.push_back(crypto::sha256(message));
    return std::make_unique<ShoupBatchSigner>(manifest, std::move(digests));
}

Manifest checkPartialSignRequest(const PartialSignRequest& request) {
    Manifest manifest = loadManifestArgument(request.manifestPath, request.ceremonyDir);
    requireThreshold(manifest, request.manifestPath);
    readMessage(request.inputPath);
    checkOutput("--out", request.outputPath, std::nullopt, {request.inputPath, request.manifestPath});
    requireRoom({{platform::folderOf(request.outputPath), partialFileRoom(manifest, 1), "the partial signature"},
                 {request.ceremonyDir, auditRoom(1), "the audit log"}});
    requireConfirmation(request.confirmed, "what it signs");
    return manifest;
}

void runPartialSign(const PartialSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
    const Manifest manifest = checkPartialSignRequest(request);
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, hostPassphrase, out);
    const Bytes message = readMessage(request.inputPath);
    const Bytes digest = crypto::sha256(message);
    context.audit().append("partial-sign-start",
                           details({{"card_set_id", toHex(manifest.cardSetId)}, {"input_sha256", toHex(digest)}}));
    try {
        context.confirmInput(request.inputPath, message, request.confirmed);
        std::optional<PartialFile> made;
        StepTimes times;
        CardWish wish;
        wish.done = [&] { return made.has_value(); };
        wish.prompt = [&] { return "Insert your card of set " + toHex(manifest.cardSetId).substr(0, 8) + "..."; };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&, const ManifestCard& listed) {
            const int index = listed.index;
            const SignedPartial signedPartial = card.partialSign(digest, manifest.rsaKey.modulusSize(), index);
            // Checked here too, so a faulty card is found at its holder's site, not at combination.
            PartialCollector check(manifest.rsaKey, digest);
            const auto result = check.offer(signedPartial.partial);
            context.audit().append("partial-made", details({{"index", std::to_string(index)},
                                                            {"outcome", outcomeName(result.outcome)},
                                                            {"usage_counter", std::to_string(signedPartial.usageCount)}}));
            if (result.outcome != PartialCollector::Outcome::Accepted)
                throw FatalError("card " + std::to_string(index) +
                                 "'s partial signature fails its proof against the manifest: the card is faulty or was "
                                 "tampered with; no partial signature written");
            PartialFile file;
            file.cardSetId = manifest.cardSetId;
            file.cardId = listed.cardId;
            file.digest = digest;
            file.partial = signedPartial.partial;
            file.usageCount = signedPartial.usageCount;
            made = std::move(file);
            out << "Card " << index << " made its partial signature (its proof checks; card usage counter "
                << signedPartial.usageCount << ")." << std::endl;
        };
        collectFromCards(request.cards, context, manifest, pins, times, wish);
        made->save(request.outputPath);
        const std::string text = made->toJson();
        context.finish("partial-sign-done",
                       details({{"index", std::to_string(made->partial.index)},
                                {"partial_file_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}));
    } catch (const std::exception& e) {
        context.stopped("partial-sign-stopped", e.what());
        throw;
    }
    out << "Partial signature written: " << request.outputPath << " - send it to whoever combines; it holds no secret."
        << std::endl;
}

void runCombine(const CombineRequest& request, std::ostream& out) {
    const Manifest manifest =
        loadManifestArgument(request.manifestPath, manifestAnchor(request.caPath, request.ceremonyDir));
    requireThreshold(manifest, request.manifestPath);
    std::vector<std::string> inputs = request.partialPaths;
    inputs.push_back(request.inputPath);
    inputs.push_back(request.manifestPath);
    checkOutput("--out", request.signaturePath, std::nullopt, inputs);
    requireRoom({platform::folderOf(request.signaturePath), signatureRoom(manifest), "the signature"},
                request.auditLogPath);
    std::optional<Bytes> message;
    std::optional<Bytes> digest;
    if (!request.inputPath.empty()) {
        message = readMessage(request.inputPath);
        digest = crypto::sha256(*message);
    }
    std::optional<PartialCollector> collector;
    if (digest) collector.emplace(manifest.rsaKey, *digest);
    int bad = 0;
    for (const auto& path : request.partialPaths) {
        try {
            const PartialFile file = PartialFile::load(path);
            if (file.cardSetId != manifest.cardSetId)
                throw PartialFileError(path + ": made by a card of another set (" + toHex(file.cardSetId).substr(0, 8) +
                                       "...)");
            const ManifestCard* listed = manifest.card(file.partial.index);
            if (listed != nullptr && listed->cardId != file.cardId)
                throw PartialFileError(path + ": card " + std::to_string(listed->index) + " of this set has card id " +
                                       toHex(listed->cardId) + ", not " + toHex(file.cardId));
            if (!digest) {
                digest = file.digest;  // without the message, the first partial names what is signed
                collector.emplace(manifest.rsaKey, *digest);
            }
            if (file.digest != *digest)
                throw PartialFileError(path + ": card " + std::to_string(file.partial.index) +
                                       " signed another message (SHA-256 " + toHex(file.digest).substr(0, 16) + "...)");
            const auto result = collector->offer(file.partial);
            out << path << ": " << result.message << std::endl;
            if (result.outcome == PartialCollector::Outcome::BadProof) ++bad;
        } catch (const PartialFileError& e) {
            out << e.what() << "; skipped" << std::endl;
            ++bad;
        }
    }
    if (!collector || !collector->complete())
        throw FatalError("only " + (collector ? collector->progress() : std::string("0 partial signatures")) +
                         " are good" + (bad ? " (" + std::to_string(bad) + " refused, see above)" : std::string()) +
                         ": " + std::to_string(manifest.k) + " are needed; nothing written");
    const Bytes signature = collector->signature();
    if (message && !crypto::verifySha256Signature(manifest.signingKey.publicKeyPem, *message, signature))
        throw FatalError("the signature does not verify with the manifest's public key: nothing written");
    replaceFile(request.signaturePath, std::string(signature.begin(), signature.end()), 0644, "signature");
    if (!request.auditLogPath.empty()) {
        AuditLog audit = AuditLog::open(request.auditLogPath);
        closeAudit(audit, "combine",
                   details({{"card_set_id", toHex(manifest.cardSetId)},
                            {"input_sha256", toHex(*digest)},
                            {"signature_sha256", toHex(crypto::sha256(signature))}}),
                   out);
    }
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes, SHA-256 of the message "
        << toHex(*digest) << ")" << std::endl;
}

}  // namespace quorum::host
