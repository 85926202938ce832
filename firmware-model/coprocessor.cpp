#include "firmware-model/coprocessor.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace quorum::card {

namespace {

struct BnFree {
    void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct CtxFree {
    void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
struct MontFree {
    void operator()(BN_MONT_CTX* m) const noexcept { BN_MONT_CTX_free(m); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

// Every value may be secret: secure-heap BIGNUMs, cleared when freed.
Bn load(const Bytes& bytes) {
    Bn value(BN_secure_new());
    if (!value || BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), value.get()) == nullptr)
        throw std::runtime_error("the crypto coprocessor is out of memory");
    return value;
}

Bytes store(const BIGNUM* value, std::size_t size) {
    Bytes out(size);
    if (BN_bn2binpad(value, out.data(), static_cast<int>(size)) < 0)
        throw std::invalid_argument("the coprocessor's result does not fit in " + std::to_string(size) + " bytes");
    return out;
}

void check(int ok) {
    if (ok != 1) throw std::runtime_error("the crypto coprocessor failed");
}

}  // namespace

void OpensslCoprocessor::random(std::uint8_t* out, std::size_t size) {
    if (size > INT_MAX || RAND_bytes(out, static_cast<int>(size)) != 1)
        throw std::runtime_error("the random number generator failed");
}

Bytes OpensslCoprocessor::rsaNonCrt(const Bytes& modulus, const Bytes& exponent, const Bytes& base) {
    if (modulus.empty() || (modulus.back() & 1) == 0) throw std::invalid_argument("the RSA modulus must be odd");
    if (exponent.size() > modulus.size() + 64) throw std::invalid_argument("the RSA exponent is too long");
    std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_secure_new());
    if (!ctx) throw std::runtime_error("the crypto coprocessor is out of memory");
    const Bn n = load(modulus), e = load(exponent), b = load(base), result(BN_secure_new());
    if (!result) throw std::runtime_error("the crypto coprocessor is out of memory");
    if (BN_cmp(b.get(), n.get()) >= 0) throw std::invalid_argument("the RSA input is not below the modulus");
    BN_set_flags(e.get(), BN_FLG_CONSTTIME);
    std::unique_ptr<BN_MONT_CTX, MontFree> mont(BN_MONT_CTX_new());
    check(mont ? BN_MONT_CTX_set(mont.get(), n.get(), ctx.get()) : 0);
    check(BN_mod_exp_mont_consttime(result.get(), b.get(), e.get(), n.get(), ctx.get(), mont.get()));
    return store(result.get(), modulus.size());
}

Bytes OpensslCoprocessor::multiplyAdd(const Bytes& a, const Bytes& b, const Bytes& c, std::size_t size) {
    std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_secure_new());
    if (!ctx) throw std::runtime_error("the crypto coprocessor is out of memory");
    const Bn x = load(a), y = load(b), z = load(c), result(BN_secure_new());
    if (!result) throw std::runtime_error("the crypto coprocessor is out of memory");
    check(BN_mul(result.get(), x.get(), y.get(), ctx.get()));
    check(BN_add(result.get(), result.get(), z.get()));
    return store(result.get(), size);
}

}  // namespace quorum::card
