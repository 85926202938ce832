#include "host/ceremonies/dnssec_signing.hpp"

#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/partial_collector.hpp"
#include "host/ceremonies/signing.hpp"
#include "host/dnssec/ksr_validation.hpp"
#include "host/dnssec/rrset_signing.hpp"
#include "host/dnssec/skr_signing.hpp"
#include "host/dnssec/times.hpp"
#include "host/dnssec/xml_tree.hpp"
#include "host/documents/partial_file.hpp"

namespace quorum::host {

namespace {

dnssec::Time timeArgument(const std::string& option, const std::string& text) {
    try {
        return dnssec::parseTime(text);
    } catch (const std::invalid_argument& e) {
        throw UsageError(option + " \"" + text + "\": " + e.what() + " (e.g. 2026-12-01T00:00:00Z)");
    }
}

dnssec::Time now() {
    return std::chrono::time_point_cast<dnssec::Duration>(std::chrono::system_clock::now());
}

std::vector<Bytes> messagesOf(const std::vector<dnssec::SigningInput>& inputs) {
    std::vector<Bytes> messages;
    for (const auto& input : inputs) messages.push_back(input.data);
    return messages;
}

// Collects what `signer` needs from the set's cards, as `sign` does.
std::vector<Bytes> signWithCards(CeremonyContext& context, const Manifest& manifest, const CardSource& cards,
                                 SecretReader& pins, CardSigner& signer, StepTimes& times) {
    CardWish wish;
    wish.done = [&] { return signer.complete(); };
    wish.prompt = [&] {
        return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" + signer.progress() + ").";
    };
    wish.refuseBeforePin = [&](const ManifestCard& card) { return signer.refusal(card.index); };
    wish.use = [&](QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed) {
        signer.take(card, info, listed, context, times);
    };
    collectFromCards(cards, context, manifest, pins, times, wish);
    return signer.signatures(times);
}

const Manifest& requireShoup(const Manifest& manifest, const std::string& path) {
    if (!manifest.shoup())
        throw UsageError(path + " is a card set of scheme \"" + manifest.scheme +
                         "\": its cards make no partial signatures (use `ceremony ksr-sign`)");
    return manifest;
}

}  // namespace

dnssec::KskKey kskOf(const Manifest& manifest, const std::string& label) {
    const auto tagged = dnssec::KskKey::fromPublicKeyPem(manifest.signingKey.publicKeyPem, "KSK");
    return label.empty() ? dnssec::KskKey::fromPublicKeyPem(manifest.signingKey.publicKeyPem,
                                                            "KSK-" + std::to_string(tagged.keyTag()))
                         : dnssec::KskKey::fromPublicKeyPem(manifest.signingKey.publicKeyPem, label);
}

CheckedKsr checkKsr(Manifest manifest, const KsrOptions& options) {
    const dnssec::Policy policy =
        options.policyPath.empty() ? dnssec::Policy{} : dnssec::Policy::load(options.policyPath);
    std::optional<dnssec::Skr> previous;
    if (!options.previousSkrPath.empty()) previous = dnssec::Skr::load(options.previousSkrPath);
    const dnssec::Time at = options.at.empty() ? now() : timeArgument("--at", options.at);
    const std::string text = dnssec::xml::readDocumentFile(options.ksrPath, "KSR");  // bounded, read once
    dnssec::Ksr ksr = dnssec::Ksr::fromXml(text, "KSR " + options.ksrPath);
    dnssec::validateKsr(ksr, policy, at, previous);
    dnssec::KskKey ksk = kskOf(manifest, options.kskLabel);
    dnssec::validateSigning(ksr, ksk, policy, previous);
    if (manifest.shoup() && ksr.bundles.size() > crypto::shoup::kMaxBatch)
        throw UsageError("the KSR has " + std::to_string(ksr.bundles.size()) + " bundles; a threshold RSA card signs " +
                         "at most " + std::to_string(crypto::shoup::kMaxBatch) + " in one insertion");
    return {std::move(manifest), policy, std::move(ksr), Bytes(text.begin(), text.end()), std::move(previous),
            std::move(ksk)};
}

CheckedKsr checkKsrSignRequest(const KsrSignRequest& request) {
    CheckedKsr checked = checkKsr(loadManifestArgument(request.manifestPath, request.ceremonyDir), request.ksr);
    checkOutput("--out", request.outputPath, std::nullopt,
                {request.ksr.ksrPath, request.manifestPath, request.ksr.previousSkrPath, request.ksr.policyPath});
    requireRoom({{platform::folderOf(request.outputPath), skrRoom(checked.ksrBytes.size()), "the SKR"},
                 {request.ceremonyDir, auditRoom(checked.manifest.n), "the audit log"}});
    requireConfirmation(request.confirmed, "the KSR's fingerprint");
    return checked;
}

void runKsrSign(const KsrSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
    // The KSR read and checked here is the one whose fingerprint is shown and signed.
    const CheckedKsr checked = checkKsrSignRequest(request);
    const Manifest& manifest = checked.manifest;
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, hostPassphrase, out);
    context.audit().append("ksr-sign-start", details({{"card_set_id", toHex(manifest.cardSetId)},
                                                      {"scheme", manifest.scheme},
                                                      {"ksr_id", checked.ksr.id},
                                                      {"ksr_sha256", toHex(crypto::sha256(checked.ksrBytes))},
                                                      {"bundles", std::to_string(checked.ksr.bundles.size())},
                                                      {"ksk_key_tag", std::to_string(checked.ksk.keyTag())}}));
    try {
        out << "The KSR " << checked.ksr.id << " (serial " << checked.ksr.serial << ", " << checked.ksr.bundles.size()
            << " bundles) passed every check of the signing policy.\n";
        context.confirmInput(request.ksr.ksrPath, checked.ksrBytes, request.confirmed);
        const auto inputs = dnssec::signingInputs(checked.ksr, checked.ksk);
        const auto signer = makeSigner(manifest, request.hsm, request.ceremonyDir, messagesOf(inputs));
        StepTimes times;
        const auto signatures = signWithCards(context, manifest, request.cards, pins, *signer, times);
        const dnssec::Skr skr = times.time("RRSIGs assembled and verified with libldns", [&] {
            return dnssec::assembleSkr(checked.ksr, checked.ksk, signatures, checked.policy);
        });
        if (checked.previous) dnssec::checkSkrChain(skr, *checked.previous, checked.policy);
        if (request.timings) times.print(out);
        const std::string xml = skr.toXml();
        replaceFile(request.outputPath, xml, 0644, "SKR");
        context.finish("ksr-sign-done", details({{"skr_sha256", toHex(crypto::sha256(Bytes(xml.begin(), xml.end())))},
                                                 {"bundles", std::to_string(skr.bundles.size())}}));
        out << "SKR written: " << request.outputPath << " (" << skr.bundles.size()
            << " bundles, every RRSIG verified with the KSK, key tag " << checked.ksk.keyTag() << ")" << std::endl;
    } catch (const std::exception& e) {
        context.stopped("ksr-sign-stopped", e.what());
        throw;
    }
}

CheckedKsr checkKsrPartialSignRequest(const KsrPartialSignRequest& request) {
    CheckedKsr checked = checkKsr(loadManifestArgument(request.manifestPath, request.ceremonyDir), request.ksr);
    requireShoup(checked.manifest, request.manifestPath);
    checkOutput("--out", request.outputPath, std::nullopt, {request.ksr.ksrPath, request.manifestPath});
    requireRoom({{platform::folderOf(request.outputPath), partialFileRoom(checked.manifest, checked.ksr.bundles.size()),
                  "the partial signatures"},
                 {request.ceremonyDir, auditRoom(1), "the audit log"}});
    requireConfirmation(request.confirmed, "the KSR's fingerprint");
    return checked;
}

void runKsrPartialSign(const KsrPartialSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
    const CheckedKsr checked = checkKsrPartialSignRequest(request);
    const Manifest& manifest = checked.manifest;
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, hostPassphrase, out);
    const Bytes ksrDigest = crypto::sha256(checked.ksrBytes);
    context.audit().append("partial-sign-start", details({{"card_set_id", toHex(manifest.cardSetId)},
                                                          {"ksr_id", checked.ksr.id},
                                                          {"ksr_sha256", toHex(ksrDigest)}}));
    try {
        context.confirmInput(request.ksr.ksrPath, checked.ksrBytes, request.confirmed);
        std::vector<Bytes> digests;
        for (const auto& input : dnssec::signingInputs(checked.ksr, checked.ksk))
            digests.push_back(crypto::sha256(input.data));
        std::optional<PartialBatchFile> made;
        StepTimes times;
        CardWish wish;
        wish.done = [&] { return made.has_value(); };
        wish.prompt = [&] { return "Insert your card of set " + toHex(manifest.cardSetId).substr(0, 8) + "..."; };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo&, const ManifestCard& listed) {
            const SignedBatch signedBatch = card.partialSignBatch(digests, manifest.rsaKey.modulusSize(), listed.index);
            // Checked here too, so a faulty card is found at its holder's site, not at combination.
            BatchCollector check(manifest.rsaKey, digests);
            const auto result = check.offer(listed.index, signedBatch.batch);
            context.audit().append("partial-made", details({{"index", std::to_string(listed.index)},
                                                            {"outcome", result.outcome == QuorumTally::Outcome::Accepted
                                                                            ? "accepted"
                                                                            : "bad-proof"},
                                                            {"usage_counter", std::to_string(signedBatch.usageCount)}}));
            if (result.outcome != QuorumTally::Outcome::Accepted)
                throw FatalError(result.message + "; no partial signature file written");
            PartialBatchFile file;
            file.cardSetId = manifest.cardSetId;
            file.cardId = listed.cardId;
            file.cardIndex = listed.index;
            file.subject = "KSR " + checked.ksr.id;
            file.subjectDigest = ksrDigest;
            file.digests = digests;
            file.batch = signedBatch.batch;
            file.usageCount = signedBatch.usageCount;
            made = std::move(file);
            out << "Card " << listed.index << " signed all " << digests.size()
                << " bundles (one proof for all checks; card usage counter " << signedBatch.usageCount << ")."
                << std::endl;
        };
        collectFromCards(request.cards, context, manifest, pins, times, wish);
        made->save(request.outputPath);
        const std::string text = made->toJson();
        context.finish("partial-sign-done",
                       details({{"index", std::to_string(made->cardIndex)},
                                {"partial_file_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}));
    } catch (const std::exception& e) {
        context.stopped("partial-sign-stopped", e.what());
        throw;
    }
    out << "Partial signatures written: " << request.outputPath
        << " - send the file to whoever combines; it holds no secret." << std::endl;
}

void runKsrCombine(const KsrCombineRequest& request, std::ostream& out) {
    CheckedKsr checked =
        checkKsr(loadManifestArgument(request.manifestPath, manifestAnchor(request.caPath, request.ceremonyDir)),
                 request.ksr);
    const Manifest& manifest = requireShoup(checked.manifest, request.manifestPath);
    std::vector<std::string> inputs = request.partialPaths;
    inputs.push_back(request.ksr.ksrPath);
    inputs.push_back(request.manifestPath);
    checkOutput("--out", request.outputPath, std::nullopt, inputs);
    requireRoom({platform::folderOf(request.outputPath), skrRoom(checked.ksrBytes.size()), "the SKR"},
                request.auditLogPath);
    const auto signingInputs = dnssec::signingInputs(checked.ksr, checked.ksk);
    std::vector<Bytes> digests;
    for (const auto& input : signingInputs) digests.push_back(crypto::sha256(input.data));
    BatchCollector collector(manifest.rsaKey, digests);
    int bad = 0;
    for (const auto& path : request.partialPaths) {
        try {
            const PartialBatchFile file = PartialBatchFile::load(path);
            if (file.cardSetId != manifest.cardSetId)
                throw PartialFileError(path + ": made by a card of another set (" + toHex(file.cardSetId).substr(0, 8) +
                                       "...)");
            const ManifestCard* listed = manifest.card(file.cardIndex);
            if (listed != nullptr && listed->cardId != file.cardId)
                throw PartialFileError(path + ": card " + std::to_string(listed->index) + " of this set has card id " +
                                       toHex(listed->cardId) + ", not " + toHex(file.cardId));
            if (file.digests != digests)
                throw PartialFileError(path + ": card " + std::to_string(file.cardIndex) + " signed other bundles (" +
                                       file.subject + ", not KSR " + checked.ksr.id + ")");
            const auto result = collector.offer(file.cardIndex, file.batch);
            out << path << ": " << result.message << std::endl;
            if (result.outcome == QuorumTally::Outcome::BadProof) ++bad;
        } catch (const PartialFileError& e) {
            out << e.what() << "; skipped" << std::endl;
            ++bad;
        }
    }
    if (!collector.complete())
        throw FatalError("only " + collector.progress() + " are good" +
                         (bad ? " (" + std::to_string(bad) + " refused, see above)" : std::string()) + ": " +
                         std::to_string(manifest.k) + " are needed; nothing written");
    const dnssec::Skr skr = dnssec::assembleSkr(checked.ksr, checked.ksk, collector.signatures(), checked.policy);
    if (checked.previous) dnssec::checkSkrChain(skr, *checked.previous, checked.policy);
    const std::string xml = skr.toXml();
    replaceFile(request.outputPath, xml, 0644, "SKR");
    if (!request.auditLogPath.empty()) {
        AuditLog audit = AuditLog::open(request.auditLogPath);
        closeAudit(audit, "combine",
                   details({{"card_set_id", toHex(manifest.cardSetId)},
                            {"ksr_id", checked.ksr.id},
                            {"skr_sha256", toHex(crypto::sha256(Bytes(xml.begin(), xml.end())))}}),
                   out);
    }
    out << "SKR written: " << request.outputPath << " (" << skr.bundles.size()
        << " bundles, every RRSIG verified with the KSK, key tag " << checked.ksk.keyTag() << ")" << std::endl;
}

Manifest checkRrsetSignRequest(const RrsetSignRequest& request) {
    Manifest manifest = loadManifestArgument(request.manifestPath, request.ceremonyDir);
    const std::string rrset = readWholeFile(request.rrsetPath, "DNSKEY RRset");
    // The whole input is checked now: the zone, the records, the times, the KSK among them.
    dnssec::signRrsetInput(request.zone, rrset, timeArgument("--inception", request.inception),
                           timeArgument("--expiration", request.expiration), kskOf(manifest));
    checkOutput("--out", request.outputPath, std::nullopt, {request.rrsetPath, request.manifestPath});
    // The RRSIG in presentation format: the signature in base64 and the record's fields.
    requireRoom({{platform::folderOf(request.outputPath), 2 * signatureRoom(manifest), "the RRSIG"},
                 {request.ceremonyDir, auditRoom(manifest.n), "the audit log"}});
    requireConfirmation(request.confirmed, "the RRset's fingerprint");
    return manifest;
}

void runSignRrset(const RrsetSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
    const Manifest manifest = checkRrsetSignRequest(request);
    const std::string rrset = readWholeFile(request.rrsetPath, "DNSKEY RRset");
    const dnssec::Time inception = timeArgument("--inception", request.inception);
    const dnssec::Time expiration = timeArgument("--expiration", request.expiration);
    const dnssec::KskKey ksk = kskOf(manifest);
    const dnssec::SigningInput input = dnssec::signRrsetInput(request.zone, rrset, inception, expiration, ksk);
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, hostPassphrase, out);
    context.audit().append("sign-rrset-start", details({{"card_set_id", toHex(manifest.cardSetId)},
                                                        {"zone", request.zone},
                                                        {"rrset_sha256", toHex(crypto::sha256(input.data))}}));
    try {
        context.confirmInput(request.rrsetPath, Bytes(rrset.begin(), rrset.end()), request.confirmed);
        const auto signer = makeSigner(manifest, request.hsm, request.ceremonyDir, {input.data});
        StepTimes times;
        const auto signatures = signWithCards(context, manifest, request.cards, pins, *signer, times);
        const std::string rrsig =
            dnssec::signedRrsetRrsig(request.zone, rrset, inception, expiration, ksk, signatures.at(0)) + "\n";
        replaceFile(request.outputPath, rrsig, 0644, "RRSIG");
        context.finish("sign-rrset-done", details({{"rrsig_sha256", toHex(crypto::sha256(Bytes(rrsig.begin(), rrsig.end())))}}));
        out << "RRSIG written: " << request.outputPath << " (verified with the KSK, key tag " << ksk.keyTag() << ")"
            << std::endl;
    } catch (const std::exception& e) {
        context.stopped("sign-rrset-stopped", e.what());
        throw;
    }
}

}  // namespace quorum::host
