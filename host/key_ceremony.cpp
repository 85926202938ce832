#include "host/key_ceremony.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "crypto/shoup.hpp"
#include "host/audit_log.hpp"
#include "host/ceremony_files.hpp"
#include "host/ceremony_support.hpp"
#include "host/file_io.hpp"
#include "host/manifest.hpp"
#include "host/pcsc.hpp"
#include "host/pcsc_channel.hpp"
#include "host/pcsc_error.hpp"
#include "host/pgp_words.hpp"
#include "host/reader_monitor.hpp"
#include "host/share_collector.hpp"
#include "host/threshold_ceremony.hpp"

namespace quorum::host {

namespace {

std::string publicKeyPem(const Bytes& der) {
    const unsigned char* p = der.data();
    EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
    if (key == nullptr) throw std::runtime_error("the HSM returned a public key OpenSSL cannot read");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* text = nullptr;
    const long size = BIO_get_mem_data(bio, &text);
    std::string pem(text, static_cast<std::size_t>(size));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

// The HSM session of a ceremony: its module loaded, its token found (or, for the ceremony's own
// SoftHSM2 token, created), logged in.
class CeremonyHsm {
public:
    CeremonyHsm(const HsmConfig& config, const std::string& ceremonyDir) {
        Bytes userPin;
        if (config.userPinFile.empty()) {
            const std::string folder = ceremonyDir + "/hsm";
            const bool fresh = ::mkdir(folder.c_str(), 0700) == 0;
            if (fresh) SoftHsmSetup::writeConfig(folder);
            ::setenv("SOFTHSM2_CONF", (folder + "/softhsm2.conf").c_str(), 1);
            module_ = std::make_unique<Pkcs11Module>(config.modulePath);
            const std::string pinPath = folder + "/user-pin";
            if (!module_->findSlotByTokenLabel(config.tokenLabel)) {
                const auto slot = module_->findUninitializedSlot();
                if (!slot) throw std::runtime_error("the HSM offers no free slot for the ceremony's token");
                userPin = Bytes(16);
                const Bytes random = crypto::randomBytes(16);
                for (std::size_t i = 0; i < 16; ++i) userPin[i] = static_cast<std::uint8_t>('a' + random[i] % 26);
                module_->initToken(*slot, config.tokenLabel, crypto::randomBytes(16), userPin);
                writeNewFile(pinPath, std::string(userPin.begin(), userPin.end()), 0600, "HSM user PIN");
            }
            const std::string text = readWholeFile(pinPath, "HSM user PIN");
            userPin.assign(text.begin(), text.end());
        } else {
            module_ = std::make_unique<Pkcs11Module>(config.modulePath);
            std::string text = readWholeFile(config.userPinFile, "HSM user PIN file");
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            userPin.assign(text.begin(), text.end());
        }
        const auto slot = module_->findSlotByTokenLabel(config.tokenLabel);
        if (!slot) throw std::runtime_error("no HSM token labelled \"" + config.tokenLabel + "\" in " + config.modulePath);
        session_ = std::make_unique<HsmSession>(*module_, *slot);
        session_->login(userPin);
    }
    Hsm& session() { return *session_; }

private:
    std::unique_ptr<Pkcs11Module> module_;
    std::unique_ptr<HsmSession> session_;
};

}  // namespace

const char* keyTypeName(SigningKeyType type) {
    switch (type) {
        case SigningKeyType::Rsa2048: return "rsa2048";
        case SigningKeyType::Rsa3072: return "rsa3072";
        case SigningKeyType::Rsa4096: return "rsa4096";
        case SigningKeyType::P256: return "p256";
    }
    return "unknown";
}

SigningKeyType parseKeyType(const std::string& name) {
    for (auto type : {SigningKeyType::Rsa2048, SigningKeyType::Rsa3072, SigningKeyType::Rsa4096, SigningKeyType::P256})
        if (name == keyTypeName(type)) return type;
    throw std::invalid_argument("key type \"" + name + "\": use rsa2048, rsa3072, rsa4096 or p256");
}

void checkKeygenRequest(const KeygenRequest& request) {
    if (request.k < 1 || request.k > request.n)
        throw std::invalid_argument("-k " + std::to_string(request.k) + " -n " + std::to_string(request.n) +
                                    ": need 1 <= k <= n");
    if (request.scheme == Scheme::Shoup) {
        if (request.keyType == SigningKeyType::P256)
            throw std::invalid_argument("the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096");
        if (request.n > crypto::shoup::kMaxPlayers)
            throw std::invalid_argument("the threshold RSA scheme allows at most " +
                                        std::to_string(crypto::shoup::kMaxPlayers) + " cards (n = " +
                                        std::to_string(request.n) + ")");
    }
    refuseExisting(request.manifestPath, "manifest");
}

void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, std::ostream& out) {
    checkKeygenRequest(request);
    if (request.scheme == Scheme::Shoup) return runThresholdKeygen(request, pins, caPassphrase, out);
    const CeremonyFiles files(request.ceremonyDir);
    const crypto::CeremonyCa ca = files.loadCa(caPassphrase);
    const HostCredentials host = files.loadHost();
    const CeremonyTrust trust{host, ca.certificate(), ca.cardSetId()};
    AuditLog audit = AuditLog::open(request.ceremonyDir + "/audit.log");
    audit.append("keygen-start", details({{"card_set_id", toHex(ca.cardSetId())}, {"k", std::to_string(request.k)},
                                          {"n", std::to_string(request.n)}, {"key_type", keyTypeName(request.keyType)}}));

    // The activation key exists only in memory, only during this ceremony.
    const crypto::FeldmanDeal deal = crypto::deal(request.k, request.n);
    Manifest manifest;
    manifest.cardSetId = ca.cardSetId();
    manifest.k = request.k;
    manifest.n = request.n;
    manifest.caCertificatePem = ca.certificate().pem();
    manifest.commitments = deal.commitments;
    {
        CeremonyHsm hsm(request.hsm, request.ceremonyDir);
        const Bytes activationKey = crypto::activationKey(deal.secret, ca.cardSetId());
        const GeneratedKey key = hsm.session().generateSigningKey(request.keyType);
        const HsmHandle wrapping = hsm.session().importAesKey(activationKey);
        manifest.signingKey.type = keyTypeName(request.keyType);
        manifest.signingKey.publicKeyPem = publicKeyPem(key.publicKeyDer);
        manifest.signingKey.wrappedKey = hsm.session().wrapKey(wrapping, key.privateKey);
        hsm.session().destroy(key.privateKey);
        hsm.session().destroy(wrapping);
    }
    const Bytes keyFingerprint = crypto::sha256(Bytes(manifest.signingKey.publicKeyPem.begin(), manifest.signingKey.publicKeyPem.end()));
    out << "Signing key generated in the HSM (" << keyTypeName(request.keyType) << "), kept only wrapped.\n"
        << "  public key SHA-256: " << toHex(keyFingerprint) << "\n  read aloud: " << pgpWords(Bytes(keyFingerprint.begin(), keyFingerprint.begin() + 8)) << "\n";
    audit.append("signing-key-generated", details({{"public_key_sha256", toHex(keyFingerprint)}}));

    issueCards(request, ca, trust, pins, audit, manifest, out, [&](QuorumCard& card, int index) {
        card.storeShare(deal.shares.at(static_cast<std::size_t>(index - 1)), deal.commitments.digest());
    });
    manifest.save(request.manifestPath);
    const std::string text = manifest.toJson();
    const Bytes manifestDigest = crypto::sha256(Bytes(text.begin(), text.end()));
    closeAudit(audit, "keygen-done", details({{"manifest_sha256", toHex(manifestDigest)}}), out);
    out << "Key generation done: " << request.k << " of " << request.n << " cards activate the key. Manifest: "
        << request.manifestPath << std::endl;
}

void runSign(const SignRequest& request, SecretReader& pins, std::ostream& out) {
    const Manifest manifest = Manifest::load(request.manifestPath);
    if (manifest.shoup()) return runThresholdSign(request, manifest, pins, out);
    const CeremonyFiles files(request.ceremonyDir);
    const HostCredentials host = files.loadHost();
    const crypto::Certificate ca = crypto::Certificate::fromPem(manifest.caCertificatePem);
    const CeremonyTrust trust{host, ca, manifest.cardSetId};
    const std::string input = readWholeFile(request.inputPath, "input file");
    const Bytes message(input.begin(), input.end());
    AuditLog audit = AuditLog::open(request.ceremonyDir + "/audit.log");
    audit.append("sign-start", details({{"card_set_id", toHex(manifest.cardSetId)},
                                        {"input_sha256", toHex(crypto::sha256(message))}}));

    ShareCollector collector(manifest.commitments, manifest.cardSetId);
    CardDoor door(request.reader, request.cardTimeout);
    StepTimes times;
    collectFromCards(
        door, trust, pins, times, out, [&] { return collector.complete(); },
        [&] { return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" + collector.progress() + ")."; },
        [&](QuorumCard& card, const crypto::CertificateInfo& info) {
            ReleasedShare released = times.time("GET SHARE (wrapped)", [&] { return card.getShare(); });
            const auto result = times.time("share checked against the commitments",
                                           [&] { return collector.offer(info, std::move(released)); });
            out << result.message << std::endl;
            times.time("audit entry (append + fsync)", [&] {
                return audit.append("share-offered", details({{"index", std::to_string(result.cardIndex)},
                                                              {"outcome", result.outcome == ShareCollector::Outcome::Accepted ? "accepted" : "refused"}}));
            });
        });

    Bytes signature;
    {
        const Bytes activationKey = times.time("shares combined, C_0 checked, HKDF", [&] { return collector.activationKey(); });
        auto hsm = times.time("HSM: module loaded, token found, login",
                              [&] { return std::make_unique<CeremonyHsm>(request.hsm, request.ceremonyDir); });
        const SigningKeyType type = parseKeyType(manifest.signingKey.type);
        const HsmHandle key = times.time("HSM: activation key imported, signing key unwrapped", [&] {
            const HsmHandle wrapping = hsm->session().importAesKey(activationKey);
            const HsmHandle unwrapped = hsm->session().unwrapSigningKey(wrapping, manifest.signingKey.wrappedKey, type);
            hsm->session().destroy(wrapping);
            return unwrapped;
        });
        signature = times.time("HSM: signature", [&] { return hsm->session().signSha256(key, message, type); });
        hsm->session().destroy(key);
    }
    const bool valid = times.time("signature checked with the manifest's public key", [&] {
        return verifySignature(manifest.signingKey.publicKeyPem, message, signature);
    });
    if (request.timings) times.print(out);
    if (!valid)
        throw std::runtime_error("the signature does not verify with the manifest's public key: nothing written");
    writeOutput(request.signaturePath, signature, "signature");
    closeAudit(audit, "sign-done", details({{"signature_sha256", toHex(crypto::sha256(signature))}}), out);
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes)" << std::endl;
}

}  // namespace quorum::host
