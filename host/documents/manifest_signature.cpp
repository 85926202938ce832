#include "host/documents/manifest_signature.hpp"

#include <stdexcept>

#include "crypto/primitives.hpp"

namespace quorum::host {

namespace {

constexpr const char* kSigningLabel = "quorum-card-set signature v1";

// Length-prefixed (name, value) pairs: no two different manifests encode alike.
class SigningInput {
public:
    SigningInput() { raw(kSigningLabel); }

    void field(const char* name, const std::string& value) {
        raw(name);
        raw(value);
    }
    void field(const char* name, const Bytes& value) {
        raw(name);
        raw(std::string(value.begin(), value.end()));
    }
    void field(const char* name, int value) { field(name, std::to_string(value)); }

    const Bytes& bytes() const { return bytes_; }

private:
    void raw(const std::string& text) {
        const auto size = static_cast<std::uint32_t>(text.size());
        for (int shift = 24; shift >= 0; shift -= 8) bytes_.push_back(static_cast<std::uint8_t>(size >> shift));
        bytes_.insert(bytes_.end(), text.begin(), text.end());
    }
    Bytes bytes_;
};

bool sameCertificate(const std::string& pem, const crypto::Certificate& ca) {
    try {
        return crypto::Certificate::fromPem(pem).der() == ca.der();
    } catch (const crypto::CertificateError&) {
        return false;
    }
}

}  // namespace

Bytes manifestSigningInput(const Manifest& m) {
    SigningInput in;
    in.field("format", Manifest::kFormat);
    in.field("version", Manifest::kVersion);
    in.field("card_set_id", m.cardSetId);
    in.field("scheme", m.scheme);
    in.field("k", m.k);
    in.field("n", m.n);
    in.field("ca_certificate", m.caCertificatePem);
    in.field("cards", static_cast<int>(m.cards.size()));
    for (const auto& card : m.cards) {
        in.field("index", card.index);
        in.field("card_id", card.cardId);
        in.field("certificate", card.certificatePem);
        in.field("holder", card.holder);
    }
    in.field("signing_key.type", m.signingKey.type);
    in.field("signing_key.public_key", m.signingKey.publicKeyPem);
    if (m.shoup()) {
        in.field("threshold_rsa.public_exponent", static_cast<int>(crypto::shoup::kPublicExponent));
        in.field("threshold_rsa.modulus", m.rsaKey.modulus);
        in.field("threshold_rsa.v", m.rsaKey.v);
        in.field("threshold_rsa.verification_keys", static_cast<int>(m.rsaKey.verificationKeys.size()));
        for (const auto& vi : m.rsaKey.verificationKeys) in.field("v_i", vi);
    } else {
        in.field("commitments", m.commitments.points.empty() ? Bytes() : m.commitments.encode());
        in.field("signing_key.wrapped_key", m.signingKey.wrappedKey);
        in.field("signing_key.wrap_mechanism", m.signingKey.wrapMechanism);
    }
    in.field("set.role", m.lineage.role);
    in.field("set.generation", m.lineage.generation);
    in.field("set.parent_sha256", m.lineage.parentSha256);
    in.field("set.superseded_by_sha256", m.lineage.supersededBySha256);
    in.field("set.superseded_by", m.lineage.supersededBy);
    in.field("set.retired", m.lineage.retired ? 1 : 0);
    return in.bytes();
}

void signManifest(Manifest& manifest, const crypto::CeremonyCa& ca) {
    if (!sameCertificate(manifest.caCertificatePem, ca.certificate()))
        throw std::invalid_argument("the manifest names another CA than the one asked to sign it");
    manifest.caSignature = ca.key().signSha256(manifestSigningInput(manifest));
}

bool signedBy(const Manifest& manifest, const crypto::Certificate& ca) {
    return !manifest.caSignature.empty() && sameCertificate(manifest.caCertificatePem, ca) &&
           ca.publicKey().verifySha256(manifestSigningInput(manifest), manifest.caSignature);
}

void authenticateManifest(const Manifest& manifest, const crypto::Certificate& ca, const std::string& path) {
    if (!sameCertificate(manifest.caCertificatePem, ca))
        throw ManifestAuthenticationError(
            path + " names another CA than this ceremony's (CA certificate SHA-256 " +
            toHex(ca.sha256Fingerprint()).substr(0, 16) +
            "...): it is not a card set of this ceremony, or its CA was replaced; nothing was asked of any card");
    if (manifest.caSignature.empty())
        throw ManifestAuthenticationError(
            path +
            " is not signed by the ceremony's CA (it was written before manifests were signed, or its "
            "signature was taken out), so nothing in it can be trusted yet. The CA key's holder checks it and "
            "signs it: `ceremony manifest-sign --ceremony DIR --manifest " +
            path + "` (the audit log records it)");
    if (!signedBy(manifest, ca))
        throw ManifestAuthenticationError(
            path +
            ": the CA's signature does not match the contents: the manifest was changed after the ceremony "
            "wrote it (a key, wrapped key, k, commitment, card, holder or its set's state). Nothing was asked of "
            "any card; use the copy the ceremony wrote (its SHA-256 is in the audit log)");
}

}  // namespace quorum::host
