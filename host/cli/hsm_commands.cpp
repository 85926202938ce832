// hsm-import: moving to another HSM. After k cards activate the signing key as `sign` does, the
// key is put into a token of another HSM for good - persistent, private, sensitive, never to be
// extracted - for tools that sign with a key the HSM keeps by its label (IANA's kskm).
#include <iostream>

#include "crypto/primitives.hpp"
#include "crypto/public_key.hpp"
#include "host/ceremonies/card_loops.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/share_collector.hpp"
#include "host/cli/commands.hpp"
#include "host/hsm/token_key.hpp"

namespace quorum::host::cli {

namespace {

struct HsmImportRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    std::string keyLabel;
    CardSource cards;
    HsmConfig hsm;
    bool force = false;  // replace the objects of that label (recorded in the audit log)
    SecretOptions pins;
    HostPassphraseOptions hostPassphrase;
};

// The k shares of the set, card by card, checked against the commitments, as `sign` takes them.
Bytes activateWithCards(const HsmImportRequest& request, const Manifest& manifest,
                        CeremonyContext& context, SecretReader& pins) {
    ShareCollector collector(manifest.commitments, manifest.cardSetId);
    StepTimes times;
    CardWish wish;
    wish.done = [&] { return collector.complete(); };
    wish.prompt = [&] {
        return "Insert a card of set " + toHex(manifest.cardSetId).substr(0, 8) + "... (" +
               collector.progress() + ").";
    };
    wish.refuseBeforePin = [&](const ManifestCard& card) { return collector.refusal(card.index); };
    wish.use = [&](QuorumCard& card, const crypto::CertificateInfo& info, const ManifestCard&) {
        ReleasedShare released = card.getShare();
        const std::string usage = std::to_string(released.usageCount);
        const ShareCollector::Result result = collector.offer(info, std::move(released));
        context.out() << result.message << std::endl;
        const bool accepted = result.outcome == ShareCollector::Outcome::Accepted;
        context.audit().append("share-offered",
                               details({{"index", std::to_string(result.cardIndex)},
                                        {"outcome", accepted ? "accepted" : "refused"},
                                        {"usage_counter", usage}}));
    };
    collectFromCards(request.cards, context, manifest, pins, times, wish);
    return collector.activationKey();
}

// One import, from the checks made before anybody is asked for a card or a PIN (the constructor)
// to the key read back and tried in the token (run).
class HsmImport {
public:
    explicit HsmImport(HsmImportRequest request)
        : request_(std::move(request)),
          manifest_(checkedManifest(request_)),
          type_(parseKeyType(manifest_.signingKey.type)),
          publicKeyDer_(publicKeyDerFromPem(manifest_.signingKey.publicKeyPem)),
          name_{request_.keyLabel, keyIdOf(publicKeyDer_)},
          hsm_(request_.hsm,
               request_.ceremonyDir),  // the module loads, the token is there, the PIN opens it
          existing_(findObjectsByLabel(hsm_.session(), name_.label)) {
        requireKeyImportMechanisms(hsm_.session(), type_);
        if (!existing_.empty() && !request_.force)
            throw UsageError("the HSM token \"" + request_.hsm.tokenLabel + "\" holds " +
                             std::to_string(existing_.size()) + " object(s) labelled \"" +
                             name_.label +
                             "\" already: choose another --label, or --force to replace them once "
                             "the new key is in "
                             "and checked");
    }

    void run(SecretReader& pins, const std::string& hostPassphrase, std::ostream& out) {
        CeremonyContext context = CeremonyContext::forSet(request_.ceremonyDir, manifest_, hostPassphrase, out);
        Json::Value start = where();
        start["card_set_id"] = toHex(manifest_.cardSetId);
        if (!existing_.empty()) start["replaces"] = std::to_string(existing_.size()) + " object(s)";
        context.audit().append("hsm-import-start", start);
        try {
            out << "The signing key goes into HSM token \"" << request_.hsm.tokenLabel << "\" of "
                << request_.hsm.modulePath << " as \"" << name_.label << "\" (CKA_ID "
                << toHex(name_.id) << ").\n";
            const Bytes activationKey = activateWithCards(request_, manifest_, context, pins);
            HsmSession& session = hsm_.session();
            const TokenKeyPair pair =
                storeSigningKey(session, activationKey, manifest_.signingKey.wrappedKey, type_,
                                publicKeyDer_, name_);
            try {
                out << "Read back: " << checkStoredKey(session, pair, type_, publicKeyDer_, name_)
                    << ".\n";
                const Bytes message(kTestMessage, kTestMessage + sizeof kTestMessage - 1);
                if (!crypto::verifySha256Signature(
                        manifest_.signingKey.publicKeyPem, message,
                        session.signSha256(pair.privateKey, message, type_)))
                    throw FatalError(
                        "the key in the token signs, but the manifest's public key does not verify "
                        "it");
                out << "A test signature made in the token verifies with the manifest's public "
                       "key.\n";
            } catch (...) {
                removeKeyPair(session, pair);  // nothing half-checked stays in the token
                throw;
            }
            for (const CK_OBJECT_HANDLE object : existing_) session.destroy(object);
            if (!existing_.empty())
                out << "Replaced " << existing_.size() << " older object(s) labelled \""
                    << name_.label << "\".\n";
            context.finish("hsm-import-done", where());
            out << "Imported: \"" << name_.label << "\" in HSM token \"" << request_.hsm.tokenLabel
                << "\"." << std::endl;
        } catch (const std::exception& e) {
            context.stopped("hsm-import-stopped", e.what());
            throw;
        }
    }

private:
    static constexpr char kTestMessage[] = "quorum hsm-import: the key signs in its new token";

    static Manifest checkedManifest(const HsmImportRequest& request) {
        Manifest manifest = loadManifestArgument(request.manifestPath, request.ceremonyDir);
        if (manifest.shoup())
            throw UsageError(request.manifestPath +
                             " is a threshold RSA (shoup) card set: its private key never exists "
                             "whole, only as the "
                             "cards' shares, so there is no key to import into an HSM (its cards "
                             "sign with `ceremony "
                             "sign` as they are)");
        if (request.keyLabel.empty()) throw UsageError("--label: the key in the HSM needs a label");
        // The key goes into the token (its room is the HSM's); this host writes the audit log.
        requireRoom({{request.ceremonyDir, auditRoom(manifest.n), "the audit log"}});
        return manifest;
    }

    // Which key went where, for the audit log.
    Json::Value where() const {
        return details({{"module", request_.hsm.modulePath},
                        {"token_label", request_.hsm.tokenLabel},
                        {"key_label", name_.label},
                        {"key_id", toHex(name_.id)}});
    }

    HsmImportRequest request_;
    Manifest manifest_;
    SigningKeyType type_;
    Bytes publicKeyDer_;
    TokenKeyName name_;
    CeremonyHsm hsm_;
    std::vector<CK_OBJECT_HANDLE> existing_;
};

}  // namespace

void addHsmCommands(CLI::App& app, Commands& commands) {
    auto request = std::make_shared<HsmImportRequest>();
    auto* command = app.add_subcommand("hsm-import",
                                       "Moving to another HSM (shamir sets): collect k shares card "
                                       "by card, activate the signing key and put it "
                                       "into a token for good - persistent, private, sensitive, "
                                       "not extractable, with its public key - under a "
                                       "label, for tools that sign with a key the HSM keeps "
                                       "(kskm); read back and tried before it is done");
    command
        ->add_option("--ceremony", request->ceremonyDir,
                     "The ceremony's folder (this host's credentials)")
        ->required();
    command->add_option("--manifest", request->manifestPath, "The card-set manifest (a shamir set)")
        ->required();
    command
        ->add_option("--pkcs11-module", request->hsm.modulePath, "The target HSM's PKCS#11 module")
        ->required();
    command->add_option("--token-label", request->hsm.tokenLabel, "The target token's label")
        ->required();
    command
        ->add_option("--token-pin-file", request->hsm.userPinFile,
                     "The target token's user PIN (file mode 600)")
        ->required();
    command->add_option("--label", request->keyLabel, "CKA_LABEL of the key in the token")
        ->required();
    command->add_flag("--force", request->force,
                      "Replace the token's objects of that label once the new key is in and "
                      "checked (the audit log "
                      "records it)");
    addCardSourceOptions(command, request->cards,
                         "Seconds to wait for each card (default: for ever)");
    addSecretOptions(command, request->pins);
    addHostPassphraseOptions(command, request->hostPassphrase);
    commands.add(command, [request] {
        HsmImport ceremony(*request);  // every check, before anybody is asked for a card or a PIN
        const Passphrase hostPassphrase = request->hostPassphrase.read();
        auto pins = request->pins.open();
        ceremony.run(*pins, hostPassphrase.text(), std::cout);
        return 0;
    });
}

}  // namespace quorum::host::cli
