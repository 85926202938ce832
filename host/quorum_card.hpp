// The host's view of one quorum card: the commands of docs/apdu-spec.md as calls, and the
// card's refusals as exceptions a program can act on.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"
#include "apdu/channel.hpp"
#include "host/card_info.hpp"

namespace quorum::host {

// The card refused a command; sw() says how. Subclasses name the cases people act on.
class CardRefusedError : public std::runtime_error {
public:
    CardRefusedError(const std::string& what, std::uint16_t sw);
    std::uint16_t sw() const noexcept { return sw_; }

private:
    std::uint16_t sw_;
};
// A PIN or PUK did not match; triesLeft() more attempts before it blocks (PIN) or the card is
// terminated (PUK).
class WrongSecretError : public CardRefusedError {
public:
    WrongSecretError(const std::string& what, std::uint16_t sw, int triesLeft);
    int triesLeft() const noexcept { return triesLeft_; }

private:
    int triesLeft_;
};
class PinBlockedError : public CardRefusedError { using CardRefusedError::CardRefusedError; };
class CardTerminatedError : public CardRefusedError { using CardRefusedError::CardRefusedError; };

struct PinPolicy {
    int pinMin = 6;
    int pinMax = 8;
    int pukLength = 8;
    int pinTries = 3;
    int pukTries = 3;
    bool changeBeforeUse = true;
    Bytes encode() const;  // the 6 bytes of PUT DATA 00 C5
    static PinPolicy decode(const Bytes& value);
};

struct PinStatus {
    int pinTriesLeft = 0;
    int pinTryLimit = 0;
    int pukTriesLeft = 0;
    int pukTryLimit = 0;
    bool changeRequired = false;
};

class QuorumCard {
public:
    // `channel` should resolve GET RESPONSE (ResponseChainingChannel); it must outlive this.
    explicit QuorumCard(apdu::CardChannel& channel) : channel_(channel) {}

    CardInfo select();
    PinStatus pinStatus();
    PinPolicy pinPolicy();

    // BLANK card: policy, transport PIN and PUK, then ACTIVATE FILE.
    void personalize(const PinPolicy& policy, const Bytes& pin, const Bytes& puk);

    // VERIFY without data: the PIN tries left (the one PIN query a card with a pending PIN
    // change answers); nullopt when the PIN is already verified in this session.
    std::optional<int> pinTriesLeft();
    void verifyPin(const Bytes& pin);
    void changePin(const Bytes& oldPin, const Bytes& newPin);
    void unblockPin(const Bytes& puk, const Bytes& newPin);

private:
    Bytes pinBlock(const Bytes& pin);
    // Refuses (std::invalid_argument) a new PIN the card's policy would refuse, with the reason.
    void checkNewPin(const Bytes& newPin);
    std::uint16_t expectSuccess(const apdu::ResponseApdu& answer, const char* what);

    apdu::CardChannel& channel_;
    // The policy from the FCI of the last select() (or pinPolicy()); select() when unknown.
    const PinPolicy& knownPolicy();
    std::optional<PinPolicy> policy_;
};

}  // namespace quorum::host
