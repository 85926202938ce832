// A reshare in progress (ceremony reshare), kept in the ceremony's folder after every step so
// that an interrupted one continues where it stopped (`--resume`) or is given up (`--abandon`)
// with nothing lost. The new cards' issuance has its own journal (a KeygenJournal, the same
// format key generation keeps); this one holds the rest:
//
//   {
//     "format": "quorum-reshare-journal", "version": 1,
//     "old_manifest": path, "old_manifest_sha256": hex,
//     "new_manifest": path, "k": k', "n": n', "role": "operational" | "recovery" | "transport",
//     "retire_old": true | false,
//     "context": hex (what binds every sealed sub-share to this reshare),
//     "redistributions": [ {"from": i, "commitments": hex, "sealed": [ {"to": j, "ephemeral": hex,
//                           "box": hex}, ... ]}, ... ]      (what each old card gave),
//     "filled": [ j, ... ]          (new cards that took their share),
//     "new_manifest_sha256": hex    (once the new manifest is written),
//     "retired": [ i, ... ]         (old cards whose share is erased),
//     "ca_signature": hex           (the ceremony CA's, over everything else)
//   }
//
// Nothing in it is secret: the old cards' sub-shares are sealed, each for one new card's key,
// and the commitments are public. It is kept 0600 all the same, replaced atomically, signed by the
// ceremony CA at every save and checked before --resume uses it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "crypto/reshare.hpp"
#include "host/base/error.hpp"

namespace quorum::host {

class ReshareJournalError : public FatalError {
public:
    using FatalError::FatalError;
};

struct ReshareJournal {
    static constexpr const char* kFormat = "quorum-reshare-journal";
    static constexpr int kVersion = 1;

    std::string oldManifestPath;
    Bytes oldManifestSha256;
    std::string newManifestPath;
    int k = 0;
    int n = 0;
    std::string role;
    bool retireOld = false;
    Bytes context;
    std::vector<crypto::reshare::Redistribution> redistributions;
    std::set<int> filled;
    Bytes newManifestSha256;  // empty until the new manifest is written
    std::set<int> retired;
    Bytes caSignature;  // empty until signed

    // The redistribution old card `from` gave, or nullptr.
    const crypto::reshare::Redistribution* from(int index) const;

    std::string toJson() const;
    static ReshareJournal fromJson(const std::string& text);
    // Signs the journal with `ca` and replaces the file atomically (0600).
    void save(const std::string& path, const crypto::CeremonyCa& ca);
    static ReshareJournal load(const std::string& path);
    // Throws ReshareJournalError naming `path` unless the journal is signed by `ca` (the ceremony's
    // CA certificate) and unchanged since.
    void authenticate(const crypto::Certificate& ca, const std::string& path) const;
};

}  // namespace quorum::host
