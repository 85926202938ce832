#include "host/ceremonies/partial_collector.hpp"

#include <algorithm>
#include <vector>

namespace quorum::host {

PartialCollector::PartialCollector(crypto::shoup::PublicKey key, Bytes digest)
    : key_(std::move(key)), digest_(std::move(digest)) {}

std::string PartialCollector::progress() const {
    return std::to_string(std::min(collected(), needed())) + " of " + std::to_string(needed()) + " partial signatures";
}

PartialCollector::Result PartialCollector::offer(const crypto::shoup::Partial& partial) {
    const int index = partial.index;
    const std::string name = "card " + std::to_string(index);
    if (index < 1 || index > key_.n)
        return {Outcome::BadProof, index, name + " is not a card of this set (1.." + std::to_string(key_.n) + ")"};
    if (partials_.count(index))
        return {Outcome::AlreadyCounted, index, name + " was already counted; please use another card"};
    if (complete()) return {Outcome::NotNeeded, index, name + " is not needed: " + progress() + " are in"};
    if (!crypto::shoup::verifyPartial(key_, partial, digest_))
        return {Outcome::BadProof, index,
                name + "'s partial signature fails its proof against the manifest: this card is faulty or "
                       "tampered with; it is set aside, please use another card"};
    partials_.emplace(index, partial);
    return {Outcome::Accepted, index, name + " accepted: " + progress()};
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

}  // namespace quorum::host
