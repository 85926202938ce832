#include "host/card/quorum_card.hpp"

#include "apdu/status.hpp"
#include "crypto/scp11.hpp"
#include "protocol/commands.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/reshare.hpp"
#include "protocol/shares.hpp"

namespace quorum::host {

namespace {
namespace sw = apdu::sw;
namespace command = protocol::command;
namespace tag = protocol::tag;

static_assert(protocol::RsaShareRecord::kMaxCards == crypto::shoup::kMaxPlayers);
static_assert(protocol::kChallengeSize == crypto::shoup::kChallengeSize);
static_assert(protocol::ShareRecord::kValueSize == crypto::kFeldmanScalarSize);

std::string triesText(int left) { return std::to_string(left) + (left == 1 ? " try" : " tries") + " left"; }
}  // namespace

std::optional<int> QuorumCard::index() const {
    if (!secure_) return std::nullopt;
    return secure_->card().cardIndex;
}

const crypto::Certificate& QuorumCard::certificate() const {
    if (!secure_) throw std::logic_error("no secure channel: the card's certificate was not read");
    return secure_->cardCertificate();
}

bool QuorumCard::hasCertificate() {
    apdu::CommandApdu get = command::getData(tag::kCertificateStore);
    get.data = crypto::scp11::certificateKeyReference();
    const auto answer = current().transmit(get);
    if (answer.sw == sw::kReferencedDataNotFound) return false;
    expectSuccess(answer, "reading the card's certificate", CardOperation::Issue);
    return true;
}

void QuorumCard::expectSuccess(const apdu::ResponseApdu& answer, const char* what, CardOperation operation,
                               std::optional<Secret> secret) {
    const std::uint16_t word = answer.sw;
    if (word == sw::kSuccess) return;
    const std::string prefix = std::string(what) + ": ";
    if ((word & 0xFFF0) == sw::kVerifyFailed && secret) {
        const int left = word & 0x0F;
        if (left == 0)
            throw WrongSecretError(
                prefix + (*secret == Secret::Puk
                              ? "wrong, and that was the last try: the card is now TERMINATED and its secrets are erased"
                              : "wrong, and that was the last try: the PIN is now blocked "
                                "(unblock it with the PUK: ceremony pin unblock)"),
                word, *secret, left, index());
        throw WrongSecretError(prefix + "wrong, " + triesText(left), word, *secret, left, index());
    }
    const std::string explained = prefix + explainRefusal(operation, word, condition_) + " (card status " +
                                  toHex({static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)}) + ")";
    if (word == sw::kAuthenticationMethodBlocked) throw PinBlockedError(explained, word, index());
    if (word == sw::kSelectedFileTerminated) throw CardTerminatedError(explained, word, index());
    throw CardRefusedError(explained, word, index());
}

protocol::Fci QuorumCard::select() {
    secure_.reset();
    const auto answer = link_.transmit(command::select());
    if (answer.sw == sw::kSelectedFileTerminated)
        throw CardTerminatedError("this card is terminated (its PUK was exhausted); it holds no secrets any more",
                                  answer.sw);
    if (answer.sw == sw::kFileNotFound)
        throw CardProtocolError("this card has no quorum application (SELECT answered " + sw::name(answer.sw) + ")");
    expectSuccess(answer, "SELECT", CardOperation::Select);
    try {
        protocol::Fci fci = protocol::Fci::decode(answer.data);
        if (fci.pinPolicy) policy_ = fci.pinPolicy;
        condition_.state = fci.state();
        condition_.pinChangePending =
            fci.is(protocol::Lifecycle::Personalized) && fci.pinPolicy && fci.pinPolicy->changeBeforeUse;
        return fci;
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(e.what());
    }
}

const crypto::CertificateInfo& QuorumCard::openSecureChannel() {
    if (!trust_) throw std::logic_error("no ceremony trust configured for a secure channel");
    select();
    secure_ = std::make_unique<SecureChannel>(link_, *trust_);
    return secure_->card();
}

apdu::CardChannel& QuorumCard::secureChannel() {
    if (!secure_) openSecureChannel();
    return *secure_;
}

crypto::Certificate QuorumCard::issueIdentity(const crypto::CeremonyCa& ca, int cardIndex) {
    select();
    const auto stored = link_.transmit(command::putData(tag::kCaPublicKey, ca.certificate().publicKey().point()));
    // A card that stopped between the CA key and its certificate keeps the CA key it got; the
    // certificate below is refused (6A80) unless that key is this CA's.
    if (!(stored.sw == sw::kConditionsNotSatisfied && !hasCertificate()))
        expectSuccess(stored, "storing the CA key", CardOperation::Issue);
    const auto generated = link_.transmit(command::generateKeyPair());
    expectSuccess(generated, "generating the card's key pair", CardOperation::Issue);
    Bytes point;
    try {
        point = protocol::decodePublicKeyTemplate(generated.data);
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(std::string("GENERATE KEY: ") + e.what());
    }
    crypto::Certificate certificate = ca.issueCard(crypto::EcPublicKey::fromPoint(point), cardIndex);
    const auto accepted = link_.transmit(command::putData(tag::kCertificateStore, certificate.der()));
    if (accepted.sw == sw::kWrongData)
        throw CardAuthenticationError("the card refuses this CA's certificate: it holds another CA's key (an issuance "
                                      "by another ceremony stopped half-way); only that ceremony can finish it");
    expectSuccess(accepted, "storing the card certificate", CardOperation::Issue);
    return certificate;
}

PinStatus QuorumCard::pinStatus() {
    const auto answer = current().transmit(command::getData(tag::kPinStatus));
    expectSuccess(answer, "reading the PIN status", CardOperation::ReadPinStatus);
    const auto status = PinStatus::decode(answer.data);
    if (!status) throw CardProtocolError("the card's PIN status is not 5 valid bytes", index());
    return *status;
}

Bytes QuorumCard::pinBlock(const Bytes& pin, const std::string& rule) {
    const PinPolicy& policy = knownPolicy();
    const auto problem = protocol::checkPin(pin, policy);
    switch (problem) {
        case protocol::PinProblem::None: return protocol::pinBlock(pin, policy);
        case protocol::PinProblem::TooShort:
        case protocol::PinProblem::TooLong:
            throw PinFormatError(rule + policy.pinLengthText() + ", this one has " + std::to_string(pin.size()),
                                 Secret::Pin, problem);
        case protocol::PinProblem::ContainsPadding:
            throw PinFormatError("a PIN cannot contain a byte FF", Secret::Pin, problem);
    }
    throw std::logic_error("unknown PIN problem");
}

void QuorumCard::personalize(const PinPolicy& policy, const Bytes& pin, const Bytes& puk) {
    const auto problem = protocol::checkPin(pin, policy);
    if (problem != protocol::PinProblem::None)
        throw PinFormatError("the transport PIN must have " + policy.pinLengthText() + ", none of them a byte FF",
                             Secret::Pin, problem);
    if (puk.size() != policy.pukLength)
        throw PinFormatError("the PUK must have exactly " + std::to_string(policy.pukLength) + " characters",
                             Secret::Puk, puk.size() < policy.pukLength ? protocol::PinProblem::TooShort
                                                                        : protocol::PinProblem::TooLong);
    expectSuccess(secureChannel().transmit(command::putData(tag::kPinPolicy, policy.encode())), "storing the PIN policy", CardOperation::Personalize);
    expectSuccess(secureChannel().transmit(command::putData(tag::kPin, pin)), "storing the transport PIN", CardOperation::Personalize);
    expectSuccess(secureChannel().transmit(command::putData(tag::kPuk, puk)), "storing the PUK", CardOperation::Personalize);
    expectSuccess(secureChannel().transmit(command::activateFile()), "finishing personalization", CardOperation::Personalize);
    policy_ = policy;
    condition_ = {protocol::Lifecycle::Personalized, policy.changeBeforeUse};
}

void QuorumCard::wipe() {
    expectSuccess(secureChannel().transmit(command::wipe()), "wiping the card", CardOperation::Wipe);
    secure_.reset();  // the card has ended the session: the key it rested on is gone
    policy_.reset();
}

std::optional<int> QuorumCard::pinTriesLeft() {
    const auto answer = secureChannel().transmit(command::verifyStatus());
    if (answer.sw == sw::kSuccess) return std::nullopt;
    if ((answer.sw & 0xFFF0) == sw::kVerifyFailed) return answer.sw & 0x0F;
    if (answer.sw == sw::kAuthenticationMethodBlocked) return 0;
    expectSuccess(answer, "reading the PIN tries", CardOperation::VerifyPin);
    return std::nullopt;
}

void QuorumCard::storeShare(const crypto::FeldmanShare& share, const Bytes& commitmentsDigest) {
    const protocol::ShareRecord record{share.index, share.value, commitmentsDigest};
    expectSuccess(secureChannel().transmit(command::putData(tag::kShare, record.encode())), "storing the share", CardOperation::StoreShare);
}

ReleasedShare QuorumCard::getShare() {
    const auto answer = secureChannel().transmit(command::getShare());
    expectSuccess(answer, "releasing the share", CardOperation::ReleaseShare);
    try {
        auto release = protocol::ShareRelease::decode(answer.data);
        return {{release.record.index, std::move(release.record.value)},
                std::move(release.record.commitmentsDigest),
                release.usageCount};
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(e.what(), index());
    }
}

Bytes rsaShareRecord(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share) {
    key.check();
    if (share.index < 1 || share.index > key.n || share.value.size() != key.modulusSize())
        throw std::invalid_argument("a threshold RSA share is an index 1..n and a value as long as the modulus");
    return protocol::RsaShareRecord{static_cast<std::uint8_t>(share.index),
                                    static_cast<std::uint8_t>(key.n),
                                    static_cast<std::uint8_t>(key.k),
                                    key.modulus,
                                    key.v,
                                    key.verificationKey(share.index),
                                    share.value}
        .encode();
}

void QuorumCard::storeRsaShare(const crypto::shoup::PublicKey& key, const crypto::shoup::KeyShare& share) {
    expectSuccess(secureChannel().transmit(command::putData(tag::kRsaShare, rsaShareRecord(key, share))),
                  "storing the threshold RSA share", CardOperation::StoreShare);
}

SignedPartial QuorumCard::partialSign(const Bytes& digest, std::size_t modulusSize, int cardIndex) {
    if (digest.size() != crypto::shoup::kDigestSize)
        throw std::invalid_argument("PARTIAL SIGN takes a 32-byte SHA-256 digest");
    const auto answer = secureChannel().transmit(command::partialSign(digest));
    expectSuccess(answer, "the partial signature", CardOperation::PartialSign);
    try {
        auto decoded = protocol::PartialSignAnswer::decode(answer.data, modulusSize);
        SignedPartial result;
        result.partial.index = cardIndex;
        result.partial.value = std::move(decoded.partial.value);
        result.partial.challenge = std::move(decoded.partial.challenge);
        result.partial.response = std::move(decoded.partial.response);
        result.usageCount = decoded.usageCount;
        return result;
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(e.what(), index());
    }
}

SignedBatch QuorumCard::partialSignBatch(const std::vector<Bytes>& digests, std::size_t modulusSize,
                                         int cardIndex) {
    const apdu::CommandApdu command = command::partialSignBatch(digests);  // checks before sending
    const auto answer = secureChannel().transmit(command);
    expectSuccess(answer, "the partial signatures", CardOperation::PartialSign);
    protocol::PartialSignBatchAnswer decoded;
    try {
        decoded =
            protocol::PartialSignBatchAnswer::decode(answer.data, modulusSize, digests.size());
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(e.what(), index());
    }
    protocol::PartialSignatureBatch& batch = decoded.batch;
    return {cardIndex,
            {std::move(batch.values), std::move(batch.challenge), std::move(batch.response)},
            decoded.usageCount};
}

crypto::reshare::Redistribution QuorumCard::reshareOut(int newK, const std::vector<crypto::Certificate>& newCards,
                                                       const Bytes& context) {
    if (newK < 1 || newK > static_cast<int>(newCards.size()) || newCards.size() > protocol::kReshareMaxCards)
        throw std::invalid_argument("a redistribution needs 1 <= k' <= n' <= 255, not k' = " + std::to_string(newK) +
                                    " and n' = " + std::to_string(newCards.size()));
    protocol::ReshareOutRequest request{static_cast<std::uint8_t>(newK), context, {}};
    for (const crypto::Certificate& certificate : newCards) request.certificates.push_back(certificate.der());
    const auto answer = secureChannel().transmit(command::reshareOut(request));
    expectSuccess(answer, "redistributing the share", CardOperation::ReshareOut);
    try {
        const auto decoded = protocol::ReshareOutAnswer::decode(answer.data);
        return protocol::redistributionOf<crypto::reshare::Redistribution>(decoded.redistribution);
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(std::string("RESHARE OUT: ") + e.what(), index());
    } catch (const crypto::FeldmanError& e) {
        throw CardProtocolError(std::string("RESHARE OUT: ") + e.what(), index());
    }
}

void QuorumCard::reshareIn(const std::vector<crypto::reshare::Redistribution>& b, const Bytes& context) {
    const Bytes expected = crypto::reshare::combinedCommitments(b).digest();  // refuses what cannot fit
    secureChannel();
    const int j = index().value_or(0);
    protocol::ReshareInRequest request{context, {}};
    for (const crypto::reshare::Redistribution& r : b) {
        // Only this card's box; none when the old card sent none (the card names that old card).
        crypto::reshare::Redistribution mine{r.from, r.commitments, {}};
        for (const crypto::reshare::Sealed& sealed : r.sealed)
            if (sealed.to == j) mine.sealed = {sealed};
        request.redistributions.push_back(protocol::recordOf(mine));
    }
    const auto answer = secureChannel().transmit(command::reshareIn(request));
    const std::uint8_t sw1 = answer.sw1();
    if (sw1 == protocol::kBoxRefusedSw1 || sw1 == protocol::kSubShareRefusedSw1)
        throw RedistributionRefusedError(
            "taking the share: " + explainRefusal(CardOperation::ReshareIn, answer.sw, condition_) + " (card status " +
                sw::hex(answer.sw) + ")",
            answer.sw, answer.sw2(), index());
    expectSuccess(answer, "taking the share", CardOperation::ReshareIn);
    try {
        const auto stored = protocol::ReshareInAnswer::decode(answer.data);
        if (stored.index != j || stored.commitmentsDigest != expected)
            throw CardProtocolError("RESHARE IN: the card stored a share of card " + std::to_string(stored.index) +
                                        " for other commitments than the redistributions make",
                                    index());
    } catch (const protocol::DecodeError& e) {
        throw CardProtocolError(std::string("RESHARE IN: ") + e.what(), index());
    }
    if (condition_.state == protocol::Lifecycle::Personalized && !condition_.pinChangePending)
        condition_.state = protocol::Lifecycle::Operational;
}

void QuorumCard::retire() {
    expectSuccess(secureChannel().transmit(command::retire()), "retiring the card", CardOperation::Retire);
    secure_.reset();  // the card has ended the session: a RETIRED card opens none
    condition_ = {protocol::Lifecycle::Retired, false};
}

void QuorumCard::verifyPin(const Bytes& pin) {
    const Bytes block = pinBlock(pin, "a PIN on this card has ");
    expectSuccess(secureChannel().transmit(command::verify(block)), "PIN", CardOperation::VerifyPin, Secret::Pin);
    if (!condition_.pinChangePending) condition_.state = protocol::Lifecycle::Operational;  // a first VERIFY takes it over
}

const PinPolicy& QuorumCard::knownPolicy() {
    if (!policy_) {
        if (trust_) secureChannel();  // opening it selects, which reads the policy from the FCI
        else select();
    }
    if (!policy_) throw CardProtocolError("the card has no PIN yet (it is not personalized)", index());
    return *policy_;
}

void QuorumCard::changePin(const Bytes& oldPin, const Bytes& newPin) {
    const Bytes fresh = pinBlock(newPin, "the new PIN must have ");
    const Bytes old = pinBlock(oldPin, "a PIN on this card has ");
    expectSuccess(secureChannel().transmit(command::changePin(old, fresh)), "current PIN", CardOperation::ChangePin, Secret::Pin);
    condition_ = {protocol::Lifecycle::Operational, false};
}

void QuorumCard::unblockPin(const Bytes& puk, const Bytes& newPin) {
    const Bytes fresh = pinBlock(newPin, "the new PIN must have ");
    expectSuccess(secureChannel().transmit(command::resetRetryCounter(puk, fresh)), "PUK", CardOperation::UnblockPin, Secret::Puk);
}

}  // namespace quorum::host
