#include "host/ceremony_support.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "host/pcsc_error.hpp"
#include "host/pgp_words.hpp"

namespace quorum::host {

std::string CardDoor::waitForCard() {
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

void CardDoor::waitForRemoval(const std::string& reader) {
    for (;;) {
        monitor_.wait(std::chrono::milliseconds(0));
        bool present = false;
        for (const auto& r : monitor_.readers())
            if (r.reader == reader && r.cardPresent) present = true;
        if (!present) return;
        monitor_.wait(std::chrono::milliseconds(500));
    }
}

void refuseExisting(const std::string& path, const char* what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        throw std::invalid_argument(std::string("the ") + what + " " + path + " exists already: choose another name");
}

void writeOutput(const std::string& path, const Bytes& data, const char* what) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw std::runtime_error(std::string("cannot write ") + what + " " + path);
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

Json::Value details(std::initializer_list<std::pair<const char*, std::string>> fields) {
    Json::Value v(Json::objectValue);
    for (const auto& [key, value] : fields) v[key] = value;
    return v;
}


void closeAudit(AuditLog& audit, const std::string& event, const Json::Value& entryDetails, std::ostream& out) {
    const std::string hash = audit.append(event, entryDetails);
    const Bytes last = fromHex(hash);
    out << "Audit log: last entry SHA-256 " << hash << "\n  read aloud and write down: "
        << pgpWords(Bytes(last.begin(), last.begin() + 8)) << std::endl;
}

void issueCards(const KeygenRequest& request, const crypto::CeremonyCa& ca, const CeremonyTrust& trust,
                SecretReader& pins, AuditLog& audit, Manifest& manifest, std::ostream& out,
                const std::function<void(QuorumCard&, int index)>& storeShare) {
    CardDoor door(request.reader, request.cardTimeout);
    for (int index = 1; index <= request.n; ++index) {
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
            storeShare(card, index);
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
}

void collectFromCards(CardDoor& door, const CeremonyTrust& trust, SecretReader& pins, StepTimes& times,
                      std::ostream& out, const std::function<bool()>& done, const std::function<std::string()>& prompt,
                      const std::function<void(QuorumCard&, const crypto::CertificateInfo&)>& use) {
    while (!done()) {
        out << prompt() << std::endl;
        const std::string reader = door.waitForCard();
        try {
            InsertedCard inserted(door.context(), reader);
            QuorumCard card(inserted.chained, trust);
            times.time("SELECT (a plain APDU round trip: the baseline)", [&] { return card.select(); });
            const crypto::CertificateInfo info = times.time(
                "SCP11a: certificate read and checked, PSO, MUTUAL AUTHENTICATE", [&] { return card.openSecureChannel(); });
            const Bytes pin = pins.next("PIN of card " + std::to_string(info.cardIndex.value_or(0)));
            times.time("VERIFY (wrapped)", [&] { card.verifyPin(pin); return 0; });
            use(card, info);
        } catch (const CardAuthenticationError& e) {
            out << "This card is refused: " << e.what() << std::endl;
        } catch (const CardRefusedError& e) {  // wrong PIN, blocked, PIN change pending...
            out << "This card cannot take part now: " << e.what() << std::endl;
        } catch (const SecureChannelError& e) {
            out << "The secure channel to this card broke: " << e.what() << std::endl;
        } catch (const PcscError& e) {
            out << "The card was pulled or stopped answering (" << e.what() << "); insert it again." << std::endl;
        }
        out << "Remove the card." << std::endl;
        if (!done()) door.waitForRemoval(reader);  // the last one may stay: we go on now
    }
}

}  // namespace quorum::host
