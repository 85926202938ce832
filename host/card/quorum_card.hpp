// The host's view of one quorum card: the commands of docs/apdu-spec.md as calls, and the card's
// refusals as exceptions a program can act on (host/card/errors.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/channel.hpp"
#include "crypto/certificate.hpp"
#include "crypto/feldman.hpp"
#include "crypto/reshare.hpp"
#include "crypto/shoup.hpp"
#include "host/card/errors.hpp"
#include "host/card/refusals.hpp"
#include "host/card/secure_channel.hpp"
#include "protocol/fci.hpp"
#include "protocol/pin.hpp"

namespace quorum::host {

using protocol::PinPolicy;
using protocol::PinStatus;

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

// What PARTIAL SIGN returns for a batch of digests: the partial signatures with their one proof,
// the card they are attributed to, and the usage counter after them (one use per signature).
struct SignedBatch {
    int index = 0;
    crypto::shoup::BatchPartial batch;
    std::uint32_t usageCount = 0;
};

// The record of PUT DATA 00 CB for card `share.index` of `key`. Throws std::invalid_argument (or
// ShoupError for a bad key) for a share that is not the key's.
Bytes rsaShareRecord(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share);

class QuorumCard {
public:
    // `link` is the card's channel stack (CardLink); it must outlive this. With `trust`, the
    // commands that need an SCP11a session open one on first use.
    explicit QuorumCard(apdu::CardChannel& link, std::optional<CeremonyTrust> trust = std::nullopt)
        : link_(link), trust_(std::move(trust)) {}

    // SELECT (in the clear; it ends any secure session). CardProtocolError for a card that is not
    // a quorum card; CardTerminatedError for a terminated one.
    protocol::Fci select();
    // SELECT, then SCP11a: authenticates the card against the ceremony CA and card set.
    const crypto::CertificateInfo& openSecureChannel();
    bool secure() const { return secure_ != nullptr; }
    // The card's index in its set, once its certificate was checked (openSecureChannel).
    std::optional<int> index() const;
    // The card's checked certificate (after openSecureChannel).
    const crypto::Certificate& certificate() const;
    // Whether the card holds a certificate (GET DATA BF21, in the clear): a BLANK card with one
    // was issued (or half-issued) already.
    bool hasCertificate();

    PinStatus pinStatus();

    // BLANK card, in the clear: the CA key it will trust, a key pair generated on the card, and
    // the certificate `ca` issues for it as card `cardIndex`. Returns that certificate.
    crypto::Certificate issueIdentity(const crypto::CeremonyCa& ca, int cardIndex);
    // BLANK card with an identity, inside SCP11a: policy, transport PIN and PUK, ACTIVATE FILE.
    // PinFormatError, before anything is sent, for a PIN or PUK the policy does not allow.
    void personalize(const PinPolicy& policy, const Bytes& pin, const Bytes& puk);
    // BLANK card whose issuance stopped before ACTIVATE FILE, inside SCP11a (so only a host of the
    // card's own CA): back to the factory state, its id kept. The card ends the session.
    void wipe();

    // VERIFY without data: the PIN tries left (the one PIN query a card with a pending PIN
    // change answers); nullopt when the PIN is already verified in this session.
    std::optional<int> pinTriesLeft();
    // A card without a share (BLANK with an identity, PERSONALIZED or OPERATIONAL), inside SCP11a:
    // its share and the digest of the commitments.
    void storeShare(const crypto::FeldmanShare& share, const Bytes& commitmentsDigest);
    // OPERATIONAL card, inside SCP11a, after verifyPin() in the same session.
    ReleasedShare getShare();
    // A card without a share (as storeShare), inside SCP11a: its threshold RSA share and the public
    // values its proofs need (N, v, its own v_i, n and k from `key`).
    void storeRsaShare(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share);
    // OPERATIONAL card, inside SCP11a, after verifyPin(): the partial signature of `digest`
    // (SHA-256, 32 bytes) for a key of `modulusSize` bytes, attributed to card `index` (from its
    // certificate). The proof is not checked here: the caller checks it against the manifest.
    SignedPartial partialSign(const Bytes& digest, std::size_t modulusSize, int index);
    // The same for 2..16 digests in one command, with one proof for all (docs/batch-proof.md);
    // std::invalid_argument, before anything is sent, for another count or a digest not 32 bytes.
    // The caller checks the proof (crypto::shoup::verifyBatch, host::BatchCollector).
    SignedBatch partialSignBatch(const std::vector<Bytes>& digests, std::size_t modulusSize,
                                 int index);
    // OPERATIONAL card, inside SCP11a, after verifyPin(): its share redistributed to `newCards` (card
    // certificates of this ceremony; each gives a new card's index and key) with threshold newK,
    // bound to `context` (crypto/reshare.hpp). Counts one use of the share. The caller checks the
    // answer with crypto::reshare::fromShareHolder against the set's commitments.
    crypto::reshare::Redistribution reshareOut(int newK, const std::vector<crypto::Certificate>& newCards,
                                               const Bytes& context);
    // A card without a share (PERSONALIZED, also with a PIN change pending, or OPERATIONAL), inside
    // SCP11a, no PIN: its share from the redistributions `b` of k old cards. Sends each old card's
    // commitments and only the box for this card (the index in its certificate). The card computes
    // the new commitments itself; a digest other than combinedCommitments(b)'s is a
    // CardProtocolError. RedistributionRefusedError names an old card whose box or sub-share the
    // card refused; crypto::reshare::ReshareError, before anything is sent, for redistributions
    // that do not fit together (combinedCommitments refuses them). A card holding a share of this
    // same redistribution that it never released takes the new one in its place.
    void reshareIn(const std::vector<crypto::reshare::Redistribution>& b, const Bytes& context);
    // An issued card (PERSONALIZED, OPERATIONAL or BLOCKED), inside SCP11a, no PIN (a holder who
    // lost it must not keep a card from being retired): its share is erased and it is RETIRED.
    // The card ends the session.
    void retire();
    // PinFormatError, before anything is sent, for a PIN the card's policy does not allow.
    void verifyPin(const Bytes& pin);
    void changePin(const Bytes& oldPin, const Bytes& newPin);
    void unblockPin(const Bytes& puk, const Bytes& newPin);

private:
    // The secure channel, opened when needed; throws std::logic_error without trust.
    apdu::CardChannel& secureChannel();
    // The secure channel when one is open, else the plain one (for commands allowed in both:
    // a plain command would end the card's session).
    apdu::CardChannel& current() { return secure_ ? static_cast<apdu::CardChannel&>(*secure_) : link_; }
    // The PIN block for `pin`; PinFormatError "<rule><6 to 8 characters>, this one has N" when
    // the policy does not allow it.
    Bytes pinBlock(const Bytes& pin, const std::string& rule);
    // Throws the CardRefusedError for anything but 9000: `what` names the step, `operation` picks
    // the explanation (host/card/refusals.hpp), `secret` says which secret a 63Cx is about.
    void expectSuccess(const apdu::ResponseApdu& answer, const char* what, CardOperation operation,
                       std::optional<Secret> secret = std::nullopt);
    // The policy from the FCI of the last select(); selects (opening the session when there is
    // trust) when unknown.
    const PinPolicy& knownPolicy();

    apdu::CardChannel& link_;
    std::optional<CeremonyTrust> trust_;
    std::unique_ptr<SecureChannel> secure_;
    std::optional<PinPolicy> policy_;
    CardCondition condition_;  // from the last SELECT, to explain refusals
};

}  // namespace quorum::host
