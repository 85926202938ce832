// keygen, sign, partial-sign, combine: the ceremonies on a card set.
#include <iostream>

#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/shoup.hpp"
#include "host/ceremonies/signing.hpp"
#include "host/cli/commands.hpp"

namespace quorum::host::cli {

namespace {

void addCardSourceOptions(CLI::App* command, CardSource& cards, const char* timeoutHelp) {
    command->add_option("--reader", cards.reader, "Reader to use (default: any)");
    command->add_option("--card-timeout", cards.cardTimeout, timeoutHelp);
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
        auto pins = keygen->secrets.open();
        runKeygen(r, *pins, caPassphrase, std::cout);
        return 0;
    });

    struct Sign {
        SignRequest request;
        std::string scheme;
        SecretOptions secrets;
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
    commands.add(signCmd, [sign] {
        if (!sign->scheme.empty()) sign->request.scheme = parseScheme(sign->scheme);
        checkSignRequest(sign->request);  // before anybody types a secret
        auto pins = sign->secrets.open();
        runSign(sign->request, *pins, std::cout);
        return 0;
    });

    struct PartialSign {
        PartialSignRequest request;
        SecretOptions secrets;
    };
    auto partial = std::make_shared<PartialSign>();
    auto* partialCmd = app.add_subcommand(
        "partial-sign",
        "Remote signing (shoup scheme): one card's partial signature of a file, with its proof, written to a JSON file "
        "that holds no secret");
    partialCmd->add_option("--ceremony", partial->request.ceremonyDir, "The ceremony's folder (this host's credentials)")
        ->required();
    partialCmd->add_option("--manifest", partial->request.manifestPath, "The card-set manifest")->required();
    partialCmd->add_option("--in", partial->request.inputPath, "File to sign")->required();
    partialCmd->add_option("--out", partial->request.outputPath, "Where to write the partial signature (new file)")
        ->required();
    addCardSourceOptions(partialCmd, partial->request.cards, "Seconds to wait for the card (default: for ever)");
    partialCmd->add_flag("--yes", partial->request.confirmed,
                         "Do not ask to confirm the input before the PIN (it was checked another way; for scripts)");
    addSecretOptions(partialCmd, partial->secrets);
    commands.add(partialCmd, [partial] {
        checkPartialSignRequest(partial->request);  // before anybody types a secret
        auto pins = partial->secrets.open();
        runPartialSign(partial->request, *pins, std::cout);
        return 0;
    });

    auto combine = std::make_shared<CombineRequest>();
    auto* combineCmd = app.add_subcommand(
        "combine",
        "Remote signing (shoup scheme): check the partial signatures' proofs against the manifest and combine k good "
        "ones into an ordinary RSA signature; needs no secret and no card");
    combineCmd->add_option("--manifest", combine->manifestPath, "The card-set manifest")->required();
    combineCmd->add_option("partials", combine->partialPaths, "Partial signature files (k or more)")->required();
    combineCmd->add_option("--in", combine->inputPath,
                           "The signed file: checked against the partials (default: sign the digest they name)");
    combineCmd->add_option("--out", combine->signaturePath, "Where to write the signature (new file)")->required();
    combineCmd->add_option("--audit-log", combine->auditLogPath, "Audit log to record the combination in");
    commands.add(
        combineCmd,
        [combine] {
            runCombine(*combine, std::cout);
            return 0;
        },
        Commands::Terminal::Leave);
}

}  // namespace quorum::host::cli
