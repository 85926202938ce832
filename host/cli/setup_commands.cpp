// ca-create, host-issue, issue-card: setting a ceremony up, and issuing a single card by hand;
// host-key-protect: an old unencrypted host key encrypted in place;
// manifest-sign: the CA signs a manifest written before manifests were signed.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "host/card/connected_card.hpp"
#include "host/ceremonies/card_door.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/keygen.hpp"
#include "host/ceremonies/manifest_signing.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/ceremonies/requests.hpp"
#include "host/cli/commands.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/audit_log.hpp"

namespace quorum::host::cli {

namespace {

// The policy options as typed (CLI11 reads ints; the policy holds bytes).
struct PolicyOptions {
    int pinMin = 6;
    int pinMax = 8;
    int pukLength = 8;
    int pinTries = 3;
    int pukTries = 3;
    bool noPinChange = false;
    PinPolicy policy() const {
        if (pinMin > pinMax) throw UsageError("--pin-min is larger than --pin-max");
        return {static_cast<std::uint8_t>(pinMin), static_cast<std::uint8_t>(pinMax), static_cast<std::uint8_t>(pukLength),
                static_cast<std::uint8_t>(pinTries), static_cast<std::uint8_t>(pukTries), !noPinChange};
    }
};

struct IssueCard {
    std::string ceremonyDir;
    int index = 0;
    std::string reader;
    double wait = 0;
    PolicyOptions policy;
    SecretOptions secrets;
    PassphraseOptions passphrase;
    HostPassphraseOptions hostPassphrase;
};

struct HostIssue {
    std::string ceremonyDir;
    std::string hostName;
    std::string prefix;
    PassphraseOptions passphrase;
    HostPassphraseOptions hostPassphrase;
};

// Everything that can refuse the run is checked before the key is made: the audit log (altered,
// torn, open elsewhere), both files new, their folder writable with room, the CA passphrase; then
// the new host's passphrase is asked for.
int issueHostCredentials(const HostIssue& options) {
    const CeremonyFiles files(options.ceremonyDir);
    AuditLog log = AuditLog::open(files.auditLogPath());
    const std::string keyPath = options.prefix + "-key.pem";
    const std::string certificatePath = options.prefix + ".pem";
    checkOutput("--out", keyPath, std::nullopt);
    checkOutput("--out", certificatePath, std::nullopt);
    requireRoom({{platform::folderOf(options.prefix), 2 * kFileSlack, "the host's key and certificate"},
                 {options.ceremonyDir, kAuditEntryRoom, "the audit log"}});
    const crypto::CeremonyCa ca = files.loadCa(options.passphrase.read(false));
    const Passphrase hostPassphrase =
        options.hostPassphrase.readNew("New passphrase for the key of host " + options.hostName);
    const auto certificate = files.issueHost(ca, options.hostName, options.prefix, hostPassphrase.text());
    try {
        log.append("host-issued", details({{"host", options.hostName},
                                           {"certificate_sha256", toHex(certificate.sha256Fingerprint())}}));
    } catch (...) {  // credentials the log does not record are not handed out
        removeQuietly({keyPath, certificatePath});
        throw;
    }
    std::cout << "host " << options.hostName << ": " << certificatePath << ", " << keyPath << "\n";
    return 0;
}

int issueCard(const IssueCard& options) {
    const PinPolicy policy = options.policy.policy();
    const CeremonyFiles files(options.ceremonyDir);
    // The log that records the card (and a half-issued one reset) is whole, free and has room
    // before the card is touched: never an issued card the log does not show.
    AuditLog log = AuditLog::open(files.auditLogPath());
    requireRoom({{options.ceremonyDir, 2 * kAuditEntryRoom, "the audit log"}});
    const FolderTrust loaded(files, options.hostPassphrase.read().text());
    CardDoor door(options.reader, std::chrono::milliseconds(static_cast<long long>(options.wait * 1000)));
    ConnectedCard connected(door.context(), door.waitForCard(), loaded.trust());
    QuorumCard& card = connected.quorum();
    const protocol::Fci info = card.select();
    if (!info.is(protocol::Lifecycle::Blank))
        throw UsageError("card " + toHex(info.cardId) + " is " + info.lifecycleName() +
                         ": only a BLANK card can be issued");
    const crypto::CeremonyCa ca = files.loadCa(options.passphrase.read(false));
    auto reader = options.secrets.open();
    // Both secrets are asked until they fit the policy before the card is touched: a card is
    // never left half-issued by a typo.
    const std::string name = "card " + std::to_string(options.index);
    const Bytes pin = askTransportPin(*reader, policy, name, std::cout);
    const Bytes puk = askPuk(*reader, policy, name, std::cout);
    if (card.hasCertificate()) {
        resetHalfIssued(card, info, log, std::cout);
        card.select();
    }
    const auto certificate = card.issueIdentity(ca, options.index);
    std::cout << "card " << toHex(info.cardId) << ": key pair generated on the card, certificate "
              << toHex(certificate.sha256Fingerprint()).substr(0, 16) << "... stored as card " << options.index
              << " of set " << toHex(ca.cardSetId()) << "\n";
    const auto& authenticated = card.openSecureChannel();
    if (authenticated.cardIndex != options.index)
        throw CardProtocolError("the card presents itself as card " + std::to_string(authenticated.cardIndex.value_or(0)) +
                                ", not " + std::to_string(options.index));
    card.personalize(policy, pin, puk);
    log.append("card-issued", details({{"index", std::to_string(options.index)},
                                        {"card_id", toHex(info.cardId)},
                                        {"certificate_sha256", toHex(certificate.sha256Fingerprint())},
                                        {"how", "issue-card"}}));
    std::cout << "card " << options.index << " personalized over SCP11a: PIN " << int{policy.pinMin} << "-"
              << int{policy.pinMax} << " characters, " << int{policy.pinTries} << " PIN tries, " << int{policy.pukTries}
              << " PUK tries" << (policy.changeBeforeUse ? "; the holder must change the transport PIN first" : "")
              << "\n";
    return 0;
}

}  // namespace

void addSetupCommands(CLI::App& app, Commands& commands) {
    struct CaCreate {
        std::string ceremonyDir;
        std::string caName = "quorum ceremony CA";
        std::string hostName = "ceremony host";
        PassphraseOptions passphrase;
        HostPassphraseOptions hostPassphrase;
    };
    auto create = std::make_shared<CaCreate>();
    auto* caCreateCmd = app.add_subcommand(
        "ca-create",
        "Create a ceremony: its CA (key encrypted under the CA passphrase) and this host's credentials (key encrypted "
        "under the host passphrase, which must be another one)");
    caCreateCmd->add_option("--ceremony", create->ceremonyDir, "Folder for the ceremony's files (created)")->required();
    caCreateCmd->add_option("--name", create->caName, "Name of the CA")->capture_default_str();
    caCreateCmd->add_option("--host-name", create->hostName, "Name in this host's certificate")->capture_default_str();
    addPassphraseOptions(caCreateCmd, create->passphrase);
    addHostPassphraseOptions(caCreateCmd, create->hostPassphrase);
    commands.add(caCreateCmd, [create] {
        // What can refuse the run is checked before a passphrase is asked for and before a key is
        // written: a ceremony there already, the room for its files, an audit log there that is
        // altered or open elsewhere. Keys the log does not record are removed again.
        const CeremonyFiles files(create->ceremonyDir);
        files.refuseExistingCeremony();
        const bool folderExists = std::filesystem::is_directory(create->ceremonyDir);
        if (!folderExists && !std::filesystem::is_directory(platform::folderOf(create->ceremonyDir)))
            throw UsageError("--ceremony " + create->ceremonyDir + ": the folder " +
                             platform::folderOf(create->ceremonyDir) +
                             " does not exist; create it first (the ceremony's own folder is created)");
        requireRoom({{folderExists ? create->ceremonyDir : platform::folderOf(create->ceremonyDir),
                      4 * kFileSlack + kAuditEntryRoom, "the ceremony's CA, host credentials and audit log"}});
        std::optional<AuditLog> log;  // opened (its chain checked) once: before the passphrases when it is there
        if (std::filesystem::exists(files.auditLogPath())) log.emplace(AuditLog::open(files.auditLogPath()));
        const std::string caPassphrase = create->passphrase.read(true);
        const Passphrase hostPassphrase = create->hostPassphrase.readNew("New passphrase for this host's key");
        requireCeremonyPassphrases(caPassphrase, hostPassphrase.text());
        files.makeFolder();
        if (!log) log.emplace(AuditLog::open(files.auditLogPath()));
        const auto ca = files.create(create->caName, caPassphrase, create->hostName, hostPassphrase.text());
        try {
            log->append("ca-created",
                       details({{"card_set_id", toHex(ca.cardSetId())},
                                {"ca_certificate_sha256", toHex(ca.certificate().sha256Fingerprint())},
                                {"ca_name", create->caName},
                                {"host", create->hostName},
                                {"host_certificate_sha256",
                                 toHex(crypto::Certificate::fromPem(
                                           readWholeFile(files.hostCertificatePath(), "host certificate"))
                                           .sha256Fingerprint())}}));
        } catch (...) {  // a CA the log does not record is not left behind
            files.removeCreated();
            throw;
        }
        std::cout << "ceremony created in " << create->ceremonyDir << "\n  CA: " << create->caName
                  << "\n  card set: " << toHex(ca.cardSetId())
                  << "\n  CA certificate SHA-256: " << toHex(ca.certificate().sha256Fingerprint())
                  << "\n  CA key: " << files.caKeyPath() << " (encrypted)\n  host: " << create->hostName << " ("
                  << files.hostCertificatePath() << "; key " << files.hostKeyPath() << ", encrypted)\n";
        return 0;
    });

    auto host = std::make_shared<HostIssue>();
    auto* hostIssueCmd =
        app.add_subcommand("host-issue", "Issue credentials for another host (e.g. a remote key holder's site)");
    hostIssueCmd->add_option("--ceremony", host->ceremonyDir, "The ceremony's folder")->required();
    hostIssueCmd->add_option("--name", host->hostName, "Name in the host certificate")->required();
    hostIssueCmd->add_option("--out", host->prefix, "Write OUT.pem and OUT-key.pem")->required();
    addPassphraseOptions(hostIssueCmd, host->passphrase);
    addHostPassphraseOptions(hostIssueCmd, host->hostPassphrase);
    hostIssueCmd->footer("The host passphrase options give the new passphrase of the issued host's key (OUT-key.pem), "
                         "for that host's people; never the CA passphrase.");
    commands.add(hostIssueCmd, [host] { return issueHostCredentials(*host); });

    struct HostKeyProtect {
        std::string ceremonyDir;
        HostPassphraseOptions hostPassphrase;
    };
    auto protect = std::make_shared<HostKeyProtect>();
    auto* protectCmd = app.add_subcommand(
        "host-key-protect",
        "Encrypt this host's key (host-key.pem of a ceremony made before host keys were encrypted) in place under a "
        "new host passphrase; no copy of the key in clear stays in the folder");
    protectCmd->add_option("--ceremony", protect->ceremonyDir, "The ceremony's folder")->required();
    addHostPassphraseOptions(protectCmd, protect->hostPassphrase);
    commands.add(protectCmd, [protect] {
        const CeremonyFiles files(protect->ceremonyDir);
        if (files.hostKeyProtected()) {  // before anybody types a secret
            std::cout << files.hostKeyPath() << " is encrypted already: nothing to do." << std::endl;
            return 0;
        }
        const Passphrase hostPassphrase = protect->hostPassphrase.readNew("New passphrase for this host's key");
        if (!files.protectHostKey(hostPassphrase.text())) return 0;
        if (std::filesystem::exists(files.auditLogPath()))
            AuditLog::open(files.auditLogPath())
                .append("host-key-protected",
                        details({{"host_certificate_sha256",
                                  toHex(files.loadHost(hostPassphrase.text()).certificate.sha256Fingerprint())}}));
        std::cout << files.hostKeyPath() << ": encrypted under the host passphrase; give it to every command that "
                  << "uses this host's key (--host-passphrase-file, --host-passphrase-fd or the terminal)." << std::endl;
        return 0;
    });

    auto issue = std::make_shared<IssueCard>();
    auto* issueCmd = app.add_subcommand("issue-card",
                                        "Issue a BLANK card: CA key, key pair on the card, certificate, then over "
                                        "SCP11a its PIN policy, transport PIN and PUK");
    issueCmd->add_option("--ceremony", issue->ceremonyDir, "The ceremony's folder")->required();
    issueCmd->add_option("--index", issue->index, "The card's number in the set (1-255)")->required()->check(CLI::Range(1, 255));
    issueCmd->add_option("--reader", issue->reader, "Reader name (default: the first reader holding a card)");
    issueCmd->add_option("--wait", issue->wait, "Seconds to wait for a card to be inserted");
    PolicyOptions& policy = issue->policy;
    issueCmd->add_option("--pin-min", policy.pinMin, "Shortest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    issueCmd->add_option("--pin-max", policy.pinMax, "Longest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    issueCmd->add_option("--puk-length", policy.pukLength, "PUK length")->check(CLI::Range(6, 16))->capture_default_str();
    issueCmd->add_option("--pin-tries", policy.pinTries, "Wrong PINs before the PIN blocks")
        ->check(CLI::Range(1, 15))
        ->capture_default_str();
    issueCmd->add_option("--puk-tries", policy.pukTries, "Wrong PUKs before the card is terminated")
        ->check(CLI::Range(1, 15))
        ->capture_default_str();
    issueCmd->add_flag("--no-pin-change", policy.noPinChange, "Do not require the holder to change the transport PIN");
    addSecretOptions(issueCmd, issue->secrets);
    addPassphraseOptions(issueCmd, issue->passphrase);
    addHostPassphraseOptions(issueCmd, issue->hostPassphrase);
    commands.add(issueCmd, [issue] { return issueCard(*issue); });

    struct ManifestSign {
        ManifestSignRequest request;
        PassphraseOptions passphrase;
        HostPassphraseOptions hostPassphrase;
    };
    auto manifestSign = std::make_shared<ManifestSign>();
    auto* manifestSignCmd = app.add_subcommand(
        "manifest-sign",
        "The CA key's holder signs a card-set manifest written before manifests were signed, once the people in "
        "the room confirmed its fingerprints (recorded in the audit log); never one changed after it was signed");
    manifestSignCmd->add_option("--ceremony", manifestSign->request.ceremonyDir, "The ceremony's folder")->required();
    manifestSignCmd->add_option("--manifest", manifestSign->request.manifestPath, "The manifest to sign (replaced)")
        ->required();
    manifestSignCmd->add_flag("--yes", manifestSign->request.confirmed,
                              "The fingerprints were checked another way: do not ask at the terminal");
    addPassphraseOptions(manifestSignCmd, manifestSign->passphrase);
    addHostPassphraseOptions(manifestSignCmd, manifestSign->hostPassphrase);
    commands.add(manifestSignCmd, [manifestSign] {
        if (!checkManifestSignRequest(manifestSign->request)) {  // before anybody types a secret
            std::cout << manifestSign->request.manifestPath
                      << " is signed by this ceremony's CA already: nothing to do." << std::endl;
            return 0;
        }
        const std::string caPassphrase = manifestSign->passphrase.read(false);
        const Passphrase hostPassphrase = manifestSign->hostPassphrase.read();
        runManifestSign(manifestSign->request, caPassphrase, hostPassphrase.text(), std::cout);
        return 0;
    });
}

}  // namespace quorum::host::cli
