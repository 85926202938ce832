// keygen, sign, partial-sign, combine, ksr-sign, sign-rrset: the ceremonies on a card set.
#include <iostream>

#include "host/ceremonies/dnssec_signing.hpp"
#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/shoup.hpp"
#include "host/ceremonies/signing.hpp"
#include "host/cli/commands.hpp"

namespace quorum::host::cli {

namespace {

// How a KSR is checked: the policy, the previous SKR, the time it is checked at, the KSK's label.
void addKsrCheckOptions(CLI::App* command, KsrOptions& ksr) {
    command->add_option("--policy", ksr.policyPath,
                        "The signing policy, JSON (default: kskm's ksrsigner defaults, as IANA signs the root)");
    command->add_option("--previous-skr", ksr.previousSkrPath,
                        "The SKR of the previous KSR: checks the new KSR's id, bundle ids and key chain against it");
    command->add_option("--at", ksr.at,
                        "Check the KSR as of this UTC time (e.g. 2026-12-01T00:00:00Z) instead of now: to replay a "
                        "historic KSR");
    command->add_option("--ksk-label", ksr.kskLabel, "The KSK's keyIdentifier in the SKR (default: KSK-<key tag>)");
}

void addHsmOptions(CLI::App* command, HsmConfig& hsm, const char* pinFileHelp) {
    command->add_option("--pkcs11-module", hsm.modulePath, "PKCS#11 module")->capture_default_str();
    command->add_option("--token-label", hsm.tokenLabel, "HSM token label")->capture_default_str();
    command->add_option("--token-pin-file", hsm.userPinFile, pinFileHelp);
}

}  // namespace

void addCeremonyCommands(CLI::App& app, Commands& commands) {
    struct Keygen {
        KeygenRequest request;
        std::string keyType = "rsa2048";
        std::string scheme = "shamir";
        int pinMin = 6;
        int pinMax = 8;
        bool noPinChange = false;
        std::string holdersFile;
        SecretOptions secrets;
        PassphraseOptions passphrase;
        HostPassphraseOptions hostPassphrase;
    };
    auto keygen = std::make_shared<Keygen>();
    KeygenRequest& request = keygen->request;
    auto* keygenCmd = app.add_subcommand(
        "keygen",
        "Key generation: deal k-of-n shares and issue the n cards one after another, write the manifest. "
        "shamir: shares of an activation key for a signing key generated in the HSM (kept only wrapped); "
        "shoup: shares of a threshold RSA key whose private exponent is gone after dealing");
    keygenCmd->add_option("--scheme", keygen->scheme, "shamir or shoup")
        ->check(CLI::IsMember({"shamir", "shoup"}))
        ->capture_default_str();
    keygenCmd->add_option("--ceremony", request.ceremonyDir, "The ceremony's folder")->required();
    auto* manifestOption =
        keygenCmd->add_option("--manifest", request.manifestPath, "Where to write the card-set manifest (new file)");
    keygenCmd->add_option("--holders", keygen->holdersFile,
                          "The holders' names, one per line, card 1 first: prompts and the manifest name them");
    keygenCmd->add_flag("--resume", request.resume,
                        "Continue the key generation that stopped in this ceremony (its journal holds everything; "
                        "give only --ceremony and the secrets' options)")
        ->excludes(manifestOption);
    keygenCmd->add_option("-k", request.k, "Cards needed to sign")->check(CLI::Range(1, 255))->capture_default_str();
    keygenCmd->add_option("-n", request.n, "Cards issued")->check(CLI::Range(1, 255))->capture_default_str();
    keygenCmd->add_option("--key-type", keygen->keyType, "rsa2048, rsa3072, rsa4096 or p256")->capture_default_str();
    addCardSourceOptions(keygenCmd, request.cards, "Seconds to wait for each card (default: for ever)");
    addHsmOptions(keygenCmd, request.hsm, "HSM user PIN (default: the ceremony's own SoftHSM2 token in CEREMONY/hsm)");
    keygenCmd->add_option("--pin-min", keygen->pinMin, "Shortest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    keygenCmd->add_option("--pin-max", keygen->pinMax, "Longest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    keygenCmd->add_flag("--no-pin-change", keygen->noPinChange,
                        "Do not require the holders to change their transport PINs before first use");
    addSecretOptions(keygenCmd, keygen->secrets);
    addHostPassphraseOptions(keygenCmd, keygen->hostPassphrase);
    addPassphraseOptions(keygenCmd, keygen->passphrase);
    commands.add(keygenCmd, [keygen] {
        KeygenRequest& r = keygen->request;
        r.keyType = parseKeyType(keygen->keyType);
        r.scheme = parseScheme(keygen->scheme);
        r.policy.pinMin = static_cast<std::uint8_t>(keygen->pinMin);
        r.policy.pinMax = static_cast<std::uint8_t>(keygen->pinMax);
        r.policy.changeBeforeUse = !keygen->noPinChange;
        if (!r.resume && r.manifestPath.empty()) throw UsageError("keygen needs --manifest (or --resume)");
        if (!keygen->holdersFile.empty()) r.holders = readHolders(keygen->holdersFile, r.n);
        checkKeygenRequest(r);  // before anybody types a secret
        const std::string caPassphrase = keygen->passphrase.read(false);
        const Passphrase hostPassphrase = keygen->hostPassphrase.read();
        auto pins = keygen->secrets.open();
        runKeygen(r, *pins, caPassphrase, hostPassphrase.text(), std::cout);
        return 0;
    });

    struct Sign {
        SignRequest request;
        std::string scheme;
        SecretOptions secrets;
        HostPassphraseOptions hostPassphrase;
    };
    auto sign = std::make_shared<Sign>();
    auto* signCmd =
        app.add_subcommand("sign", "Signing: collect k shares card by card, activate the key in the HSM, sign a file");
    signCmd->add_option("--ceremony", sign->request.ceremonyDir, "The ceremony's folder (this host's credentials)")
        ->required();
    signCmd->add_option("--manifest", sign->request.manifestPath, "The card-set manifest")->required();
    signCmd->add_option("--in", sign->request.inputPath, "File to sign")->required();
    signCmd->add_option("--out", sign->request.signaturePath, "Where to write the signature")->required();
    addCardSourceOptions(signCmd, sign->request.cards, "Seconds to wait for each card (default: for ever)");
    addHsmOptions(signCmd, sign->request.hsm, "HSM user PIN file");
    signCmd->add_flag("--timings", sign->request.timings, "Print how long each step took");
    signCmd->add_flag("--force", sign->request.force,
                      "Replace an existing signature file (the audit log records that it was replaced)");
    signCmd->add_flag("--yes", sign->request.confirmed,
                      "Do not ask to confirm the input before the PINs (it was checked another way; for scripts)");
    signCmd->add_option("--scheme", sign->scheme,
                        "shamir or shoup: refuse a manifest of the other scheme (default: the manifest's)")
        ->check(CLI::IsMember({"shamir", "shoup"}));
    addSecretOptions(signCmd, sign->secrets);
    addHostPassphraseOptions(signCmd, sign->hostPassphrase);
    commands.add(signCmd, [sign] {
        if (!sign->scheme.empty()) sign->request.scheme = parseScheme(sign->scheme);
        checkSignRequest(sign->request);  // before anybody types a secret
        const Passphrase hostPassphrase = sign->hostPassphrase.read();
        auto pins = sign->secrets.open();
        runSign(sign->request, *pins, hostPassphrase.text(), std::cout);
        return 0;
    });

    struct PartialSign {
        PartialSignRequest request;
        KsrPartialSignRequest ksr;
        SecretOptions secrets;
        HostPassphraseOptions hostPassphrase;
    };
    auto partial = std::make_shared<PartialSign>();
    auto* partialCmd = app.add_subcommand(
        "partial-sign",
        "Remote signing (shoup scheme): one card's partial signature of a file, with its proof, written to a JSON file "
        "that holds no secret");
    partialCmd->add_option("--ceremony", partial->request.ceremonyDir, "The ceremony's folder (this host's credentials)")
        ->required();
    partialCmd->add_option("--manifest", partial->request.manifestPath, "The card-set manifest")->required();
    auto* partialIn = partialCmd->add_option("--in", partial->request.inputPath, "File to sign");
    partialCmd->add_option("--ksr", partial->ksr.ksr.ksrPath,
                           "A KSR: every bundle signed at once (the file then holds all the partial signatures, with "
                           "one proof)")
        ->excludes(partialIn);
    addKsrCheckOptions(partialCmd, partial->ksr.ksr);
    partialCmd->add_option("--out", partial->request.outputPath, "Where to write the partial signature (new file)")
        ->required();
    addCardSourceOptions(partialCmd, partial->request.cards, "Seconds to wait for the card (default: for ever)");
    partialCmd->add_flag("--yes", partial->request.confirmed,
                         "Do not ask to confirm the input before the PIN (it was checked another way; for scripts)");
    addSecretOptions(partialCmd, partial->secrets);
    addHostPassphraseOptions(partialCmd, partial->hostPassphrase);
    commands.add(partialCmd, [partial] {
        if (!partial->ksr.ksr.ksrPath.empty()) {
            KsrPartialSignRequest& r = partial->ksr;
            r.ceremonyDir = partial->request.ceremonyDir;
            r.manifestPath = partial->request.manifestPath;
            r.outputPath = partial->request.outputPath;
            r.cards = partial->request.cards;
            r.confirmed = partial->request.confirmed;
            checkKsrPartialSignRequest(r);  // before anybody types a secret
            const Passphrase hostPassphrase = partial->hostPassphrase.read();
            auto pins = partial->secrets.open();
            runKsrPartialSign(r, *pins, hostPassphrase.text(), std::cout);
            return 0;
        }
        if (partial->request.inputPath.empty()) throw UsageError("partial-sign needs --in FILE or --ksr KSR.xml");
        checkPartialSignRequest(partial->request);  // before anybody types a secret
        const Passphrase hostPassphrase = partial->hostPassphrase.read();
        auto pins = partial->secrets.open();
        runPartialSign(partial->request, *pins, hostPassphrase.text(), std::cout);
        return 0;
    });

    struct Combine {
        CombineRequest request;
        KsrCombineRequest ksr;
    };
    auto both = std::make_shared<Combine>();
    CombineRequest* combine = &both->request;
    auto* combineCmd = app.add_subcommand(
        "combine",
        "Remote signing (shoup scheme): check the partial signatures' proofs against the manifest and combine k good "
        "ones into an ordinary RSA signature; needs no secret and no card");
    combineCmd->add_option("--manifest", combine->manifestPath, "The card-set manifest")->required();
    combineCmd->add_option("partials", combine->partialPaths, "Partial signature files (k or more)")->required();
    auto* combineIn = combineCmd->add_option(
        "--in", combine->inputPath, "The signed file: checked against the partials (default: sign the digest they name)");
    combineCmd->add_option("--ksr", both->ksr.ksr.ksrPath, "A KSR: combine the holders' batches into the SKR")
        ->excludes(combineIn);
    addKsrCheckOptions(combineCmd, both->ksr.ksr);
    combineCmd->add_option("--out", combine->signaturePath, "Where to write the signature (new file)")->required();
    combineCmd->add_option("--audit-log", combine->auditLogPath, "Audit log to record the combination in");
    addManifestTrustOptions(combineCmd, combine->caPath, combine->ceremonyDir);
    commands.add(
        combineCmd,
        [both] {
            if (!both->ksr.ksr.ksrPath.empty()) {
                KsrCombineRequest& r = both->ksr;
                r.manifestPath = both->request.manifestPath;
                r.caPath = both->request.caPath;
                r.ceremonyDir = both->request.ceremonyDir;
                r.partialPaths = both->request.partialPaths;
                r.outputPath = both->request.signaturePath;
                r.auditLogPath = both->request.auditLogPath;
                runKsrCombine(r, std::cout);
                return 0;
            }
            runCombine(both->request, std::cout);
            return 0;
        },
        Commands::Terminal::Leave);

    struct KsrSign {
        KsrSignRequest request;
        SecretOptions secrets;
        HostPassphraseOptions hostPassphrase;
    };
    auto ksr = std::make_shared<KsrSign>();
    auto* ksrCmd = app.add_subcommand(
        "ksr-sign",
        "DNSSEC: sign a root-zone Key Signing Request into a Signed Key Response with k cards, as IANA's signer "
        "does: the KSR is checked first, then its fingerprint confirmed, then every bundle's DNSKEY RRset signed "
        "(one HSM activation, or each card inserted once)");
    ksrCmd->add_option("--ceremony", ksr->request.ceremonyDir, "The ceremony's folder (this host's credentials)")->required();
    ksrCmd->add_option("--manifest", ksr->request.manifestPath, "The card-set manifest")->required();
    ksrCmd->add_option("--ksr", ksr->request.ksr.ksrPath, "The KSR (XML)")->required();
    ksrCmd->add_option("--out", ksr->request.outputPath, "Where to write the SKR (new file)")->required();
    addKsrCheckOptions(ksrCmd, ksr->request.ksr);
    addCardSourceOptions(ksrCmd, ksr->request.cards, "Seconds to wait for each card (default: for ever)");
    addHsmOptions(ksrCmd, ksr->request.hsm, "HSM user PIN file");
    ksrCmd->add_flag("--timings", ksr->request.timings, "Print how long each step took");
    ksrCmd->add_flag("--yes", ksr->request.confirmed,
                     "Do not ask to confirm the KSR's fingerprint before the PINs (it was checked another way)");
    addSecretOptions(ksrCmd, ksr->secrets);
    addHostPassphraseOptions(ksrCmd, ksr->hostPassphrase);
    commands.add(ksrCmd, [ksr] {
        checkKsrSignRequest(ksr->request);  // before anybody types a secret
        const Passphrase hostPassphrase = ksr->hostPassphrase.read();
        auto pins = ksr->secrets.open();
        runKsrSign(ksr->request, *pins, hostPassphrase.text(), std::cout);
        return 0;
    });

    struct SignRrset {
        RrsetSignRequest request;
        SecretOptions secrets;
        HostPassphraseOptions hostPassphrase;
    };
    auto rrset = std::make_shared<SignRrset>();
    auto* rrsetCmd = app.add_subcommand(
        "sign-rrset", "DNSSEC, any zone: sign a DNSKEY RRset (zone-file text) with the set's key; the RRSIG is written "
                      "in presentation format");
    rrsetCmd->add_option("--ceremony", rrset->request.ceremonyDir, "The ceremony's folder")->required();
    rrsetCmd->add_option("--manifest", rrset->request.manifestPath, "The card-set manifest")->required();
    rrsetCmd->add_option("--zone", rrset->request.zone, "The zone's name (e.g. example.org)")->required();
    rrsetCmd->add_option("--rrset", rrset->request.rrsetPath, "The zone's DNSKEY RRset in zone-file format")->required();
    rrsetCmd->add_option("--inception", rrset->request.inception, "The RRSIG's inception, UTC")->required();
    rrsetCmd->add_option("--expiration", rrset->request.expiration, "The RRSIG's expiration, UTC")->required();
    rrsetCmd->add_option("--out", rrset->request.outputPath, "Where to write the RRSIG (new file)")->required();
    addCardSourceOptions(rrsetCmd, rrset->request.cards, "Seconds to wait for each card (default: for ever)");
    addHsmOptions(rrsetCmd, rrset->request.hsm, "HSM user PIN file");
    rrsetCmd->add_flag("--yes", rrset->request.confirmed,
                       "Do not ask to confirm the RRset's fingerprint before the PINs (it was checked another way)");
    addSecretOptions(rrsetCmd, rrset->secrets);
    addHostPassphraseOptions(rrsetCmd, rrset->hostPassphrase);
    commands.add(rrsetCmd, [rrset] {
        checkRrsetSignRequest(rrset->request);  // before anybody types a secret
        const Passphrase hostPassphrase = rrset->hostPassphrase.read();
        auto pins = rrset->secrets.open();
        runSignRrset(rrset->request, *pins, hostPassphrase.text(), std::cout);
        return 0;
    });
}

}  // namespace quorum::host::cli
