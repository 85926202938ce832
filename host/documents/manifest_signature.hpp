// The ceremony CA's signature on a card-set manifest: what it signs (a canonical encoding of every
// field, independent of how the JSON is laid out), signing it, and checking it against the CA
// certificate of the ceremony - a copy obtained apart from the manifest, never the one the
// manifest carries - before anything is asked of a card or a person.
#pragma once

#include <string>

#include "crypto/certificate.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// The manifest was not signed by the ceremony's CA, or was changed since; the message names the
// file, what is wrong and what to do. Nothing was asked of any card.
class ManifestAuthenticationError : public ManifestError {
public:
    using ManifestError::ManifestError;
};

// What the CA signs: "quorum-card-set signature v1", then every field of the manifest as
// (name, value) pairs, each length-prefixed (4 bytes, big-endian), in a fixed order - set id,
// scheme, k, n, the CA certificate, every card (index, id, certificate, holder), the scheme's
// key material (commitments, signing key, wrapped key and mechanism; or N, e, v, v_1..v_n), and
// the lineage (role, generation, parent, superseded by, retired). Its own signature excluded.
Bytes manifestSigningInput(const Manifest& manifest);

// Signs `manifest` (ECDSA P-256 with SHA-256 under the CA's key) into manifest.caSignature.
// std::invalid_argument when the CA is not the one the manifest names.
void signManifest(Manifest& manifest, const crypto::CeremonyCa& ca);

// Whether `manifest` is signed by `ca`: its CA certificate is `ca` and its signature verifies.
bool signedBy(const Manifest& manifest, const crypto::Certificate& ca);

// Throws ManifestAuthenticationError naming `path` unless signedBy(manifest, ca): a manifest of
// another CA, an unsigned one (written before manifests were signed: the message says how its
// CA holder signs it, `ceremony manifest-sign`), one changed since it was signed.
void authenticateManifest(const Manifest& manifest, const crypto::Certificate& ca, const std::string& path);

}  // namespace quorum::host
