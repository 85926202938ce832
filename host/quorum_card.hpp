// The host's view of one quorum card: the commands of docs/apdu-spec.md as calls, and the
// card's refusals as exceptions a program can act on.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"
#include "apdu/channel.hpp"
#include "crypto/certificate.hpp"
#include "crypto/feldman.hpp"
#include "crypto/shoup.hpp"
#include "host/card_info.hpp"
#include "host/secure_channel.hpp"

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

// What GET SHARE returns: the share, the digest of the commitments it belongs to, and how many
// times the card has released it (this time included).
struct ReleasedShare {
    crypto::FeldmanShare share;
    Bytes commitmentsDigest;
    std::uint32_t usageCount = 0;
};

// What PARTIAL SIGN returns: the partial signature with its proof, and how many times the card
// has released a share or partial signature (this time included).
struct SignedPartial {
    crypto::shoup::Partial partial;
    std::uint32_t usageCount = 0;
};

// The record of PUT DATA 00 CB (docs/apdu-spec.md): index, n, k, N, v, v_i and s_i as BER-TLV.
// Throws std::invalid_argument (or ShoupError for a bad key) for a share that is not the key's.
Bytes rsaShareRecord(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share);

struct PinStatus {
    int pinTriesLeft = 0;
    int pinTryLimit = 0;
    int pukTriesLeft = 0;
    int pukTryLimit = 0;
    bool changeRequired = false;
};

class QuorumCard {
public:
    // `plain` must resolve GET RESPONSE and chain long commands; it must outlive this. With
    // `trust`, the commands that need an SCP11a session open one on first use.
    explicit QuorumCard(apdu::CardChannel& plain, std::optional<CeremonyTrust> trust = std::nullopt)
        : plain_(plain), trust_(std::move(trust)) {}

    // SELECT (in the clear; it ends any secure session).
    CardInfo select();
    // SELECT, then SCP11a: authenticates the card against the ceremony CA and card set.
    const crypto::CertificateInfo& openSecureChannel();
    bool secure() const { return secure_ != nullptr; }

    PinStatus pinStatus();

    // BLANK card, in the clear: the CA key it will trust, a key pair generated on the card, and
    // the certificate `ca` issues for it as card `cardIndex`. Returns that certificate.
    crypto::Certificate issueIdentity(const crypto::CeremonyCa& ca, int cardIndex);
    // BLANK card with an identity, inside SCP11a: policy, transport PIN and PUK, ACTIVATE FILE.
    void personalize(const PinPolicy& policy, const Bytes& pin, const Bytes& puk);

    // VERIFY without data: the PIN tries left (the one PIN query a card with a pending PIN
    // change answers); nullopt when the PIN is already verified in this session.
    std::optional<int> pinTriesLeft();
    // BLANK card with an identity, inside SCP11a: its share and the digest of the commitments.
    void storeShare(const crypto::FeldmanShare& share, const Bytes& commitmentsDigest);
    // OPERATIONAL card, inside SCP11a, after verifyPin() in the same session.
    ReleasedShare getShare();
    // BLANK card with an identity, inside SCP11a: its threshold RSA share and the public values
    // its proofs need (N, v, its own v_i, n and k from `key`).
    void storeRsaShare(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share);
    // OPERATIONAL card, inside SCP11a, after verifyPin(): the partial signature of `digest`
    // (SHA-256, 32 bytes) for a key of `modulusSize` bytes, attributed to card `index` (from its
    // certificate). The proof is not checked here: the caller checks it against the manifest.
    SignedPartial partialSign(const Bytes& digest, std::size_t modulusSize, int index);
    void verifyPin(const Bytes& pin);
    void changePin(const Bytes& oldPin, const Bytes& newPin);
    void unblockPin(const Bytes& puk, const Bytes& newPin);

private:
    // The secure channel, opened when needed; throws std::logic_error without trust.
    apdu::CardChannel& secureChannel();
    // The secure channel when one is open, else the plain one (for commands allowed in both:
    // a plain command would end the card's session).
    apdu::CardChannel& current() { return secure_ ? static_cast<apdu::CardChannel&>(*secure_) : plain_; }
    Bytes pinBlock(const Bytes& pin);
    // Refuses (std::invalid_argument) a new PIN the card's policy would refuse, with the reason.
    void checkNewPin(const Bytes& newPin);
    std::uint16_t expectSuccess(const apdu::ResponseApdu& answer, const char* what);
    // The policy from the FCI of the last select(); selects (opening the session when there is
    // trust) when unknown.
    const PinPolicy& knownPolicy();

    apdu::CardChannel& plain_;
    std::optional<CeremonyTrust> trust_;
    std::unique_ptr<SecureChannel> secure_;
    std::optional<PinPolicy> policy_;
};

}  // namespace quorum::host
