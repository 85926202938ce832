// Collecting k partial signatures of one message for a threshold RSA card set: each card counted
// once, every proof checked against the manifest's verification key for that card (never a value
// the card or a partial file supplies), a partial that fails named and set aside, and the
// signature combined once enough genuine partials are in.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"
#include "crypto/shoup.hpp"

namespace quorum::host {

class PartialCollector {
public:
    // `key` comes from the card set's manifest; `digest` is the SHA-256 of the message.
    PartialCollector(crypto::shoup::PublicKey key, Bytes digest);

    enum class Outcome {
        Accepted,        // a new partial with a valid proof
        AlreadyCounted,  // this card's partial is already in
        NotNeeded,       // enough partials are already in
        BadProof,        // the partial fails its proof: the card is named
    };
    struct Result {
        Outcome outcome;
        int cardIndex;
        std::string message;  // one line for the people in the room
    };

    // `partial.index` must be the card index its certificate (or the partial file) names.
    Result offer(const crypto::shoup::Partial& partial);

    std::size_t collected() const { return partials_.size(); }
    std::size_t needed() const { return static_cast<std::size_t>(key_.k); }
    bool complete() const { return collected() >= needed(); }
    // Whether card `index` was counted already.
    bool counted(int index) const { return partials_.count(index) != 0; }
    // Why card `index` cannot take part now (counted already, or enough are in), or nullopt.
    std::optional<std::string> refusal(int index) const {
        if (counted(index)) return "card " + std::to_string(index) + " was already counted; please insert another card";
        if (complete()) return "card " + std::to_string(index) + " is not needed: " + progress() + " are in";
        return std::nullopt;
    }
    // "2 of 3 partial signatures"
    std::string progress() const;

    // The RSASSA-PKCS1-v1_5 signature from the first needed() partials, checked (y^e == x) before
    // it is returned. Throws crypto::shoup::ShoupError when fewer are in.
    Bytes signature() const;

private:
    crypto::shoup::PublicKey key_;
    Bytes digest_;
    std::map<int, crypto::shoup::Partial> partials_;
};

}  // namespace quorum::host
