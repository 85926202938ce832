// The card's share of a threshold RSA key (Shoup, protocol 1; crypto/shoup.hpp has the maths):
// stored at personalization or later on an issued card without a share, used only by PARTIAL
// SIGN for its holder inside a fully protected SCP11a session, each use counted
// (docs/apdu-spec.md; several digests with one proof: docs/batch-proof.md). The card formats the
// message itself, so it never exponentiates a value of the host's choosing.
#include <algorithm>
#include <optional>
#include <vector>

#include "apdu/status.hpp"
#include "crypto/shoup.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/card_response.hpp"
#include "firmware-model/rsa_share.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
namespace shoup = crypto::shoup;
using answer::status;

namespace {

// Uniform in [0, 2^{L(N) + 512}), L(N) the bit length of N (N's top byte is nonzero).
Bytes proofRandom(Coprocessor& coprocessor, const Bytes& modulus) {
    Bytes r(shoup::randomSize(modulus.size()));
    coprocessor.random(r.data(), r.size());
    std::uint8_t top = modulus.front(), mask = 0xFF;
    while ((top & 0x80) == 0) {
        top = static_cast<std::uint8_t>(top << 1);
        mask = static_cast<std::uint8_t>(mask >> 1);
    }
    r.front() &= mask;
    return r;
}

// The proof that log_v(v_i) == log_x~(x_i^2): c = H(v, x~, v_i, x_i^2, v^r, x~^r), z = s_i c + r.
struct Proof {
    Bytes challenge;
    Bytes response;
};

Proof prove(Coprocessor& coprocessor, const protocol::RsaShareRecord& key, const Bytes& xTilde,
            const Bytes& xiSquared) {
    const Bytes& n = key.modulus;
    const Bytes r = proofRandom(coprocessor, n);
    const Bytes vPrime = coprocessor.rsaNonCrt(n, r, key.v);
    const Bytes xPrime = coprocessor.rsaNonCrt(n, r, xTilde);
    Bytes c = shoup::challenge(n.size(), key.v, xTilde, key.vi, xiSquared, vPrime, xPrime);
    Bytes z = coprocessor.multiplyAdd(key.share, c, r, shoup::responseSize(n.size()));
    return {std::move(c), std::move(z)};  // r, like every Bytes, is zeroized when it goes
}

// value^2 mod N: the RSA engine with exponent 2.
Bytes square(Coprocessor& coprocessor, const Bytes& modulus, const Bytes& value) {
    return coprocessor.rsaNonCrt(modulus, {0x02}, value);
}

// ----- a b mod N for the batch's products ------------------------------------------------------
// Montgomery multiplication (Montgomery 1985; Handbook of Applied Cryptography 14.32) from the
// coprocessor's long multiplication (multiplyAdd) and applet arithmetic on byte strings: byte
// slices, a two's complement, a comparison and a subtraction. Every value it sees is public (the
// partials, u_j, the weights, N): no constant-time care is needed. docs/batch-proof.md has the
// Java Card notes, and the alternative for a card without a long multiplication.

// a < b for equally long big-endian numbers.
bool less(const Bytes& a, const Bytes& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// a - b for equally long big-endian numbers, a >= b.
Bytes minus(const Bytes& a, const Bytes& b) {
    Bytes difference(a.size());
    int borrow = 0;
    for (std::size_t k = a.size(); k-- > 0;) {
        const int byte = a[k] - b[k] - borrow;
        borrow = byte < 0 ? 1 : 0;
        difference[k] = static_cast<std::uint8_t>(byte + 256 * borrow);
    }
    return difference;
}

// 2^{8 size} - a, as `size` bytes (a's two's complement).
Bytes negated(const Bytes& a) {
    Bytes out(a.size());
    int carry = 1;
    for (std::size_t k = a.size(); k-- > 0;) {
        const int byte = (~a[k] & 0xFF) + carry;
        out[k] = static_cast<std::uint8_t>(byte);
        carry = byte >> 8;
    }
    return out;
}

// The low `size` bytes of a big-endian value (the value mod 2^{8 size}), and the others.
Bytes lowBytes(const Bytes& value, std::size_t size) {
    return Bytes(value.end() - static_cast<std::ptrdiff_t>(size), value.end());
}
Bytes highBytes(const Bytes& value, std::size_t size) {
    return Bytes(value.begin(), value.end() - static_cast<std::ptrdiff_t>(size));
}

// Multiplication mod N with R = 2^{8L}, L = N's size in bytes.
class MontgomeryMultiplier {
public:
    MontgomeryMultiplier(Coprocessor& coprocessor, const Bytes& modulus)
        : coprocessor_(coprocessor), modulus_(modulus), size_(modulus.size()), wideModulus_{0x00} {
        wideModulus_.insert(wideModulus_.end(), modulus.begin(), modulus.end());
        // N' = -N^-1 mod R by Newton's iteration y <- y (2 - N y), which doubles the low bits of y
        // that are right; y = N starts with three (N N = 1 mod 8 for any odd N).
        Bytes y = modulus;
        for (std::size_t bits = 3; bits < 8 * size_; bits *= 2) {
            const Bytes twoMinusNy = lowBytes(
                coprocessor_.multiplyAdd(negated(product(modulus, y)), {0x01}, {0x02}, size_ + 1),
                size_);
            y = product(y, twoMinusNy);
        }
        nPrime_ = negated(y);
        // R^2 mod N, from R mod N: R - N, less N while it is not below N (N's top byte is nonzero,
        // so R < 256 N), squared by the RSA engine.
        Bytes r = negated(modulus);
        while (!less(r, modulus)) r = minus(r, modulus);
        rSquared_ = coprocessor_.rsaNonCrt(modulus, {0x02}, r);
    }

    // a b mod N, for a and b below N.
    Bytes multiply(const Bytes& a, const Bytes& b) const {
        return reduce(coprocessor_.multiplyAdd(
            reduce(coprocessor_.multiplyAdd(a, b, {}, 2 * size_)), rSquared_, {}, 2 * size_));
    }

private:
    // a b mod R.
    Bytes product(const Bytes& a, const Bytes& b) const {
        return lowBytes(coprocessor_.multiplyAdd(a, b, {}, 2 * size_), size_);
    }

    // t R^-1 mod N for t < N R (2L bytes): (t + m N) / R with m = t N' mod R, then below N.
    Bytes reduce(const Bytes& t) const {
        const Bytes m = product(lowBytes(t, size_), nPrime_);
        Bytes result =
            highBytes(coprocessor_.multiplyAdd(m, modulus_, t, 2 * size_ + 1), size_);  // < 2N
        if (!less(result, wideModulus_)) result = minus(result, wideModulus_);
        return lowBytes(result, size_);
    }

    Coprocessor& coprocessor_;
    Bytes modulus_;
    std::size_t size_;
    Bytes wideModulus_;  // N with a zero byte in front
    Bytes nPrime_;
    Bytes rSquared_;
};

// prod_j bases_j^{w_j} mod N: one RSA engine call per power, one multiplication per product.
Bytes weightedProduct(Coprocessor& coprocessor, const MontgomeryMultiplier& multiplier,
                      const Bytes& modulus, const std::vector<Bytes>& bases,
                      const std::vector<Bytes>& weights) {
    Bytes product = coprocessor.rsaNonCrt(modulus, weights[0], bases[0]);
    for (std::size_t j = 1; j < bases.size(); ++j)
        product =
            multiplier.multiply(product, coprocessor.rsaNonCrt(modulus, weights[j], bases[j]));
    return product;
}

}  // namespace

protocol::PartialSignature computePartialSignature(Coprocessor& coprocessor, const protocol::RsaShareRecord& key,
                                                   const Bytes& digest) {
    const Bytes& n = key.modulus;
    // u = x^{2 Delta}; x_i = u^{s_i}; x~ = u^2 = x^{4 Delta}.
    const Bytes x = shoup::encodeMessage(digest, n.size());
    const Bytes twoDelta = coprocessor.multiplyAdd(shoup::delta(key.n), {0x02}, {}, 8);
    const Bytes u = coprocessor.rsaNonCrt(n, twoDelta, x);
    const Bytes xi = coprocessor.rsaNonCrt(n, key.share, u);
    Proof proof = prove(coprocessor, key, square(coprocessor, n, u), square(coprocessor, n, xi));
    return {xi, std::move(proof.challenge), std::move(proof.response)};
}

protocol::PartialSignatureBatch computePartialSignatureBatch(Coprocessor& coprocessor,
                                                             const protocol::RsaShareRecord& key,
                                                             const std::vector<Bytes>& digests) {
    const Bytes& n = key.modulus;
    const Bytes twoDelta = coprocessor.multiplyAdd(shoup::delta(key.n), {0x02}, {}, 8);
    std::vector<Bytes> raised;  // u_j = x_j^{2 Delta}
    protocol::PartialSignatureBatch batch;
    for (const Bytes& digest : digests) {
        raised.push_back(
            coprocessor.rsaNonCrt(n, twoDelta, shoup::encodeMessage(digest, n.size())));
        batch.values.push_back(
            coprocessor.rsaNonCrt(n, key.share, raised.back()));  // x_{i,j} = u_j^{s_i}
    }
    // The weights hash everything the proof is about; then X~ = (prod u_j^{w_j})^2 = prod
    // x~_j^{w_j}, X_i = prod x_{i,j}^{w_j}, and one proof that log_v(v_i) == log_X~(X_i^2).
    const std::vector<Bytes> weights =
        shoup::batchWeights(n, key.v, key.vi, key.n, key.index, digests, batch.values);
    const MontgomeryMultiplier multiplier(coprocessor, n);
    const Bytes uProduct = weightedProduct(coprocessor, multiplier, n, raised, weights);
    const Bytes xiProduct = weightedProduct(coprocessor, multiplier, n, batch.values, weights);
    Proof proof = prove(coprocessor, key, multiplier.multiply(uProduct, uProduct),
                        multiplier.multiply(xiProduct, xiProduct));
    batch.challenge = std::move(proof.challenge);
    batch.response = std::move(proof.response);
    return batch;
}

ResponseApdu Card::putRsaShare(const CommandApdu& command) {
    if (nvm_.read(field::kShare) || nvm_.read(field::kRsaShare)) return status(sw::kConditionsNotSatisfied);
    if (!protocol::RsaShareRecord::decode(command.data)) return status(sw::kWrongData);
    nvm_.begin();
    nvm_.write(field::kRsaShare, command.data);
    nvm_.write(field::kUsageCounter, protocol::encodeUsageCounter(0));
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::partialSign(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    const std::size_t count = command.data.size() / protocol::kPartialSignDigestSize;
    if (command.data.size() % protocol::kPartialSignDigestSize != 0 || count < 1 ||
        count > protocol::kMaxPartialSignDigests)
        return status(sw::kWrongLength);
    const auto record = nvm_.read(field::kRsaShare);
    if (!record) return status(sw::kReferencedDataNotFound);
    const auto key = protocol::RsaShareRecord::decode(*record);
    if (!key) return status(sw::kReferencedDataNotFound);
    if (count == 1) {
        protocol::PartialSignAnswer answer{
            computePartialSignature(coprocessor_, *key, command.data), 0};
        const auto counter = countRelease();
        if (!counter) return status(sw::kConditionsNotSatisfied);
        answer.usageCount = *counter;
        return ResponseApdu{answer.encode(), sw::kSuccess};
    }

    std::vector<Bytes> digests;
    for (auto at = command.data.begin(); at != command.data.end();
         at += static_cast<std::ptrdiff_t>(protocol::kPartialSignDigestSize))
        digests.emplace_back(at,
                             at + static_cast<std::ptrdiff_t>(protocol::kPartialSignDigestSize));
    protocol::PartialSignBatchAnswer answer{
        computePartialSignatureBatch(coprocessor_, *key, digests), 0};
    // One use per partial signature, all committed at once before the answer (a port adds m in
    // one write); a counter that cannot take all m refuses the whole batch.
    nvm_.begin();
    std::optional<std::uint32_t> counter;
    for (std::size_t j = 0; j < count; ++j)
        if (!(counter = countRelease())) break;
    if (!counter) {
        nvm_.abort();
        return status(sw::kConditionsNotSatisfied);
    }
    nvm_.commit();
    answer.usageCount = *counter;
    return ResponseApdu{answer.encode(), sw::kSuccess};
}

}  // namespace quorum::card
