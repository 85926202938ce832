// What people ask of the ceremonies: one request per ceremony, filled from the command line (or a
// script) and checked before anybody inserts a card or types a secret.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "host/card/quorum_card.hpp"
#include "host/documents/manifest.hpp"
#include "host/hsm/ceremony_hsm.hpp"

namespace quorum::host {

// How the cards hold the key: Shamir shares of an activation key for a signing key kept wrapped
// in the HSM, or Shoup shares of a threshold RSA key that never exists whole.
enum class Scheme { Shamir, Shoup };
const char* schemeName(Scheme scheme);                  // "shamir", "shoup"
Scheme parseScheme(const std::string& name);           // UsageError for anything else

const char* keyTypeName(SigningKeyType type);          // "rsa2048", ...
SigningKeyType parseKeyType(const std::string& name);  // UsageError for anything else

// Where the cards come from: which reader, and how long to wait for each card.
struct CardSource {
    std::string reader;        // empty: any reader
    double cardTimeout = 0;    // seconds to wait for each card; 0: for ever
};

struct KeygenRequest {
    Scheme scheme = Scheme::Shamir;
    std::string ceremonyDir;
    std::string manifestPath;
    int k = 3;
    int n = 7;
    SigningKeyType keyType = SigningKeyType::Rsa2048;
    PinPolicy policy;
    std::vector<std::string> holders;  // n names (card 1 first), or none
    bool resume = false;               // continue the key generation this ceremony's journal holds
    CardSource cards;
    HsmConfig hsm;
};

// The holders' names from a file: one per line, card 1 first; empty lines and lines starting
// with # are skipped. UsageError naming the file and line unless there are exactly `n`.
std::vector<std::string> readHolders(const std::string& path, int n);

// What key generation checks before it asks for anything: k <= n, the scheme's limits (the
// threshold RSA scheme: an RSA key type, n <= 16), a valid PIN policy, holders for every card,
// no manifest at the path yet, a folder for it; with resume, a journal to resume, else none left
// waiting. Throws UsageError naming the problem.
void checkKeygenRequest(const KeygenRequest& request);

// The CA certificate of the ceremony in `ceremonyDir` (its ca.pem): what the manifests of its
// card sets are authenticated against. UsageError when `ceremonyDir` is no folder.
crypto::Certificate ceremonyCaCertificate(const std::string& ceremonyDir);

// For commands that run no ceremony (public-key, dnskey, cards, combine): the CA certificate
// given as --ca FILE, or the one of --ceremony DIR; exactly one of them. UsageError otherwise.
crypto::Certificate manifestAnchor(const std::string& caPath, const std::string& ceremonyDir);

// The manifest at `path`, loaded and authenticated against the ceremony's CA certificate `ca`
// (ManifestAuthenticationError otherwise), whatever its set's state; a folder is refused with a
// hint when --ceremony and --manifest look swapped.
Manifest loadAuthenticatedManifest(const std::string& path, const crypto::Certificate& ca);

// The same for a ceremony run in `ceremonyDir`: a set of another ceremony is refused as such
// (checkCeremonyMatches), then the manifest is authenticated against the folder's CA certificate.
Manifest loadCeremonyManifest(const std::string& path, const std::string& ceremonyDir);

// The manifest given as `--manifest` to a ceremony, loaded and authenticated against the ceremony's CA
// certificate `ca` (or that of the ceremony in `ceremonyDir`) before anything in it is believed
// (ManifestAuthenticationError otherwise); a folder, or a file that is no manifest, is refused
// with a hint when --ceremony and --manifest look swapped; a set that was superseded by a reshare
// is refused, naming the set that replaced it.
Manifest loadManifestArgument(const std::string& path, const crypto::Certificate& ca);
Manifest loadManifestArgument(const std::string& path, const std::string& ceremonyDir);

// `--ceremony` names a ceremony folder whose host credentials belong to `manifest`'s CA and card
// set: UsageError naming both otherwise (a file given for the folder, another ceremony's folder).
void checkCeremonyMatches(const std::string& ceremonyDir, const Manifest& manifest);

// The output at `path` may be written: not there yet (unless `force` says yes; nullopt: the
// command has no --force), its folder exists and is writable, and it is none of `inputs`.
// UsageError naming the option (`option`) otherwise.
void checkOutput(const std::string& option, const std::string& path, std::optional<bool> force,
                 const std::vector<std::string>& inputs = {});

struct SignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;
    std::string signaturePath;
    std::optional<Scheme> scheme;  // refuse a manifest of the other scheme
    CardSource cards;
    HsmConfig hsm;
    bool timings = false;      // print how long each step took (people's waiting excluded)
    bool force = false;        // replace an existing signature file (recorded in the audit log)
    bool confirmed = false;    // the input was checked another way: do not ask before the PINs
};

struct PartialSignRequest {
    std::string ceremonyDir;   // this host's credentials
    std::string manifestPath;
    std::string inputPath;     // the message
    std::string outputPath;    // the partial signature file (new)
    CardSource cards;
    bool confirmed = false;    // the input was checked another way: do not ask before the PIN
};

struct CombineRequest {
    std::string manifestPath;
    std::string caPath;           // the ceremony's CA certificate (--ca), or
    std::string ceremonyDir;      // the ceremony's folder (--ceremony): what the manifest is checked against
    std::vector<std::string> partialPaths;
    std::string inputPath;        // optional: the message, checked against the partials' digest
    std::string signaturePath;
    std::string auditLogPath;     // optional: where to record the combination
};

}  // namespace quorum::host
