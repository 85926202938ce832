#include "host/documents/document_signature.hpp"

namespace quorum::host {

namespace {
Bytes signingInput(const std::string& label, const std::string& text) {
    const std::string input = label + "\n" + text;
    return Bytes(input.begin(), input.end());
}
}  // namespace

Bytes signDocumentText(const std::string& label, const std::string& text, const crypto::CeremonyCa& ca) {
    return ca.key().signSha256(signingInput(label, text));
}

bool documentTextSignedBy(const std::string& label, const std::string& text, const Bytes& signature,
                          const crypto::Certificate& ca) {
    return !signature.empty() && ca.publicKey().verifySha256(signingInput(label, text), signature);
}

}  // namespace quorum::host
