#include "host/threshold_ceremony.hpp"

#include <chrono>
#include <iomanip>
#include <optional>

#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "host/audit_log.hpp"
#include "host/ceremony_files.hpp"
#include "host/ceremony_support.hpp"
#include "host/file_io.hpp"
#include "host/partial_collector.hpp"
#include "host/partial_file.hpp"
#include "host/pgp_words.hpp"

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
    throw std::invalid_argument("the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096");
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

const Manifest& requireThreshold(const Manifest& manifest, const std::string& path) {
    if (!manifest.shoup())
        throw std::invalid_argument(path + " is a card set of scheme \"" + manifest.scheme +
                                    "\": its cards make no partial signatures (use `ceremony sign`)");
    return manifest;
}

Bytes readMessage(const std::string& path) {
    const std::string text = readWholeFile(path, "input file");
    return Bytes(text.begin(), text.end());
}

}  // namespace

void runThresholdKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase,
                        std::ostream& out) {
    const int bits = modulusBits(request.keyType);
    const CeremonyFiles files(request.ceremonyDir);
    const crypto::CeremonyCa ca = files.loadCa(caPassphrase);
    const HostCredentials host = files.loadHost();
    const CeremonyTrust trust{host, ca.certificate(), ca.cardSetId()};
    AuditLog audit = AuditLog::open(request.ceremonyDir + "/audit.log");
    audit.append("keygen-start", details({{"card_set_id", toHex(ca.cardSetId())}, {"scheme", Manifest::kSchemeShoup},
                                          {"k", std::to_string(request.k)}, {"n", std::to_string(request.n)},
                                          {"key_type", keyTypeName(request.keyType)}}));

    out << "Dealing a " << bits << "-bit threshold RSA key, " << request.k << " of " << request.n
        << ": searching for two safe primes (seconds to minutes)" << std::flush;
    const auto start = Clock::now();
    auto lastDot = start;
    shoup::Deal deal = shoup::deal(bits, request.k, request.n, [&] {
        const auto now = Clock::now();
        if (now - lastDot >= std::chrono::seconds(2)) {
            out << "." << std::flush;
            lastDot = now;
        }
    });
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out << "\nKey dealt in " << std::fixed << std::setprecision(1) << seconds << std::defaultfloat
        << " s; the private exponent is gone." << std::endl;

    Manifest manifest;
    manifest.scheme = Manifest::kSchemeShoup;
    manifest.cardSetId = ca.cardSetId();
    manifest.k = request.k;
    manifest.n = request.n;
    manifest.caCertificatePem = ca.certificate().pem();
    manifest.rsaKey = deal.publicKey;
    manifest.signingKey.type = keyTypeName(request.keyType);
    manifest.signingKey.publicKeyPem = deal.publicKey.toPem();
    const std::string& pem = manifest.signingKey.publicKeyPem;
    const Bytes keyFingerprint = crypto::sha256(Bytes(pem.begin(), pem.end()));
    out << "Threshold RSA public key (" << keyTypeName(request.keyType) << ")\n  public key SHA-256: "
        << toHex(keyFingerprint) << "\n  read aloud: " << pgpWords(Bytes(keyFingerprint.begin(), keyFingerprint.begin() + 8))
        << "\n";
    audit.append("signing-key-generated", details({{"public_key_sha256", toHex(keyFingerprint)},
                                                   {"scheme", Manifest::kSchemeShoup}}));

    issueCards(request, ca, trust, pins, audit, manifest, out, [&](QuorumCard& card, int index) {
        card.storeRsaShare(deal.publicKey, deal.shares.at(static_cast<std::size_t>(index - 1)));
    });
    deal.shares.clear();  // zeroized: every share now lives on its card only

    manifest.save(request.manifestPath);
    const std::string text = manifest.toJson();
    closeAudit(audit, "keygen-done", details({{"manifest_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}), out);
    out << "Key generation done: any " << request.k << " of the " << request.n
        << " cards sign with partial signatures. Manifest: " << request.manifestPath << std::endl;
}

void runThresholdSign(const SignRequest& request, const Manifest& manifest, SecretReader& pins, std::ostream& out) {
    const CeremonyFiles files(request.ceremonyDir);
    const HostCredentials host = files.loadHost();
    const CeremonyTrust trust{host, crypto::Certificate::fromPem(manifest.caCertificatePem), manifest.cardSetId};
    const Bytes message = readMessage(request.inputPath);
    const Bytes digest = crypto::sha256(message);
    AuditLog audit = AuditLog::open(request.ceremonyDir + "/audit.log");
    audit.append("sign-start", details({{"card_set_id", toHex(manifest.cardSetId)}, {"scheme", manifest.scheme},
                                        {"input_sha256", toHex(digest)}}));

    PartialCollector collector(manifest.rsaKey, digest);
    CardDoor door(request.reader, request.cardTimeout);
    StepTimes times;
    collectFromCards(
        door, trust, pins, times, out, [&] { return collector.complete(); },
        [&] { return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" + collector.progress() + ")."; },
        [&](QuorumCard& card, const crypto::CertificateInfo& info) {
            const int index = info.cardIndex.value_or(0);
            const SignedPartial made = times.time("PARTIAL SIGN (wrapped)", [&] {
                return card.partialSign(digest, manifest.rsaKey.modulusSize(), index);
            });
            const auto result = times.time("proof checked against the manifest", [&] { return collector.offer(made.partial); });
            out << result.message << std::endl;
            times.time("audit entry (append + fsync)", [&] {
                return audit.append("partial-offered", details({{"index", std::to_string(index)},
                                                                {"outcome", outcomeName(result.outcome)},
                                                                {"usage_counter", std::to_string(made.usageCount)}}));
            });
        });

    const Bytes signature = times.time("partials combined, y^e == x checked", [&] { return collector.signature(); });
    const bool valid = times.time("signature checked by OpenSSL with the manifest's public key", [&] {
        return verifySignature(manifest.signingKey.publicKeyPem, message, signature);
    });
    if (request.timings) times.print(out);
    if (!valid) throw std::runtime_error("the signature does not verify with the manifest's public key: nothing written");
    writeOutput(request.signaturePath, signature, "signature");
    closeAudit(audit, "sign-done", details({{"signature_sha256", toHex(crypto::sha256(signature))}}), out);
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes)" << std::endl;
}

void runPartialSign(const PartialSignRequest& request, SecretReader& pins, std::ostream& out) {
    const Manifest manifest = Manifest::load(request.manifestPath);
    requireThreshold(manifest, request.manifestPath);
    refuseExisting(request.outputPath, "partial signature file");
    const CeremonyFiles files(request.ceremonyDir);
    const HostCredentials host = files.loadHost();
    const CeremonyTrust trust{host, crypto::Certificate::fromPem(manifest.caCertificatePem), manifest.cardSetId};
    const Bytes digest = crypto::sha256(readMessage(request.inputPath));
    AuditLog audit = AuditLog::open(request.ceremonyDir + "/audit.log");
    audit.append("partial-sign-start", details({{"card_set_id", toHex(manifest.cardSetId)}, {"input_sha256", toHex(digest)}}));

    std::optional<PartialFile> made;
    CardDoor door(request.reader, request.cardTimeout);
    StepTimes times;
    collectFromCards(
        door, trust, pins, times, out, [&] { return made.has_value(); },
        [&] { return "Insert your card of set " + toHex(manifest.cardSetId).substr(0, 8) + "..."; },
        [&](QuorumCard& card, const crypto::CertificateInfo& info) {
            const int index = info.cardIndex.value_or(0);
            const SignedPartial signedPartial = card.partialSign(digest, manifest.rsaKey.modulusSize(), index);
            // Checked here too, so a faulty card is found at its holder's site, not at combination.
            PartialCollector check(manifest.rsaKey, digest);
            const auto result = check.offer(signedPartial.partial);
            audit.append("partial-made", details({{"index", std::to_string(index)}, {"outcome", outcomeName(result.outcome)},
                                                  {"usage_counter", std::to_string(signedPartial.usageCount)}}));
            if (result.outcome != PartialCollector::Outcome::Accepted)
                throw std::runtime_error("card " + std::to_string(index) +
                                         "'s partial signature fails its proof against the manifest: the card is "
                                         "faulty or was tampered with; no partial signature written");
            PartialFile file;
            file.cardSetId = manifest.cardSetId;
            if (const ManifestCard* listed = manifest.card(index)) file.cardId = listed->cardId;
            file.digest = digest;
            file.partial = signedPartial.partial;
            file.usageCount = signedPartial.usageCount;
            made = std::move(file);
            out << "Card " << index << " made its partial signature (its proof checks; card usage counter "
                << signedPartial.usageCount << ")." << std::endl;
        });
    made->save(request.outputPath);
    const std::string text = made->toJson();
    closeAudit(audit, "partial-sign-done",
               details({{"index", std::to_string(made->partial.index)},
                        {"partial_file_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}),
               out);
    out << "Partial signature written: " << request.outputPath
        << " - send it to whoever combines; it holds no secret." << std::endl;
}

void runCombine(const CombineRequest& request, std::ostream& out) {
    const Manifest manifest = Manifest::load(request.manifestPath);
    requireThreshold(manifest, request.manifestPath);
    refuseExisting(request.signaturePath, "signature file");
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
                throw PartialFileError(path + ": made by a card of another set (" + toHex(file.cardSetId).substr(0, 8) + "...)");
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
        throw std::runtime_error("only " + (collector ? collector->progress() : std::string("0 partial signatures")) +
                                 " are good" + (bad ? " (" + std::to_string(bad) + " refused, see above)" : std::string()) +
                                 ": " + std::to_string(manifest.k) + " are needed; nothing written");
    const Bytes signature = collector->signature();
    if (message && !verifySignature(manifest.signingKey.publicKeyPem, *message, signature))
        throw std::runtime_error("the signature does not verify with the manifest's public key: nothing written");
    writeOutput(request.signaturePath, signature, "signature");
    if (!request.auditLogPath.empty()) {
        AuditLog audit = AuditLog::open(request.auditLogPath);
        closeAudit(audit, "combine",
                   details({{"card_set_id", toHex(manifest.cardSetId)}, {"input_sha256", toHex(*digest)},
                            {"signature_sha256", toHex(crypto::sha256(signature))}}),
                   out);
    }
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes, SHA-256 of the message "
        << toHex(*digest) << ")" << std::endl;
}

}  // namespace quorum::host
