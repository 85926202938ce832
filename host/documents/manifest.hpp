// The card-set manifest: everything public about one key generation ceremony, as a JSON
// document a person can read and another tool can check - the card set, its k and n, its CA and
// card certificates, and per scheme:
//  - "shamir-feldman-p256": the Feldman commitments, the signing key's public half and its
//    wrapped blob;
//  - "shoup-rsa": the threshold RSA public key (N, e) with the verification values v and v_i
//    every partial signature is checked against.
#pragma once

#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/feldman.hpp"
#include "crypto/shoup.hpp"
#include "host/base/error.hpp"

namespace quorum::host {

// A manifest that cannot be used; the message names the field and what is wrong with it.
class ManifestError : public FatalError {
public:
    using FatalError::FatalError;
};

struct ManifestCard {
    int index = 0;                // 1..n, as certified
    Bytes cardId;                 // 16 bytes, from the card's FCI
    std::string certificatePem;  // the card's certificate
    std::string holder;           // who holds it, as given at key generation; may be empty
    // "card 3 (Alice Example, id 01545E...)": how prompts and messages name the card.
    std::string describe() const;
};

// A holder's name as a manifest keeps it: 1 to 100 characters, no control characters. Throws
// ManifestError naming what is wrong.
void checkHolderName(const std::string& name);

struct ManifestSigningKey {
    std::string type;             // "rsa2048", "rsa3072", "rsa4096" or "p256"
    std::string publicKeyPem;     // SubjectPublicKeyInfo
    Bytes wrappedKey;             // the private key wrapped under the activation key (Shamir)
    std::string wrapMechanism = "CKM_AES_KEY_WRAP_PAD";  // (Shamir)
};

// Where a card set stands among the sets of its key. A key generation makes generation 1, in the
// role "operational"; each reshare makes a new set of the same key (generation + 1, its parent the
// set it was made from) as "operational", "recovery" (kept next to the others) or "transport" (to
// be destroyed after use). A set whose cards were moved to another and retired is "superseded":
// its manifest says by which, and no ceremony takes it any more; nor one whose cards were retired.
struct ManifestLineage {
    static constexpr const char* kOperational = "operational";
    static constexpr const char* kRecovery = "recovery";
    static constexpr const char* kTransport = "transport";

    std::string role = kOperational;
    int generation = 1;
    Bytes parentSha256;          // SHA-256 of the manifest this set was made from; empty for generation 1
    Bytes supersededBySha256;    // SHA-256 of the manifest that replaced it; empty while current
    std::string supersededBy;    // that manifest's path, as given then (for people)
    bool retired = false;        // fewer than k of its cards still hold a share (ceremony retire)

    bool current() const { return supersededBySha256.empty() && !retired; }
    static bool validRole(const std::string& role);
};

struct Manifest {
    static constexpr const char* kFormat = "quorum-card-set";
    static constexpr int kVersion = 1;
    static constexpr const char* kSchemeShamir = "shamir-feldman-p256";
    static constexpr const char* kSchemeShoup = "shoup-rsa";

    Bytes cardSetId;
    int k = 0;
    int n = 0;
    std::string scheme = kSchemeShamir;
    std::string caCertificatePem;
    std::vector<ManifestCard> cards;
    crypto::FeldmanCommitments commitments;  // Shamir
    ManifestSigningKey signingKey;           // both: type and public key
    crypto::shoup::PublicKey rsaKey;         // Shoup
    ManifestLineage lineage;                 // absent in manifests before reshare: the defaults
    // The ceremony CA's signature over every other field (host/documents/manifest_signature.hpp);
    // empty in a draft and in manifests written before manifests were signed.
    Bytes caSignature;

    bool shoup() const { return scheme == kSchemeShoup; }
    // The card listed with `index`, or nullptr.
    const ManifestCard* card(int index) const;

    std::string toJson() const;
    // Strict: every field present and well formed, k <= n, card indexes distinct in 1..n, the
    // commitments' threshold equal to k (Shamir) or the threshold key's k, n and PEM public key
    // matching (Shoup), every certificate issued by the CA for this card set with the index it is
    // listed under. Throws ManifestError naming what is wrong. A `draft` (a key generation in
    // progress) may list fewer than n cards. The CA's signature is read, not checked: that takes
    // the ceremony's CA certificate (authenticateManifest).
    static Manifest fromJson(const std::string& text, bool draft = false);

    // Writes a new file (mode 0644: it is public), fsynced; refuses to overwrite one.
    void save(const std::string& path) const;
    static Manifest load(const std::string& path);
};

}  // namespace quorum::host
