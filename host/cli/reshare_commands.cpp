// reshare, retire: a key's shares moved to a new card set, and cards retired for good.
#include <iostream>
#include <memory>

#include "host/ceremonies/reshare.hpp"
#include "host/cli/commands.hpp"

namespace quorum::host::cli {

void addReshareCommands(CLI::App& app, Commands& commands) {
    struct Reshare {
        ReshareRequest request;
        int pinMin = 6;
        int pinMax = 8;
        bool noPinChange = false;
        bool retireOld = false;
        bool keepOld = false;
        std::string holdersFile;
        SecretOptions secrets;
        PassphraseOptions passphrase;
        HostPassphraseOptions hostPassphrase;
    };
    auto reshare = std::make_shared<Reshare>();
    ReshareRequest& request = reshare->request;
    auto* cmd = app.add_subcommand("reshare",
                                   "Move a Shamir set's key to a new set of cards (new holders, "
                                   "another k or n, a recovery or transport set) "
                                   "without the secret ever existing: new cards issued, k old "
                                   "cards seal their shares for them, the new cards "
                                   "take them; the HSM is not touched");
    cmd->add_option("--ceremony", request.ceremonyDir,
                    "The ceremony's folder (its CA issues the new cards)")
        ->required();
    auto* oldOption =
        cmd->add_option("--manifest", request.oldManifestPath, "The current set's manifest");
    auto* newOption = cmd->add_option("--new-manifest", request.newManifestPath,
                                      "Where to write the new set's manifest (new file)");
    cmd->add_option("-k", request.k, "Cards of the new set needed to sign")
        ->check(CLI::Range(1, 255))
        ->capture_default_str();
    cmd->add_option("-n", request.n, "Cards of the new set")
        ->check(CLI::Range(1, 255))
        ->capture_default_str();
    cmd->add_option("--holders", reshare->holdersFile,
                    "The new holders' names, one per line, card 1 first");
    cmd->add_option("--role", request.role,
                    "operational, recovery (kept next to the others) or transport (destroyed "
                    "after use with `ceremony retire`)")
        ->check(CLI::IsMember({"operational", "recovery", "transport"}))
        ->capture_default_str();
    auto* retire = cmd->add_flag(
        "--retire-old", reshare->retireOld,
        "Retire the old cards: each inserted again has its share erased, until fewer than k "
        "of them could open the key; the old manifest is marked superseded");
    cmd->add_flag("--keep-old", reshare->keepOld, "Keep the old set usable next to the new one")
        ->excludes(retire);
    cmd->add_flag("--accept-unerased-old", request.acceptUnerased,
                  "With --retire-old: finish even while k or more old shares are unerased (logged; "
                  "retire them later "
                  "with `ceremony retire`)");
    auto* resume = cmd->add_flag("--resume", request.resume,
                                 "Continue the reshare that stopped in this ceremony");
    auto* abandon = cmd->add_flag(
        "--abandon", request.abandon,
        "Give up the reshare that stopped in this ceremony (the old set stays as it is)");
    resume->excludes(abandon)->excludes(oldOption)->excludes(newOption);
    abandon->excludes(oldOption)->excludes(newOption);
    addCardSourceOptions(cmd, request.cards, "Seconds to wait for each card (default: for ever)");
    cmd->add_option("--pin-min", reshare->pinMin, "Shortest PIN of the new cards")
        ->check(CLI::Range(4, 16))
        ->capture_default_str();
    cmd->add_option("--pin-max", reshare->pinMax, "Longest PIN of the new cards")
        ->check(CLI::Range(4, 16))
        ->capture_default_str();
    cmd->add_flag("--no-pin-change", reshare->noPinChange,
                  "Do not require the new holders to change their transport PINs before first use");
    addSecretOptions(cmd, reshare->secrets);
    addPassphraseOptions(cmd, reshare->passphrase);
    addHostPassphraseOptions(cmd, reshare->hostPassphrase);
    commands.add(cmd, [reshare] {
        ReshareRequest& r = reshare->request;
        r.policy.pinMin = static_cast<std::uint8_t>(reshare->pinMin);
        r.policy.pinMax = static_cast<std::uint8_t>(reshare->pinMax);
        r.policy.changeBeforeUse = !reshare->noPinChange;
        r.old = reshare->retireOld ? ReshareRequest::OldCards::Retire
                : reshare->keepOld ? ReshareRequest::OldCards::Keep
                                   : ReshareRequest::OldCards::Unset;
        if (!r.resume && !r.abandon && (r.oldManifestPath.empty() || r.newManifestPath.empty()))
            throw UsageError(
                "reshare needs --manifest OLD.json and --new-manifest NEW.json (or --resume, "
                "--abandon)");
        if (!reshare->holdersFile.empty()) r.holders = readHolders(reshare->holdersFile, r.n);
        checkReshareRequest(r);  // before anybody types a secret
        const std::string caPassphrase = reshare->passphrase.read(false);
        const Passphrase hostPassphrase = reshare->hostPassphrase.read();
        auto pins = reshare->secrets.open();
        runReshare(r, *pins, caPassphrase, hostPassphrase.text(), std::cout);
        return 0;
    });

    struct Retire {
        RetireRequest request;
        PassphraseOptions passphrase;
        HostPassphraseOptions hostPassphrase;
    };
    auto retiring = std::make_shared<Retire>();
    RetireRequest* retireRequest = &retiring->request;
    auto* retireCmd = app.add_subcommand(
        "retire",
        "Retire the cards of a set one by one as they are inserted (no PIN): each card's share is "
        "erased for "
        "good; for a transport set after use, or old cards a reshare left unerased");
    retireCmd->add_option("--ceremony", retireRequest->ceremonyDir, "The ceremony's folder")
        ->required();
    retireCmd
        ->add_option("--manifest", retireRequest->manifestPath, "The set whose cards are retired")
        ->required();
    addCardSourceOptions(retireCmd, retireRequest->cards,
                         "Seconds to wait for each card (default: for ever)");
    addPassphraseOptions(retireCmd, retiring->passphrase);
    addHostPassphraseOptions(retireCmd, retiring->hostPassphrase);
    commands.add(retireCmd, [retiring] {
        checkRetireRequest(retiring->request);  // before anybody types a secret
        const std::string caPassphrase = retiring->passphrase.read(false);
        const Passphrase hostPassphrase = retiring->hostPassphrase.read();
        runRetire(retiring->request, caPassphrase, hostPassphrase.text(), std::cout);
        return 0;
    });
}

}  // namespace quorum::host::cli
