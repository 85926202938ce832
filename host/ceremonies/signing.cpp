#include "host/ceremonies/signing.hpp"

#include "crypto/primitives.hpp"
#include "crypto/public_key.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/shamir.hpp"
#include "host/ceremonies/shoup.hpp"

namespace quorum::host {

Bytes readMessage(const std::string& path) {
    const std::string text = readWholeFile(path, "input file");
    return Bytes(text.begin(), text.end());
}

Manifest checkSignRequest(const SignRequest& request) {
    Manifest manifest = Manifest::load(request.manifestPath);
    const Scheme scheme = manifest.shoup() ? Scheme::Shoup : Scheme::Shamir;
    if (request.scheme && *request.scheme != scheme)
        throw UsageError(request.manifestPath + " is a card set of the " + schemeName(scheme) + " scheme, not " +
                         schemeName(*request.scheme));
    readMessage(request.inputPath);
    return manifest;
}

void runSign(const SignRequest& request, SecretReader& pins, std::ostream& out) {
    const Manifest manifest = checkSignRequest(request);
    const Scheme scheme = manifest.shoup() ? Scheme::Shoup : Scheme::Shamir;
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, out);
    const Bytes message = readMessage(request.inputPath);
    context.audit().append("sign-start", details({{"card_set_id", toHex(manifest.cardSetId)},
                                                  {"scheme", manifest.scheme},
                                                  {"input_sha256", toHex(crypto::sha256(message))}}));

    const std::unique_ptr<CardSigner> signer =
        scheme == Scheme::Shoup ? shoupSigner(manifest, message) : shamirSigner(manifest, request, message);
    CardDoor door(request.cards);
    StepTimes times;
    collectFromCards(
        door, context, pins, times, [&] { return signer->complete(); },
        [&] { return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" + signer->progress() + ")."; },
        [&](QuorumCard& card, const crypto::CertificateInfo& info) { signer->take(card, info, context, times); });

    const Bytes signature = signer->signature(times);
    const bool valid = times.time("signature checked by OpenSSL with the manifest's public key", [&] {
        return crypto::verifySha256Signature(manifest.signingKey.publicKeyPem, message, signature);
    });
    if (request.timings) times.print(out);
    if (!valid) throw FatalError("the signature does not verify with the manifest's public key: nothing written");
    writeOutput(request.signaturePath, signature, "signature");
    context.finish("sign-done", details({{"signature_sha256", toHex(crypto::sha256(signature))}}));
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes)" << std::endl;
}

}  // namespace quorum::host
