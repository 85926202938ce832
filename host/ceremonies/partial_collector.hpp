// Collecting k partial signatures of one message - or k cards' batches of partial signatures of
// several messages - for a threshold RSA card set: each card counted once, every proof checked
// against the manifest's verification key for that card (never a value the card or a partial
// file supplies), a card whose partial or batch fails named and set aside, and the signatures
// combined once enough genuine partials are in.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/shoup.hpp"

namespace quorum::host {

// The counting both collectors share: k of the n cards of a set, each counted once, and the
// lines for the people in the room.
class QuorumTally {
public:
    enum class Outcome {
        Accepted,        // a new partial (or batch) with a valid proof
        AlreadyCounted,  // this card is already in
        NotNeeded,       // enough cards are already in
        BadProof,        // it fails its proof, or the card is not of this set: the card is named
    };
    struct Result {
        Outcome outcome;
        int cardIndex;
        std::string message;  // one line for the people in the room
    };

    std::size_t collected() const { return counted_.size(); }
    std::size_t needed() const { return static_cast<std::size_t>(k_); }
    bool complete() const { return collected() >= needed(); }
    // Whether card `index` was counted already.
    bool counted(int index) const { return counted_.count(index) != 0; }
    // Why card `index` cannot take part now (counted already, or enough are in), or nullopt.
    std::optional<std::string> refusal(int index) const;
    // "2 of 3 partial signatures"
    std::string progress() const;

protected:
    // `unit` names what each card gives, in the plural ("partial signatures").
    QuorumTally(int k, int n, std::string unit) : k_(k), n_(n), unit_(std::move(unit)) {}
    // The answer for card `index` when it is not of the set, counted already or not needed.
    std::optional<Result> screen(int index) const;
    // Counts card `index`, whose proof was checked.
    Result accept(int index);
    // Sets card `index` aside: `what` ("card 4's partial signature") fails its proof.
    static Result badProof(int index, const std::string& what);

private:
    int k_;
    int n_;
    std::string unit_;
    std::set<int> counted_;
};

class PartialCollector : public QuorumTally {
public:
    // `key` comes from the card set's manifest; `digest` is the SHA-256 of the message.
    PartialCollector(crypto::shoup::PublicKey key, Bytes digest);

    // `partial.index` must be the card index its certificate (or the partial file) names.
    Result offer(const crypto::shoup::Partial& partial);

    // The RSASSA-PKCS1-v1_5 signature from the first needed() partials, checked (y^e == x) before
    // it is returned. Throws crypto::shoup::ShoupError when fewer are in.
    Bytes signature() const;

private:
    crypto::shoup::PublicKey key_;
    Bytes digest_;
    std::map<int, crypto::shoup::Partial> partials_;
};

// The same for batches: each card signs all the digests with one proof (PARTIAL SIGN with
// several digests, docs/batch-proof.md); a card whose batch fails is named and set aside as a
// whole, and the signatures of every digest come from the same k cards.
class BatchCollector : public QuorumTally {
public:
    // `digests`: 2..16 SHA-256 digests, in the order the cards sign them; std::invalid_argument
    // for another count or a digest that is not 32 bytes.
    BatchCollector(crypto::shoup::PublicKey key, std::vector<Bytes> digests);

    // `index` must be the card index its certificate names; `batch` is what it answered.
    Result offer(int index, const crypto::shoup::BatchPartial& batch);

    const std::vector<Bytes>& digests() const { return digests_; }
    // One RSASSA-PKCS1-v1_5 signature per digest, in order, each from the first needed() batches
    // and checked (y^e == x). Throws crypto::shoup::ShoupError when fewer are in.
    std::vector<Bytes> signatures() const;

private:
    crypto::shoup::PublicKey key_;
    std::vector<Bytes> digests_;
    std::map<int, crypto::shoup::BatchPartial> batches_;
};

}  // namespace quorum::host
