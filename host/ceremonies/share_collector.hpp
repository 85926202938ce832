// Collecting k shares of one card set, card by card, as people insert their cards: each card
// counted once, a share that does not match the public commitments named and set aside, and the
// activation key derived once enough genuine shares are in.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "crypto/feldman.hpp"
#include "host/card/quorum_card.hpp"

namespace quorum::host {

class ShareCollector {
public:
    // `commitments` and `cardSetId` come from the card set's public manifest.
    ShareCollector(crypto::FeldmanCommitments commitments, Bytes cardSetId);

    enum class Outcome {
        Accepted,        // a new genuine share
        AlreadyCounted,  // this card's share is already in
        NotNeeded,       // enough shares are already in
        WrongDeal,       // the card holds a share of other commitments
        BadShare,        // the share does not match the commitments: the card is named
    };
    struct Result {
        Outcome outcome;
        int cardIndex;
        std::string message;  // one line for the people in the room
    };

    // `card` is what the card's verified certificate says; `released` what GET SHARE returned.
    Result offer(const crypto::CertificateInfo& card, ReleasedShare released);

    std::size_t collected() const { return shares_.size(); }
    std::size_t needed() const { return commitments_.threshold(); }
    bool complete() const { return collected() >= needed(); }
    // Whether card `index` was counted already.
    bool counted(int index) const { return shares_.count(index) != 0; }
    // Why card `index` cannot take part now (counted already, or enough are in), or nullopt.
    std::optional<std::string> refusal(int index) const {
        if (counted(index)) return "card " + std::to_string(index) + " was already counted; please insert another card";
        if (complete()) return "card " + std::to_string(index) + " is not needed: " + progress() + " are in";
        return std::nullopt;
    }
    // "2 of 3 shares"
    std::string progress() const;

    // The card set's activation key (Feldman combine, check against C_0, HKDF). Throws
    // crypto::FeldmanError when fewer than needed() shares are in.
    Bytes activationKey() const;

private:
    crypto::FeldmanCommitments commitments_;
    Bytes digest_;
    Bytes cardSetId_;
    std::map<int, crypto::FeldmanShare> shares_;
};

}  // namespace quorum::host
