#include "host/ceremonies/signing.hpp"

#include <filesystem>

#include "crypto/primitives.hpp"
#include "crypto/public_key.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/shamir.hpp"
#include "host/ceremonies/shoup.hpp"

namespace quorum::host {

Bytes readMessage(const std::string& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) throw UsageError("--in " + path + " is a folder, not a file to sign");
    const std::string text = readWholeFile(path, "input file");
    return Bytes(text.begin(), text.end());
}

Manifest checkSignRequest(const SignRequest& request) {
    Manifest manifest = loadManifestArgument(request.manifestPath, request.ceremonyDir);
    const Scheme scheme = manifest.shoup() ? Scheme::Shoup : Scheme::Shamir;
    if (request.scheme && *request.scheme != scheme)
        throw UsageError(request.manifestPath + " is a card set of the " + schemeName(scheme) + " scheme, not " +
                         schemeName(*request.scheme));
    readMessage(request.inputPath);
    checkOutput("--out", request.signaturePath, request.force, {request.inputPath, request.manifestPath});
    requireRoom({{platform::folderOf(request.signaturePath), signatureRoom(manifest), "the signature"},
                 {request.ceremonyDir, auditRoom(manifest.n), "the audit log"}});
    requireConfirmation(request.confirmed, "what it signs");
    return manifest;
}

std::unique_ptr<CardSigner> makeSigner(const Manifest& manifest, const HsmConfig& hsm, const std::string& ceremonyDir,
                                       std::vector<Bytes> messages) {
    if (manifest.shoup()) return shoupSigner(manifest, std::move(messages));
    return shamirSigner(manifest, hsm, ceremonyDir, std::move(messages));
}

void runSign(const SignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
    const Manifest manifest = checkSignRequest(request);
    CeremonyContext context = CeremonyContext::forSet(request.ceremonyDir, manifest, hostPassphrase, out);
    const Bytes message = readMessage(request.inputPath);
    Json::Value start = details({{"card_set_id", toHex(manifest.cardSetId)},
                                 {"scheme", manifest.scheme},
                                 {"input_sha256", toHex(crypto::sha256(message))}});
    if (request.force && std::filesystem::exists(request.signaturePath)) start["replaces"] = request.signaturePath;
    context.audit().append("sign-start", start);
    try {
        context.confirmInput(request.inputPath, message, request.confirmed);
        const std::unique_ptr<CardSigner> signer = makeSigner(manifest, request.hsm, request.ceremonyDir, {message});
        StepTimes times;
        CardWish wish;
        wish.done = [&] { return signer->complete(); };
        wish.prompt = [&] {
            return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" + signer->progress() + ").";
        };
        wish.refuseBeforePin = [&](const ManifestCard& card) { return signer->refusal(card.index); };
        wish.use = [&](QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed) {
            signer->take(card, info, listed, context, times);
        };
        collectFromCards(request.cards, context, manifest, pins, times, wish);

        const Bytes signature = signer->signatures(times).at(0);
        const bool valid = times.time("signature checked by OpenSSL with the manifest's public key", [&] {
            return crypto::verifySha256Signature(manifest.signingKey.publicKeyPem, message, signature);
        });
        if (request.timings) times.print(out);
        if (!valid) throw FatalError("the signature does not verify with the manifest's public key: nothing written");
        replaceFile(request.signaturePath, std::string(signature.begin(), signature.end()), 0644, "signature");
        context.finish("sign-done", details({{"signature_sha256", toHex(crypto::sha256(signature))}}));
        out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes)" << std::endl;
    } catch (const std::exception& e) {
        context.stopped("sign-stopped", e.what());
        throw;
    }
}

}  // namespace quorum::host
