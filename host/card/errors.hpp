// What can go wrong with the card in hand. All of it is an AttemptError (host/base/error.hpp):
// the ceremony can go on with another card or another try.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "host/base/error.hpp"
#include "protocol/pin.hpp"

namespace quorum::host {

// A failure of one card; cardIndex() is its index in its set once its certificate was read.
class CardError : public AttemptError {
public:
    explicit CardError(const std::string& what, std::optional<int> cardIndex = std::nullopt)
        : AttemptError(what), cardIndex_(cardIndex) {}
    std::optional<int> cardIndex() const noexcept { return cardIndex_; }

private:
    std::optional<int> cardIndex_;
};

// The card is not a quorum card, or answered in a way docs/apdu-spec.md does not allow; the
// message says what was wrong.
class CardProtocolError : public CardError {
public:
    using CardError::CardError;
};

// The card is not one of this ceremony's: the message names why (other CA, other card set, not a
// card certificate, no certificate at all, failed proof of possession).
class CardAuthenticationError : public CardError {
public:
    using CardError::CardError;
};

// A protected response failed its check (R-MAC, padding) or the session was broken before: the
// channel can no longer be trusted and must be opened again.
class SecureChannelError : public CardError {
public:
    using CardError::CardError;
};

// The card answered a protected command with 6982 and closed its session: a secure messaging
// error on its side, or the command's security condition (e.g. no PIN verified) not met.
class SessionClosedByCardError : public SecureChannelError {
public:
    using SecureChannelError::SecureChannelError;
};

// The card refused a command; sw() says how. Subclasses name the cases people act on.
class CardRefusedError : public CardError {
public:
    CardRefusedError(const std::string& what, std::uint16_t sw, std::optional<int> cardIndex = std::nullopt)
        : CardError(what, cardIndex), sw_(sw) {}
    std::uint16_t sw() const noexcept { return sw_; }

private:
    std::uint16_t sw_;
};

// Which secret a command checked.
enum class Secret { Pin, Puk };

// A PIN or PUK did not match; triesLeft() more attempts before the PIN blocks or, for the PUK,
// the card is terminated.
class WrongSecretError : public CardRefusedError {
public:
    WrongSecretError(const std::string& what, std::uint16_t sw, Secret secret, int triesLeft,
                     std::optional<int> cardIndex = std::nullopt)
        : CardRefusedError(what, sw, cardIndex), secret_(secret), triesLeft_(triesLeft) {}
    Secret secret() const noexcept { return secret_; }
    int triesLeft() const noexcept { return triesLeft_; }

private:
    Secret secret_;
    int triesLeft_;
};

// The PIN is blocked (6983): only the PUK helps.
class PinBlockedError : public CardRefusedError {
public:
    using CardRefusedError::CardRefusedError;
};

// The card is terminated (6285 to SELECT): it holds no secrets any more.
class CardTerminatedError : public CardRefusedError {
public:
    using CardRefusedError::CardRefusedError;
};

// A new card refused a redistribution (RESHARE IN) because of old card oldCard(): its box for this
// card is missing or does not open (SW 9Cxx), or its sub-share does not match its commitments
// (9Dxx). The card stored nothing; a redistribution from other old cards may work.
class RedistributionRefusedError : public CardRefusedError {
public:
    RedistributionRefusedError(const std::string& what, std::uint16_t sw, int oldCard,
                               std::optional<int> cardIndex = std::nullopt)
        : CardRefusedError(what, sw, cardIndex), oldCard_(oldCard) {}
    int oldCard() const noexcept { return oldCard_; }

private:
    int oldCard_;
};

// A PIN or PUK as typed does not fit the card's policy; nothing was sent, no try was spent. The
// person can type it again.
class PinFormatError : public AttemptError {
public:
    PinFormatError(const std::string& what, Secret secret, protocol::PinProblem problem)
        : AttemptError(what), secret_(secret), problem_(problem) {}
    Secret secret() const noexcept { return secret_; }
    protocol::PinProblem problem() const noexcept { return problem_; }

private:
    Secret secret_;
    protocol::PinProblem problem_;
};

}  // namespace quorum::host
