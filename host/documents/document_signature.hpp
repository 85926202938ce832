// The ceremony CA's signature on a document the programs keep between steps (the keygen and
// reshare journals): ECDSA P-256 / SHA-256 over a label naming the kind and version, then the
// document's canonical text as its writer makes it (without the signature). Checked against the
// ceremony's own CA certificate, never one the document carries.
#pragma once

#include <string>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"

namespace quorum::host {

Bytes signDocumentText(const std::string& label, const std::string& text, const crypto::CeremonyCa& ca);

// Whether `signature` is `ca`'s over `label` and `text`; false for an empty signature.
bool documentTextSignedBy(const std::string& label, const std::string& text, const Bytes& signature,
                          const crypto::Certificate& ca);

// Throws Error (an instance of `Error`, constructed from the message) naming `path` and `what`
// unless the signature holds: unsigned, changed since it was written, or another ceremony's.
template <typename Error>
void requireDocumentSignature(const std::string& label, const std::string& text, const Bytes& signature,
                              const crypto::Certificate& ca, const std::string& path) {
    if (signature.empty())
        throw Error(path + " is not signed by the ceremony's CA (written by an older version, or its "
                           "signature was removed): it cannot be trusted to resume from");
    if (!documentTextSignedBy(label, text, signature, ca))
        throw Error(path + " fails its check against the ceremony's CA certificate: it was changed since "
                           "the ceremony wrote it, or another ceremony wrote it. Nothing was asked of any "
                           "card; restore it from the ceremony's records");
}

}  // namespace quorum::host
