// The cases of docs/apdu-spec.md the conformance program runs, in the order they run: each names
// its section of the spec (a heading's anchor) and is a list of checked steps.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance/conversation.hpp"

namespace quorum::conformance {

// A case that cannot run on this card or in this run; the reason says what it would need.
class CaseSkipped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What the cases run so far have made of the card (each case that changes it says so).
struct CardProgress {
    bool startedBlank = false;      // BLANK without a certificate when the run began
    bool answersGetData = true;     // false while a transport PIN change is pending
    bool issued = false;            // this run gave the card its CA key, key pair and certificate
    bool personalized = false;      // this run gave it the test PIN policy, PIN and PUK
    bool operational = false;       // ... and the holder's PIN ({holder_pin_block}) was set
    bool shareStored = false;       // this run gave it its test share (of the run's scheme)
    bool destructiveAllowed = false;
    bool retire = false;            // the destructive cases end the card with RETIRE, not with the PUK
    // Which test share: shamir (PUT DATA 00 C9, GET SHARE), shoup (00 CB, PARTIAL SIGN) or
    // reshare (a Feldman share from RESHARE IN, then GET SHARE).
    std::string scheme = "shamir";
};

constexpr std::optional<std::size_t> kNoLe = std::nullopt;
constexpr std::size_t kLe = 256;  // Le 00

// What a case body talks through.
class CaseContext {
public:
    CaseContext(Conversation& conversation, CardProgress& progress) : conversation_(conversation), progress_(progress) {}

    void raw(const std::string& command, const std::string& expect, const std::string& note = "");
    void link(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
              const std::string& expect, const std::string& note = "", const std::string& hostAction = "");
    void sm(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
            const std::string& expect, const std::string& note = "", const std::string& check = "",
            const std::string& hostAction = "");
    void tampered(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
                  std::size_t flip, const std::string& expect, const std::string& note);
    void replayed(const std::string& expect, const std::string& note);
    void reset(bool unpower);

    // SELECT, answered with the FCI of a card in state `state` (two hex digits) and `sw`.
    void select(const std::string& state, const std::string& sw = "90 00");
    // SELECT, GET DATA BF21, PERFORM SECURITY OPERATION, MUTUAL AUTHENTICATE.
    void openSession();
    // VERIFY with the holder's PIN inside the session.
    void verifyHolder();

    [[noreturn]] void skip(const std::string& reason) const { throw CaseSkipped(reason); }
    CardProgress& progress() { return progress_; }
    Values& values() { return conversation_.values(); }
    // The modulus size L of the run's threshold RSA test key, in bytes.
    std::size_t modulusSize();

private:
    Conversation& conversation_;
    CardProgress& progress_;
};

struct Case {
    std::string id;       // "pin.try-counter"
    std::string section;  // docs/apdu-spec.md's heading anchor: "#try-counters"
    std::string title;    // what it shows
    bool destructive = false;
    std::function<void(CaseContext&)> body;
};

const std::vector<Case>& allCases();

}  // namespace quorum::conformance
