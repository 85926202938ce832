#include "host/ceremonies/shamir.hpp"

#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "crypto/public_key.hpp"
#include "host/ceremonies/share_collector.hpp"
#include "host/hsm/ceremony_hsm.hpp"

namespace quorum::host {

namespace {

class ShamirKeygen : public KeygenScheme {
public:
    std::map<int, Bytes> deal(const KeygenRequest& request, CeremonyContext& context, Manifest& manifest) override {
        // The activation key exists only in memory, only while the deal is dealt.
        const crypto::FeldmanDeal dealt = crypto::deal(request.k, request.n);
        manifest.scheme = Manifest::kSchemeShamir;
        manifest.commitments = dealt.commitments;
        CeremonyHsm hsm(request.hsm, request.ceremonyDir);
        const Bytes activationKey = crypto::activationKey(dealt.secret, context.cardSetId());
        const GeneratedKey key = hsm.session().generateSigningKey(request.keyType);
        const HsmHandle wrapping = hsm.session().importAesKey(activationKey);
        manifest.signingKey.publicKeyPem = crypto::publicKeyPemFromDer(key.publicKeyDer);
        manifest.signingKey.wrappedKey = hsm.session().wrapKey(wrapping, key.privateKey);
        hsm.session().destroy(key.privateKey);
        hsm.session().destroy(wrapping);
        context.out() << "Signing key generated in the HSM (" << keyTypeName(request.keyType)
                      << "), kept only wrapped.\n";
        std::map<int, Bytes> shares;
        for (const auto& share : dealt.shares) shares[share.index] = share.value;
        return shares;
    }
    void storeShare(QuorumCard& card, int index, const Bytes& share, const Manifest& manifest) override {
        card.storeShare({static_cast<std::uint8_t>(index), share}, manifest.commitments.digest());
    }
    std::string summary(int k, int n) const override {
        return std::to_string(k) + " of " + std::to_string(n) + " cards activate the key.";
    }
};

class ShamirSigner : public CardSigner {
public:
    ShamirSigner(const Manifest& manifest, const HsmConfig& hsm, std::string ceremonyDir, std::vector<Bytes> messages)
        : manifest_(manifest),
          ceremonyDir_(std::move(ceremonyDir)),
          messages_(std::move(messages)),
          collector_(manifest.commitments, manifest.cardSetId),
          // Opened before the first card: a missing token or a wrong PIN file is found before
          // anybody gives a share, not after.
          hsm_(hsmTimes_.time(kHsmOpened, [&] { return std::make_unique<CeremonyHsm>(hsm, ceremonyDir_); })) {}

    bool complete() const override { return collector_.complete(); }
    std::string progress() const override { return collector_.progress(); }
    std::optional<std::string> refusal(int index) const override { return collector_.refusal(index); }

    void take(QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard& listed,
              CeremonyContext& context, StepTimes& times) override {
        ReleasedShare released = times.time("GET SHARE (wrapped)", [&] { return card.getShare(); });
        const std::uint32_t usage = released.usageCount;
        const auto result = times.time("share checked against the commitments",
                                       [&] { return collector_.offer(info, std::move(released)); });
        context.out() << result.message << std::endl;
        times.time("audit entry (append + fsync)", [&] {
            return context.audit().append(
                "share-offered",
                details({{"index", std::to_string(result.cardIndex)},
                         {"card_id", toHex(listed.cardId)},
                         {"outcome", result.outcome == ShareCollector::Outcome::Accepted ? "accepted" : "refused"},
                         {"usage_counter", std::to_string(usage)}}));
        });
    }

    std::vector<Bytes> signatures(StepTimes& times) override {
        const Bytes activationKey =
            times.time("shares combined, C_0 checked, HKDF", [&] { return collector_.activationKey(); });
        times.merge(hsmTimes_);
        CeremonyHsm* hsm = hsm_.get();
        const SigningKeyType type = parseKeyType(manifest_.signingKey.type);
        const HsmHandle key = times.time("HSM: activation key imported, signing key unwrapped", [&] {
            const HsmHandle wrapping = hsm->session().importAesKey(activationKey);
            const HsmHandle unwrapped = hsm->session().unwrapSigningKey(wrapping, manifest_.signingKey.wrappedKey, type);
            hsm->session().destroy(wrapping);
            return unwrapped;
        });
        std::vector<Bytes> signatures;
        for (const auto& message : messages_)
            signatures.push_back(
                times.time("HSM: signature", [&] { return hsm->session().signSha256(key, message, type); }));
        hsm->session().destroy(key);
        return signatures;
    }

private:
    static constexpr const char* kHsmOpened = "HSM: module loaded, token found, login (before the cards)";

    const Manifest& manifest_;
    std::string ceremonyDir_;
    std::vector<Bytes> messages_;
    ShareCollector collector_;
    StepTimes hsmTimes_;
    std::unique_ptr<CeremonyHsm> hsm_;
};

}  // namespace

std::unique_ptr<KeygenScheme> shamirKeygen() { return std::make_unique<ShamirKeygen>(); }

std::unique_ptr<CardSigner> shamirSigner(const Manifest& manifest, const HsmConfig& hsm, const std::string& ceremonyDir,
                                         std::vector<Bytes> messages) {
    return std::make_unique<ShamirSigner>(manifest, hsm, ceremonyDir, std::move(messages));
}

}  // namespace quorum::host
