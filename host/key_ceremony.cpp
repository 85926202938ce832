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

#include "apdu/command_chaining.hpp"
#include "apdu/response_chaining.hpp"
#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "host/audit_log.hpp"
#include "host/ceremony_files.hpp"
#include "host/file_io.hpp"
#include "host/manifest.hpp"
#include "host/pcsc.hpp"
#include "host/pcsc_channel.hpp"
#include "host/pcsc_error.hpp"
#include "host/pgp_words.hpp"
#include "host/reader_monitor.hpp"
#include "host/share_collector.hpp"

namespace quorum::host {

namespace {

using Clock = std::chrono::steady_clock;

// Cards come and go one at a time in the readers the ceremony watches.
class CardDoor {
public:
    CardDoor(std::string wanted, double timeoutSeconds) : wanted_(std::move(wanted)), timeout_(timeoutSeconds) {}

    // Waits until a card is in a watched reader; returns the reader's name.
    std::string waitForCard() {
        const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<long long>(timeout_ * 1000));
        for (;;) {
            monitor_.wait(std::chrono::milliseconds(0));
            for (const auto& r : monitor_.readers())
                if ((wanted_.empty() || r.reader == wanted_) && r.cardPresent) return r.reader;
            if (timeout_ > 0 && Clock::now() > deadline)
                throw std::runtime_error("no card was inserted within " + std::to_string(static_cast<int>(timeout_)) + " s");
            monitor_.wait(std::chrono::milliseconds(500));
        }
    }
    void waitForRemoval(const std::string& reader) {
        for (;;) {
            monitor_.wait(std::chrono::milliseconds(0));
            bool present = false;
            for (const auto& r : monitor_.readers())
                if (r.reader == reader && r.cardPresent) present = true;
            if (!present) return;
            monitor_.wait(std::chrono::milliseconds(500));
        }
    }
    const PcscContext& context() const { return context_; }

private:
    std::string wanted_;
    double timeout_;
    PcscContext context_;
    PcscReaderMonitor monitor_{context_};
};

// One inserted card, spoken to through GET RESPONSE and command chaining.
struct InsertedCard {
    PcscCard card;
    PcscChannel raw{card};
    apdu::ResponseChainingChannel responses{raw};
    apdu::CommandChainingChannel chained{responses};
    InsertedCard(const PcscContext& context, const std::string& reader) : card(context, reader) {}
};

// Writes (or replaces) an output file the user named.
void writeOutput(const std::string& path, const Bytes& data, const char* what) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw std::runtime_error(std::string("cannot write ") + what + " " + path);
}

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

bool verifySignature(const std::string& pem, const Bytes& message, const Bytes& signature) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr) return false;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
                    EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
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

// Wall time per step, summed over repetitions (e.g. over the cards), in the order first seen.
class StepTimes {
public:
    template <typename F>
    auto time(const std::string& step, F&& f) {
        const auto start = Clock::now();
        struct Add {
            StepTimes& times;
            const std::string& step;
            Clock::time_point start;
            ~Add() { times.add(step, std::chrono::duration<double, std::milli>(Clock::now() - start).count()); }
        } add{*this, step, start};
        return f();
    }
    void add(const std::string& step, double ms) {
        for (auto& [name, total] : steps_)
            if (name == step) {
                total += ms;
                return;
            }
        steps_.emplace_back(step, ms);
    }
    void print(std::ostream& out) const {
        double sum = 0;
        for (const auto& [name, ms] : steps_) sum += ms;
        out << "timing | step | ms\n";
        for (const auto& [name, ms] : steps_) out << "timing | " << name << " | " << ms << "\n";
        out << "timing | total (without waiting for people) | " << sum << std::endl;
    }

private:
    std::vector<std::pair<std::string, double>> steps_;
};

Json::Value details(std::initializer_list<std::pair<const char*, std::string>> fields) {
    Json::Value v(Json::objectValue);
    for (const auto& [key, value] : fields) v[key] = value;
    return v;
}

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

void runKeygen(const KeygenRequest& request, SecretReader& pins, const std::string& caPassphrase, std::ostream& out) {
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

    CardDoor door(request.reader, request.cardTimeout);
    for (const auto& share : deal.shares) {
        const int index = share.index;
        out << "Insert BLANK card " << index << " of " << request.n << "." << std::endl;
        const std::string reader = door.waitForCard();
        {
            InsertedCard inserted(door.context(), reader);
            QuorumCard card(inserted.chained, trust);
            const CardInfo info = card.select();
            if (info.lifecycleName() != "BLANK")
                throw std::runtime_error("the card in " + reader + " is " + info.lifecycleName() +
                                         ", not BLANK: keygen stops (nothing was written to it)");
            const crypto::Certificate certificate = card.issueIdentity(ca, index);
            card.openSecureChannel();
            card.storeShare(share, deal.commitments.digest());
            Bytes pin = pins.nextNew("Transport PIN for card " + std::to_string(index));
            Bytes puk = pins.nextNew("PUK for card " + std::to_string(index));
            card.personalize(request.policy, pin, puk);
            manifest.cards.push_back({index, info.cardId, certificate.pem()});
            audit.append("card-issued", details({{"index", std::to_string(index)}, {"card_id", toHex(info.cardId)},
                                                 {"certificate_sha256", toHex(certificate.sha256Fingerprint())}}));
        }
        out << "Card " << index << " of " << request.n << " issued. Remove it." << std::endl;
        door.waitForRemoval(reader);
    }
    manifest.save(request.manifestPath);
    const std::string text = manifest.toJson();
    const Bytes manifestDigest = crypto::sha256(Bytes(text.begin(), text.end()));
    audit.append("keygen-done", details({{"manifest_sha256", toHex(manifestDigest)}}));
    out << "Key generation done: " << request.k << " of " << request.n << " cards activate the key. Manifest: "
        << request.manifestPath << std::endl;
}

void runSign(const SignRequest& request, SecretReader& pins, std::ostream& out) {
    const Manifest manifest = Manifest::load(request.manifestPath);
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
    while (!collector.complete()) {
        out << "Insert a card of set " << toHex(manifest.cardSetId).substr(0, 8) << "... (" << collector.progress()
            << ")." << std::endl;
        const std::string reader = door.waitForCard();
        try {
            InsertedCard inserted(door.context(), reader);
            QuorumCard card(inserted.chained, trust);
            times.time("SELECT (a plain APDU round trip: the baseline)", [&] { return card.select(); });
            const crypto::CertificateInfo info = times.time(
                "SCP11a: certificate read and checked, PSO, MUTUAL AUTHENTICATE", [&] { return card.openSecureChannel(); });
            const Bytes pin = pins.next("PIN of card " + std::to_string(info.cardIndex.value_or(0)));
            times.time("VERIFY (wrapped)", [&] { card.verifyPin(pin); return 0; });
            ReleasedShare released = times.time("GET SHARE (wrapped)", [&] { return card.getShare(); });
            const auto result = times.time("share checked against the commitments",
                                           [&] { return collector.offer(info, std::move(released)); });
            out << result.message << std::endl;
            times.time("audit entry (append + fsync)", [&] {
                return audit.append("share-offered", details({{"index", std::to_string(result.cardIndex)},
                                                              {"outcome", result.outcome == ShareCollector::Outcome::Accepted ? "accepted" : "refused"}}));
            });
        } catch (const CardAuthenticationError& e) {
            out << "This card is refused: " << e.what() << std::endl;
        } catch (const CardRefusedError& e) {  // wrong PIN, blocked, PIN change pending...
            out << "This card cannot give its share now: " << e.what() << std::endl;
        } catch (const SecureChannelError& e) {
            out << "The secure channel to this card broke: " << e.what() << std::endl;
        } catch (const PcscError& e) {
            out << "The card was pulled or stopped answering (" << e.what() << "); insert it again." << std::endl;
        }
        out << "Remove the card." << std::endl;
        if (!collector.complete()) door.waitForRemoval(reader);  // the last one may stay: we sign now
    }

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
    audit.append("sign-done", details({{"signature_sha256", toHex(crypto::sha256(signature))}}));
    out << "Signed: " << request.signaturePath << " (" << signature.size() << " bytes)" << std::endl;
}

}  // namespace quorum::host
