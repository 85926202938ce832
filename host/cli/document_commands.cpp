// public-key, audit-verify: reading a ceremony's documents, without cards or secrets.
#include <iostream>

#include "host/cli/commands.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/pgp_words.hpp"

namespace quorum::host::cli {

void addDocumentCommands(CLI::App& app, Commands& commands) {
    auto manifest = std::make_shared<std::string>();
    auto* publicKeyCmd = app.add_subcommand(
        "public-key", "Print the card set's public key (PEM) from its manifest, e.g. for openssl dgst -verify");
    publicKeyCmd->add_option("--manifest", *manifest, "The card-set manifest")->required();
    commands.add(
        publicKeyCmd,
        [manifest] {
            std::cout << Manifest::load(*manifest).signingKey.publicKeyPem;
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
}

}  // namespace quorum::host::cli
