// A key generation in progress, kept in the ceremony's folder after every step, so that an
// interrupted one (Ctrl-C, a pulled card, a dead host) continues where it stopped (`ceremony keygen
// --resume`) and nothing issued is lost:
//
//   {
//     "format": "quorum-keygen-journal", "version": 1,
//     "manifest": path the manifest will be written to, "scheme": "shamir" | "shoup",
//     "key_type": "rsa2048", "pin_policy": hex (PUT DATA 00C5), "holders": [n names, "" unknown],
//     "draft": the manifest so far (the cards issued, in order),
//     "started": {"index": i, "card_id": hex} while card i is being issued (else absent),
//     "sealed_shares": hex,
//     "ca_signature": hex (ECDSA P-256 of the ceremony CA over everything else in the journal)
//   }
//
// The shares not on a card yet are sealed (AES-256-GCM) under a key derived from the ceremony
// CA's private key: the journal is as safe as the CA key, whose passphrase a resume asks for
// again. Everything else is signed by the CA at every save and checked against the ceremony's CA
// certificate when a resume reads it, before any card is asked for. The file is its owner's only
// (0600), replaced atomically, and destroyed (overwritten, then removed) when the key generation
// is done.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "host/base/error.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// A journal that cannot be used; the message names the file and what is wrong.
class KeygenJournalError : public FatalError {
public:
    using FatalError::FatalError;
};

struct KeygenJournal {
    static constexpr const char* kFormat = "quorum-keygen-journal";
    static constexpr int kVersion = 1;

    struct Started {
        int index = 0;
        Bytes cardId;
    };

    std::string manifestPath;
    std::string scheme;
    std::string keyType;
    Bytes pinPolicy;
    std::vector<std::string> holders;
    Manifest draft;
    std::optional<Started> started;
    Bytes sealedShares;
    Bytes caSignature;  // empty until signed

    // The indexes 1..n not issued yet, in order.
    std::vector<int> remaining() const;

    std::string toJson() const;
    static KeygenJournal fromJson(const std::string& text);
    // Signs the journal with `ca` and replaces the file atomically (0600).
    void save(const std::string& path, const crypto::CeremonyCa& ca);
    static KeygenJournal load(const std::string& path);
    // Throws KeygenJournalError naming `path` unless the journal is signed by `ca` (the ceremony's
    // CA certificate) and unchanged since: any field altered, an unsigned journal, another CA's.
    void authenticate(const crypto::Certificate& ca, const std::string& path) const;
};

// The undelivered shares (card index -> share bytes) sealed for `ca`'s journal, and back.
// openShares throws KeygenJournalError when the journal was not sealed by this CA or was altered.
Bytes sealShares(const crypto::CeremonyCa& ca, const std::map<int, Bytes>& shares);
std::map<int, Bytes> openShares(const crypto::CeremonyCa& ca, const Bytes& sealed);

}  // namespace quorum::host
