#include "crypto/feldman.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/ec.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/p256_math.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto {

namespace {

constexpr const char* kActivationInfo = "quorum-cards activation key v1";
constexpr int kBatchWeightBits = 128;  // a bad share passes a batch check with chance <= 2^-128

using ossl::fail;
using ossl::Bn;
using ossl::publicBn;
using ossl::secretBn;
using p256::Curve;
using p256::Point;
using p256::baseMultiple;
using p256::readCommitments;
using p256::readScalar;
using p256::samePoint;
using p256::writeScalar;

std::string plural(std::size_t count, const char* one, const char* many) {
    return std::to_string(count) + " " + (count == 1 ? one : many);
}

// A share with its value read (index 1..255, value below q).
struct ParsedShare {
    int index = 0;
    Bn value;
};

// Whether the shares [begin, end) all satisfy s_x * G == sum_j x^j * C_j. One share is checked
// exactly. Several are checked together with random 128-bit weights r_x:
//     (sum_x r_x s_x) * G == sum_j (sum_x r_x x^j) * C_j,
// which costs k point multiplications however many shares there are; if any share is bad the
// two sides differ except with probability at most 2^-128.
bool sharesMatch(const Curve& curve, const std::vector<Point>& commitments,
                 const std::vector<ParsedShare>& shares, std::size_t begin, std::size_t end,
                 const std::string& op) {
    const std::size_t k = commitments.size();
    const BIGNUM* q = curve.order;
    BN_CTX* ctx = curve.ctx.get();

    std::vector<Bn> weights;  // e_j = sum_x r_x x^j mod q
    weights.reserve(k);
    for (std::size_t j = 0; j < k; ++j) weights.push_back(publicBn(op));
    Bn lhs = secretBn(op);  // sum_x r_x s_x mod q
    BN_zero(lhs.get());
    Bn term = secretBn(op);
    Bn r = publicBn(op, 1);
    Bn power = publicBn(op);

    for (std::size_t i = begin; i < end; ++i) {
        if (end - begin > 1 &&
            BN_rand_ex(r.get(), kBatchWeightBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY, 0, ctx) !=
                1)
            fail(op + ": BN_rand_ex failed");
        const Bn x = publicBn(op, static_cast<BN_ULONG>(shares[i].index));
        if (BN_mod_mul(term.get(), r.get(), shares[i].value.get(), q, ctx) != 1 ||
            BN_mod_add(lhs.get(), lhs.get(), term.get(), q, ctx) != 1 ||
            BN_copy(power.get(), r.get()) == nullptr)
            fail(op + ": scalar arithmetic failed");
        for (std::size_t j = 0; j < k; ++j) {
            if (BN_mod_add(weights[j].get(), weights[j].get(), power.get(), q, ctx) != 1 ||
                BN_mod_mul(power.get(), power.get(), x.get(), q, ctx) != 1)
                fail(op + ": scalar arithmetic failed");
        }
    }

    const Point left = baseMultiple(curve, lhs.get(), op);
    Point right = curve.newPoint(op);
    Point product = curve.newPoint(op);
    if (EC_POINT_set_to_infinity(curve.group.get(), right.get()) != 1)
        fail(op + ": EC_POINT_set_to_infinity failed");
    for (std::size_t j = 0; j < k; ++j) {
        if (EC_POINT_mul(curve.group.get(), product.get(), nullptr, commitments[j].get(),
                         weights[j].get(), ctx) != 1 ||
            EC_POINT_add(curve.group.get(), right.get(), right.get(), product.get(), ctx) != 1)
            fail(op + ": point arithmetic failed");
    }
    return samePoint(curve, left.get(), right.get(), op);
}

// The position of the first share in [begin, end) that does not match, found by halving with
// batch checks (about 2 log2(n) of them), each single share checked exactly at the end.
std::optional<std::size_t> firstMismatch(const Curve& curve, const std::vector<Point>& commitments,
                                         const std::vector<ParsedShare>& shares,
                                         std::size_t begin, std::size_t end,
                                         const std::string& op) {
    if (end - begin == 1) {
        if (sharesMatch(curve, commitments, shares, begin, end, op)) return std::nullopt;
        return begin;
    }
    const std::size_t middle = begin + (end - begin) / 2;
    for (const auto& [from, to] : {std::pair{begin, middle}, std::pair{middle, end}}) {
        if (!sharesMatch(curve, commitments, shares, from, to, op)) {
            if (auto found = firstMismatch(curve, commitments, shares, from, to, op)) return found;
        }
    }
    return std::nullopt;
}

void checkCounts(int k, int n, const std::string& op) {
    if (k < 1 || k > kFeldmanMaxShares)
        throw std::invalid_argument(op + ": k = " + std::to_string(k) +
                                    " is out of range (need 1 <= k <= n <= 255)");
    if (n < 1 || n > kFeldmanMaxShares)
        throw std::invalid_argument(op + ": n = " + std::to_string(n) +
                                    " is out of range (need 1 <= k <= n <= 255)");
    if (k > n)
        throw std::invalid_argument(op + ": k = " + std::to_string(k) + " exceeds n = " +
                                    std::to_string(n) + " (need 1 <= k <= n <= 255)");
}

// The deal for the polynomial with coefficients a_0..a_{k-1} (all in [1, q-1]).
FeldmanDeal dealPolynomial(const Curve& curve, const std::vector<Bn>& a, int n,
                           const std::string& op) {
    FeldmanDeal result;
    result.commitments = p256::commit(curve, a, op);
    result.shares.reserve(static_cast<std::size_t>(n));
    for (int index = 1; index <= n; ++index) {
        const Bn value = p256::polynomialAt(curve, a, index, op);
        result.shares.push_back(
            FeldmanShare{static_cast<std::uint8_t>(index), writeScalar(value.get(), op)});
    }
    result.secret = writeScalar(a.front().get(), op);
    return result;
}

}  // namespace

// ----- FeldmanCommitments ---------------------------------------------------------------------

Bytes FeldmanCommitments::encode() const {
    const std::string op = "FeldmanCommitments::encode";
    const Curve curve(op);
    (void)readCommitments(curve, *this, op);  // throws unless canonical
    Bytes out;
    out.reserve(1 + points.size() * kP256PointSize);
    out.push_back(static_cast<std::uint8_t>(points.size()));
    for (const Bytes& point : points) out.insert(out.end(), point.begin(), point.end());
    return out;
}

FeldmanCommitments FeldmanCommitments::decode(const Bytes& encoded) {
    const std::string op = "FeldmanCommitments::decode";
    if (encoded.empty()) throw FeldmanError(op + ": empty input");
    const std::size_t count = encoded[0];
    if (count == 0) throw FeldmanError(op + ": the point count is 0");
    const std::size_t expected = 1 + count * kP256PointSize;
    if (encoded.size() != expected)
        throw FeldmanError(op + ": " + plural(count, "point takes", "points take") + " " +
                           std::to_string(expected) + " bytes, but " +
                           std::to_string(encoded.size()) + " were given");
    FeldmanCommitments result;
    result.points.reserve(count);
    for (std::size_t j = 0; j < count; ++j) {
        const auto from = encoded.begin() + static_cast<std::ptrdiff_t>(1 + j * kP256PointSize);
        result.points.emplace_back(from, from + static_cast<std::ptrdiff_t>(kP256PointSize));
    }
    const Curve curve(op);
    (void)readCommitments(curve, result, op);
    return result;
}

Bytes FeldmanCommitments::digest() const { return sha256(encode()); }

// ----- Dealing, verifying, combining ----------------------------------------------------------

FeldmanDeal deal(int k, int n) {
    const std::string op = "Feldman deal";
    checkCounts(k, n, op);
    const Curve curve(op);
    std::vector<Bn> a;
    a.reserve(static_cast<std::size_t>(k));
    for (int j = 0; j < k; ++j) a.push_back(p256::randomScalar(curve, op));
    return dealPolynomial(curve, a, n, op);
}

FeldmanDeal deal(const std::vector<Bytes>& coefficients, int n) {
    const std::string op = "Feldman deal";
    if (coefficients.size() > static_cast<std::size_t>(kFeldmanMaxShares))
        throw std::invalid_argument(op + ": " + std::to_string(coefficients.size()) +
                                    " coefficients, at most 255 are allowed");
    checkCounts(static_cast<int>(coefficients.size()), n, op);
    const Curve curve(op);
    std::vector<Bn> a;
    a.reserve(coefficients.size());
    for (std::size_t j = 0; j < coefficients.size(); ++j) {
        const Bytes& bytes = coefficients[j];
        if (bytes.size() != kFeldmanScalarSize)
            throw std::invalid_argument(op + ": coefficient a_" + std::to_string(j) +
                                        " must be 32 bytes, not " + std::to_string(bytes.size()));
        std::optional<Bn> coefficient = readScalar(curve, bytes, op);
        if (!coefficient || BN_is_zero(coefficient->get()))
            throw std::invalid_argument(op + ": coefficient a_" + std::to_string(j) +
                                        " is not in [1, q-1]");
        a.push_back(std::move(*coefficient));
    }
    return dealPolynomial(curve, a, n, op);
}

bool verifyShare(const FeldmanShare& share, const FeldmanCommitments& commitments) {
    const std::string op = "Feldman verifyShare";
    if (share.index == 0) return false;
    const Curve curve(op);
    std::optional<Bn> value = readScalar(curve, share.value, op);
    if (!value) return false;
    std::vector<Point> points;
    try {
        points = readCommitments(curve, commitments, op);
    } catch (const FeldmanError&) {
        return false;
    }
    std::vector<ParsedShare> shares;
    shares.push_back(ParsedShare{share.index, std::move(*value)});
    return sharesMatch(curve, points, shares, 0, 1, op);
}

Bytes combine(const std::vector<FeldmanShare>& shares, const FeldmanCommitments& commitments) {
    const std::string op = "Feldman combine";
    const Curve curve(op);
    const std::vector<Point> points = readCommitments(curve, commitments, op);

    const std::size_t k = points.size();
    if (shares.size() != k)
        throw FeldmanError(op + ": " + plural(k, "share is", "shares are") + " needed, " +
                           std::to_string(shares.size()) + " given");

    std::array<bool, 256> seen{};
    std::vector<ParsedShare> parsed;
    parsed.reserve(k);
    for (const FeldmanShare& share : shares) {
        const int index = share.index;
        if (index == 0)
            throw FeldmanError(op + ": card 0 is not a share index (they run from 1 to 255)", 0);
        if (seen[share.index])
            throw FeldmanError(op + ": card " + std::to_string(index) + " appears twice", index);
        seen[share.index] = true;
        std::optional<Bn> value = readScalar(curve, share.value, op);
        if (!value)
            throw FeldmanError(op + ": share of card " + std::to_string(index) +
                                   " is not a 32-byte scalar below the group order",
                               index);
        parsed.push_back(ParsedShare{index, std::move(*value)});
    }

    if (!sharesMatch(curve, points, parsed, 0, k, op)) {
        const std::optional<std::size_t> bad = firstMismatch(curve, points, parsed, 0, k, op);
        if (!bad) throw FeldmanError(op + ": the shares do not match the commitments");
        const int index = parsed[*bad].index;
        throw FeldmanError(
            op + ": share of card " + std::to_string(index) + " does not match the commitments",
            index);
    }

    // a_0 = f(0) = sum_i s_i * l_i with the Lagrange coefficients l_i of the indexes.
    std::vector<int> indexes;
    std::vector<const BIGNUM*> values;
    for (const ParsedShare& share : parsed) {
        indexes.push_back(share.index);
        values.push_back(share.value.get());
    }
    const Bn secret = p256::interpolateAtZero(curve, indexes, values, op);

    const Point check = baseMultiple(curve, secret.get(), op);
    if (BN_is_zero(secret.get()) || !samePoint(curve, check.get(), points[0].get(), op))
        throw FeldmanError(op + ": the reconstructed secret does not match commitment C_0");
    return writeScalar(secret.get(), op);
}

// ----- Activation key -------------------------------------------------------------------------

Bytes activationKey(const Bytes& secret, const Bytes& cardSetId) {
    const std::string op = "Feldman activationKey";
    if (secret.size() != kFeldmanScalarSize)
        throw CryptoError(op + ": the secret must be 32 bytes, not " +
                          std::to_string(secret.size()));
    const auto* prefix = reinterpret_cast<const std::uint8_t*>(kActivationInfo);
    Bytes info(prefix, prefix + std::strlen(kActivationInfo));
    info.insert(info.end(), cardSetId.begin(), cardSetId.end());
    return hkdfSha256(secret, info, kFeldmanScalarSize);
}

}  // namespace quorum::crypto
