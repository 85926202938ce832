// Moving the card set's secret to new cards without it ever existing (crypto/reshare.hpp has the
// maths): RESHARE OUT on an old card, for its holder, hands out its share redistributed and sealed
// for each new card; RESHARE IN on a new card without a share opens its boxes, checks them and
// stores the share they make; RETIRE erases an old card's share for good (docs/apdu-spec.md).
#include <optional>
#include <string>
#include <vector>

#include "apdu/status.hpp"
#include "crypto/certificate.hpp"
#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/card_response.hpp"
#include "firmware-model/seeded_fault.hpp"
#include "protocol/reshare.hpp"
#include "protocol/shares.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
namespace reshare = crypto::reshare;
using answer::status;

namespace {

// The new cards the certificates name, each a card certificate signed by `caKey` for the card set
// `cardSetId` (as PUT DATA BF21 checks the card's own); nullopt when one is not.
std::optional<std::vector<reshare::NewCard>> newCardsOf(const std::vector<Bytes>& certificates,
                                                       const crypto::EcPublicKey& caKey, const Bytes& cardSetId) {
    std::vector<reshare::NewCard> cards;
    try {
        for (const Bytes& der : certificates) {
            const auto certificate = crypto::Certificate::fromDer(der);
            if (!crypto::verifySignedWithRole(certificate, caKey, crypto::CertRole::Card)) return std::nullopt;
            const crypto::CertificateInfo info = certificate.info();
            if (info.cardSetId != cardSetId || !info.cardIndex) return std::nullopt;
            cards.push_back({static_cast<std::uint8_t>(*info.cardIndex), certificate.publicKey().point()});
        }
    } catch (const std::exception&) {
        return std::nullopt;  // not a certificate, or not one of P-256 with the project's extension
    }
    return cards;
}

// RESHARE IN's refusal of an old card's redistribution: 9Cxx (box) or 9Dxx (sub-share), xx its index.
ResponseApdu refusal(const reshare::ReshareError& e) {
    if (e.fault() == reshare::Fault::Input || !e.from()) return status(sw::kWrongData);
    const std::uint8_t sw1 =
        e.fault() == reshare::Fault::Box ? protocol::kBoxRefusedSw1 : protocol::kSubShareRefusedSw1;
    return status(static_cast<std::uint16_t>((sw1 << 8) | *e.from()));
}

}  // namespace

ResponseApdu Card::reshareOut(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (command.data.empty()) return status(sw::kWrongLength);
    const auto stored = nvm_.read(field::kShare);
    const auto record = stored ? protocol::ShareRecord::decode(*stored) : std::nullopt;
    if (!record || record->index == 0) return status(sw::kReferencedDataNotFound);
    const auto request = protocol::ReshareOutRequest::decode(command.data);
    if (!request) return status(sw::kWrongData);

    // An OPERATIONAL card has its CA key and its certificate: the new cards must be of the same.
    const auto caPoint = nvm_.read(field::kCaPublicKey);
    const auto ownCertificate = nvm_.read(field::kCardCertificate);
    if (!caPoint || !ownCertificate) return status(sw::kConditionsNotSatisfied);
    const auto cards = newCardsOf(request->certificates, crypto::EcPublicKey::fromPoint(*caPoint),
                                  crypto::Certificate::fromDer(*ownCertificate).info().cardSetId);
    if (!cards) return status(sw::kWrongData);

    protocol::ReshareOutAnswer answer;
    try {
        answer.redistribution = protocol::recordOf(
            reshare::redistribute({record->index, record->value}, request->newK, *cards, request->context));
    } catch (const std::invalid_argument&) {
        return status(sw::kWrongData);  // two certificates of one index
    }
    // The share left the card, in a form: counted as GET SHARE counts, before the answer.
    std::optional<std::uint32_t> counter;
    if (hasSeededFault(SeededFault::ReshareOutUncounted)) {
        const auto uses = nvm_.read(field::kUsageCounter);
        counter = uses ? protocol::decodeUsageCounter(*uses) : std::uint32_t{0};
    } else {
        counter = countRelease();
    }
    if (!counter) return status(sw::kConditionsNotSatisfied);
    answer.usageCount = *counter;
    return ResponseApdu{answer.encode(), sw::kSuccess};
}

ResponseApdu Card::reshareIn(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (command.data.empty()) return status(sw::kWrongLength);
    // A card holds one kind of share, given once (as PUT DATA 00C9) - but a share of this same
    // redistribution, never released, is taken again when another group of old cards replaces
    // one that cheated (the new shares are then points of another polynomial).
    const auto held = nvm_.read(field::kShare);
    const auto heldFrom = nvm_.read(field::kReshareContext);
    const auto uses = nvm_.read(field::kUsageCounter);
    const bool released = !uses || protocol::decodeUsageCounter(*uses) != std::uint32_t{0};
    if (nvm_.read(field::kRsaShare) ||
        (held && (!heldFrom || (released && !hasSeededFault(SeededFault::ReshareInReplacesUsed)))))
        return status(sw::kConditionsNotSatisfied);
    const auto request = protocol::ReshareInRequest::decode(command.data);
    if (!request) return status(sw::kWrongData);
    const Bytes contextDigest = crypto::sha256(request->context);
    if (held && *heldFrom != contextDigest) return status(sw::kConditionsNotSatisfied);
    const auto scalar = nvm_.read(field::kCardPrivateKey);
    const auto ownCertificate = nvm_.read(field::kCardCertificate);
    if (!scalar || !ownCertificate) return status(sw::kConditionsNotSatisfied);
    // j is the index the CA certified for this card's key: the boxes for j open with that key only.
    const std::optional<int> index = crypto::Certificate::fromDer(*ownCertificate).info().cardIndex;
    if (!index) return status(sw::kConditionsNotSatisfied);

    protocol::ShareRecord record{static_cast<std::uint8_t>(*index), {}, {}};
    try {
        std::vector<reshare::Redistribution> b;
        for (const auto& redistribution : request->redistributions)
            b.push_back(protocol::redistributionOf<reshare::Redistribution>(redistribution));
        record.value =
            reshare::receive(record.index, crypto::EcPrivateKey::fromScalar(*scalar), b, request->context).value;
        record.commitmentsDigest = reshare::combinedCommitments(b).digest();
    } catch (const reshare::ReshareError& e) {
        return refusal(e);
    } catch (const crypto::FeldmanError&) {
        return status(sw::kWrongData);  // commitments that are not points on P-256
    }

    // The share, where it came from, a fresh usage counter and, unless its holder must still
    // change the transport PIN, the OPERATIONAL state: one transaction.
    nvm_.begin();
    nvm_.write(field::kShare, record.encode());
    nvm_.write(field::kReshareContext, contextDigest);
    nvm_.write(field::kUsageCounter, protocol::encodeUsageCounter(0));
    if (lifecycle() == Lifecycle::Personalized && readByte(field::kPinChangeRequired) == 0)
        setLifecycle(Lifecycle::Operational);
    nvm_.commit();
    return ResponseApdu{protocol::ReshareInAnswer{record.index, record.commitmentsDigest}.encode(), sw::kSuccess};
}

ResponseApdu Card::retire(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty() || command.ne) return status(sw::kWrongLength);
    // Removing the fields is their zeroization here, as in WIPE (a port overwrites the arrays
    // after the commit: docs/porting.md).
    nvm_.begin();
    nvm_.erase(field::kShare);
    nvm_.erase(field::kRsaShare);
    nvm_.erase(field::kReshareContext);
    setLifecycle(Lifecycle::Retired);
    nvm_.commit();
    endSessionAfterAnswer_ = true;  // a RETIRED card opens no session and needs none
    return status(sw::kSuccess);
}

}  // namespace quorum::card
