#include "conformance/reshare_values.hpp"

#include <openssl/crypto.h>

#include <string>
#include <vector>

#include "conformance/conversation.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/reshare.hpp"

namespace quorum::conformance {

namespace {

constexpr int kNewCards = 3;     // RESHARE OUT: to new cards 1, 2, 3
constexpr int kNewThreshold = 2;  // k' of every redistribution here

// The 32-byte piece `number` (0-based) of a value made of such pieces.
Bytes piece(const Values& values, const std::string& name, int number) {
    const Bytes& all = knownValue(values, name);
    const auto from = static_cast<std::size_t>(number) * 32;
    if (from + 32 > all.size()) throw StepFailure("{" + name + "} has fewer than " + std::to_string(number + 1) + " keys");
    return Bytes(all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(from + 32));
}

crypto::FeldmanShare testShare(const Values& values, int index) {
    return {static_cast<std::uint8_t>(index), piece(values, "test_shares", index - 1)};
}

Bytes reshareIn(const Bytes& context, const std::vector<crypto::reshare::Redistribution>& from) {
    protocol::ReshareInRequest request{context, {}};
    for (const auto& r : from) request.redistributions.push_back(protocol::recordOf(r));
    return request.encode();
}

Bytes reshareOut(int newK, const Bytes& context, const std::vector<Bytes>& certificates) {
    // k' outside 1..n' is what some requests must carry, and encode() refuses it: the byte is
    // set afterwards (80 01 k' opens the data).
    Bytes data = protocol::ReshareOutRequest{1, context, certificates}.encode();
    data.at(2) = static_cast<std::uint8_t>(newK);
    return data;
}

}  // namespace

void addNewCardRequests(Values& values, const crypto::CeremonyCa& ca) {
    std::vector<crypto::EcPublicKey> keys;
    std::vector<Bytes> certificates;
    for (int j = 1; j <= kNewCards; ++j) {
        keys.push_back(crypto::EcPrivateKey::fromScalar(piece(values, "new_card_keys", j - 1)).publicKey());
        certificates.push_back(ca.issueCard(keys.back(), j).der());
    }
    const Bytes& context = knownValue(values, "reshare_context");
    values["reshare_out_request"] = reshareOut(kNewThreshold, context, certificates);
    values["reshare_out_k0"] = reshareOut(0, context, certificates);
    values["reshare_out_k4"] = reshareOut(kNewCards + 1, context, certificates);
    values["reshare_out_host"] =
        reshareOut(kNewThreshold, context, {certificates[0], knownValue(values, "host_certificate"), certificates[2]});
    values["reshare_out_twice"] = reshareOut(kNewThreshold, context, {certificates[0], certificates[0], certificates[2]});
    // Card 2 certified by a CA of the same name and card set but another key, and card 2's own
    // certificate with its signature altered (the last byte is the signature's).
    const auto impostor = crypto::CeremonyCa::create(ca.certificate().info().subject, ca.cardSetId());
    values["reshare_out_foreign"] =
        reshareOut(kNewThreshold, context, {certificates[0], impostor.issueCard(keys[1], 2).der(), certificates[2]});
    Bytes forged = certificates[1];
    forged.back() ^= 0x01;
    values["reshare_out_forged"] = reshareOut(kNewThreshold, context, {certificates[0], forged, certificates[2]});
}

void addRedistributionsToCard(Values& values) {
    using crypto::reshare::NewCard;
    using crypto::reshare::Redistribution;
    if (values.count("reshare_in_request") != 0) return;
    const auto certificate = crypto::Certificate::fromDer(knownValue(values, "card_certificate"));
    const auto index = certificate.info().cardIndex;
    if (!index) throw StepFailure("the card's certificate names no card index");
    const NewCard card{static_cast<std::uint8_t>(*index), certificate.publicKey().point()};
    const auto otherKey = [] { return crypto::EcPrivateKey::generate().publicKey().point(); };
    const std::uint8_t other = card.index == 1 ? 2 : 1;
    const std::uint8_t third = card.index == 3 ? 4 : 3;
    const std::vector<NewCard> cards{card, {other, otherKey()}};
    const Bytes& context = knownValue(values, "reshare_context");

    const auto r1 = crypto::reshare::redistribute(testShare(values, 1), kNewThreshold, cards, context);
    const auto r2 = crypto::reshare::redistribute(testShare(values, 2), kNewThreshold, cards, context);
    const auto r3 = crypto::reshare::redistribute(testShare(values, 3), kNewThreshold, cards, context);
    values["card_index"] = Bytes{card.index};
    values["reshare_in_request"] = reshareIn(context, {r2, r3});
    values["reshare_in_digest"] = crypto::reshare::combinedCommitments({r2, r3}).digest();
    values["reshare_in_request_13"] = reshareIn(context, {r1, r3});
    const auto c13 = crypto::reshare::combinedCommitments({r1, r3});
    values["reshare_in_digest_13"] = c13.digest();
    values["reshare_commitments_13"] = c13.encode();

    // The card's box is the first of each redistribution (cards lists it first).
    Redistribution altered = r3;
    altered.sealed.at(0).box.at(0) ^= 0x01;
    values["reshare_in_bad_box"] = reshareIn(context, {r2, altered});

    Redistribution cheating = r3;
    Bytes wrong = crypto::randomBytes(32);
    wrong[0] = static_cast<std::uint8_t>((wrong[0] & 0x7F) | 0x01);  // below q, not zero
    cheating.sealed.at(0) = crypto::reshare::seal(3, card, wrong, r3.commitments, context);
    values["reshare_in_bad_subshare"] = reshareIn(context, {r2, cheating});

    Redistribution withoutBox = r2;
    withoutBox.sealed.erase(withoutBox.sealed.begin());
    values["reshare_in_no_box"] = reshareIn(context, {withoutBox, r3});

    Bytes otherContext = context;
    otherContext.push_back('!');
    values["reshare_in_other_context"] =
        reshareIn(context, {crypto::reshare::redistribute(testShare(values, 2), kNewThreshold, cards, otherContext),
                            crypto::reshare::redistribute(testShare(values, 3), kNewThreshold, cards, otherContext)});

    std::vector<NewCard> threeCards = cards;
    threeCards.push_back({third, otherKey()});
    values["reshare_in_mixed_k"] =
        reshareIn(context, {r2, crypto::reshare::redistribute(testShare(values, 3), 3, threeCards, context)});
    values["reshare_in_twice"] = reshareIn(context, {r2, r2});
}

void checkReshareOut(const Values& values) {
    protocol::RedistributionRecord record;
    try {
        record = protocol::RedistributionRecord::decode(knownValue(values, "reshare_out_record"));
    } catch (const protocol::DecodeError& e) {
        throw StepFailure(std::string("the redistribution record cannot be read: ") + e.what());
    }
    crypto::reshare::Redistribution r;
    try {
        r = protocol::redistributionOf<crypto::reshare::Redistribution>(record);
    } catch (const crypto::FeldmanError& e) {
        throw StepFailure(std::string("the commitments D_i are not points of P-256: ") + e.what());
    }
    if (r.commitments.threshold() != static_cast<std::size_t>(kNewThreshold))
        throw StepFailure("k' is " + std::to_string(r.commitments.threshold()) + ", the request said 2");
    if (r.sealed.size() != static_cast<std::size_t>(kNewCards))
        throw StepFailure(std::to_string(r.sealed.size()) + " boxes, one for each of the 3 new cards expected");
    for (int j = 1; j <= kNewCards; ++j)
        if (r.sealed[static_cast<std::size_t>(j - 1)].to != j)
            throw StepFailure("box " + std::to_string(j) + " is for card " +
                              std::to_string(r.sealed[static_cast<std::size_t>(j - 1)].to) +
                              ": the boxes come in the certificates' order, cards 1, 2, 3");

    // The deals a share of the card can belong to: the test deal (PUT DATA, as test share 1) and
    // the one RESHARE IN gave it (as card j).
    bool own = false;
    const std::vector<std::pair<std::string, std::string>> deals{{"test_commitments", "test_share_record"},
                                                                 {"kept_commitments", "card_index"}};
    for (const auto& [commitments, index] : deals) {
        if (values.count(commitments) == 0 || values.count(index) == 0) continue;
        if (record.from == knownValue(values, index).at(0) &&
            crypto::reshare::fromShareHolder(r, crypto::FeldmanCommitments::decode(knownValue(values, commitments))))
            own = true;
    }
    if (!own)
        throw StepFailure("old card " + std::to_string(record.from) +
                          "'s D_i0 is not its share's public point sum_l i^l C_l: it redistributed something else");

    const Bytes& context = knownValue(values, "reshare_context");
    for (int j = 1; j <= kNewCards; ++j) {
        const auto key = crypto::EcPrivateKey::fromScalar(piece(values, "new_card_keys", j - 1));
        try {
            (void)crypto::reshare::receive(static_cast<std::uint8_t>(j), key, {r}, context);
        } catch (const crypto::reshare::ReshareError& e) {
            throw StepFailure("new card " + std::to_string(j) + " cannot take its sub-share: " + e.what());
        }
    }
}

void keepReshared(Values& values) { values["kept_commitments"] = knownValue(values, "reshare_commitments_13"); }

Bytes commitmentsWithDigest(const Values& values, const Bytes& digest) {
    for (const char* name : {"test_commitments", "kept_commitments"}) {
        const auto found = values.find(name);
        if (found == values.end()) continue;
        const Bytes mine = crypto::sha256(found->second);
        if (mine.size() == digest.size() && CRYPTO_memcmp(mine.data(), digest.data(), mine.size()) == 0)
            return found->second;
    }
    throw StepFailure("the share's commitments digest is not the digest of the set's commitments");
}

}  // namespace quorum::conformance
