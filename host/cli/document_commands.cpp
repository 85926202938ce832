// public-key, audit-verify, audit-repair: reading a ceremony's documents, without cards or secrets.
#include <iostream>

#include "host/base/file_io.hpp"
#include "host/ceremonies/dnssec_signing.hpp"
#include "host/cli/commands.hpp"
#include "host/dnssec/trust_anchor.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/card_history.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/pgp_words.hpp"

namespace quorum::host::cli {

namespace {

std::string counted(int count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

void showSet(const Manifest& manifest, const std::string& manifestPath, const std::vector<AuditEntry>& entries,
             const std::string& logPath) {
    const auto histories = cardHistories(manifest, entries);
    const ManifestLineage& set = manifest.lineage;
    const std::string state = set.retired         ? "retired: it cannot open the key any more"
                              : !set.current()    ? "superseded by " + set.supersededBy
                                                  : "current";
    std::cout << manifestPath << ": card set " << toHex(manifest.cardSetId) << " (" << manifest.scheme << "), " << manifest.k << " of "
              << manifest.n << ", " << set.role << " set, generation " << set.generation << ", " << state << "; as "
              << logPath << " saw it:\n";
    for (const auto& history : histories) {
        std::cout << "  " << history.card.describe() << ": " << history.state << ", "
                  << (manifest.shoup() ? counted(history.releases, "partial signature", "partial signatures")
                                       : counted(history.releases, "share released", "shares released"));
        if (history.usageCounter) std::cout << " (the card counts " << *history.usageCounter << ")";
        if (history.refusals) std::cout << ", refused " << counted(history.refusals, "time", "times");
        if (history.wrongPins) std::cout << ", " << counted(history.wrongPins, "wrong PIN", "wrong PINs");
        std::cout << (history.lastSeen.empty() ? ", never seen since" : ", last seen " + history.lastSeen) << "\n";
    }
}

// Each set given, one after another: the sets of one key (operational, recovery, transport, and
// those superseded) side by side.
int showCards(const std::vector<std::string>& manifestPaths, const std::string& logPath, const crypto::Certificate& ca) {
    std::vector<Manifest> manifests;  // every one authenticated before anything is shown
    for (const auto& manifestPath : manifestPaths) manifests.push_back(loadAuthenticatedManifest(manifestPath, ca));
    const auto entries = readAuditLog(logPath);
    std::string key;
    for (std::size_t i = 0; i < manifests.size(); ++i) {
        const Manifest& manifest = manifests[i];
        const std::string& manifestPath = manifestPaths[i];
        if (key.empty()) key = manifest.signingKey.publicKeyPem;
        if (manifest.signingKey.publicKeyPem != key)
            std::cout << "(" << manifestPath << " is a set of another key than " << manifestPaths.front() << ")\n";
        showSet(manifest, manifestPath, entries, logPath);
    }
    return 0;
}

struct Dnskey {
    std::string manifest;
    std::string caPath;
    std::string ceremonyDir;
    std::string zone = ".";
    std::string label;
    std::string anchorPath;
    std::string anchorId;
    std::string validFrom;
};

int showDnskey(const Dnskey& options) {
    const Manifest manifest =
        loadAuthenticatedManifest(options.manifest, manifestAnchor(options.caPath, options.ceremonyDir));
    const dnssec::KskKey ksk = kskOf(manifest, options.label);
    std::cout << "; the KSK of card set " << toHex(manifest.cardSetId) << " (" << manifest.signingKey.type << ")\n"
              << ksk.dnskeyRecord(options.zone) << "\n; key tag " << ksk.keyTag() << "\n"
              << ksk.dsRecord(options.zone) << "\n";
    if (options.anchorPath.empty()) return 0;
    checkOutput("--anchor", options.anchorPath, std::nullopt, {options.manifest});
    dnssec::Time from;
    try {
        from = options.validFrom.empty()
                   ? std::chrono::time_point_cast<dnssec::Duration>(std::chrono::system_clock::now())
                   : dnssec::parseTime(options.validFrom);
    } catch (const std::invalid_argument& e) {
        throw UsageError("--valid-from \"" + options.validFrom + "\": " + e.what());
    }
    const std::string id = options.anchorId.empty() ? "quorum-" + toHex(manifest.cardSetId).substr(0, 8) : options.anchorId;
    const std::string xml = dnssec::trustAnchorXml(id, {dnssec::TrustAnchorKey{ksk, from, std::nullopt, true}}, options.zone);
    writeNewFile(options.anchorPath, xml + "\n", 0644, "trust anchor");
    std::cout << "trust anchor (root-anchors XML): " << options.anchorPath << "\n";
    return 0;
}

}  // namespace

void addDocumentCommands(CLI::App& app, Commands& commands) {
    auto dnskey = std::make_shared<Dnskey>();
    auto* dnskeyCmd = app.add_subcommand(
        "dnskey", "DNSSEC: the card set's key as the KSK's DNSKEY record, its key tag and DS (SHA-256), and a trust "
                  "anchor in IANA's root-anchors XML format, for publication");
    dnskeyCmd->add_option("--manifest", dnskey->manifest, "The card-set manifest")->required();
    addManifestTrustOptions(dnskeyCmd, dnskey->caPath, dnskey->ceremonyDir);
    dnskeyCmd->add_option("--zone", dnskey->zone, "The zone (default: the root)")->capture_default_str();
    dnskeyCmd->add_option("--ksk-label", dnskey->label, "The KSK's label (default: KSK-<key tag>)");
    dnskeyCmd->add_option("--anchor", dnskey->anchorPath, "Also write the trust anchor XML to this new file");
    dnskeyCmd->add_option("--anchor-id", dnskey->anchorId, "The TrustAnchor id (default: quorum-<set id>)");
    dnskeyCmd->add_option("--valid-from", dnskey->validFrom, "The KeyDigest's validFrom, UTC (default: now)");
    commands.add(dnskeyCmd, [dnskey] { return showDnskey(*dnskey); }, Commands::Terminal::Leave);

    struct Cards {
        std::vector<std::string> manifests;
        std::string log;
        std::string caPath;
        std::string ceremonyDir;
    };
    auto cards = std::make_shared<Cards>();
    auto* cardsCmd = app.add_subcommand(
        "cards", "Each card of a set (or of several sets of one key) with its holder, its state as last seen, and "
                 "how often it released its share or signed, from the audit log; each set with its role and state");
    cardsCmd->add_option("--manifest", cards->manifests,
                         "The card-set manifest; given again, the next set (e.g. every set of one key)")
        ->required();
    cardsCmd->add_option("--log", cards->log, "The audit log (e.g. CEREMONY/audit.log)")->required();
    addManifestTrustOptions(cardsCmd, cards->caPath, cards->ceremonyDir);
    commands.add(
        cardsCmd,
        [cards] { return showCards(cards->manifests, cards->log, manifestAnchor(cards->caPath, cards->ceremonyDir)); },
        Commands::Terminal::Leave);

    struct PublicKey {
        std::string manifest;
        std::string caPath;
        std::string ceremonyDir;
    };
    auto publicKey = std::make_shared<PublicKey>();
    auto* publicKeyCmd = app.add_subcommand(
        "public-key",
        "Print the card set's public key (PEM) from its manifest, e.g. for openssl dgst -verify; only once the "
        "manifest's signature by the ceremony's CA is checked");
    publicKeyCmd->add_option("--manifest", publicKey->manifest, "The card-set manifest")->required();
    addManifestTrustOptions(publicKeyCmd, publicKey->caPath, publicKey->ceremonyDir);
    commands.add(
        publicKeyCmd,
        [publicKey] {
            const crypto::Certificate ca = manifestAnchor(publicKey->caPath, publicKey->ceremonyDir);
            std::cout << loadAuthenticatedManifest(publicKey->manifest, ca).signingKey.publicKeyPem;
            return 0;
        },
        Commands::Terminal::Leave);

    struct AuditVerify {
        std::string path;
        std::string lastHash;
    };
    auto audit = std::make_shared<AuditVerify>();
    auto* auditCmd = app.add_subcommand(
        "audit-verify", "Check an audit log's hash chain; with --last-hash, also that nothing was cut or added at its end");
    auditCmd->add_option("--log", audit->path, "The audit log (e.g. CEREMONY/audit.log)")->required();
    auditCmd->add_option("--last-hash", audit->lastHash,
                         "The last entry's SHA-256 as written down at the ceremony: 64 hex digits or the 32 PGP words "
                         "(case and spacing do not matter; quote them)");
    commands.add(auditCmd, [audit] {
        const AuditVerification checked = verifyAuditLog(audit->path, audit->lastHash);
        const Bytes last = fromHex(checked.lastHash);
        std::cout << audit->path << ": " << checked.entries << " entries, chain intact"
                  << (audit->lastHash.empty() ? "" : ", ends with the expected entry")
                  << "\n  last entry SHA-256: " << checked.lastHash
                  << "\n  read aloud: " << pgpWordLines(last, std::string(14, ' ')) << "\n";
        return 0;
    }, Commands::Terminal::Leave);

    auto repairPath = std::make_shared<std::string>();
    auto* repairCmd = app.add_subcommand(
        "audit-repair",
        "Mend an audit log whose last line was torn by a full disk, a kill or a power cut: the torn bytes are kept in "
        "a file next to the log and an audited entry records them (any other damage is refused)");
    repairCmd->add_option("--log", *repairPath, "The audit log (e.g. CEREMONY/audit.log)")->required();
    commands.add(repairCmd, [repairPath] {
        const AuditRepair repair = repairTornAuditLog(*repairPath);
        const Bytes last = fromHex(repair.lastHash);
        std::cout << *repairPath << ": line " << repair.line << " was torn: its " << repair.tornBytes
                  << " bytes (SHA-256 " << repair.tornSha256 << ") are kept in " << repair.keptPath
                  << "\n  and entry " << repair.line << " (\"audit-repaired\") records that.\n"
                  << "  last entry SHA-256: " << repair.lastHash
                  << "\n  read aloud and write down: " << pgpWordLines(last, std::string(29, ' ')) << "\n";
        return 0;
    }, Commands::Terminal::Leave);
}

}  // namespace quorum::host::cli
