// ceremony: the host program people and scripts use around a quorum card ceremony.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "apdu/command.hpp"
#include "apdu/response_chaining.hpp"
#include "apdu/status.hpp"
#include "apdu/command_chaining.hpp"
#include "host/audit_log.hpp"
#include "host/card_info.hpp"
#include "host/ceremony_files.hpp"
#include "host/key_ceremony.hpp"
#include "host/manifest.hpp"
#include "host/pcsc.hpp"
#include "host/pcsc_channel.hpp"
#include "host/pcsc_error.hpp"
#include "host/pgp_words.hpp"
#include "host/quorum_card.hpp"
#include "host/reader_monitor.hpp"
#include "host/secret_input.hpp"
#include "host/threshold_ceremony.hpp"

namespace {

using namespace quorum;
using namespace quorum::host;
using std::chrono::milliseconds;

constexpr int kExitFailure = 1;

milliseconds seconds(double s) { return milliseconds(static_cast<long long>(s * 1000)); }

int listReaders() {
    PcscContext context;
    PcscReaderMonitor monitor(context);
    monitor.wait(milliseconds(0));
    const auto readers = monitor.readers();
    if (readers.empty()) {
        std::cout << "No readers. Is the reader plugged in (or card-sim's vpcd driver loaded)?\n";
        return kExitFailure;
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
        const auto& r = readers[i];
        std::cout << i << ": " << r.reader << "\n";
        if (r.cardPresent)
            std::cout << "   card present, ATR " << toHex(r.atr, " ")
                      << (r.inUseExclusively ? " (in exclusive use by another program)" : "")
                      << "\n";
        else
            std::cout << "   no card\n";
    }
    return 0;
}

// The reader named by the user, or the only/first reader holding a card, waiting up to `wait`.
std::string chooseReader(const PcscContext& context, const std::string& wanted, milliseconds wait) {
    PcscReaderMonitor monitor(context);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool prompted = false;
    for (;;) {
        monitor.wait(milliseconds(0));
        bool readerSeen = false;
        for (const auto& r : monitor.readers()) {
            if (!wanted.empty() && r.reader != wanted) continue;
            readerSeen = true;
            if (r.cardPresent) return r.reader;
        }
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= milliseconds(0)) {
            if (!wanted.empty() && !readerSeen)
                throw std::runtime_error("no reader named \"" + wanted +
                                         "\" (see `ceremony readers`)");
            throw std::runtime_error(wanted.empty() ? "no card in any reader: insert a card"
                                                    : "no card in reader \"" + wanted + "\": insert a card");
        }
        if (!prompted) {
            std::cerr << "Insert a card" << (wanted.empty() ? "" : " into " + wanted) << "...\n";
            prompted = true;
        }
        monitor.wait(left);
    }
}

int probe(const std::string& wantedReader, double waitSeconds) {
    PcscContext context;
    const std::string reader = chooseReader(context, wantedReader, seconds(waitSeconds));
    PcscCard card(context, reader);
    std::cout << "reader: " << reader << "\n";
    std::cout << "ATR:    " << toHex(card.atr(), " ") << "\n";
    PcscChannel raw(card);
    apdu::ResponseChainingChannel channel(raw);
    const auto select = apdu::CommandApdu::select(kQuorumAid);
    const auto answer = channel.transmit(select);
    std::cout << "SELECT: " << toHex(select.encode(), " ") << "\n";
    std::cout << "answer: " << toHex(answer.data, " ") << (answer.data.empty() ? "" : " ")
              << apdu::sw::name(answer.sw) << "\n";
    if (!answer.ok()) {
        std::cerr << "error: this card did not select the quorum application ("
                  << apdu::sw::name(answer.sw) << ")\n";
        return kExitFailure;
    }
    const CardInfo info = parseFci(answer.data);
    std::cout << "card id:   " << toHex(info.cardId) << "\n"
              << "lifecycle: " << info.lifecycleName() << "\n"
              << "format:    " << static_cast<int>(info.formatVersion) << "\n";
    return 0;
}

// A card in a reader as a QuorumCard: GET RESPONSE and command chaining below, and with a
// ceremony's trust, SCP11a above for the commands that need it.
class ConnectedCard {
public:
    ConnectedCard(const std::string& wantedReader, double waitSeconds,
                  std::optional<CeremonyTrust> trust = std::nullopt)
        : card_(context_, chooseReader(context_, wantedReader, seconds(waitSeconds))),
          raw_(card_),
          responses_(raw_),
          chained_(responses_),
          quorum_(chained_, std::move(trust)) {}
    QuorumCard& quorum() { return quorum_; }
    const std::string& reader() const { return card_.reader(); }

private:
    PcscContext context_;
    PcscCard card_;
    PcscChannel raw_;
    apdu::ResponseChainingChannel responses_;
    apdu::CommandChainingChannel chained_;
    QuorumCard quorum_;
};

// This ceremony's CA certificate and host credentials, loaded from its folder.
struct LoadedTrust {
    crypto::Certificate ca;
    HostCredentials host;
    explicit LoadedTrust(const CeremonyFiles& files) : ca(files.caCertificate()), host(files.loadHost()) {}
    CeremonyTrust trust() const {
        return {host, ca, ca.info().cardSetId};
    }
};

// Where secrets come from: --pin-file, --pin-fd, or the terminal.
struct SecretOptions {
    std::string file;
    int fd = -1;
    std::unique_ptr<SecretReader> open() const {
        if (!file.empty()) return SecretReader::fromFile(file);
        if (fd >= 0) return SecretReader::fromFd(fd);
        return SecretReader::terminal();
    }
};

// The CA key passphrase: --passphrase-file, --passphrase-fd, or the terminal.
struct PassphraseOptions {
    std::string file;
    int fd = -1;
    std::string read(bool isNew) const {
        auto reader = file.empty() ? (fd >= 0 ? SecretReader::fromFd(fd, "passphrase") : SecretReader::terminal("passphrase"))
                                   : SecretReader::fromFile(file, "passphrase");
        Bytes secret = isNew ? reader->nextNew("New passphrase for the CA key")
                             : reader->next("Passphrase of the CA key");
        std::string text(secret.begin(), secret.end());
        return text;
    }
};

void addPassphraseOptions(CLI::App* command, PassphraseOptions& options) {
    auto* file = command->add_option("--passphrase-file", options.file,
                                     "Read the CA key passphrase from this file (mode 600)");
    command->add_option("--passphrase-fd", options.fd,
                        "Read the CA key passphrase from this open file descriptor")
        ->excludes(file);
}

void addSecretOptions(CLI::App* command, SecretOptions& options) {
    auto* file = command->add_option(
        "--pin-file", options.file,
        "Read PINs and PUKs from this file, one per line, in the order asked (file mode 600)");
    command->add_option("--pin-fd", options.fd,
                        "Read PINs and PUKs from this open file descriptor, one per line")
        ->excludes(file);
}

std::string triesText(int left, int limit) {
    return std::to_string(left) + " of " + std::to_string(limit) + (limit == 1 ? " try" : " tries") + " left";
}

int showPinStatus(ConnectedCard& connected) {
    const CardInfo info = connected.quorum().select();
    std::cout << "card " << toHex(info.cardId) << " in " << connected.reader() << ": "
              << info.lifecycleName() << "\n";
    if (info.lifecycleName() == "BLANK") {
        std::cout << "not personalized yet: no PIN\n";
        return 0;
    }
    // Only a card of this ceremony gets its PIN state shown: authenticate it first.
    const auto& card = connected.quorum().openSecureChannel();
    std::cout << "card " << card.cardIndex.value_or(0) << " of set " << toHex(card.cardSetId) << "\n";
    if (info.lifecycleName() == "PERSONALIZED") {
        // A card waiting for its transport PIN to be changed answers nothing but PIN commands.
        try {
            connected.quorum().pinStatus();
        } catch (const CardRefusedError&) {
            const auto left = connected.quorum().pinTriesLeft();
            std::cout << "PIN: " << (left ? std::to_string(*left) : std::string("?"))
                      << " tries left\nThe transport PIN must be changed before the card can be "
                         "used (ceremony pin change).\n";
            return 0;
        }
    }
    const PinStatus status = connected.quorum().pinStatus();
    std::cout << "PIN: " << triesText(status.pinTriesLeft, status.pinTryLimit)
              << (status.pinTriesLeft == 0 ? " (blocked: unblock it with the PUK)" : "") << "\n"
              << "PUK: " << triesText(status.pukTriesLeft, status.pukTryLimit) << "\n";
    if (status.changeRequired)
        std::cout << "The transport PIN must be changed before the card can be used "
                     "(ceremony pin change).\n";
    return 0;
}

int issueCard(ConnectedCard& connected, const CeremonyFiles& files, int index,
              const PinPolicy& policy, const SecretOptions& secrets, const PassphraseOptions& passphrase) {
    const CardInfo info = connected.quorum().select();
    if (info.lifecycleName() != "BLANK")
        throw std::runtime_error("card " + toHex(info.cardId) + " is " + info.lifecycleName() +
                                 ": only a BLANK card can be issued");
    const crypto::CeremonyCa ca = files.loadCa(passphrase.read(false));
    auto reader = secrets.open();
    Bytes pin = reader->nextNew("Transport PIN (" + std::to_string(policy.pinMin) + "-" +
                                std::to_string(policy.pinMax) + " characters)");
    Bytes puk = reader->nextNew("PUK (" + std::to_string(policy.pukLength) + " characters)");
    const auto certificate = connected.quorum().issueIdentity(ca, index);
    std::cout << "card " << toHex(info.cardId) << ": key pair generated on the card, certificate "
              << toHex(certificate.sha256Fingerprint()).substr(0, 16) << "... stored as card "
              << index << " of set " << toHex(ca.cardSetId()) << "\n";
    const auto& authenticated = connected.quorum().openSecureChannel();
    if (authenticated.cardIndex != index)
        throw std::runtime_error("the card presents itself as card " +
                                 std::to_string(authenticated.cardIndex.value_or(0)) + ", not " +
                                 std::to_string(index));
    connected.quorum().personalize(policy, pin, puk);
    std::cout << "card " << index << " personalized over SCP11a: PIN " << policy.pinMin << "-"
              << policy.pinMax << " characters, " << policy.pinTries << " PIN tries, "
              << policy.pukTries << " PUK tries"
              << (policy.changeBeforeUse ? "; the holder must change the transport PIN first" : "")
              << "\n";
    return 0;
}

int pinCommand(ConnectedCard& connected, const std::string& action, const SecretOptions& secrets) {
    if (action == "status") return showPinStatus(connected);
    connected.quorum().select();
    auto reader = secrets.open();
    if (action == "verify") {
        connected.quorum().verifyPin(reader->next("PIN"));
        std::cout << "PIN correct.\n";
    } else if (action == "change") {
        Bytes current = reader->next("Current PIN");
        Bytes fresh = reader->nextNew("New PIN");
        connected.quorum().changePin(current, fresh);
        std::cout << "PIN changed.\n";
    } else {
        Bytes puk = reader->next("PUK");
        Bytes fresh = reader->nextNew("New PIN");
        connected.quorum().unblockPin(puk, fresh);
        std::cout << "PIN reset; the PIN try counter is full again.\n";
    }
    return 0;
}

int watch(double timeoutSeconds, int maxEvents) {
    PcscContext context;
    PcscReaderMonitor monitor(context);
    const bool forever = timeoutSeconds <= 0;
    const auto deadline = std::chrono::steady_clock::now() + seconds(timeoutSeconds);
    int seen = 0;
    while (maxEvents <= 0 || seen < maxEvents) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (forever) left = milliseconds(1000);
        if (!forever && left <= milliseconds(0)) break;
        for (const auto& e : monitor.wait(left)) {
            std::cout << eventName(e.kind) << ": " << e.reader;
            if (!e.atr.empty()) std::cout << " ATR " << toHex(e.atr, " ");
            std::cout << std::endl;
            ++seen;
        }
    }
    if (maxEvents > 0 && seen < maxEvents) {
        std::cerr << "error: saw " << seen << " of " << maxEvents << " events before the timeout\n";
        return kExitFailure;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ceremony: quorum smartcard ceremonies (m-of-n key custody)", "ceremony"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(QUORUM_VERSION));

    auto* readers = app.add_subcommand("readers", "List PC/SC readers, their cards and ATRs");

    std::string reader;
    double waitSeconds = 0;
    auto* probeCmd = app.add_subcommand("probe", "Select the quorum application on a card and show what it says");
    probeCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    probeCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted")
        ->check(CLI::NonNegativeNumber);

    double timeoutSeconds = 0;
    int maxEvents = 0;
    auto* watchCmd = app.add_subcommand("watch", "Print reader and card events as they happen");
    watchCmd->add_option("--timeout", timeoutSeconds, "Stop after this many seconds (default: never)")
        ->check(CLI::NonNegativeNumber);
    watchCmd->add_option("--events", maxEvents, "Stop after this many events; fail if fewer arrive")
        ->check(CLI::NonNegativeNumber);

    std::string ceremonyDir;
    std::string caName = "quorum ceremony CA";
    std::string hostName = "ceremony host";
    PassphraseOptions passphrase;
    auto* caCreateCmd = app.add_subcommand(
        "ca-create", "Create a ceremony: its CA (key encrypted under a passphrase) and this host's credentials");
    caCreateCmd->add_option("--ceremony", ceremonyDir, "Folder for the ceremony's files (created)")->required();
    caCreateCmd->add_option("--name", caName, "Name of the CA")->capture_default_str();
    caCreateCmd->add_option("--host-name", hostName, "Name in this host's certificate")->capture_default_str();
    addPassphraseOptions(caCreateCmd, passphrase);

    std::string hostPrefix;
    auto* hostIssueCmd = app.add_subcommand(
        "host-issue", "Issue credentials for another host (e.g. a remote key holder's site)");
    hostIssueCmd->add_option("--ceremony", ceremonyDir, "The ceremony's folder")->required();
    hostIssueCmd->add_option("--name", hostName, "Name in the host certificate")->required();
    hostIssueCmd->add_option("--out", hostPrefix, "Write OUT.pem and OUT-key.pem")->required();
    addPassphraseOptions(hostIssueCmd, passphrase);

    PinPolicy policy;
    bool noPinChange = false;
    int cardIndex = 0;
    SecretOptions secrets;
    auto* issueCmd = app.add_subcommand(
        "issue-card", "Issue a BLANK card: CA key, key pair on the card, certificate, then over "
                      "SCP11a its PIN policy, transport PIN and PUK");
    issueCmd->add_option("--ceremony", ceremonyDir, "The ceremony's folder")->required();
    issueCmd->add_option("--index", cardIndex, "The card's number in the set (1-255)")
        ->required()
        ->check(CLI::Range(1, 255));
    issueCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    issueCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted");
    issueCmd->add_option("--pin-min", policy.pinMin, "Shortest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    issueCmd->add_option("--pin-max", policy.pinMax, "Longest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    issueCmd->add_option("--puk-length", policy.pukLength, "PUK length")->check(CLI::Range(6, 16))->capture_default_str();
    issueCmd->add_option("--pin-tries", policy.pinTries, "Wrong PINs before the PIN blocks")->check(CLI::Range(1, 15))->capture_default_str();
    issueCmd->add_option("--puk-tries", policy.pukTries, "Wrong PUKs before the card is terminated")->check(CLI::Range(1, 15))->capture_default_str();
    issueCmd->add_flag("--no-pin-change", noPinChange, "Do not require the holder to change the transport PIN");
    addSecretOptions(issueCmd, secrets);
    addPassphraseOptions(issueCmd, passphrase);

    KeygenRequest keygen;
    std::string keyType = "rsa2048";
    std::string scheme = "shamir";
    auto* keygenCmd = app.add_subcommand(
        "keygen", "Key generation: deal k-of-n shares and issue the n cards one after another, write the manifest. "
                  "shamir: shares of an activation key for a signing key generated in the HSM (kept only wrapped); "
                  "shoup: shares of a threshold RSA key whose private exponent is gone after dealing");
    keygenCmd->add_option("--scheme", scheme, "shamir or shoup")
        ->check(CLI::IsMember({"shamir", "shoup"}))
        ->capture_default_str();
    keygenCmd->add_option("--ceremony", keygen.ceremonyDir, "The ceremony's folder")->required();
    keygenCmd->add_option("--manifest", keygen.manifestPath, "Where to write the card-set manifest (new file)")->required();
    keygenCmd->add_option("-k", keygen.k, "Cards needed to sign")->check(CLI::Range(1, 255))->capture_default_str();
    keygenCmd->add_option("-n", keygen.n, "Cards issued")->check(CLI::Range(1, 255))->capture_default_str();
    keygenCmd->add_option("--key-type", keyType, "rsa2048, rsa3072, rsa4096 or p256")->capture_default_str();
    keygenCmd->add_option("--reader", keygen.reader, "Reader to use (default: any)");
    keygenCmd->add_option("--card-timeout", keygen.cardTimeout, "Seconds to wait for each card (default: for ever)");
    keygenCmd->add_option("--pkcs11-module", keygen.hsm.modulePath, "PKCS#11 module")->capture_default_str();
    keygenCmd->add_option("--token-label", keygen.hsm.tokenLabel, "HSM token label")->capture_default_str();
    keygenCmd->add_option("--token-pin-file", keygen.hsm.userPinFile,
                          "HSM user PIN (default: the ceremony's own SoftHSM2 token in CEREMONY/hsm)");
    keygenCmd->add_option("--pin-min", keygen.policy.pinMin, "Shortest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    keygenCmd->add_option("--pin-max", keygen.policy.pinMax, "Longest PIN")->check(CLI::Range(4, 16))->capture_default_str();
    bool keygenNoPinChange = false;
    keygenCmd->add_flag("--no-pin-change", keygenNoPinChange,
                        "Do not require the holders to change their transport PINs before first use");
    addSecretOptions(keygenCmd, secrets);
    addPassphraseOptions(keygenCmd, passphrase);

    SignRequest sign;
    auto* signCmd = app.add_subcommand(
        "sign", "Signing: collect k shares card by card, activate the key in the HSM, sign a file");
    signCmd->add_option("--ceremony", sign.ceremonyDir, "The ceremony's folder (this host's credentials)")->required();
    signCmd->add_option("--manifest", sign.manifestPath, "The card-set manifest")->required();
    signCmd->add_option("--in", sign.inputPath, "File to sign")->required();
    signCmd->add_option("--out", sign.signaturePath, "Where to write the signature")->required();
    signCmd->add_option("--reader", sign.reader, "Reader to use (default: any)");
    signCmd->add_option("--card-timeout", sign.cardTimeout, "Seconds to wait for each card (default: for ever)");
    signCmd->add_option("--pkcs11-module", sign.hsm.modulePath, "PKCS#11 module")->capture_default_str();
    signCmd->add_option("--token-label", sign.hsm.tokenLabel, "HSM token label")->capture_default_str();
    signCmd->add_option("--token-pin-file", sign.hsm.userPinFile, "HSM user PIN file");
    signCmd->add_flag("--timings", sign.timings, "Print how long each step took");
    std::string signScheme;
    signCmd->add_option("--scheme", signScheme, "shamir or shoup: refuse a manifest of the other scheme "
                                                "(default: the manifest's)")
        ->check(CLI::IsMember({"shamir", "shoup"}));
    addSecretOptions(signCmd, secrets);

    PartialSignRequest partial;
    auto* partialCmd = app.add_subcommand(
        "partial-sign", "Remote signing (shoup scheme): one card's partial signature of a file, with its proof, "
                        "written to a JSON file that holds no secret");
    partialCmd->add_option("--ceremony", partial.ceremonyDir, "The ceremony's folder (this host's credentials)")->required();
    partialCmd->add_option("--manifest", partial.manifestPath, "The card-set manifest")->required();
    partialCmd->add_option("--in", partial.inputPath, "File to sign")->required();
    partialCmd->add_option("--out", partial.outputPath, "Where to write the partial signature (new file)")->required();
    partialCmd->add_option("--reader", partial.reader, "Reader to use (default: any)");
    partialCmd->add_option("--card-timeout", partial.cardTimeout, "Seconds to wait for the card (default: for ever)");
    addSecretOptions(partialCmd, secrets);

    std::string keyManifest;
    auto* publicKeyCmd = app.add_subcommand(
        "public-key", "Print the card set's public key (PEM) from its manifest, e.g. for openssl dgst -verify");
    publicKeyCmd->add_option("--manifest", keyManifest, "The card-set manifest")->required();

    std::string auditPath, auditLastHash;
    auto* auditCmd = app.add_subcommand(
        "audit-verify", "Check an audit log's hash chain; with --last-hash, also that nothing was cut or added at "
                        "its end");
    auditCmd->add_option("--log", auditPath, "The audit log (e.g. CEREMONY/audit.log)")->required();
    auditCmd->add_option("--last-hash", auditLastHash,
                         "The last entry's SHA-256 (hex) as written down at the ceremony");

    CombineRequest combine;
    auto* combineCmd = app.add_subcommand(
        "combine", "Remote signing (shoup scheme): check the partial signatures' proofs against the manifest and "
                   "combine k good ones into an ordinary RSA signature; needs no secret and no card");
    combineCmd->add_option("--manifest", combine.manifestPath, "The card-set manifest")->required();
    combineCmd->add_option("partials", combine.partialPaths, "Partial signature files (k or more)")->required();
    combineCmd->add_option("--in", combine.inputPath,
                           "The signed file: checked against the partials (default: sign the digest they name)");
    combineCmd->add_option("--out", combine.signaturePath, "Where to write the signature (new file)")->required();
    combineCmd->add_option("--audit-log", combine.auditLogPath, "Audit log to record the combination in");

    std::string pinAction;
    auto* pinCmd = app.add_subcommand("pin", "The card holder's PIN: status, verify, change, unblock (with the PUK)");
    pinCmd->add_option("action", pinAction, "status | verify | change | unblock")
        ->required()
        ->check(CLI::IsMember({"status", "verify", "change", "unblock"}));
    pinCmd->add_option("--ceremony", ceremonyDir, "The ceremony's folder (CA certificate, host credentials)")->required();
    pinCmd->add_option("--reader", reader, "Reader name (default: the first reader holding a card)");
    pinCmd->add_option("--wait", waitSeconds, "Seconds to wait for a card to be inserted");
    addSecretOptions(pinCmd, secrets);

    CLI11_PARSE(app, argc, argv);

    try {
        if (readers->parsed()) return listReaders();
        if (probeCmd->parsed()) return probe(reader, waitSeconds);
        if (watchCmd->parsed()) return watch(timeoutSeconds, maxEvents);
        if (caCreateCmd->parsed()) {
            const CeremonyFiles files(ceremonyDir);
            const auto ca = files.create(caName, passphrase.read(true), hostName);
            std::cout << "ceremony created in " << ceremonyDir << "\n  CA: " << caName
                      << "\n  card set: " << toHex(ca.cardSetId())
                      << "\n  CA certificate SHA-256: " << toHex(ca.certificate().sha256Fingerprint())
                      << "\n  CA key: " << files.caKeyPath() << " (encrypted)\n  host: " << hostName
                      << " (" << files.hostCertificatePath() << ")\n";
            return 0;
        }
        if (hostIssueCmd->parsed()) {
            const CeremonyFiles files(ceremonyDir);
            files.issueHost(files.loadCa(passphrase.read(false)), hostName, hostPrefix);
            std::cout << "host " << hostName << ": " << hostPrefix << ".pem, " << hostPrefix << "-key.pem\n";
            return 0;
        }
        if (issueCmd->parsed()) {
            if (policy.pinMin > policy.pinMax)
                throw std::invalid_argument("--pin-min is larger than --pin-max");
            policy.changeBeforeUse = !noPinChange;
            const CeremonyFiles files(ceremonyDir);
            const LoadedTrust loaded(files);
            ConnectedCard connected(reader, waitSeconds, loaded.trust());
            return issueCard(connected, files, cardIndex, policy, secrets, passphrase);
        }
        if (keygenCmd->parsed()) {
            keygen.keyType = parseKeyType(keyType);
            keygen.scheme = scheme == "shoup" ? Scheme::Shoup : Scheme::Shamir;
            checkKeygenRequest(keygen);  // before anybody types a secret
            keygen.policy.changeBeforeUse = !keygenNoPinChange;
            const std::string caPassphrase = passphrase.read(false);
            auto pins = secrets.open();
            runKeygen(keygen, *pins, caPassphrase, std::cout);
            return 0;
        }
        if (signCmd->parsed()) {
            if (!signScheme.empty()) {
                const bool shoup = Manifest::load(sign.manifestPath).shoup();
                if (shoup != (signScheme == "shoup"))
                    throw std::invalid_argument(sign.manifestPath + " is a card set of the " +
                                                (shoup ? "shoup" : "shamir") + " scheme, not " + signScheme);
            }
            auto pins = secrets.open();
            runSign(sign, *pins, std::cout);
            return 0;
        }
        if (partialCmd->parsed()) {
            auto pins = secrets.open();
            runPartialSign(partial, *pins, std::cout);
            return 0;
        }
        if (auditCmd->parsed()) {
            const AuditVerification checked = verifyAuditLog(auditPath, auditLastHash);
            const Bytes last = fromHex(checked.lastHash);
            std::cout << auditPath << ": " << checked.entries << " entries, chain intact"
                      << (auditLastHash.empty() ? "" : ", ends with the expected entry") << "\n  last entry SHA-256: "
                      << checked.lastHash << "\n  read aloud: " << pgpWords(Bytes(last.begin(), last.begin() + 8))
                      << "\n";
            return 0;
        }
        if (publicKeyCmd->parsed()) {
            std::cout << Manifest::load(keyManifest).signingKey.publicKeyPem;
            return 0;
        }
        if (combineCmd->parsed()) {
            runCombine(combine, std::cout);
            return 0;
        }
        if (pinCmd->parsed()) {
            const LoadedTrust loaded{CeremonyFiles(ceremonyDir)};
            ConnectedCard connected(reader, waitSeconds, loaded.trust());
            return pinCommand(connected, pinAction, secrets);
        }
    } catch (const WrongSecretError& e) {
        std::cerr << "error: " << e.what() << "\n";
    } catch (const CardAuthenticationError& e) {
        std::cerr << "error: this card is not one of this ceremony's: " << e.what() << "\n";
    } catch (const SecureChannelError& e) {
        std::cerr << "error: the secure channel to the card broke: " << e.what() << "\n";
    } catch (const PinBlockedError& e) {
        std::cerr << "error: " << e.what() << " (ceremony pin unblock)\n";
    } catch (const ServiceUnavailableError& e) {
        std::cerr << "error: the PC/SC service (pcscd) is not running or not reachable: start pcscd "
                     "and try again\n  (" << e.what() << ")\n";
    } catch (const CardRemovedError& e) {
        std::cerr << "error: the card was removed during the exchange; insert it again and retry\n  ("
                  << e.what() << ")\n";
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
    }
    return kExitFailure;
}
