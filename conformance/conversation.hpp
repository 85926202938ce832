// One conversation with the card under test, step by step, each step one exchange checked against
// a pattern (conformance/pattern.hpp). The same steps are what --record writes as vectors and
// what --replay reads back, so a replay runs exactly what the cases ran.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <json/value.h>

#include "apdu/channel.hpp"
#include "conformance/pattern.hpp"
#include "crypto/certificate.hpp"
#include "crypto/secure_messaging.hpp"
#include "host/card/card_link.hpp"
#include "host/card/secure_channel.hpp"
#include "host/pcsc/channel.hpp"
#include "host/pcsc/context.hpp"

namespace quorum::conformance {

// How a step reaches the card.
enum class Via {
    Raw,       // `command` is the whole APDU, sent as it is (malformed ones too); no GET RESPONSE
    Link,      // header + data + Le through command chaining and GET RESPONSE (host::CardLink)
    Session,   // the same, wrapped in the SCP11a session; `expect` is about the unwrapped answer
    Tampered,  // wrapped like Session, then byte `flip` of the wrapped APDU XOR 01, sent raw
    Replayed,  // the bytes of the last wrapped command sent again, raw
    Reset,     // SCardReconnect with SCARD_RESET_CARD
    Unpower,   // SCardReconnect with SCARD_UNPOWER_CARD
};

struct Step {
    Via via = Via::Raw;
    std::string command;              // Raw: the APDU; Link, Session, Tampered: CLA INS P1 P2
    std::string data;                 // Link, Session, Tampered: the data field (may be empty)
    std::optional<std::size_t> ne;    // Link, Session, Tampered: Le (256 = 00); none = no Le
    std::optional<std::size_t> flip;  // Tampered
    std::string expect;               // the answer's pattern (data, then SW1 SW2)
    // What the host does besides sending: "certify-card" (before: the CA certifies {card_key} as
    // {card_certificate}), "mutual-authenticate" (before: a fresh {host_ephemeral}; after: the
    // receipt checked and the session keys derived - never written anywhere), "certify-new-cards"
    // and "redistribute-to-card" (before: the re-sharing requests, conformance/reshare_values.hpp).
    std::string host;
    // A check of the values bound so far: "feldman-share", "shoup-partial", "shoup-batch",
    // "reshare-out", "reshare-in-kept" (conformance/reshare_values.hpp).
    std::string check;
    std::string note;  // what the step shows, for people

    Json::Value toJson() const;
    static Step fromJson(const Json::Value& json);  // PatternError naming what is wrong
};

// A step whose answer did not fit: the message says which step and how.
class StepFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The value `name`, or StepFailure saying it is not known at this step.
const Bytes& knownValue(const Values& values, const std::string& name);

// What the host brings: its credentials, and the CA with its key when it issues cards.
struct HostSide {
    const host::HostCredentials& credentials;
    const crypto::CeremonyCa* ca = nullptr;  // certify-card needs it
    int cardIndex = 1;                        // the index the CA certifies the card with
};

class Conversation {
public:
    // `card` must outlive this. `values` starts with the test values and the ceremony's own.
    Conversation(host::PcscCard& card, const HostSide& host, Values& values);

    // Runs one step; throws StepFailure when the answer does not fit (or the host action fails).
    void run(const Step& step);
    // Steps run since the last take (for --record).
    std::vector<Step> takeSteps();
    Values& values() { return values_; }

private:
    apdu::ResponseApdu exchange(const Step& step);
    void check(const std::string& name);

    host::PcscCard& card_;
    host::PcscChannel raw_;
    host::CardLink link_;
    const HostSide& host_;
    Values& values_;
    std::optional<crypto::SecureMessaging> session_;
    Bytes lastWrapped_;
    std::vector<Step> steps_;
    std::size_t stepNumber_ = 0;
};

}  // namespace quorum::conformance
