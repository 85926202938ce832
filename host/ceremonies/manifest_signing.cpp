#include "host/ceremonies/manifest_signing.hpp"

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/console.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/documents/manifest_signature.hpp"

namespace quorum::host {

namespace {

Bytes sha256Of(const std::string& text) { return crypto::sha256(Bytes(text.begin(), text.end())); }

// The audit entry that recorded a manifest file with this SHA-256 as written (keygen-done,
// reshare-set-made), or nullptr.
const AuditEntry* recordedAs(const std::vector<AuditEntry>& entries, const std::string& sha256Hex) {
    for (const auto& entry : entries)
        if (entry.details.isObject() && entry.details.get("manifest_sha256", "").asString() == sha256Hex)
            return &entry;
    return nullptr;
}

}  // namespace

bool checkManifestSignRequest(const ManifestSignRequest& request) {
    const crypto::Certificate ca = ceremonyCaCertificate(request.ceremonyDir);
    const Manifest manifest = Manifest::load(request.manifestPath);
    if (signedBy(manifest, ca)) return false;
    const bool ours = crypto::Certificate::fromPem(manifest.caCertificatePem).der() == ca.der();
    if (!ours || !manifest.caSignature.empty()) {
        if (!manifest.caSignature.empty() && ours)
            throw ManifestAuthenticationError(
                request.manifestPath +
                " carries a CA signature that does not match its contents: it was changed after it was signed. "
                "manifest-sign signs only manifests written before manifests were signed, never over a change; "
                "use the copy the ceremony wrote (its SHA-256 is in the audit log)");
        authenticateManifest(manifest, ca, request.manifestPath);  // names the other CA
    }
    checkCeremonyMatches(request.ceremonyDir, manifest);
    requireConfirmation(request.confirmed, "the manifest's fingerprint");
    return true;
}

void runManifestSign(const ManifestSignRequest& request, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out) {
    CeremonyContext context = CeremonyContext::withCa(request.ceremonyDir, caPassphrase, hostPassphrase, out);
    const std::string text = readWholeFile(request.manifestPath, "manifest");
    Manifest manifest = Manifest::load(request.manifestPath);
    const Bytes before = sha256Of(text);
    const std::string& pem = manifest.signingKey.publicKeyPem;

    out << "To be signed by the CA: " << request.manifestPath << "\n  card set " << toHex(manifest.cardSetId) << " ("
        << manifest.scheme << "), " << manifest.k << " of " << manifest.n << ", " << manifest.lineage.role
        << " set, generation " << manifest.lineage.generation
        << (manifest.lineage.retired ? ", retired" : !manifest.lineage.current() ? ", superseded" : "") << "\n";
    for (const auto& card : manifest.cards) out << "  " << card.describe() << "\n";
    context.showFingerprint("public key", sha256Of(pem));
    context.showFingerprint("manifest file", before);
    const std::vector<AuditEntry> entries = readAuditLog(CeremonyFiles(request.ceremonyDir).auditLogPath());
    const AuditEntry* recorded = recordedAs(entries, toHex(before));
    if (recorded != nullptr)
        out << "  This ceremony's audit log recorded this very file: entry " << recorded->seq << ", "
            << recorded->event << ", " << recorded->time << ".\n";
    else
        out << "  This ceremony's audit log has no record of this file's SHA-256: compare it with the one written "
               "down when the set was made.\n";
    Json::Value entry = details({{"manifest", request.manifestPath},
                                 {"manifest_sha256_before", toHex(before)},
                                 {"public_key_sha256", toHex(sha256Of(pem))},
                                 {"recorded_as", recorded ? recorded->event + " #" + std::to_string(recorded->seq) : "none"}});
    if (request.confirmed) {
        out << "(confirmed beforehand: --yes)" << std::endl;
        entry["confirmed"] = "--yes";
    } else {
        const bool yes = Console::current()->confirm("Is this the set the ceremony made (fingerprints compared)?");
        entry["confirmed"] = yes ? "typed yes" : "typed no";
        if (!yes) {
            context.stopped("manifest-sign-refused", "the people in the room did not confirm the manifest");
            throw FatalError("the manifest was not confirmed: it was not signed");
        }
    }
    signManifest(manifest, context.ca());
    const std::string signedText = manifest.toJson();
    replaceFile(request.manifestPath, signedText, 0644, "manifest");
    entry["manifest_sha256"] = toHex(sha256Of(signedText));
    context.finish("manifest-signed", entry);
    out << request.manifestPath << " is signed by the ceremony's CA." << std::endl;
}

}  // namespace quorum::host
