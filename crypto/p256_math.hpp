// Scalar and point arithmetic on P-256 that Feldman sharing (feldman.cpp) and its redistribution
// (reshare.cpp) share: reading and writing canonical scalars and points, polynomials of scalars
// and of points, Lagrange coefficients. Internal to crypto/. Every function names `op` (the
// caller's operation) in the CryptoError it throws when OpenSSL fails.
#pragma once

#include <openssl/ec.h>

#include <optional>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/openssl_util.hpp"

namespace quorum::crypto::p256 {

using Group = ossl::Owned<EC_GROUP, EC_GROUP_free>;
using Point = ossl::Owned<EC_POINT, EC_POINT_clear_free>;

// P-256 and a context for arithmetic on it. The context is a secure one: its temporaries may
// hold secret values.
struct Curve {
    Group group;
    const BIGNUM* order = nullptr;  // q, owned by `group`
    ossl::BnCtx ctx;

    explicit Curve(const std::string& op);
    Point newPoint(const std::string& op) const;
};

// The 32-byte big-endian scalar `bytes`, if it is one below q (zero allowed), in a secret BIGNUM.
std::optional<ossl::Bn> readScalar(const Curve& curve, const Bytes& bytes, const std::string& op);
// `value` (below q) as 32 bytes, big-endian.
Bytes writeScalar(const BIGNUM* value, const std::string& op);
// A fresh secret scalar, uniform in [1, q-1] (OpenSSL's private CSPRNG).
ossl::Bn randomScalar(const Curve& curve, const std::string& op);

// The point `bytes`, if it is an uncompressed point on P-256 other than infinity.
std::optional<Point> readPoint(const Curve& curve, const Bytes& bytes, const std::string& op);
// 04 || X || Y; `point` must not be infinity.
Bytes writePoint(const Curve& curve, const EC_POINT* point, const std::string& op);

// The points of `commitments`; throws FeldmanError unless there are 1..255 valid points.
std::vector<Point> readCommitments(const Curve& curve, const FeldmanCommitments& commitments,
                                   const std::string& op);
// C_l = a_l * G for each coefficient, encoded.
FeldmanCommitments commit(const Curve& curve, const std::vector<ossl::Bn>& coefficients,
                          const std::string& op);

// scalar * G, with the constant-time ladder OpenSSL uses for a lone generator multiple.
Point baseMultiple(const Curve& curve, const BIGNUM* scalar, const std::string& op);
// scalar * point with OpenSSL's constant-time multiplication of one point (the scalar may be
// secret).
Point multiple(const Curve& curve, const EC_POINT* point, const BIGNUM* scalar, const std::string& op);
// The 32-byte x coordinate of `point` (not infinity): with d * Q, the ECDH shared secret of
// SEC 1 3.3.1, as OpenSSL's ECDH computes it.
Bytes xCoordinate(const Curve& curve, const EC_POINT* point, const std::string& op);
// sum_l x^l * P_l (Horner's rule on points): what a share at x must be times G.
Point pointPolynomialAt(const Curve& curve, const std::vector<Point>& points, int x,
                        const std::string& op);
bool samePoint(const Curve& curve, const EC_POINT* a, const EC_POINT* b, const std::string& op);

// f(x) = sum_l a_l x^l mod q (Horner's rule), in a secret BIGNUM.
ossl::Bn polynomialAt(const Curve& curve, const std::vector<ossl::Bn>& coefficients, int x,
                      const std::string& op);
// The Lagrange coefficient of indexes[i] for interpolation at 0 over `indexes` (distinct,
// nonzero): prod_{m != i} x_m / (x_m - x_i) mod q. Public: it depends on the indexes only.
ossl::Bn lagrangeAtZero(const Curve& curve, const std::vector<int>& indexes, std::size_t i,
                        const std::string& op);
// f(0) = sum_i l_i values[i] mod q from the values of f at `indexes` (distinct, nonzero), l_i
// their lagrangeAtZero() coefficients; in a secret BIGNUM (the values may be secret).
ossl::Bn interpolateAtZero(const Curve& curve, const std::vector<int>& indexes,
                           const std::vector<const BIGNUM*>& values, const std::string& op);

}  // namespace quorum::crypto::p256
