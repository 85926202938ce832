#include "host/ceremonies/requests.hpp"

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "crypto/shoup.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/manifest_signature.hpp"

namespace quorum::host {

const char* schemeName(Scheme scheme) { return scheme == Scheme::Shoup ? "shoup" : "shamir"; }

Scheme parseScheme(const std::string& name) {
    for (auto scheme : {Scheme::Shamir, Scheme::Shoup})
        if (name == schemeName(scheme)) return scheme;
    throw UsageError("scheme \"" + name + "\": use shamir or shoup");
}

const char* keyTypeName(SigningKeyType type) {
    switch (type) {
        case SigningKeyType::Rsa2048: return "rsa2048";
        case SigningKeyType::Rsa3072: return "rsa3072";
        case SigningKeyType::Rsa4096: return "rsa4096";
        case SigningKeyType::P256: return "p256";
    }
    return "unknown";
}

SigningKeyType parseKeyType(const std::string& name) {
    for (auto type : {SigningKeyType::Rsa2048, SigningKeyType::Rsa3072, SigningKeyType::Rsa4096, SigningKeyType::P256})
        if (name == keyTypeName(type)) return type;
    throw UsageError("key type \"" + name + "\": use rsa2048, rsa3072, rsa4096 or p256");
}

std::vector<std::string> readHolders(const std::string& path, int n) {
    std::istringstream in(readWholeFile(path, "holders file"));
    std::vector<std::string> names;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        const auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#') continue;
        line = line.substr(start);
        try {
            checkHolderName(line);
        } catch (const ManifestError& e) {
            throw UsageError("--holders " + path + ", line " + std::to_string(number) + ": " + e.what());
        }
        names.push_back(line);
    }
    if (static_cast<int>(names.size()) != n)
        throw UsageError("--holders " + path + " names " + std::to_string(names.size()) + " holders, but -n is " +
                         std::to_string(n) + ": one name per line, card 1 first");
    return names;
}

namespace {

void requireCeremonyFolder(const std::string& ceremonyDir) {
    std::error_code error;
    if (!std::filesystem::is_directory(ceremonyDir, error))
        throw UsageError("--ceremony " + ceremonyDir + " is not a folder" +
                         (std::filesystem::exists(ceremonyDir, error) ? " (a manifest? were --ceremony and --manifest "
                                                                        "swapped?)"
                                                                      : ""));
}

}  // namespace

crypto::Certificate ceremonyCaCertificate(const std::string& ceremonyDir) {
    requireCeremonyFolder(ceremonyDir);
    return CeremonyFiles(ceremonyDir).caCertificate();
}

crypto::Certificate manifestAnchor(const std::string& caPath, const std::string& ceremonyDir) {
    if (caPath.empty() == ceremonyDir.empty())
        throw UsageError("give the ceremony's CA certificate, --ca CA.pem or --ceremony DIR (one of them): a manifest "
                         "is trusted only once the CA's signature on it is checked against a CA certificate obtained "
                         "apart from it");
    if (!ceremonyDir.empty()) return ceremonyCaCertificate(ceremonyDir);
    try {
        const crypto::Certificate ca = crypto::Certificate::fromPem(readWholeFile(caPath, "CA certificate"));
        if (ca.info().role != crypto::CertRole::Ca) throw crypto::CertificateError("it is not a CA's certificate");
        return ca;
    } catch (const crypto::CertificateError& e) {
        throw UsageError("--ca " + caPath + ": " + e.what() + " (give the ca.pem of the ceremony's folder)");
    }
}

namespace {

Manifest loadManifestFile(const std::string& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error))
        throw UsageError("--manifest " + path + " is a folder, not a card-set manifest (a ceremony's folder? were "
                         "--ceremony and --manifest swapped?)");
    return Manifest::load(path);
}

// A set that cannot open the key any more is refused, naming what replaced it.
Manifest requireCurrent(Manifest manifest, const std::string& path) {
    if (manifest.lineage.retired)
        throw UsageError("--manifest " + path + " is a card set whose cards were retired: it cannot open the key any "
                         "more; use a current set of the key");
    if (!manifest.lineage.current())
        throw UsageError("--manifest " + path + " is a card set that was replaced by " + manifest.lineage.supersededBy +
                         " (SHA-256 " + toHex(manifest.lineage.supersededBySha256).substr(0, 16) +
                         "...): its cards were re-shared and retired; use that set's manifest");
    return manifest;
}

}  // namespace

Manifest loadAuthenticatedManifest(const std::string& path, const crypto::Certificate& ca) {
    Manifest manifest = loadManifestFile(path);
    authenticateManifest(manifest, ca, path);  // before anything in it is believed
    return manifest;
}

Manifest loadCeremonyManifest(const std::string& path, const std::string& ceremonyDir) {
    Manifest manifest = loadManifestFile(path);
    const crypto::Certificate ca = ceremonyCaCertificate(ceremonyDir);
    checkCeremonyMatches(ceremonyDir, manifest);  // another ceremony's set is named as such
    authenticateManifest(manifest, ca, path);     // before anything else in it is believed
    return manifest;
}

Manifest loadManifestArgument(const std::string& path, const crypto::Certificate& ca) {
    return requireCurrent(loadAuthenticatedManifest(path, ca), path);
}

Manifest loadManifestArgument(const std::string& path, const std::string& ceremonyDir) {
    return requireCurrent(loadCeremonyManifest(path, ceremonyDir), path);
}

void checkCeremonyMatches(const std::string& ceremonyDir, const Manifest& manifest) {
    requireCeremonyFolder(ceremonyDir);
    const CeremonyFiles files(ceremonyDir);
    const crypto::Certificate host = crypto::Certificate::fromPem(readWholeFile(files.hostCertificatePath(), "host certificate"));
    try {
        crypto::verifyCertificate(host, crypto::Certificate::fromPem(manifest.caCertificatePem), crypto::CertRole::Host,
                                  manifest.cardSetId);
    } catch (const std::exception& e) {
        throw UsageError("--ceremony " + ceremonyDir + " does not belong to the card set of the manifest (set " +
                         toHex(manifest.cardSetId).substr(0, 8) + "...): this host's certificate " +
                         files.hostCertificatePath() + " is refused by the manifest's CA (" + e.what() +
                         "); give the folder of this set's ceremony");
    }
}

void checkOutput(const std::string& option, const std::string& path, std::optional<bool> force,
                 const std::vector<std::string>& inputs) {
    std::error_code error;
    const std::filesystem::path target(path);
    if (std::filesystem::is_directory(target, error))
        throw UsageError(option + " " + path + " is a folder: give the file to write");
    for (const auto& input : inputs)
        if (!input.empty() && std::filesystem::exists(input, error) &&
            std::filesystem::equivalent(input, target, error))
            throw UsageError(option + " " + path + " is also an input (" + input +
                             "): it would be overwritten; were two arguments swapped?");
    if (std::filesystem::exists(target, error) && !force.value_or(false))
        throw UsageError(option + " " + path + " exists already: choose another name" +
                         (force ? ", or give --force to replace it (the audit log records that)" : ""));
    const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(folder, error))
        throw UsageError(option + " " + path + ": the folder " + folder.string() + " does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        throw UsageError(option + " " + path + ": the folder " + folder.string() + " is not writable");
}

void checkKeygenRequest(const KeygenRequest& request) {
    if (request.k < 1 || request.k > request.n)
        throw UsageError("-k " + std::to_string(request.k) + " -n " + std::to_string(request.n) + ": need 1 <= k <= n");
    if (request.scheme == Scheme::Shoup) {
        if (request.keyType == SigningKeyType::P256)
            throw UsageError("the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096");
        if (request.n > crypto::shoup::kMaxPlayers)
            throw UsageError("the threshold RSA scheme allows at most " + std::to_string(crypto::shoup::kMaxPlayers) +
                             " cards (n = " + std::to_string(request.n) + ")");
    }
    if (const std::string wrong = request.policy.problem(); !wrong.empty()) throw UsageError("PIN policy: " + wrong);
    if (!request.holders.empty() && static_cast<int>(request.holders.size()) != request.n)
        throw UsageError("holders: " + std::to_string(request.holders.size()) + " names for " +
                         std::to_string(request.n) + " cards");
    const CeremonyFiles files(request.ceremonyDir);
    const bool waiting = std::filesystem::exists(files.keygenJournalPath());
    if (request.resume) {
        if (!waiting)
            throw UsageError("--resume: no interrupted key generation in " + request.ceremonyDir + " (no " +
                             files.keygenJournalPath() + ")");
        return;  // everything else comes from the journal
    }
    if (waiting)
        throw UsageError("an interrupted key generation is waiting in " + request.ceremonyDir +
                         ": continue it with `ceremony keygen --resume --ceremony " + request.ceremonyDir + "`");
    checkOutput("--manifest", request.manifestPath, std::nullopt);
}

}  // namespace quorum::host
