#include "host/ceremonies/share_collector.hpp"

#include <vector>

#include "crypto/primitives.hpp"

namespace quorum::host {

ShareCollector::ShareCollector(crypto::FeldmanCommitments commitments, Bytes cardSetId)
    : commitments_(std::move(commitments)), digest_(commitments_.digest()), cardSetId_(std::move(cardSetId)) {}

std::string ShareCollector::progress() const {
    return std::to_string(std::min(collected(), needed())) + " of " + std::to_string(needed()) + " shares";
}

ShareCollector::Result ShareCollector::offer(const crypto::CertificateInfo& card, ReleasedShare released) {
    const int index = card.cardIndex.value_or(0);
    const std::string name = "card " + std::to_string(index);
    if (shares_.count(index))
        return {Outcome::AlreadyCounted, index, name + " was already counted; please insert another card"};
    if (complete()) return {Outcome::NotNeeded, index, name + " is not needed: " + progress() + " are in"};
    if (!crypto::constantTimeEqual(released.commitmentsDigest, digest_))
        return {Outcome::WrongDeal, index,
                name + " holds a share of another key generation (its commitments differ); it is not used"};
    // The share's index must be the one the CA certified for this card: a card cannot pose as another.
    if (released.share.index != index || !crypto::verifyShare(released.share, commitments_))
        return {Outcome::BadShare, index,
                name + "'s share does not match the public commitments: this card is faulty or "
                       "tampered with; it is set aside, please insert another card"};
    shares_.emplace(index, std::move(released.share));
    return {Outcome::Accepted, index, name + " accepted: " + progress()};
}

Bytes ShareCollector::activationKey() const {
    std::vector<crypto::FeldmanShare> chosen;
    for (const auto& [index, share] : shares_) {
        if (chosen.size() == needed()) break;
        chosen.push_back(share);
    }
    Bytes secret = crypto::combine(chosen, commitments_);
    return crypto::activationKey(secret, cardSetId_);
}

}  // namespace quorum::host
