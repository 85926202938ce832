#include "host/ceremonies/partial_collector.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

namespace quorum::host {

namespace {

std::string card(int index) {
    return "card " + std::to_string(index);
}

}  // namespace

// ----- QuorumTally ----------------------------------------------------------------------------

std::string QuorumTally::progress() const {
    return std::to_string(std::min(collected(), needed())) + " of " + std::to_string(needed()) +
           " " + unit_;
}

std::optional<std::string> QuorumTally::refusal(int index) const {
    if (counted(index)) return card(index) + " was already counted; please insert another card";
    if (complete()) return card(index) + " is not needed: " + progress() + " are in";
    return std::nullopt;
}

std::optional<QuorumTally::Result> QuorumTally::screen(int index) const {
    const std::string name = card(index);
    if (index < 1 || index > n_)
        return Result{Outcome::BadProof, index,
                      name + " is not a card of this set (1.." + std::to_string(n_) + ")"};
    if (counted(index))
        return Result{Outcome::AlreadyCounted, index,
                      name + " was already counted; please use another card"};
    if (complete())
        return Result{Outcome::NotNeeded, index,
                      name + " is not needed: " + progress() + " are in"};
    return std::nullopt;
}

QuorumTally::Result QuorumTally::accept(int index) {
    counted_.insert(index);
    return {Outcome::Accepted, index, card(index) + " accepted: " + progress()};
}

QuorumTally::Result QuorumTally::badProof(int index, const std::string& what) {
    return {Outcome::BadProof, index,
            what +
                " fails its proof against the manifest: this card is faulty or tampered with; it "
                "is set "
                "aside, please use another card"};
}

// ----- PartialCollector -----------------------------------------------------------------------

PartialCollector::PartialCollector(crypto::shoup::PublicKey key, Bytes digest)
    : QuorumTally(key.k, key.n, "partial signatures"),
      key_(std::move(key)),
      digest_(std::move(digest)) {}

PartialCollector::Result PartialCollector::offer(const crypto::shoup::Partial& partial) {
    const int index = partial.index;
    if (auto refused = screen(index)) return *refused;
    if (!crypto::shoup::verifyPartial(key_, partial, digest_))
        return badProof(index, card(index) + "'s partial signature");
    partials_.emplace(index, partial);
    return accept(index);
}

Bytes PartialCollector::signature() const {
    std::vector<crypto::shoup::Partial> chosen;
    for (const auto& [index, partial] : partials_) {
        if (chosen.size() == needed()) break;
        chosen.push_back(partial);
    }
    // Every proof was checked in offer(); combine() still checks the signature itself.
    return crypto::shoup::combine(key_, chosen, digest_, false);
}

// ----- BatchCollector -------------------------------------------------------------------------

namespace {

// "batches of 9 partial signatures", after checking the digests.
std::string batchUnit(const std::vector<Bytes>& digests) {
    namespace shoup = crypto::shoup;
    if (digests.size() < shoup::kMinBatch || digests.size() > shoup::kMaxBatch)
        throw std::invalid_argument("a batch has " + std::to_string(shoup::kMinBatch) + " to " +
                                    std::to_string(shoup::kMaxBatch) + " digests, not " +
                                    std::to_string(digests.size()));
    for (const Bytes& digest : digests)
        if (digest.size() != shoup::kDigestSize)
            throw std::invalid_argument("a batch takes 32-byte SHA-256 digests, not " +
                                        std::to_string(digest.size()) + " bytes");
    return "batches of " + std::to_string(digests.size()) + " partial signatures";
}

}  // namespace

BatchCollector::BatchCollector(crypto::shoup::PublicKey key, std::vector<Bytes> digests)
    : QuorumTally(key.k, key.n, batchUnit(digests)),
      key_(std::move(key)),
      digests_(std::move(digests)) {}

BatchCollector::Result BatchCollector::offer(int index, const crypto::shoup::BatchPartial& batch) {
    if (auto refused = screen(index)) return *refused;
    if (!crypto::shoup::verifyBatch(key_, index, batch, digests_))
        return badProof(index, card(index) + "'s batch of " + std::to_string(digests_.size()) +
                                   " partial signatures");
    batches_.emplace(index, batch);
    return accept(index);
}

std::vector<Bytes> BatchCollector::signatures() const {
    std::vector<Bytes> result;
    for (std::size_t j = 0; j < digests_.size(); ++j) {
        std::vector<crypto::shoup::Partial> chosen;
        for (const auto& [index, batch] : batches_) {
            if (chosen.size() == needed()) break;
            chosen.push_back(batch.partial(index, j));
        }
        // Every batch proof was checked in offer(); combine() still checks each signature.
        result.push_back(crypto::shoup::combine(key_, chosen, digests_[j], false));
    }
    return result;
}

}  // namespace quorum::host
