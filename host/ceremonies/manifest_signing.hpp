// `ceremony manifest-sign`: the CA key's holder signs a manifest written before manifests were
// signed, after the people in the room checked it against what the ceremony recorded - never one
// whose signature no longer matches (that one was changed) and never another ceremony's.
#pragma once

#include <ostream>
#include <string>

namespace quorum::host {

struct ManifestSignRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    bool confirmed = false;  // the fingerprint was checked another way: do not ask
};

// What manifest-sign checks before the passphrase is asked: the manifest reads, names this
// ceremony's CA, belongs to this ceremony's folder, and is unsigned; a terminal to confirm on
// unless `confirmed`. Returns false when it is signed by the CA already (nothing to do); throws
// UsageError / ManifestError naming the problem.
bool checkManifestSignRequest(const ManifestSignRequest& request);

// Shows the manifest (its set, key and file fingerprints, and where the audit log recorded the
// file), asks the people to confirm, signs it with the CA key opened with `caPassphrase`,
// replaces the file and records "manifest-signed".
void runManifestSign(const ManifestSignRequest& request, const std::string& caPassphrase, const std::string& hostPassphrase, std::ostream& out);

}  // namespace quorum::host
