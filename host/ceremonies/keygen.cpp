#include "host/ceremonies/keygen.hpp"

#include "crypto/primitives.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/shamir.hpp"
#include "host/ceremonies/shoup.hpp"

namespace quorum::host {

void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, std::ostream& out) {
    checkKeygenRequest(request);
    CeremonyContext context = CeremonyContext::withCa(request.ceremonyDir, caPassphrase, out);
    const std::unique_ptr<KeygenScheme> scheme = request.scheme == Scheme::Shoup ? shoupKeygen() : shamirKeygen();
    context.audit().append("keygen-start", details({{"card_set_id", toHex(context.cardSetId())},
                                                    {"scheme", schemeName(request.scheme)},
                                                    {"k", std::to_string(request.k)},
                                                    {"n", std::to_string(request.n)},
                                                    {"key_type", keyTypeName(request.keyType)}}));
    Manifest manifest;
    manifest.cardSetId = context.cardSetId();
    manifest.k = request.k;
    manifest.n = request.n;
    manifest.caCertificatePem = context.ca().certificate().pem();
    manifest.signingKey.type = keyTypeName(request.keyType);
    scheme->deal(request, context, manifest);

    const std::string& pem = manifest.signingKey.publicKeyPem;
    const Bytes keyFingerprint = crypto::sha256(Bytes(pem.begin(), pem.end()));
    context.showFingerprint("public key", keyFingerprint);
    context.audit().append("signing-key-generated",
                           details({{"public_key_sha256", toHex(keyFingerprint)}, {"scheme", manifest.scheme}}));

    issueCards(request, context, pins, manifest, [&](QuorumCard& card, int index) { scheme->storeShare(card, index); });
    scheme->forget();

    manifest.save(request.manifestPath);
    const std::string text = manifest.toJson();
    context.finish("keygen-done", details({{"manifest_sha256", toHex(crypto::sha256(Bytes(text.begin(), text.end())))}}));
    out << "Key generation done: " << scheme->summary(request) << " Manifest: " << request.manifestPath << std::endl;
}

}  // namespace quorum::host
