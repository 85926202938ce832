#include "crypto/reshare.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <array>
#include <cstring>
#include <utility>

#include "crypto/openssl_util.hpp"
#include "crypto/p256_math.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto::reshare {

namespace {

using ossl::Bn;
using p256::Curve;
using p256::Point;

constexpr const char* kInfoLabel = "quorum reshare v1";
constexpr std::size_t kNonceSize = 12;

std::string oldCard(int index) { return "old card " + std::to_string(index); }

// The box key: HKDF-SHA256(Z, salt = E || P_j, info = label || context || i || j).
Bytes boxKey(const Bytes& z, const Bytes& ephemeral, const Bytes& recipient, const Bytes& context,
             std::uint8_t from, std::uint8_t to) {
    Bytes salt = ephemeral;
    salt.insert(salt.end(), recipient.begin(), recipient.end());
    const auto* label = reinterpret_cast<const std::uint8_t*>(kInfoLabel);
    Bytes info(label, label + std::strlen(kInfoLabel));
    info.insert(info.end(), context.begin(), context.end());
    info.push_back(from);
    info.push_back(to);
    return hkdfSha256(z, salt, info, 32);
}

// i || j || SHA-256(encoded D_i).
Bytes boxAad(std::uint8_t from, std::uint8_t to, const Bytes& commitmentsDigest) {
    Bytes aad{from, to};
    aad.insert(aad.end(), commitmentsDigest.begin(), commitmentsDigest.end());
    return aad;
}

// Each key seals one box, so a fixed nonce never repeats under a key.
const Bytes& zeroNonce() {
    static const Bytes nonce(kNonceSize, 0x00);
    return nonce;
}

Sealed sealWithDigest(const Curve& curve, std::uint8_t from, const NewCard& to, const Bytes& subShare,
                      const Bytes& commitmentsDigest, const Bytes& context, const std::string& op) {
    if (subShare.size() != kFeldmanScalarSize)
        throw std::invalid_argument(op + ": a sub-share is 32 bytes, not " + std::to_string(subShare.size()));
    const std::optional<Point> recipient = p256::readPoint(curve, to.publicKey, op);
    if (!recipient)
        throw std::invalid_argument(op + ": the key of new card " + std::to_string(to.index) +
                                    " is not an uncompressed point on P-256");
    // ECDH with a one-time key: E = e G, Z = x(e P_j).
    const Bn e = p256::randomScalar(curve, op);
    const Point ephemeral = p256::baseMultiple(curve, e.get(), op);
    const Point shared = p256::multiple(curve, recipient->get(), e.get(), op);
    Sealed sealed{from, to.index, p256::writePoint(curve, ephemeral.get(), op), {}};
    const Bytes key = boxKey(p256::xCoordinate(curve, shared.get(), op), sealed.ephemeral, to.publicKey, context,
                             from, to.index);
    sealed.box = aesGcmEncrypt(key, zeroNonce(), subShare, boxAad(from, to.index, commitmentsDigest));
    return sealed;
}

// The 65-byte encoding of `point`, or nothing for the point at infinity.
Bytes encodeOrEmpty(const Curve& curve, const EC_POINT* point, const std::string& op) {
    if (EC_POINT_is_at_infinity(curve.group.get(), point) == 1) return Bytes{};
    return p256::writePoint(curve, point, op);
}

// Whether two points are equal, compared as encodings with CRYPTO_memcmp.
bool samePointConstantTime(const Curve& curve, const EC_POINT* a, const EC_POINT* b,
                           const std::string& op) {
    return constantTimeEqual(encodeOrEmpty(curve, a, op), encodeOrEmpty(curve, b, op));
}

// The old cards of B with their commitments read, all checked to fit together.
struct OldCards {
    std::vector<int> indexes;
    std::vector<std::vector<Point>> commitments;  // D_i0 .. D_i,k'-1 per old card
};

OldCards readOldCards(const Curve& curve, const std::vector<Redistribution>& b,
                      const std::string& op) {
    if (b.empty()) throw ReshareError(op + ": no redistribution given");
    OldCards old;
    std::array<bool, 256> seen{};
    for (const Redistribution& r : b) {
        const int from = r.from;
        if (from == 0) throw ReshareError(op + ": card 0 is not an old card's index", 0);
        if (seen[r.from]) throw ReshareError(op + ": " + oldCard(from) + " appears twice", from);
        seen[r.from] = true;
        try {
            old.commitments.push_back(p256::readCommitments(curve, r.commitments, op));
        } catch (const FeldmanError& e) {
            throw ReshareError(op + ": the commitments of " + oldCard(from) + " are unusable (" +
                                   e.what() + ")",
                               from);
        }
        const std::size_t newK = old.commitments.front().size();
        if (old.commitments.back().size() != newK)
            throw ReshareError(op + ": " + oldCard(from) + " redistributed with threshold " +
                                   std::to_string(old.commitments.back().size()) + ", " +
                                   oldCard(b.front().from) + " with " + std::to_string(newK),
                               from);
        old.indexes.push_back(from);
    }
    return old;
}

// C'_l = sum_i lambda_i D_il.
FeldmanCommitments weightedSum(const Curve& curve, const OldCards& old, const std::string& op) {
    std::vector<Bn> lagrange;
    for (std::size_t i = 0; i < old.indexes.size(); ++i)
        lagrange.push_back(p256::lagrangeAtZero(curve, old.indexes, i, op));
    FeldmanCommitments combined;
    Point sum = curve.newPoint(op);
    Point term = curve.newPoint(op);
    for (std::size_t l = 0; l < old.commitments.front().size(); ++l) {
        if (EC_POINT_set_to_infinity(curve.group.get(), sum.get()) != 1)
            ossl::fail(op + ": EC_POINT_set_to_infinity failed");
        for (std::size_t i = 0; i < old.indexes.size(); ++i) {
            if (EC_POINT_mul(curve.group.get(), term.get(), nullptr, old.commitments[i][l].get(),
                             lagrange[i].get(), curve.ctx.get()) != 1 ||
                EC_POINT_add(curve.group.get(), sum.get(), sum.get(), term.get(), curve.ctx.get()) != 1)
                ossl::fail(op + ": point arithmetic failed");
        }
        if (EC_POINT_is_at_infinity(curve.group.get(), sum.get()) == 1)
            throw ReshareError(op + ": the combined commitment C'_" + std::to_string(l) +
                               " is the point at infinity: these redistributions do not fit together");
        combined.points.push_back(p256::writePoint(curve, sum.get(), op));
    }
    return combined;
}

// g_i(j) from old card `r.from`'s box for card `j`; ReshareError (Fault::Box) when there is none
// for j or it does not open for this card (private scalar `d`, public point `ownPoint`), context
// and commitments.
Bytes openBox(const Curve& curve, const Redistribution& r, std::uint8_t j, const BIGNUM* d,
              const Bytes& ownPoint, const Bytes& context, const std::string& op) {
    const int from = r.from;
    const Sealed* found = nullptr;
    for (const Sealed& sealed : r.sealed)
        if (sealed.to == j && found == nullptr) found = &sealed;
    if (found == nullptr)
        throw ReshareError(op + ": " + oldCard(from) + " sent no box for card " + std::to_string(j), from,
                           Fault::Box);
    const std::optional<Point> ephemeral = p256::readPoint(curve, found->ephemeral, op);
    try {
        if (!ephemeral || found->from != r.from || found->box.size() != kBoxSize) throw CryptoError("not this box");
        const Point shared = p256::multiple(curve, ephemeral->get(), d, op);  // Z = x(d_j E)
        const Bytes key = boxKey(p256::xCoordinate(curve, shared.get(), op), found->ephemeral, ownPoint, context,
                                 r.from, j);
        return aesGcmDecrypt(key, zeroNonce(), found->box, boxAad(r.from, j, r.commitments.digest()));
    } catch (const CryptoError&) {
        throw ReshareError(op + ": the box of " + oldCard(from) + " for card " + std::to_string(j) +
                               " does not open (altered, sealed for another card or another "
                               "redistribution, or its commitments were changed)",
                           from, Fault::Box);
    }
}

}  // namespace

Sealed seal(std::uint8_t from, const NewCard& to, const Bytes& subShare,
            const FeldmanCommitments& commitments, const Bytes& context) {
    const std::string op = "reshare seal";
    const Curve curve(op);
    return sealWithDigest(curve, from, to, subShare, commitments.digest(), context, op);
}

Redistribution redistribute(const FeldmanShare& share, int newK, const std::vector<NewCard>& newCards,
                            const Bytes& context) {
    const std::string op = "reshare redistribute";
    const std::size_t newN = newCards.size();
    if (newN < 1 || newN > static_cast<std::size_t>(kFeldmanMaxShares))
        throw std::invalid_argument(op + ": " + std::to_string(newN) +
                                    " new cards; 1 to 255 are possible");
    if (newK < 1 || static_cast<std::size_t>(newK) > newN)
        throw std::invalid_argument(op + ": the new threshold " + std::to_string(newK) +
                                    " is out of range (need 1 <= k' <= n' = " + std::to_string(newN) + ")");
    if (share.index == 0) throw std::invalid_argument(op + ": share index 0 is the secret itself");
    const Curve curve(op);
    std::optional<Bn> value = p256::readScalar(curve, share.value, op);
    if (!value || BN_is_zero(value->get()))
        throw std::invalid_argument(op + ": the share is not a nonzero 32-byte scalar below q");
    std::array<bool, 256> seen{};
    for (const NewCard& card : newCards) {
        if (card.index == 0) throw std::invalid_argument(op + ": new card index 0 is not allowed");
        if (seen[card.index])
            throw std::invalid_argument(op + ": new card " + std::to_string(card.index) + " appears twice");
        seen[card.index] = true;
        if (!p256::readPoint(curve, card.publicKey, op))
            throw std::invalid_argument(op + ": the key of new card " + std::to_string(card.index) +
                                        " is not an uncompressed point on P-256");
    }

    // g_i(x) = s_i + b_i1 x + ... + b_i,k'-1 x^{k'-1}.
    std::vector<Bn> coefficients;
    coefficients.push_back(std::move(*value));
    for (int l = 1; l < newK; ++l) coefficients.push_back(p256::randomScalar(curve, op));
    Redistribution result{share.index, p256::commit(curve, coefficients, op), {}};
    const Bytes digest = result.commitments.digest();
    for (const NewCard& card : newCards) {
        const Bn subShare = p256::polynomialAt(curve, coefficients, card.index, op);
        result.sealed.push_back(
            sealWithDigest(curve, share.index, card, p256::writeScalar(subShare.get(), op), digest, context, op));
    }
    return result;
}

bool fromShareHolder(const Redistribution& r, const FeldmanCommitments& oldCommitments) {
    const std::string op = "reshare fromShareHolder";
    if (r.from == 0) return false;
    const Curve curve(op);
    std::vector<Point> old, published;
    try {
        old = p256::readCommitments(curve, oldCommitments, op);
        published = p256::readCommitments(curve, r.commitments, op);
    } catch (const FeldmanError&) {
        return false;
    }
    const Point expected = p256::pointPolynomialAt(curve, old, r.from, op);  // Y_i
    return samePointConstantTime(curve, expected.get(), published.front().get(), op);
}

FeldmanCommitments combinedCommitments(const std::vector<Redistribution>& b) {
    const std::string op = "reshare combinedCommitments";
    const Curve curve(op);
    return weightedSum(curve, readOldCards(curve, b, op), op);
}

FeldmanShare receive(std::uint8_t j, const EcPrivateKey& cardKey, const std::vector<Redistribution>& b,
                     const Bytes& context) {
    const std::string op = "reshare receive";
    if (j == 0) throw ReshareError(op + ": card 0 is not a share index");
    const Curve curve(op);
    const OldCards old = readOldCards(curve, b, op);
    const std::optional<Bn> d = p256::readScalar(curve, cardKey.scalar(), op);
    if (!d) throw CryptoError(op + ": the card's private key is not a P-256 scalar");
    const Point own = p256::baseMultiple(curve, d->get(), op);
    const Bytes ownPoint = p256::writePoint(curve, own.get(), op);  // P_j

    std::vector<Bn> subShares;
    std::vector<const BIGNUM*> values;
    for (std::size_t i = 0; i < b.size(); ++i) {
        const int from = b[i].from;
        const Bytes opened = openBox(curve, b[i], j, d->get(), ownPoint, context, op);
        std::optional<Bn> g = p256::readScalar(curve, opened, op);
        const std::string fails = op + ": the sub-share of " + oldCard(from) + " for card " +
                                  std::to_string(j) + " does not match its commitments";
        if (!g) throw ReshareError(fails + " (not a scalar below q)", from, Fault::SubShare);
        // g_i(j) * G == sum_l j^l D_il.
        const Point actual = p256::baseMultiple(curve, g->get(), op);
        const Point expected = p256::pointPolynomialAt(curve, old.commitments[i], j, op);
        if (!samePointConstantTime(curve, actual.get(), expected.get(), op))
            throw ReshareError(fails, from, Fault::SubShare);
        values.push_back(g->get());
        subShares.push_back(std::move(*g));
    }
    const Bn share = p256::interpolateAtZero(curve, old.indexes, values, op);
    return FeldmanShare{j, p256::writeScalar(share.get(), op)};
}

}  // namespace quorum::crypto::reshare
