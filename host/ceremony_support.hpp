// What the ceremonies of both schemes share: the card door (one card at a time in the watched
// readers), a card spoken to through GET RESPONSE and command chaining, per-step timings, and
// small file and signature helpers. Internal to host/.
#pragma once

#include <chrono>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <json/json.h>

#include "apdu/bytes.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/response_chaining.hpp"
#include "host/audit_log.hpp"
#include "host/key_ceremony.hpp"
#include "host/manifest.hpp"
#include "host/pcsc.hpp"
#include "host/pcsc_channel.hpp"
#include "host/reader_monitor.hpp"

namespace quorum::host {

using Clock = std::chrono::steady_clock;

// Cards come and go one at a time in the readers the ceremony watches.
class CardDoor {
public:
    CardDoor(std::string wanted, double timeoutSeconds) : wanted_(std::move(wanted)), timeout_(timeoutSeconds) {}
    // Waits until a card is in a watched reader; returns the reader's name.
    std::string waitForCard();
    void waitForRemoval(const std::string& reader);
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

// Throws std::invalid_argument "the WHAT PATH exists already" when PATH exists: for outputs that
// must be new, checked before anybody inserts a card or types a secret.
void refuseExisting(const std::string& path, const char* what);

// Writes (or replaces) an output file the user named.
void writeOutput(const std::string& path, const Bytes& data, const char* what);

// Whether `signature` is an RSASSA-PKCS1-v1_5 / ECDSA SHA-256 signature of `message` under the
// PEM public key.
bool verifySignature(const std::string& pem, const Bytes& message, const Bytes& signature);

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


// An audit entry's details from name/value pairs.
Json::Value details(std::initializer_list<std::pair<const char*, std::string>> fields);

// Appends a ceremony's last entry and tells the people in the room its hash, to write down: only
// a hash kept outside the log shows later that nothing was cut from its end or changed in its
// last entry (ceremony audit-verify --last-hash).
void closeAudit(AuditLog& audit, const std::string& event, const Json::Value& entryDetails, std::ostream& out);

// Key generation's card loop: the n cards, one after another. Each must be BLANK; it gets its
// identity as card i from `ca`, then inside SCP11a `storeShare(card, i)`, the PIN policy and the
// transport PIN and PUK from `pins`. Each card goes into manifest.cards and the audit log.
void issueCards(const KeygenRequest& request, const crypto::CeremonyCa& ca, const CeremonyTrust& trust,
                SecretReader& pins, AuditLog& audit, Manifest& manifest, std::ostream& out,
                const std::function<void(QuorumCard&, int index)>& storeShare);

// Signing's card loop: cards one at a time until `done()`. Each is selected, authenticated with
// SCP11a (`trust`), its holder's PIN verified, and handed to `use`, which tells the people what
// became of it. A card refused, a wrong PIN, a broken channel or a pulled card is reported and
// another card asked for; `prompt()` says which.
void collectFromCards(CardDoor& door, const CeremonyTrust& trust, SecretReader& pins, StepTimes& times,
                      std::ostream& out, const std::function<bool()>& done, const std::function<std::string()>& prompt,
                      const std::function<void(QuorumCard&, const crypto::CertificateInfo&)>& use);

}  // namespace quorum::host
