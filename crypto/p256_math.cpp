#include "crypto/p256_math.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <utility>

namespace quorum::crypto::p256 {

using ossl::Bn;
using ossl::fail;
using ossl::publicBn;
using ossl::secretBn;

Curve::Curve(const std::string& op)
    : group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)), ctx(BN_CTX_secure_new()) {
    if (!group) fail(op + ": cannot load the P-256 group");
    if (!ctx) fail(op + ": BN_CTX_secure_new failed");
    order = EC_GROUP_get0_order(group.get());
    if (order == nullptr) fail(op + ": cannot read the P-256 group order");
}

Point Curve::newPoint(const std::string& op) const {
    Point point(EC_POINT_new(group.get()));
    if (!point) fail(op + ": EC_POINT_new failed");
    return point;
}

std::optional<Bn> readScalar(const Curve& curve, const Bytes& bytes, const std::string& op) {
    if (bytes.size() != kFeldmanScalarSize) return std::nullopt;
    Bn value = secretBn(op);
    if (BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), value.get()) == nullptr)
        fail(op + ": BN_bin2bn failed");
    if (BN_cmp(value.get(), curve.order) >= 0) return std::nullopt;
    return value;
}

Bytes writeScalar(const BIGNUM* value, const std::string& op) {
    Bytes out(kFeldmanScalarSize);
    if (BN_bn2binpad(value, out.data(), static_cast<int>(out.size())) !=
        static_cast<int>(kFeldmanScalarSize))
        fail(op + ": BN_bn2binpad failed");
    return out;
}

Bn randomScalar(const Curve& curve, const std::string& op) {
    Bn scalar = secretBn(op);
    do {
        if (BN_priv_rand_range_ex(scalar.get(), curve.order, 0, curve.ctx.get()) != 1)
            fail(op + ": BN_priv_rand_range_ex failed");
    } while (BN_is_zero(scalar.get()));
    return scalar;
}

std::optional<Point> readPoint(const Curve& curve, const Bytes& bytes, const std::string& op) {
    if (bytes.size() != kP256PointSize || bytes[0] != 0x04) return std::nullopt;
    Point point = curve.newPoint(op);
    // oct2point refuses coordinates >= p and points off the curve; P-256 has cofactor 1.
    if (EC_POINT_oct2point(curve.group.get(), point.get(), bytes.data(), bytes.size(),
                           curve.ctx.get()) != 1 ||
        EC_POINT_is_on_curve(curve.group.get(), point.get(), curve.ctx.get()) != 1 ||
        EC_POINT_is_at_infinity(curve.group.get(), point.get()) == 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return point;
}

Bytes writePoint(const Curve& curve, const EC_POINT* point, const std::string& op) {
    Bytes out(kP256PointSize);
    if (EC_POINT_point2oct(curve.group.get(), point, POINT_CONVERSION_UNCOMPRESSED, out.data(),
                           out.size(), curve.ctx.get()) != kP256PointSize)
        fail(op + ": cannot encode a point");
    return out;
}

std::vector<Point> readCommitments(const Curve& curve, const FeldmanCommitments& commitments,
                                   const std::string& op) {
    const std::size_t count = commitments.points.size();
    if (count == 0) throw FeldmanError(op + ": the commitments hold no points");
    if (count > static_cast<std::size_t>(kFeldmanMaxShares))
        throw FeldmanError(op + ": the commitments hold " + std::to_string(count) +
                           " points, at most 255 are allowed");
    std::vector<Point> points;
    points.reserve(count);
    for (std::size_t j = 0; j < count; ++j) {
        std::optional<Point> point = readPoint(curve, commitments.points[j], op);
        if (!point)
            throw FeldmanError(op + ": commitment C_" + std::to_string(j) +
                               " is not an uncompressed point on P-256");
        points.push_back(std::move(*point));
    }
    return points;
}

FeldmanCommitments commit(const Curve& curve, const std::vector<Bn>& coefficients,
                          const std::string& op) {
    FeldmanCommitments commitments;
    commitments.points.reserve(coefficients.size());
    for (const Bn& coefficient : coefficients) {
        const Point c = baseMultiple(curve, coefficient.get(), op);
        commitments.points.push_back(writePoint(curve, c.get(), op));
    }
    return commitments;
}

Point baseMultiple(const Curve& curve, const BIGNUM* scalar, const std::string& op) {
    Point point = curve.newPoint(op);
    if (EC_POINT_mul(curve.group.get(), point.get(), scalar, nullptr, nullptr,
                     curve.ctx.get()) != 1)
        fail(op + ": EC_POINT_mul failed");
    return point;
}

Point multiple(const Curve& curve, const EC_POINT* point, const BIGNUM* scalar, const std::string& op) {
    Point product = curve.newPoint(op);
    if (EC_POINT_mul(curve.group.get(), product.get(), nullptr, point, scalar, curve.ctx.get()) != 1)
        fail(op + ": EC_POINT_mul failed");
    return product;
}

Bytes xCoordinate(const Curve& curve, const EC_POINT* point, const std::string& op) {
    const Bytes encoded = writePoint(curve, point, op);  // 04 || X || Y
    return Bytes(encoded.begin() + 1, encoded.begin() + 1 + static_cast<std::ptrdiff_t>(kFeldmanScalarSize));
}

Point pointPolynomialAt(const Curve& curve, const std::vector<Point>& points, int x,
                        const std::string& op) {
    // Horner: sum = sum * x + P_l from the top. x is a small public index, so sum * x is done by
    // doubling and adding (a few dozen cheap steps) rather than a constant-time multiplication.
    const EC_GROUP* group = curve.group.get();
    BN_CTX* ctx = curve.ctx.get();
    Point sum = curve.newPoint(op);
    Point times = curve.newPoint(op);
    if (EC_POINT_set_to_infinity(group, sum.get()) != 1) fail(op + ": EC_POINT_set_to_infinity failed");
    int topBit = 0;
    while ((x >> (topBit + 1)) != 0) ++topBit;
    for (std::size_t l = points.size(); l-- > 0;) {
        if (EC_POINT_copy(times.get(), sum.get()) != 1) fail(op + ": EC_POINT_copy failed");
        for (int bit = topBit - 1; bit >= 0; --bit) {
            if (EC_POINT_dbl(group, times.get(), times.get(), ctx) != 1 ||
                (((x >> bit) & 1) != 0 && EC_POINT_add(group, times.get(), times.get(), sum.get(), ctx) != 1))
                fail(op + ": point arithmetic failed");
        }
        if (EC_POINT_add(group, sum.get(), times.get(), points[l].get(), ctx) != 1)
            fail(op + ": point arithmetic failed");
    }
    return sum;
}

bool samePoint(const Curve& curve, const EC_POINT* a, const EC_POINT* b, const std::string& op) {
    const int result = EC_POINT_cmp(curve.group.get(), a, b, curve.ctx.get());
    if (result < 0) fail(op + ": EC_POINT_cmp failed");
    return result == 0;
}

Bn polynomialAt(const Curve& curve, const std::vector<Bn>& coefficients, int x,
                const std::string& op) {
    const Bn point = publicBn(op, static_cast<BN_ULONG>(x));
    Bn value = secretBn(op);
    if (BN_copy(value.get(), coefficients.back().get()) == nullptr) fail(op + ": BN_copy failed");
    BN_set_flags(value.get(), BN_FLG_CONSTTIME);
    // (...(a_{k-1} x + a_{k-2}) x + ...) x + a_0, all mod q.
    for (std::size_t l = coefficients.size() - 1; l-- > 0;) {
        if (BN_mod_mul(value.get(), value.get(), point.get(), curve.order, curve.ctx.get()) != 1 ||
            BN_mod_add(value.get(), value.get(), coefficients[l].get(), curve.order,
                       curve.ctx.get()) != 1)
            fail(op + ": scalar arithmetic failed");
    }
    return value;
}

Bn lagrangeAtZero(const Curve& curve, const std::vector<int>& indexes, std::size_t i,
                  const std::string& op) {
    const BIGNUM* q = curve.order;
    BN_CTX* ctx = curve.ctx.get();
    Bn numerator = publicBn(op, 1);
    Bn denominator = publicBn(op, 1);
    Bn difference = publicBn(op);
    const Bn xi = publicBn(op, static_cast<BN_ULONG>(indexes[i]));
    for (std::size_t m = 0; m < indexes.size(); ++m) {
        if (m == i) continue;
        const Bn xm = publicBn(op, static_cast<BN_ULONG>(indexes[m]));
        if (BN_mod_mul(numerator.get(), numerator.get(), xm.get(), q, ctx) != 1 ||
            BN_mod_sub(difference.get(), xm.get(), xi.get(), q, ctx) != 1 ||
            BN_mod_mul(denominator.get(), denominator.get(), difference.get(), q, ctx) != 1)
            fail(op + ": scalar arithmetic failed");
    }
    Bn lagrange = publicBn(op);
    if (BN_mod_inverse(lagrange.get(), denominator.get(), q, ctx) == nullptr)
        fail(op + ": BN_mod_inverse failed");
    if (BN_mod_mul(lagrange.get(), lagrange.get(), numerator.get(), q, ctx) != 1)
        fail(op + ": scalar arithmetic failed");
    return lagrange;
}

Bn interpolateAtZero(const Curve& curve, const std::vector<int>& indexes,
                     const std::vector<const BIGNUM*>& values, const std::string& op) {
    Bn sum = secretBn(op);
    BN_zero(sum.get());
    Bn term = secretBn(op);
    for (std::size_t i = 0; i < indexes.size(); ++i) {
        const Bn lagrange = lagrangeAtZero(curve, indexes, i, op);
        if (BN_mod_mul(term.get(), values[i], lagrange.get(), curve.order, curve.ctx.get()) != 1 ||
            BN_mod_add(sum.get(), sum.get(), term.get(), curve.order, curve.ctx.get()) != 1)
            fail(op + ": scalar arithmetic failed");
    }
    return sum;
}

}  // namespace quorum::crypto::p256
