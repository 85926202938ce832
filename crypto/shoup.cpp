#include "crypto/shoup.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/openssl_util.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto::shoup {

namespace {

using ossl::fail;
using ossl::Owned;
using ossl::Bn;
using ossl::BnCtx;
using ossl::publicBn;
using ossl::secretBn;
using MontCtx = Owned<BN_MONT_CTX, BN_MONT_CTX_free>;
using GenCb = Owned<BN_GENCB, BN_GENCB_free>;
using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtx = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using ParamBld = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = Owned<OSSL_PARAM, OSSL_PARAM_free>;

// DER of DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32 bytes) } up to
// the digest itself (RFC 8017 9.2, note 1).
constexpr std::array<std::uint8_t, 19> kSha256DigestInfo = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr std::size_t kMinEncodedSize = kSha256DigestInfo.size() + kDigestSize + 11;
// r has L(N) + 2 L1 bits; z = s_i c + r stays below 2^{L(N) + 2 L1 + 1}.
constexpr int kRandomExtraBits = 2 * 8 * static_cast<int>(kChallengeSize);
constexpr int kResponseExtraBits = kRandomExtraBits + 1;

std::string countsRule() {
    return " (need 1 <= k <= n <= " + std::to_string(kMaxPlayers) + ")";
}

void checkCounts(int k, int n, const std::string& op) {
    if (k < 1 || k > kMaxPlayers)
        throw std::invalid_argument(op + ": k = " + std::to_string(k) + " is out of range" +
                                    countsRule());
    if (n < 1 || n > kMaxPlayers)
        throw std::invalid_argument(op + ": n = " + std::to_string(n) + " is out of range" +
                                    countsRule());
    if (k > n)
        throw std::invalid_argument(op + ": k = " + std::to_string(k) +
                                    " exceeds n = " + std::to_string(n) + countsRule());
}

Bn readSecret(const Bytes& bytes, const std::string& op) {
    Bn bn = secretBn(op);
    if (BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()) == nullptr)
        fail(op + ": BN_bin2bn failed");
    return bn;
}

Bn readPublic(const Bytes& bytes, const std::string& op) {
    Bn bn = publicBn(op);
    if (BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()) == nullptr)
        fail(op + ": BN_bin2bn failed");
    return bn;
}

// `value` as exactly `size` big-endian bytes; callers only pass values known to fit.
Bytes write(const BIGNUM* value, std::size_t size, const std::string& op) {
    Bytes out(size);
    if (BN_bn2binpad(value, out.data(), static_cast<int>(size)) != static_cast<int>(size))
        fail(op + ": BN_bn2binpad failed");
    return out;
}

Bn copyOf(const BIGNUM* value, bool secret, const std::string& op) {
    Bn bn = secret ? secretBn(op) : publicBn(op);
    if (BN_copy(bn.get(), value) == nullptr) fail(op + ": BN_copy failed");
    if (secret) BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
    return bn;
}

// N with the context and Montgomery form every exponentiation modulo N shares. The context is
// a secure one when an exponent is secret, since the temporaries of the exponentiation then
// depend on it.
struct Modulus {
    Bn n;
    BnCtx ctx;
    MontCtx mont;
    int bits = 0;
    std::size_t size = 0;

    Modulus(const BIGNUM* modulus, bool secret, const std::string& op)
        : n(copyOf(modulus, false, op)),
          ctx(secret ? BN_CTX_secure_new() : BN_CTX_new()),
          mont(BN_MONT_CTX_new()),
          bits(BN_num_bits(modulus)),
          size(static_cast<std::size_t>(BN_num_bytes(modulus))) {
        if (!ctx) fail(op + ": BN_CTX_new failed");
        if (!mont) fail(op + ": BN_MONT_CTX_new failed");
        if (BN_MONT_CTX_set(mont.get(), n.get(), ctx.get()) != 1)
            fail(op + ": BN_MONT_CTX_set failed");
    }

    // base^exponent mod N for a secret exponent (or base).
    void expSecret(BIGNUM* result, const BIGNUM* base, const BIGNUM* exponent,
                   const std::string& op) const {
        if (BN_mod_exp_mont_consttime(result, base, exponent, n.get(), ctx.get(), mont.get()) != 1)
            fail(op + ": BN_mod_exp_mont_consttime failed");
    }

    void expPublic(BIGNUM* result, const BIGNUM* base, const BIGNUM* exponent,
                   const std::string& op) const {
        if (BN_mod_exp_mont(result, base, exponent, n.get(), ctx.get(), mont.get()) != 1)
            fail(op + ": BN_mod_exp_mont failed");
    }

    // a1^p1 * a2^p2 mod N, public values only.
    void exp2Public(BIGNUM* result, const BIGNUM* a1, const BIGNUM* p1, const BIGNUM* a2,
                    const BIGNUM* p2, const std::string& op) const {
        if (BN_mod_exp2_mont(result, a1, p1, a2, p2, n.get(), ctx.get(), mont.get()) != 1)
            fail(op + ": BN_mod_exp2_mont failed");
    }

    void mul(BIGNUM* result, const BIGNUM* a, const BIGNUM* b, const std::string& op) const {
        if (BN_mod_mul(result, a, b, n.get(), ctx.get()) != 1) fail(op + ": BN_mod_mul failed");
    }

    // a^-1 mod N, or false when a shares a factor with N (which OpenSSL reports as an error).
    bool inverse(BIGNUM* result, const BIGNUM* a, const std::string& op) const {
        if (BN_mod_inverse(result, a, n.get(), ctx.get()) != nullptr) return true;
        const unsigned long code = ERR_peek_last_error();
        if (ERR_GET_LIB(code) == ERR_LIB_BN && ERR_GET_REASON(code) == BN_R_NO_INVERSE) {
            ERR_clear_error();
            return false;
        }
        fail(op + ": BN_mod_inverse failed");
    }

    bool below(const BIGNUM* value) const { return BN_cmp(value, n.get()) < 0; }
};

Bn deltaBn(int n, const std::string& op) {
    return readPublic(delta(n), op);
}

// x, the EMSA-PKCS1-v1_5 encoding of a digest as an integer, and u = x^{2 Delta}: x_i = u^{s_i}
// and x~ = u^2.
struct Message {
    Bn x;
    Bn u;
};

Message encodeAndRaise(const Modulus& modulus, int n, const Bytes& digest, const std::string& op) {
    Message message{readPublic(encodeMessage(digest, modulus.size), op), publicBn(op)};
    Bn exponent = deltaBn(n, op);
    if (BN_lshift1(exponent.get(), exponent.get()) != 1) fail(op + ": BN_lshift1 failed");
    modulus.expPublic(message.u.get(), message.x.get(), exponent.get(), op);
    return message;
}

// Whether v generates Q_N, the cyclic group of order m = p' q': its order divides m, so it is
// m unless v^{p'} or v^{q'} is 1.
bool generatesSquares(const Modulus& modulus, const BIGNUM* v, const BIGNUM* pPrime,
                      const BIGNUM* qPrime, const std::string& op) {
    if (BN_is_one(v)) return false;
    Bn power = secretBn(op);
    for (const BIGNUM* exponent : {pPrime, qPrime}) {
        modulus.expSecret(power.get(), v, exponent, op);
        if (BN_is_one(power.get())) return false;
    }
    return true;
}

// (value - 1) / 2 for an odd value.
Bn halfBelow(const BIGNUM* value, const std::string& op) {
    Bn half = secretBn(op);
    if (BN_rshift1(half.get(), value) != 1) fail(op + ": BN_rshift1 failed");
    return half;
}

// The deal for validated p, q (distinct safe primes with p', q' > e), coefficients a_1..a_{k-1}
// below m and a generator v of Q_N.
Deal dealFrom(const BIGNUM* p, const BIGNUM* q, const std::vector<Bn>& coefficients,
              const BIGNUM* v, int n, const std::string& op) {
    BnCtx ctxOwner(BN_CTX_secure_new());
    if (!ctxOwner) fail(op + ": BN_CTX_secure_new failed");
    BN_CTX* ctx = ctxOwner.get();

    Bn product = publicBn(op);
    if (BN_mul(product.get(), p, q, ctx) != 1) fail(op + ": BN_mul failed");
    const Modulus modulus(product.get(), true, op);

    const Bn pPrime = halfBelow(p, op);
    const Bn qPrime = halfBelow(q, op);
    Bn m = secretBn(op);
    if (BN_mul(m.get(), pPrime.get(), qPrime.get(), ctx) != 1) fail(op + ": BN_mul failed");
    BN_set_flags(m.get(), BN_FLG_CONSTTIME);  // so BN_mod_inverse takes its branch-free path

    const Bn e = publicBn(op, kPublicExponent);
    Bn d = secretBn(op);
    if (BN_mod_inverse(d.get(), e.get(), m.get(), ctx) == nullptr)
        fail(op + ": e has no inverse mod m");

    Deal result;
    PublicKey& key = result.publicKey;
    key.k = static_cast<int>(coefficients.size()) + 1;
    key.n = n;
    key.modulus = write(modulus.n.get(), modulus.size, op);
    key.v = write(v, modulus.size, op);

    // Horner: f(i) = (...(a_{k-1} i + a_{k-2}) i + ...) i + d, all mod m.
    Bn share = secretBn(op);
    Bn verificationKey = publicBn(op);
    for (int index = 1; index <= n; ++index) {
        const Bn x = publicBn(op, static_cast<BN_ULONG>(index));
        const BIGNUM* top = coefficients.empty() ? d.get() : coefficients.back().get();
        if (BN_copy(share.get(), top) == nullptr) fail(op + ": BN_copy failed");
        BN_set_flags(share.get(), BN_FLG_CONSTTIME);
        for (std::size_t j = coefficients.size(); j-- > 0;) {
            const BIGNUM* next = j == 0 ? d.get() : coefficients[j - 1].get();
            if (BN_mod_mul(share.get(), share.get(), x.get(), m.get(), ctx) != 1 ||
                BN_mod_add(share.get(), share.get(), next, m.get(), ctx) != 1)
                fail(op + ": share arithmetic failed");
        }
        modulus.expSecret(verificationKey.get(), v, share.get(), op);
        result.shares.push_back(KeyShare{index, write(share.get(), modulus.size, op)});
        key.verificationKeys.push_back(write(verificationKey.get(), modulus.size, op));
    }
    return result;
}

// The search for two safe primes at once. OpenSSL calls `onProgress` from both threads; it
// passes the caller's progress on one call at a time and makes the other search give up (by
// returning 0) once either has failed.
struct PrimeSearch {
    const Progress* progress = nullptr;
    std::mutex mutex;
    std::atomic<bool> stop{false};
    std::exception_ptr thrown;  // from `progress`, under `mutex`
    std::string failure;        // OpenSSL's reason, under `mutex`
};

int onProgress(int, int, BN_GENCB* callback) {
    auto* search = static_cast<PrimeSearch*>(BN_GENCB_get_arg(callback));
    if (search->stop.load()) return 0;
    if (*search->progress) {
        const std::lock_guard<std::mutex> lock(search->mutex);
        try {
            (*search->progress)();
        } catch (...) {
            // An exception must not unwind through OpenSSL's C frames.
            if (!search->thrown) search->thrown = std::current_exception();
            search->stop = true;
            return 0;
        }
    }
    return 1;
}

// Runs on its own thread: nothing may escape, and OpenSSL's error queue is this thread's.
void searchSafePrime(BIGNUM* prime, int bits, PrimeSearch* search) noexcept {
    const char* failure = nullptr;
    BnCtx ctx(BN_CTX_secure_new());
    GenCb callback(BN_GENCB_new());
    if (!ctx || !callback) {
        failure = "cannot allocate a prime search";
    } else {
        BN_GENCB_set(callback.get(), onProgress, search);
        if (BN_generate_prime_ex2(prime, bits, 1, nullptr, nullptr, callback.get(), ctx.get()) != 1)
            failure = "BN_generate_prime_ex2 failed";
    }
    if (failure == nullptr) return;
    search->stop = true;
    std::array<char, 256> reason{};
    const unsigned long code = ERR_peek_last_error();
    if (code != 0) ERR_error_string_n(code, reason.data(), reason.size());
    ERR_clear_error();
    try {
        const std::lock_guard<std::mutex> lock(search->mutex);
        if (search->failure.empty()) {
            search->failure = failure;
            if (code != 0) search->failure += std::string(" (") + reason.data() + ")";
        }
    } catch (...) {
        // Out of memory for the message: the caller still sees `stop` and reports a failure.
    }
}

// Two safe primes of `bits` bits each, searched for on two threads.
std::pair<Bn, Bn> safePrimePair(int bits, const Progress& progress, const std::string& op) {
    std::pair<Bn, Bn> primes{secretBn(op), secretBn(op)};
    PrimeSearch search;
    search.progress = &progress;
    std::thread other(searchSafePrime, primes.second.get(), bits, &search);
    searchSafePrime(primes.first.get(), bits, &search);
    other.join();
    if (search.thrown) std::rethrow_exception(search.thrown);
    if (search.stop)
        throw CryptoError(
            op + ": " +
            (search.failure.empty() ? std::string("the prime search failed") : search.failure));
    return primes;
}

// Throws unless `prime` is a safe prime; returns (prime - 1) / 2.
Bn requireSafePrime(const BIGNUM* prime, const char* name, BN_CTX* ctx, const std::string& op) {
    const auto isPrime = [&](const BIGNUM* value) {
        const int result = BN_check_prime(value, ctx, nullptr);
        if (result < 0) fail(op + ": BN_check_prime failed");
        return result == 1;
    };
    Bn half = halfBelow(prime, op);
    if (!BN_is_odd(prime) || !isPrime(prime) || !isPrime(half.get()))
        throw std::invalid_argument(op + ": " + name + " is not a safe prime");
    return half;
}

std::string modulusSizes() {
    std::string text;
    for (const int bits : kModulusSizes) text += (text.empty() ? "" : ", ") + std::to_string(bits);
    return text;
}

std::string card(int index) {
    return "card " + std::to_string(index);
}

// A partial's value x_i as a BIGNUM, if it has modulusSize() bytes and lies in [1, N-1].
bool readValue(const Modulus& modulus, const Bytes& value, Bn& out, const std::string& op) {
    if (value.size() != modulus.size) return false;
    out = readPublic(value, op);
    return !BN_is_zero(out.get()) && modulus.below(out.get());
}

void checkShare(const PublicKey& key, const KeyShare& share, const std::string& op) {
    if (share.index < 1 || share.index > key.n)
        throw std::invalid_argument(op + ": share index " + std::to_string(share.index) +
                                    " is out of range (1.." + std::to_string(key.n) + ")");
    if (share.value.size() != key.modulusSize())
        throw std::invalid_argument(op + ": the share must be " +
                                    std::to_string(key.modulusSize()) + " bytes, not " +
                                    std::to_string(share.value.size()));
}

void checkDigest(const Bytes& digest, const std::string& op) {
    if (digest.size() != kDigestSize)
        throw std::invalid_argument(op + ": the digest must be 32 bytes, not " +
                                    std::to_string(digest.size()));
}

std::string batchRule() {
    return "a batch has " + std::to_string(kMinBatch) + " to " + std::to_string(kMaxBatch) +
           " digests";
}

void checkRandom(const PublicKey& key, const std::optional<Bytes>& r, const std::string& op) {
    if (r && r->size() != randomSize(key.modulusSize()))
        throw std::invalid_argument(op + ": r must be " +
                                    std::to_string(randomSize(key.modulusSize())) + " bytes, not " +
                                    std::to_string(r->size()));
}

// s_i as a secret BIGNUM, checked against N.
Bn readShare(const Modulus& modulus, const KeyShare& share, const std::string& op) {
    Bn s = readSecret(share.value, op);
    if (!modulus.below(s.get())) throw std::invalid_argument(op + ": the share is not below N");
    return s;
}

struct Proof {
    Bytes challenge;
    Bytes response;
};

// Shoup's proof that log_v(v_i) == log_{x~}(x_i^2), s = s_i being both (step 3 of protocol 1):
// r uniform in [0, 2^{L(N) + 2 L1}) (or the given one), c = H(v, x~, v_i, x_i^2, v^r, x~^r),
// z = s c + r.
Proof prove(const Modulus& modulus, const PublicKey& key, int index, const BIGNUM* s,
            const BIGNUM* xTilde, const BIGNUM* xiSquared, const std::optional<Bytes>& r,
            const std::string& op) {
    const int randomBits = modulus.bits + kRandomExtraBits;
    Bn random = r ? readSecret(*r, op) : secretBn(op);
    if (r && BN_num_bits(random.get()) > randomBits)
        throw std::invalid_argument(op + ": r is not below 2^(L(N) + 512)");
    if (!r && BN_priv_rand_ex(random.get(), randomBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY, 0,
                              modulus.ctx.get()) != 1)
        fail(op + ": BN_priv_rand_ex failed");

    const Bn v = readPublic(key.v, op);
    Bn vPrime = publicBn(op);
    Bn xPrime = publicBn(op);
    modulus.expSecret(vPrime.get(), v.get(), random.get(), op);
    modulus.expSecret(xPrime.get(), xTilde, random.get(), op);

    Proof proof;
    proof.challenge =
        challenge(modulus.size, key.v, write(xTilde, modulus.size, op), key.verificationKey(index),
                  write(xiSquared, modulus.size, op), write(vPrime.get(), modulus.size, op),
                  write(xPrime.get(), modulus.size, op));
    const Bn c = readPublic(proof.challenge, op);
    Bn z = secretBn(op);
    if (BN_mul(z.get(), s, c.get(), modulus.ctx.get()) != 1 ||
        BN_add(z.get(), z.get(), random.get()) != 1)
        fail(op + ": response arithmetic failed");
    proof.response = write(z.get(), responseSize(modulus.size), op);
    return proof;
}

// Whether (c, z) proves log_v(v_i) == log_{x~}(x_i^2) for player `index`: c ==
// H(v, x~, v_i, x_i^2, v^z v_i^-c, x~^z (x_i^2)^-c). False for a proof of the wrong shape, a z
// that is too long or x_i^2 without an inverse.
bool proofHolds(const Modulus& modulus, const PublicKey& key, int index, const BIGNUM* xTilde,
                const BIGNUM* xiSquared, const Bytes& challengeBytes, const Bytes& response,
                const std::string& op) {
    if (challengeBytes.size() != kChallengeSize || response.size() != responseSize(modulus.size))
        return false;
    const Bn z = readPublic(response, op);
    if (BN_num_bits(z.get()) > modulus.bits + kResponseExtraBits) return false;
    const Bn c = readPublic(challengeBytes, op);
    const Bytes& viBytes = key.verificationKey(index);
    const Bn vi = readPublic(viBytes, op);
    Bn viInverse = publicBn(op);
    Bn xiSquaredInverse = publicBn(op);
    if (!modulus.inverse(viInverse.get(), vi.get(), op) ||
        !modulus.inverse(xiSquaredInverse.get(), xiSquared, op))
        return false;

    // v' = v^z v_i^-c and x' = x~^z (x_i^2)^-c, each one simultaneous exponentiation.
    const Bn v = readPublic(key.v, op);
    Bn vPrime = publicBn(op);
    Bn xPrime = publicBn(op);
    modulus.exp2Public(vPrime.get(), v.get(), z.get(), viInverse.get(), c.get(), op);
    modulus.exp2Public(xPrime.get(), xTilde, z.get(), xiSquaredInverse.get(), c.get(), op);
    const Bytes expected =
        challenge(modulus.size, key.v, write(xTilde, modulus.size, op), viBytes,
                  write(xiSquared, modulus.size, op), write(vPrime.get(), modulus.size, op),
                  write(xPrime.get(), modulus.size, op));
    return CRYPTO_memcmp(expected.data(), challengeBytes.data(), kChallengeSize) == 0;
}

// value^2 mod N.
Bn squared(const Modulus& modulus, const BIGNUM* value, const std::string& op) {
    Bn square = publicBn(op);
    modulus.mul(square.get(), value, value, op);
    return square;
}

// prod_j bases_j^{w_j} mod N for public bases and weights, two bases per simultaneous
// exponentiation.
Bn weightedProduct(const Modulus& modulus, const std::vector<Bn>& bases,
                   const std::vector<Bytes>& weights, const std::string& op) {
    Bn product = publicBn(op, 1);
    Bn term = publicBn(op);
    for (std::size_t j = 0; j < bases.size(); j += 2) {
        const Bn first = readPublic(weights[j], op);
        if (j + 1 < bases.size()) {
            const Bn second = readPublic(weights[j + 1], op);
            modulus.exp2Public(term.get(), bases[j].get(), first.get(), bases[j + 1].get(),
                               second.get(), op);
        } else {
            modulus.expPublic(term.get(), bases[j].get(), first.get(), op);
        }
        modulus.mul(product.get(), product.get(), term.get(), op);
    }
    return product;
}

// x_i, and its proof when `withProof`.
Partial sign(const PublicKey& key, const KeyShare& share, const Bytes& digest, bool withProof,
             const std::optional<Bytes>& r, const std::string& op) {
    key.check();
    checkShare(key, share, op);
    checkDigest(digest, op);
    checkRandom(key, r, op);

    const Bn modulusBn = readPublic(key.modulus, op);
    const Modulus modulus(modulusBn.get(), true, op);
    const Bn s = readShare(modulus, share, op);
    const Message message = encodeAndRaise(modulus, key.n, digest, op);
    Bn xi = publicBn(op);
    modulus.expSecret(xi.get(), message.u.get(), s.get(), op);
    Partial partial{share.index, write(xi.get(), modulus.size, op), {}, {}};
    if (!withProof) return partial;

    Proof proof =
        prove(modulus, key, share.index, s.get(), squared(modulus, message.u.get(), op).get(),
              squared(modulus, xi.get(), op).get(), r, op);
    partial.challenge = std::move(proof.challenge);
    partial.response = std::move(proof.response);
    return partial;
}

}  // namespace

// ----- PublicKey ------------------------------------------------------------------------------

int PublicKey::modulusBits() const {
    std::size_t first = 0;
    while (first < modulus.size() && modulus[first] == 0) ++first;
    if (first == modulus.size()) return 0;
    int topBits = 0;
    for (unsigned top = modulus[first]; top != 0; top >>= 1) ++topBits;
    return static_cast<int>((modulus.size() - first - 1) * 8) + topBits;
}

void PublicKey::check() const {
    const std::string op = "Shoup public key";
    if (k < 1 || k > kMaxPlayers)
        throw ShoupError(op + ": k = " + std::to_string(k) + " is out of range" + countsRule());
    if (n < 1 || n > kMaxPlayers)
        throw ShoupError(op + ": n = " + std::to_string(n) + " is out of range" + countsRule());
    if (k > n)
        throw ShoupError(op + ": k = " + std::to_string(k) + " exceeds n = " + std::to_string(n) +
                         countsRule());
    if (modulus.empty() || modulus[0] == 0)
        throw ShoupError(op + ": the modulus N is empty or has a zero top byte");
    if ((modulus.back() & 1) == 0) throw ShoupError(op + ": the modulus N is even");
    if (modulusBits() < kMinTestModulusBits)
        throw ShoupError(op + ": the modulus N has " + std::to_string(modulusBits()) +
                         " bits, at least " + std::to_string(kMinTestModulusBits) + " are needed");
    if (verificationKeys.size() != static_cast<std::size_t>(n))
        throw ShoupError(op + ": " + std::to_string(n) + " verification keys are needed, " +
                         std::to_string(verificationKeys.size()) + " given");

    const Bn modulusBn = readPublic(modulus, op);
    const auto inRange = [&](const Bytes& value) {
        if (value.size() != modulus.size()) return false;
        const Bn bn = readPublic(value, op);
        return BN_cmp(bn.get(), modulusBn.get()) < 0 && !BN_is_zero(bn.get()) &&
               !BN_is_one(bn.get());
    };
    const std::string rule =
        " must be " + std::to_string(modulus.size()) + " bytes and in [2, N-1]";
    if (!inRange(v)) throw ShoupError(op + ": v" + rule);
    for (std::size_t i = 0; i < verificationKeys.size(); ++i) {
        if (!inRange(verificationKeys[i]))
            throw ShoupError(op + ": verification key v_" + std::to_string(i + 1) + rule,
                             static_cast<int>(i + 1));
    }
}

const Bytes& PublicKey::verificationKey(int index) const {
    if (index < 1 || index > n || static_cast<std::size_t>(index) > verificationKeys.size())
        throw ShoupError("Shoup public key: there is no verification key for " + card(index) +
                             " (indexes run from 1 to " + std::to_string(n) + ")",
                         index);
    return verificationKeys[static_cast<std::size_t>(index - 1)];
}

std::string PublicKey::toPem() const {
    const std::string op = "Shoup PublicKey::toPem";
    check();
    const Bn modulusBn = readPublic(modulus, op);
    const Bn e = publicBn(op, kPublicExponent);
    ParamBld builder(OSSL_PARAM_BLD_new());
    if (!builder ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulusBn.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        fail(op + ": cannot build the RSA parameters");
    const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !ctx) fail(op + ": cannot build the RSA parameters");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        fail(op + ": EVP_PKEY_fromdata failed");
    const Pkey pkey(raw);
    const ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1)
        fail(op + ": PEM_write_bio_PUBKEY failed");
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    if (length <= 0 || data == nullptr) fail(op + ": the PEM is empty");
    return std::string(data, static_cast<std::size_t>(length));
}

// ----- Dealing --------------------------------------------------------------------------------

Deal deal(int modulusBits, int k, int n, const Progress& progress) {
    const std::string op = "Shoup deal";
    bool supported = false;
    for (const int bits : kModulusSizes) supported = supported || bits == modulusBits;
    if (!supported)
        throw std::invalid_argument(op + ": modulusBits = " + std::to_string(modulusBits) +
                                    " is not one of " + modulusSizes());
    checkCounts(k, n, op);

    BnCtx ctxOwner(BN_CTX_secure_new());
    if (!ctxOwner) fail(op + ": BN_CTX_secure_new failed");
    BN_CTX* ctx = ctxOwner.get();
    const Bn e = publicBn(op, kPublicExponent);
    Bn product = publicBn(op);
    Bn m = secretBn(op);
    Bn gcd = secretBn(op);

    // Each prime has its top two bits set, so N should have modulusBits bits; retrying keeps
    // that a checked fact rather than an assumption about OpenSSL's generator.
    for (;;) {
        std::pair<Bn, Bn> primes = safePrimePair(modulusBits / 2, progress, op);
        const BIGNUM* p = primes.first.get();
        const BIGNUM* q = primes.second.get();
        if (BN_cmp(p, q) == 0) continue;
        if (BN_mul(product.get(), p, q, ctx) != 1) fail(op + ": BN_mul failed");
        if (BN_num_bits(product.get()) != modulusBits) continue;
        const Bn pPrime = halfBelow(p, op);
        const Bn qPrime = halfBelow(q, op);
        if (BN_mul(m.get(), pPrime.get(), qPrime.get(), ctx) != 1 ||
            BN_gcd(gcd.get(), e.get(), m.get(), ctx) != 1)
            fail(op + ": arithmetic on m failed");
        if (!BN_is_one(gcd.get())) continue;

        // v = seed^2 for a seed uniform in [2, N-1]: a random square, which generates Q_N
        // unless its order is p' or q' (or 1), with probability about 1 - 1/p' - 1/q'.
        const Modulus modulus(product.get(), true, op);
        Bn range = publicBn(op);
        Bn seed = secretBn(op);
        Bn v = publicBn(op);
        if (BN_sub(range.get(), product.get(), BN_value_one()) != 1 ||
            BN_sub_word(range.get(), 1) != 1)
            fail(op + ": BN_sub failed");
        do {
            if (BN_priv_rand_range_ex(seed.get(), range.get(), 0, ctx) != 1 ||
                BN_add_word(seed.get(), 2) != 1)
                fail(op + ": cannot draw v");
            modulus.mul(v.get(), seed.get(), seed.get(), op);
        } while (!generatesSquares(modulus, v.get(), pPrime.get(), qPrime.get(), op));

        std::vector<Bn> coefficients;
        coefficients.reserve(static_cast<std::size_t>(k - 1));
        for (int j = 1; j < k; ++j) {
            Bn coefficient = secretBn(op);
            if (BN_priv_rand_range_ex(coefficient.get(), m.get(), 0, ctx) != 1)
                fail(op + ": BN_priv_rand_range_ex failed");
            coefficients.push_back(std::move(coefficient));
        }
        return dealFrom(p, q, coefficients, v.get(), n, op);
    }
}

Deal dealWithPrimes(const Bytes& p, const Bytes& q, const std::vector<Bytes>& coefficients,
                    const Bytes& vSeed, int n) {
    const std::string op = "Shoup dealWithPrimes";
    if (coefficients.size() >= static_cast<std::size_t>(kMaxPlayers))
        throw std::invalid_argument(op + ": k = " + std::to_string(coefficients.size() + 1) +
                                    " (one more than the coefficients) is out of range" +
                                    countsRule());
    checkCounts(static_cast<int>(coefficients.size()) + 1, n, op);

    BnCtx ctxOwner(BN_CTX_secure_new());
    if (!ctxOwner) fail(op + ": BN_CTX_secure_new failed");
    BN_CTX* ctx = ctxOwner.get();
    const Bn pBn = readSecret(p, op);
    const Bn qBn = readSecret(q, op);
    const Bn pPrime = requireSafePrime(pBn.get(), "p", ctx, op);
    const Bn qPrime = requireSafePrime(qBn.get(), "q", ctx, op);
    if (BN_cmp(pBn.get(), qBn.get()) == 0) throw std::invalid_argument(op + ": p and q are equal");
    // p', q' > e > n: e is then prime to m, and no difference of indexes shares a factor with m.
    const Bn e = publicBn(op, kPublicExponent);
    if (BN_cmp(pPrime.get(), e.get()) <= 0)
        throw std::invalid_argument(op + ": p is too small: (p-1)/2 must exceed e = 65537");
    if (BN_cmp(qPrime.get(), e.get()) <= 0)
        throw std::invalid_argument(op + ": q is too small: (q-1)/2 must exceed e = 65537");

    Bn product = publicBn(op);
    Bn m = secretBn(op);
    if (BN_mul(product.get(), pBn.get(), qBn.get(), ctx) != 1 ||
        BN_mul(m.get(), pPrime.get(), qPrime.get(), ctx) != 1)
        fail(op + ": BN_mul failed");
    if (BN_num_bits(product.get()) < kMinTestModulusBits)
        throw std::invalid_argument(
            op + ": the modulus N = p q has " + std::to_string(BN_num_bits(product.get())) +
            " bits, at least " + std::to_string(kMinTestModulusBits) + " are needed");

    std::vector<Bn> a;
    a.reserve(coefficients.size());
    for (std::size_t j = 0; j < coefficients.size(); ++j) {
        Bn coefficient = readSecret(coefficients[j], op);
        if (BN_cmp(coefficient.get(), m.get()) >= 0)
            throw std::invalid_argument(op + ": coefficient a_" + std::to_string(j + 1) +
                                        " is not below m");
        a.push_back(std::move(coefficient));
    }

    const Modulus modulus(product.get(), true, op);
    const Bn seed = readPublic(vSeed, op);
    if (BN_cmp(seed.get(), BN_value_one()) <= 0 || !modulus.below(seed.get()))
        throw std::invalid_argument(op + ": vSeed is not in [2, N-1]");
    Bn v = publicBn(op);
    modulus.mul(v.get(), seed.get(), seed.get(), op);
    if (!generatesSquares(modulus, v.get(), pPrime.get(), qPrime.get(), op))
        throw std::invalid_argument(op + ": v = vSeed^2 mod N does not generate the squares mod N");
    return dealFrom(pBn.get(), qBn.get(), a, v.get(), n, op);
}

// ----- Encodings ------------------------------------------------------------------------------

Bytes encodeMessage(const Bytes& digest, std::size_t modulusSize) {
    const std::string op = "Shoup encodeMessage";
    if (digest.size() != kDigestSize)
        throw std::invalid_argument(op + ": the digest must be 32 bytes, not " +
                                    std::to_string(digest.size()));
    if (modulusSize < kMinEncodedSize)
        throw std::invalid_argument(op + ": the modulus must have at least " +
                                    std::to_string(kMinEncodedSize) + " bytes, not " +
                                    std::to_string(modulusSize));
    Bytes encoded(modulusSize, 0xFF);
    const std::size_t separator = modulusSize - kSha256DigestInfo.size() - kDigestSize - 1;
    encoded[0] = 0x00;
    encoded[1] = 0x01;
    encoded[separator] = 0x00;
    std::copy(kSha256DigestInfo.begin(), kSha256DigestInfo.end(),
              encoded.begin() + static_cast<std::ptrdiff_t>(separator + 1));
    std::copy(digest.begin(), digest.end(),
              encoded.end() - static_cast<std::ptrdiff_t>(kDigestSize));
    return encoded;
}

Bytes delta(int n) {
    if (n < 1 || n > kMaxPlayers)
        throw std::invalid_argument("Shoup delta: n = " + std::to_string(n) +
                                    " is out of range (1.." + std::to_string(kMaxPlayers) + ")");
    std::uint64_t factorial = 1;
    for (int i = 2; i <= n; ++i) factorial *= static_cast<std::uint64_t>(i);
    Bytes out;
    for (; factorial != 0; factorial >>= 8)
        out.insert(out.begin(), static_cast<std::uint8_t>(factorial & 0xFF));
    return out;
}

Bytes challenge(std::size_t modulusSize, const Bytes& v, const Bytes& xTilde, const Bytes& vi,
                const Bytes& xiSquared, const Bytes& vPrime, const Bytes& xPrime) {
    const std::pair<const char*, const Bytes*> values[] = {
        {"v", &v},           {"xTilde", &xTilde}, {"vi", &vi}, {"xiSquared", &xiSquared},
        {"vPrime", &vPrime}, {"xPrime", &xPrime}};
    Bytes input;
    input.reserve(6 * modulusSize);
    for (const auto& [name, value] : values) {
        if (value->empty() || value->size() > modulusSize)
            throw std::invalid_argument(std::string("Shoup challenge: ") + name + " has " +
                                        std::to_string(value->size()) + " bytes, not 1.." +
                                        std::to_string(modulusSize));
        input.insert(input.end(), modulusSize - value->size(), 0x00);
        input.insert(input.end(), value->begin(), value->end());
    }
    return sha256(input);
}

// ----- Partial signatures ---------------------------------------------------------------------

Partial partialSign(const PublicKey& key, const KeyShare& share, const Bytes& digest,
                    const std::optional<Bytes>& r) {
    return sign(key, share, digest, true, r, "Shoup partialSign");
}

Partial partialSignWithoutProof(const PublicKey& key, const KeyShare& share, const Bytes& digest) {
    return sign(key, share, digest, false, std::nullopt, "Shoup partialSignWithoutProof");
}

bool verifyPartial(const PublicKey& key, const Partial& partial, const Bytes& digest) {
    const std::string op = "Shoup verifyPartial";
    try {
        key.check();
    } catch (const ShoupError&) {
        return false;
    }
    if (digest.size() != kDigestSize || partial.index < 1 || partial.index > key.n) return false;

    const Bn modulusBn = readPublic(key.modulus, op);
    const Modulus modulus(modulusBn.get(), false, op);
    Bn xi;
    if (!readValue(modulus, partial.value, xi, op)) return false;
    const Message message = encodeAndRaise(modulus, key.n, digest, op);
    return proofHolds(modulus, key, partial.index, squared(modulus, message.u.get(), op).get(),
                      squared(modulus, xi.get(), op).get(), partial.challenge, partial.response,
                      op);
}

// ----- Batches --------------------------------------------------------------------------------

Partial BatchPartial::partial(int index, std::size_t j) const {
    return Partial{index, values.at(j), {}, {}};
}

std::vector<Bytes> batchWeights(const Bytes& modulus, const Bytes& v, const Bytes& vi, int n,
                                int index, const std::vector<Bytes>& digests,
                                const std::vector<Bytes>& values) {
    const std::string op = "Shoup batchWeights";
    static const std::string kLabel = "QUORUM/SHOUP/BATCH/1";
    const std::size_t size = modulus.size();
    const std::size_t m = digests.size();
    if (m < kMinBatch || m > kMaxBatch)
        throw std::invalid_argument(op + ": " + batchRule() + ", not " + std::to_string(m));
    if (values.size() != m)
        throw std::invalid_argument(op + ": " + std::to_string(values.size()) + " values for " +
                                    std::to_string(m) + " digests");
    if (size == 0 || size > 0xFFFF)
        throw std::invalid_argument(op + ": the modulus has " + std::to_string(size) + " bytes");
    if (n < 1 || n > kMaxPlayers || index < 1 || index > n)
        throw std::invalid_argument(op + ": player " + std::to_string(index) + " of " +
                                    std::to_string(n) + " is out of range" + countsRule());
    const auto sized = [&](const Bytes& value, std::size_t expected, const std::string& name) {
        if (value.size() != expected)
            throw std::invalid_argument(op + ": " + name + " has " + std::to_string(value.size()) +
                                        " bytes, not " + std::to_string(expected));
    };
    sized(v, size, "v");
    sized(vi, size, "v_i");

    Bytes input(kLabel.begin(), kLabel.end());
    input.insert(input.end(), {static_cast<std::uint8_t>(size >> 8),
                               static_cast<std::uint8_t>(size), static_cast<std::uint8_t>(n),
                               static_cast<std::uint8_t>(index), static_cast<std::uint8_t>(m)});
    for (const Bytes* value : {&modulus, &v, &vi})
        input.insert(input.end(), value->begin(), value->end());
    for (std::size_t j = 0; j < m; ++j) {
        sized(digests[j], kDigestSize, "digest " + std::to_string(j + 1));
        input.insert(input.end(), digests[j].begin(), digests[j].end());
    }
    for (std::size_t j = 0; j < m; ++j) {
        sized(values[j], size, "x_{i," + std::to_string(j + 1) + "}");
        input.insert(input.end(), values[j].begin(), values[j].end());
    }
    Bytes block = sha256(input);  // the seed, then seed || j
    block.push_back(0);
    std::vector<Bytes> weights;
    for (std::size_t j = 1; j <= m; ++j) {
        block.back() = static_cast<std::uint8_t>(j);
        const Bytes hash = sha256(block);
        weights.emplace_back(hash.begin(), hash.begin() + static_cast<std::ptrdiff_t>(kWeightSize));
    }
    return weights;
}

BatchPartial partialSignBatch(const PublicKey& key, const KeyShare& share,
                              const std::vector<Bytes>& digests, const std::optional<Bytes>& r) {
    const std::string op = "Shoup partialSignBatch";
    key.check();
    checkShare(key, share, op);
    if (digests.size() < kMinBatch || digests.size() > kMaxBatch)
        throw std::invalid_argument(op + ": " + batchRule() + ", not " +
                                    std::to_string(digests.size()));
    for (const Bytes& digest : digests) checkDigest(digest, op);
    checkRandom(key, r, op);

    const Bn modulusBn = readPublic(key.modulus, op);
    const Modulus modulus(modulusBn.get(), true, op);
    const Bn s = readShare(modulus, share, op);
    BatchPartial batch;
    std::vector<Bn> raised;  // u_j = x_j^{2 Delta}
    std::vector<Bn> values;  // x_{i,j} = u_j^{s_i}
    for (const Bytes& digest : digests) {
        Message message = encodeAndRaise(modulus, key.n, digest, op);
        Bn xi = publicBn(op);
        modulus.expSecret(xi.get(), message.u.get(), s.get(), op);
        batch.values.push_back(write(xi.get(), modulus.size, op));
        raised.push_back(std::move(message.u));
        values.push_back(std::move(xi));
    }
    const std::vector<Bytes> weights =
        batchWeights(key.modulus, key.v, key.verificationKey(share.index), key.n, share.index,
                     digests, batch.values);
    // X~ = prod x~_j^{w_j} = (prod u_j^{w_j})^2; X_i = prod x_{i,j}^{w_j}.
    const Bn xTilde = squared(modulus, weightedProduct(modulus, raised, weights, op).get(), op);
    const Bn xiSquared = squared(modulus, weightedProduct(modulus, values, weights, op).get(), op);
    Proof proof = prove(modulus, key, share.index, s.get(), xTilde.get(), xiSquared.get(), r, op);
    batch.challenge = std::move(proof.challenge);
    batch.response = std::move(proof.response);
    return batch;
}

bool verifyBatch(const PublicKey& key, int index, const BatchPartial& batch,
                 const std::vector<Bytes>& digests) {
    const std::string op = "Shoup verifyBatch";
    try {
        key.check();
    } catch (const ShoupError&) {
        return false;
    }
    const std::size_t m = digests.size();
    if (m < kMinBatch || m > kMaxBatch || batch.values.size() != m || index < 1 || index > key.n)
        return false;
    for (const Bytes& digest : digests)
        if (digest.size() != kDigestSize) return false;

    const Bn modulusBn = readPublic(key.modulus, op);
    const Modulus modulus(modulusBn.get(), false, op);
    std::vector<Bn> raised;
    std::vector<Bn> values;
    for (std::size_t j = 0; j < m; ++j) {
        Bn xi;
        if (!readValue(modulus, batch.values[j], xi, op)) return false;
        values.push_back(std::move(xi));
        raised.push_back(encodeAndRaise(modulus, key.n, digests[j], op).u);
    }
    const std::vector<Bytes> weights = batchWeights(key.modulus, key.v, key.verificationKey(index),
                                                    key.n, index, digests, batch.values);
    const Bn xTilde = squared(modulus, weightedProduct(modulus, raised, weights, op).get(), op);
    const Bn xiSquared = squared(modulus, weightedProduct(modulus, values, weights, op).get(), op);
    return proofHolds(modulus, key, index, xTilde.get(), xiSquared.get(), batch.challenge,
                      batch.response, op);
}

// ----- Combining ------------------------------------------------------------------------------

Bytes combine(const PublicKey& key, const std::vector<Partial>& partials, const Bytes& digest,
              bool verifyProofs) {
    const std::string op = "Shoup combine";
    key.check();
    if (digest.size() != kDigestSize)
        throw std::invalid_argument(op + ": the digest must be 32 bytes, not " +
                                    std::to_string(digest.size()));
    const std::size_t k = static_cast<std::size_t>(key.k);
    if (partials.size() != k)
        throw ShoupError(op + ": " + std::to_string(k) +
                         (k == 1 ? " partial is needed, " : " partials are needed, ") +
                         std::to_string(partials.size()) + " given");

    const Bn modulusBn = readPublic(key.modulus, op);
    const Modulus modulus(modulusBn.get(), false, op);
    std::array<bool, kMaxPlayers + 1> seen{};
    std::vector<Bn> values;
    values.reserve(k);
    for (const Partial& partial : partials) {
        const int index = partial.index;
        if (index < 1 || index > key.n)
            throw ShoupError(op + ": " + card(index) +
                                 " is not a card of this key (they run from 1 to " +
                                 std::to_string(key.n) + ")",
                             index);
        if (seen[static_cast<std::size_t>(index)])
            throw ShoupError(op + ": " + card(index) + " appears twice", index);
        seen[static_cast<std::size_t>(index)] = true;
        Bn value;
        if (!readValue(modulus, partial.value, value, op))
            throw ShoupError(op + ": the partial signature of " + card(index) + " is not " +
                                 std::to_string(modulus.size) + " bytes in [1, N-1]",
                             index);
        values.push_back(std::move(value));
    }
    if (verifyProofs) {
        for (const Partial& partial : partials) {
            if (partial.challenge.empty() && partial.response.empty())
                throw ShoupError(
                    op + ": the partial signature of " + card(partial.index) + " has no proof",
                    partial.index);
            if (!verifyPartial(key, partial, digest))
                throw ShoupError(
                    op + ": the partial signature of " + card(partial.index) + " fails its proof",
                    partial.index);
        }
    }

    BN_CTX* ctx = modulus.ctx.get();
    const Bn deltaValue = deltaBn(key.n, op);
    // lambda_j = Delta prod_{j' != j} j' / (j' - j), exact because Delta = n! is divisible by
    // every product of k-1 distinct differences of indexes in 1..n. w = prod x_j^{2 lambda_j}
    // is gathered as positive / negative with one inverse at the end.
    Bn positive = publicBn(op, 1);
    Bn negative = publicBn(op, 1);
    Bn numerator = publicBn(op);
    Bn denominator = publicBn(op);
    Bn lambda = publicBn(op);
    Bn remainder = publicBn(op);
    Bn power = publicBn(op);
    for (std::size_t j = 0; j < k; ++j) {
        const int index = partials[j].index;
        bool below = false;
        if (BN_copy(numerator.get(), deltaValue.get()) == nullptr || BN_one(denominator.get()) != 1)
            fail(op + ": Lagrange arithmetic failed");
        for (std::size_t other = 0; other < k; ++other) {
            if (other == j) continue;
            const int otherIndex = partials[other].index;
            const int difference = otherIndex - index;
            if (difference < 0) below = !below;
            if (BN_mul_word(numerator.get(), static_cast<BN_ULONG>(otherIndex)) != 1 ||
                BN_mul_word(denominator.get(),
                            static_cast<BN_ULONG>(difference < 0 ? -difference : difference)) != 1)
                fail(op + ": BN_mul_word failed");
        }
        if (BN_div(lambda.get(), remainder.get(), numerator.get(), denominator.get(), ctx) != 1)
            fail(op + ": BN_div failed");
        if (!BN_is_zero(remainder.get())) fail(op + ": a Lagrange coefficient is not an integer");
        if (BN_lshift1(lambda.get(), lambda.get()) != 1) fail(op + ": BN_lshift1 failed");
        modulus.expPublic(power.get(), values[j].get(), lambda.get(), op);
        BIGNUM* product = below ? negative.get() : positive.get();
        modulus.mul(product, product, power.get(), op);
    }

    // With e' = 4 Delta^2 and b = e^-1 mod e', b e - 1 = t e' for an integer t >= 0, so
    // a = -t, and y = w^-t x^b = (negative / positive)^t x^b.
    const Bn e = publicBn(op, kPublicExponent);
    Bn ePrime = publicBn(op);
    Bn b = publicBn(op);
    Bn t = publicBn(op);
    if (BN_sqr(ePrime.get(), deltaValue.get(), ctx) != 1 ||
        BN_lshift(ePrime.get(), ePrime.get(), 2) != 1)
        fail(op + ": arithmetic on e' failed");
    if (BN_mod_inverse(b.get(), e.get(), ePrime.get(), ctx) == nullptr)
        fail(op + ": e has no inverse mod e'");
    if (BN_copy(t.get(), b.get()) == nullptr || BN_mul_word(t.get(), kPublicExponent) != 1 ||
        BN_sub_word(t.get(), 1) != 1 ||
        BN_div(t.get(), remainder.get(), t.get(), ePrime.get(), ctx) != 1 ||
        !BN_is_zero(remainder.get()))
        fail(op + ": arithmetic on t failed");

    Bn wInverse = publicBn(op);
    if (!modulus.inverse(wInverse.get(), positive.get(), op))
        throw ShoupError(op + ": the partial signatures share a factor with N");
    modulus.mul(wInverse.get(), wInverse.get(), negative.get(), op);
    const Bn x = readPublic(encodeMessage(digest, modulus.size), op);
    Bn y = publicBn(op);
    modulus.exp2Public(y.get(), wInverse.get(), t.get(), x.get(), b.get(), op);

    Bn check = publicBn(op);
    modulus.expPublic(check.get(), y.get(), e.get(), op);
    if (BN_cmp(check.get(), x.get()) != 0)
        throw ShoupError(op +
                         ": the combined signature does not verify (a partial signature "
                         "is wrong; only proofs can tell which)");
    return write(y.get(), modulus.size, op);
}

}  // namespace quorum::crypto::shoup
