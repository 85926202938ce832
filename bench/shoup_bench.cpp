// shoup_bench: what Shoup threshold RSA (crypto/shoup.hpp) costs, against the modular
// exponentiations it is made of and against ordinary OpenSSL RSA, for 3-of-7 keys.
//
// Baselines, all measured in the same loop as the subjects:
//   A   one BN_mod_exp_mont_consttime, random base < N, random secret exponent of |N|-2 bits (the
//       size of a share s_i < m = p'q' < N/4), BN_FLG_CONSTTIME, Montgomery context computed
//       per call as the partial signer does;
//   A'  the same with the Montgomery context computed once, beforehand;
//   B   the constant-time exponentiations a partial signature with its proof needs: one with an
//       |N|-2-bit exponent and two with |N|+512-bit ones (r), one Montgomery context for the three;
//   RSA-CRT  EVP_PKEY_sign (PKCS#1 v1.5, SHA-256) with an ordinary RSA key built from the same
//       p and q; RSA verify: EVP_PKEY_verify of that signature.
// Batch (--batch-size m, default 9): the card's batch PARTIAL SIGN of m digests
// (card::computePartialSignatureBatch) against m single ones with proofs, and the library's
// partialSignBatch / verifyBatch against m partialSign / verifyPartial, all in the same loop.
// Every iteration runs every operation once, in a fixed order, so load changes hit baselines and
// subjects alike; medians, p10/p90, and ratios of medians are printed as Markdown.
//
// Keys: the 2048-bit key is the fixed one of tests/support/shoup_keys.hpp. For 3072 and 4096
// bits two safe primes are generated at start (or read from --primes-cache, where new ones are
// appended) and dealt with dealWithPrimes, so the RSA-CRT key can use the same p and q.
// Keygen: shoup::deal(bits, 3, 7) timed --keygen-runs times for 2048 bits, once for each of
// --keygen-sizes.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "apdu/bytes.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/shoup.hpp"
#include "firmware-model/coprocessor.hpp"
#include "firmware-model/rsa_share.hpp"
#include "protocol/shares.hpp"
#include "tests/support/shoup_keys.hpp"

using namespace quorum;
namespace shoup = crypto::shoup;
using Clock = std::chrono::steady_clock;

namespace {

using quorum::crypto::ossl::Bn;
using quorum::crypto::ossl::BnCtx;
using quorum::crypto::ossl::Owned;
using MontCtx = Owned<BN_MONT_CTX, BN_MONT_CTX_free>;
using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtx = Owned<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using ParamBld = Owned<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = Owned<OSSL_PARAM, OSSL_PARAM_free>;

constexpr int kThreshold = 3;
constexpr int kPlayers = 7;

void check(int ok, const char* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

Bn newBn() {
    Bn bn(BN_new());
    if (!bn) throw std::runtime_error("BN_new failed");
    return bn;
}

Bn fromBytes(const Bytes& bytes) {
    Bn bn = newBn();
    if (BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()) == nullptr)
        throw std::runtime_error("BN_bin2bn failed");
    return bn;
}

Bytes toBytes(const BIGNUM* value) {
    Bytes out(static_cast<std::size_t>(BN_num_bytes(value)));
    BN_bn2bin(value, out.data());
    return out;
}

Bytes randomBytes(std::size_t size) {
    Bytes out(size);
    check(RAND_bytes(out.data(), static_cast<int>(size)), "RAND_bytes");
    return out;
}

// Uniform in [0, bound).
Bn randomBelow(const BIGNUM* bound) {
    Bn value = newBn();
    check(BN_rand_range(value.get(), bound), "BN_rand_range");
    return value;
}

// Exactly `bits` bits (top bit set), flagged constant-time.
Bn randomSecretExponent(int bits) {
    Bn value = newBn();
    check(BN_priv_rand_ex(value.get(), bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY, 0, nullptr),
          "BN_priv_rand_ex");
    BN_set_flags(value.get(), BN_FLG_CONSTTIME);
    return value;
}

double millis(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double position = q * static_cast<double>(v.size() - 1);
    const std::size_t low = static_cast<std::size_t>(position);
    const std::size_t high = std::min(low + 1, v.size() - 1);
    const double fraction = position - static_cast<double>(low);
    return v[low] + (v[high] - v[low]) * fraction;
}

double median(const std::vector<double>& v) { return percentile(v, 0.5); }

// ----- Keys -----------------------------------------------------------------------------------

struct Primes {
    Bytes p;
    Bytes q;
};

// Two safe primes of bits/2 bits each whose product has exactly `bits` bits, searched for on two
// threads (as shoup::deal does).
Primes generateSafePrimes(int bits) {
    for (;;) {
        Bn p = newBn(), q = newBn();
        const auto search = [bits](BIGNUM* prime, int* ok) {
            BnCtx ctx(BN_CTX_new());
            *ok = ctx ? BN_generate_prime_ex2(prime, bits / 2, 1, nullptr, nullptr, nullptr,
                                              ctx.get())
                      : 0;
        };
        int okP = 0, okQ = 0;
        std::thread other(search, q.get(), &okQ);
        search(p.get(), &okP);
        other.join();
        check(okP, "BN_generate_prime_ex2");
        check(okQ, "BN_generate_prime_ex2");
        BnCtx ctx(BN_CTX_new());
        Bn product = newBn();
        check(BN_mul(product.get(), p.get(), q.get(), ctx.get()), "BN_mul");
        if (BN_cmp(p.get(), q.get()) != 0 && BN_num_bits(product.get()) == bits)
            return Primes{toBytes(p.get()), toBytes(q.get())};
    }
}

// Lines "bits p-hex q-hex": throwaway benchmark keys, kept so that later runs skip the search.
std::map<int, Primes> readPrimesCache(const std::string& path) {
    std::map<int, Primes> cache;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        int bits = 0;
        std::string p, q;
        if (fields >> bits >> p >> q) cache[bits] = Primes{fromHex(p), fromHex(q)};
    }
    return cache;
}

void appendPrimesCache(const std::string& path, int bits, const Primes& primes) {
    std::ofstream out(path, std::ios::app);
    out << bits << ' ' << toHex(primes.p) << ' ' << toHex(primes.q) << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
}

// A 3-of-7 deal from p and q with random coefficients below m and a random v seed.
shoup::Deal dealFrom(const Primes& primes) {
    BnCtx ctx(BN_CTX_new());
    const Bn p = fromBytes(primes.p), q = fromBytes(primes.q);
    Bn pPrime = newBn(), qPrime = newBn(), m = newBn(), n = newBn(), range = newBn();
    check(BN_rshift1(pPrime.get(), p.get()), "BN_rshift1");
    check(BN_rshift1(qPrime.get(), q.get()), "BN_rshift1");
    check(BN_mul(m.get(), pPrime.get(), qPrime.get(), ctx.get()), "BN_mul");
    check(BN_mul(n.get(), p.get(), q.get(), ctx.get()), "BN_mul");
    check(BN_sub(range.get(), n.get(), BN_value_one()), "BN_sub");
    check(BN_sub_word(range.get(), 1), "BN_sub_word");
    for (int attempt = 0;; ++attempt) {
        std::vector<Bytes> coefficients;
        for (int j = 1; j < kThreshold; ++j) coefficients.push_back(toBytes(randomBelow(m.get()).get()));
        Bn seed = randomBelow(range.get());
        check(BN_add_word(seed.get(), 2), "BN_add_word");
        try {
            return shoup::dealWithPrimes(primes.p, primes.q, coefficients, toBytes(seed.get()),
                                         kPlayers);
        } catch (const std::invalid_argument&) {
            if (attempt > 10) throw;  // a seed whose square does not generate Q_N: draw again
        }
    }
}

// The ordinary RSA key (N, e = 65537, d, p, q, dP, dQ, qInv) for the same p and q.
Pkey rsaKeyFrom(const Primes& primes) {
    BnCtx ctx(BN_CTX_new());
    const Bn p = fromBytes(primes.p), q = fromBytes(primes.q);
    Bn n = newBn(), e = newBn(), p1 = newBn(), q1 = newBn(), phi = newBn(), d = newBn(),
       dp = newBn(), dq = newBn(), qinv = newBn();
    check(BN_mul(n.get(), p.get(), q.get(), ctx.get()), "BN_mul");
    check(BN_set_word(e.get(), shoup::kPublicExponent), "BN_set_word");
    check(BN_sub(p1.get(), p.get(), BN_value_one()), "BN_sub");
    check(BN_sub(q1.get(), q.get(), BN_value_one()), "BN_sub");
    check(BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()), "BN_mul");
    if (BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get()) == nullptr)
        throw std::runtime_error("e has no inverse mod phi(N)");
    check(BN_mod(dp.get(), d.get(), p1.get(), ctx.get()), "BN_mod");
    check(BN_mod(dq.get(), d.get(), q1.get(), ctx.get()), "BN_mod");
    if (BN_mod_inverse(qinv.get(), q.get(), p.get(), ctx.get()) == nullptr)
        throw std::runtime_error("q has no inverse mod p");
    ParamBld builder(OSSL_PARAM_BLD_new());
    if (!builder) throw std::runtime_error("OSSL_PARAM_BLD_new failed");
    const std::pair<const char*, const BIGNUM*> values[] = {
        {OSSL_PKEY_PARAM_RSA_N, n.get()},
        {OSSL_PKEY_PARAM_RSA_E, e.get()},
        {OSSL_PKEY_PARAM_RSA_D, d.get()},
        {OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()},
        {OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()},
        {OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()},
        {OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()},
        {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get()}};
    for (const auto& [name, value] : values)
        check(OSSL_PARAM_BLD_push_BN(builder.get(), name, value), "OSSL_PARAM_BLD_push_BN");
    const Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtx pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !pctx) throw std::runtime_error("cannot build the RSA parameters");
    EVP_PKEY* raw = nullptr;
    check(EVP_PKEY_fromdata_init(pctx.get()), "EVP_PKEY_fromdata_init");
    check(EVP_PKEY_fromdata(pctx.get(), &raw, EVP_PKEY_KEYPAIR, params.get()), "EVP_PKEY_fromdata");
    return Pkey(raw);
}

// ----- The card's computation -----------------------------------------------------------------

// The card's share as PUT DATA 00CB gives it to the card.
protocol::RsaShareRecord cardShare(const shoup::PublicKey& key, const shoup::KeyShare& share) {
    return protocol::RsaShareRecord{static_cast<std::uint8_t>(share.index), static_cast<std::uint8_t>(key.n),
                                    static_cast<std::uint8_t>(key.k), key.modulus, key.v,
                                    key.verificationKey(share.index), share.value};
}

// The first part of the card's PARTIAL SIGN (card::computePartialSignature): x_i without the
// proof, with the same Coprocessor calls.
Bytes cardPartialWithoutProof(card::Coprocessor& coprocessor, const protocol::RsaShareRecord& key, const Bytes& digest) {
    const Bytes& n = key.modulus;
    const Bytes x = shoup::encodeMessage(digest, n.size());
    const Bytes twoDelta = coprocessor.multiplyAdd(shoup::delta(key.n), {0x02}, {}, 8);
    return coprocessor.rsaNonCrt(n, key.share, coprocessor.rsaNonCrt(n, twoDelta, x));
}

// ----- Measurement ----------------------------------------------------------------------------

struct Operation {
    std::string name;
    std::function<void()> run;
    std::vector<double> samples;  // ms
};

struct SizeSetup {
    int bits = 0;
    Primes primes;
    shoup::Deal deal;
    Pkey rsa;
};

SizeSetup setUp(int bits, const std::string& cachePath) {
    SizeSetup setup;
    setup.bits = bits;
    if (bits == 2048) {
        namespace keys = test::shoup_keys;
        setup.primes = Primes{fromHex(keys::kRsa2048P), fromHex(keys::kRsa2048Q)};
        setup.deal = keys::rsa2048_3of7();
    } else {
        std::map<int, Primes> cache;
        if (!cachePath.empty()) cache = readPrimesCache(cachePath);
        const auto found = cache.find(bits);
        if (found != cache.end()) {
            std::cerr << "shoup_bench: " << bits << "-bit key: safe primes from " << cachePath << "\n";
            setup.primes = found->second;
        } else {
            std::cerr << "shoup_bench: " << bits << "-bit key: searching for two safe primes of "
                      << bits / 2 << " bits..." << std::flush;
            const auto start = Clock::now();
            setup.primes = generateSafePrimes(bits);
            std::cerr << " " << millis(start, Clock::now()) / 1000 << " s\n";
            if (!cachePath.empty()) appendPrimesCache(cachePath, bits, setup.primes);
        }
        setup.deal = dealFrom(setup.primes);
    }
    setup.rsa = rsaKeyFrom(setup.primes);
    if (setup.deal.publicKey.modulusBits() != bits)
        throw std::runtime_error("the " + std::to_string(bits) + "-bit key has the wrong size");
    return setup;
}

struct SizeResult {
    int bits = 0;
    int iterations = 0;
    int batchSize = 0;
    std::map<std::string, std::vector<double>> samples;
};

std::vector<Bytes> randomDigests(int count) {
    std::vector<Bytes> digests;
    for (int j = 0; j < count; ++j) digests.push_back(randomBytes(shoup::kDigestSize));
    return digests;
}

SizeResult measure(SizeSetup& setup, int iterations, int warmup, int batchSize) {
    const shoup::PublicKey& key = setup.deal.publicKey;
    const int bits = setup.bits;
    const Bn n = fromBytes(key.modulus);
    BnCtx ctx(BN_CTX_secure_new());
    MontCtx mont(BN_MONT_CTX_new());
    if (!ctx || !mont) throw std::runtime_error("out of memory");
    check(BN_MONT_CTX_set(mont.get(), n.get(), ctx.get()), "BN_MONT_CTX_set");
    card::OpensslCoprocessor coprocessor;

    // Fixed partials of cards 1, 4 and 7 for one digest, checked against the ordinary RSA
    // signature: PKCS#1 v1.5 signatures are unique, so they must be equal.
    const Bytes fixedDigest = randomBytes(shoup::kDigestSize);
    std::vector<shoup::Partial> partials;
    for (const int index : {1, 4, 7})
        partials.push_back(shoup::partialSign(key, setup.deal.shares[static_cast<std::size_t>(index - 1)],
                                              fixedDigest));
    for (const auto& partial : partials)
        if (!shoup::verifyPartial(key, partial, fixedDigest))
            throw std::runtime_error("a partial signature fails its proof");
    const Bytes combined = shoup::combine(key, partials, fixedDigest, true);

    PkeyCtx signCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, setup.rsa.get(), nullptr));
    PkeyCtx verifyCtx(EVP_PKEY_CTX_new_from_pkey(nullptr, setup.rsa.get(), nullptr));
    if (!signCtx || !verifyCtx) throw std::runtime_error("EVP_PKEY_CTX_new failed");
    check(EVP_PKEY_sign_init(signCtx.get()), "EVP_PKEY_sign_init");
    check(EVP_PKEY_CTX_set_rsa_padding(signCtx.get(), RSA_PKCS1_PADDING), "set_rsa_padding");
    check(EVP_PKEY_CTX_set_signature_md(signCtx.get(), EVP_sha256()), "set_signature_md");
    check(EVP_PKEY_verify_init(verifyCtx.get()), "EVP_PKEY_verify_init");
    check(EVP_PKEY_CTX_set_rsa_padding(verifyCtx.get(), RSA_PKCS1_PADDING), "set_rsa_padding");
    check(EVP_PKEY_CTX_set_signature_md(verifyCtx.get(), EVP_sha256()), "set_signature_md");
    Bytes rsaSignature(key.modulusSize());
    const auto rsaSign = [&](const Bytes& digest) {
        std::size_t length = rsaSignature.size();
        check(EVP_PKEY_sign(signCtx.get(), rsaSignature.data(), &length, digest.data(), digest.size()),
              "EVP_PKEY_sign");
    };
    rsaSign(fixedDigest);
    if (rsaSignature != combined)
        throw std::runtime_error("the combined signature differs from OpenSSL's RSA signature");
    const Bytes fixedSignature = rsaSignature;

    // The card's sequence gives the same x_i and a proof that verifies.
    const shoup::KeyShare& share = setup.deal.shares[1];  // card 2
    const protocol::PartialSignature cardAnswer =
        card::computePartialSignature(coprocessor, cardShare(key, share), fixedDigest);
    const shoup::Partial fromCard{share.index, cardAnswer.value, cardAnswer.challenge, cardAnswer.response};
    if (fromCard.value != shoup::partialSignWithoutProof(key, share, fixedDigest).value ||
        cardPartialWithoutProof(coprocessor, cardShare(key, share), fixedDigest) != fromCard.value ||
        !shoup::verifyPartial(key, fromCard,
                              fixedDigest))
        throw std::runtime_error("the card's computation differs from crypto/shoup");

    // The batch: the card's answer is crypto/shoup's (same x_{i,j}) and verifies; fixed single
    // partials and a fixed batch of the same digests for the verification rows.
    const std::vector<Bytes> fixedDigests = randomDigests(batchSize);
    const protocol::PartialSignatureBatch cardBatch =
        card::computePartialSignatureBatch(coprocessor, cardShare(key, share), fixedDigests);
    const shoup::BatchPartial fixedBatch{cardBatch.values, cardBatch.challenge, cardBatch.response};
    std::vector<shoup::Partial> fixedSingles;
    for (const Bytes& d : fixedDigests) fixedSingles.push_back(shoup::partialSign(key, share, d));
    if (!shoup::verifyBatch(key, share.index, fixedBatch, fixedDigests) ||
        shoup::partialSignBatch(key, share, fixedDigests).values != fixedBatch.values)
        throw std::runtime_error("the card's batch differs from crypto/shoup's");

    // Per-iteration inputs, drawn outside the timed regions.
    Bn baseA, expA, baseB1, expB1, baseB2, expB2, baseB3, expB3;
    Bytes digest;
    std::vector<Bytes> digests;  // the batch's
    Bn result = newBn();
    const int shareBits = bits - 2;
    const int randomBits = bits + 512;
    const auto draw = [&] {
        baseA = randomBelow(n.get());
        expA = randomSecretExponent(shareBits);
        baseB1 = randomBelow(n.get());
        expB1 = randomSecretExponent(shareBits);
        baseB2 = randomBelow(n.get());
        expB2 = randomSecretExponent(randomBits);
        baseB3 = randomBelow(n.get());
        expB3 = randomSecretExponent(randomBits);
        digest = randomBytes(shoup::kDigestSize);
        digests = randomDigests(batchSize);
    };
    const auto expWith = [&](BN_MONT_CTX* m, const BIGNUM* base, const BIGNUM* exponent) {
        check(BN_mod_exp_mont_consttime(result.get(), base, exponent, n.get(), ctx.get(), m),
              "BN_mod_exp_mont_consttime");
    };
    const auto freshMont = [&] {
        MontCtx m(BN_MONT_CTX_new());
        if (!m) throw std::runtime_error("BN_MONT_CTX_new failed");
        check(BN_MONT_CTX_set(m.get(), n.get(), ctx.get()), "BN_MONT_CTX_set");
        return m;
    };
    // For the overhead breakdown: x^{2 Delta} as crypto/shoup computes u (public, non-consttime).
    const Bn twoDelta = fromBytes(shoup::delta(kPlayers));
    check(BN_lshift1(twoDelta.get(), twoDelta.get()), "BN_lshift1");

    std::vector<Operation> ops;
    ops.push_back({"A", [&] {
                       const MontCtx m = freshMont();
                       expWith(m.get(), baseA.get(), expA.get());
                   }, {}});
    ops.push_back({"withoutProof", [&] { shoup::partialSignWithoutProof(key, share, digest); }, {}});
    ops.push_back({"A'", [&] { expWith(mont.get(), baseA.get(), expA.get()); }, {}});
    const protocol::RsaShareRecord onCard = cardShare(key, share);
    ops.push_back({"cardXi", [&] { cardPartialWithoutProof(coprocessor, onCard, digest); }, {}});
    ops.push_back({"B", [&] {
                       const MontCtx m = freshMont();
                       expWith(m.get(), baseB1.get(), expB1.get());
                       expWith(m.get(), baseB2.get(), expB2.get());
                       expWith(m.get(), baseB3.get(), expB3.get());
                   }, {}});
    ops.push_back({"withProof", [&] { shoup::partialSign(key, share, digest); }, {}});
    ops.push_back({"cardFull", [&] { card::computePartialSignature(coprocessor, onCard, digest); }, {}});
    ops.push_back({"rsaSign", [&] { rsaSign(digest); }, {}});
    ops.push_back({"verifyPartial", [&] {
                       if (!shoup::verifyPartial(key, partials[0], fixedDigest))
                           throw std::runtime_error("verifyPartial failed");
                   }, {}});
    ops.push_back({"rsaVerify", [&] {
                       if (EVP_PKEY_verify(verifyCtx.get(), fixedSignature.data(), fixedSignature.size(),
                                           fixedDigest.data(), fixedDigest.size()) != 1)
                           throw std::runtime_error("EVP_PKEY_verify failed");
                   }, {}});
    ops.push_back({"combineNoProofs", [&] { shoup::combine(key, partials, fixedDigest, false); }, {}});
    ops.push_back({"combineProofs", [&] { shoup::combine(key, partials, fixedDigest, true); }, {}});
    // A batch of batchSize digests against as many single PARTIAL SIGNs (docs/batch-proof.md).
    ops.push_back({"cardSingles",
                   [&] {
                       for (const Bytes& d : digests)
                           card::computePartialSignature(coprocessor, onCard, d);
                   },
                   {}});
    ops.push_back({"cardBatch",
                   [&] { card::computePartialSignatureBatch(coprocessor, onCard, digests); },
                   {}});
    ops.push_back({"libSingles",
                   [&] {
                       for (const Bytes& d : digests) shoup::partialSign(key, share, d);
                   },
                   {}});
    ops.push_back({"libBatch", [&] { shoup::partialSignBatch(key, share, digests); }, {}});
    ops.push_back({"verifySingles",
                   [&] {
                       for (std::size_t j = 0; j < fixedSingles.size(); ++j)
                           if (!shoup::verifyPartial(key, fixedSingles[j], fixedDigests[j]))
                               throw std::runtime_error("verifyPartial failed");
                   },
                   {}});
    ops.push_back({"verifyBatch",
                   [&] {
                       if (!shoup::verifyBatch(key, share.index, fixedBatch, fixedDigests))
                           throw std::runtime_error("verifyBatch failed");
                   },
                   {}});
    // Pieces of partialSignWithoutProof's overhead over A'.
    ops.push_back({"keyCheck", [&] { key.check(); }, {}});
    ops.push_back({"montSetup", [&] {
                       BnCtx c(BN_CTX_secure_new());
                       MontCtx m(BN_MONT_CTX_new());
                       if (!c || !m) throw std::runtime_error("out of memory");
                       check(BN_MONT_CTX_set(m.get(), n.get(), c.get()), "BN_MONT_CTX_set");
                   }, {}});
    ops.push_back({"raise", [&] {
                       const Bn x = fromBytes(shoup::encodeMessage(digest, key.modulusSize()));
                       check(BN_mod_exp_mont(result.get(), x.get(), twoDelta.get(), n.get(), ctx.get(),
                                             mont.get()),
                             "BN_mod_exp_mont");
                   }, {}});

    for (int i = 0; i < warmup + iterations; ++i) {
        draw();
        for (Operation& op : ops) {
            const auto start = Clock::now();
            op.run();
            const auto end = Clock::now();
            if (i >= warmup) op.samples.push_back(millis(start, end));
        }
    }
    SizeResult sizeResult;
    sizeResult.bits = bits;
    sizeResult.iterations = iterations;
    sizeResult.batchSize = batchSize;
    for (Operation& op : ops) sizeResult.samples[op.name] = std::move(op.samples);
    return sizeResult;
}

std::string formatMs(double ms) {
    char text[32];
    if (ms >= 100)
        std::snprintf(text, sizeof text, "%.0f", ms);
    else if (ms >= 10)
        std::snprintf(text, sizeof text, "%.1f", ms);
    else if (ms >= 1)
        std::snprintf(text, sizeof text, "%.2f", ms);
    else
        std::snprintf(text, sizeof text, "%.3f", ms);
    return text;
}

std::string formatRatio(double ratio) {
    char text[32];
    std::snprintf(text, sizeof text, ratio < 10 ? "%.3fx" : "%.1fx", ratio);
    return text;
}

// The batch rows: each against A and against the same work done digest by digest.
void printBatch(const SizeResult& r) {
    const auto& s = r.samples;
    const auto med = [&](const std::string& name) { return median(s.at(name)); };
    const int m = r.batchSize;
    struct Line {
        std::string label, op, singles;
    };
    const std::vector<Line> lines = {
        {"card: " + std::to_string(m) +
             " single PARTIAL SIGNs with proofs (computePartialSignature)",
         "cardSingles", ""},
        {"card: one batch PARTIAL SIGN of " + std::to_string(m) + " (computePartialSignatureBatch)",
         "cardBatch", "cardSingles"},
        {"`partialSign` x " + std::to_string(m), "libSingles", ""},
        {"`partialSignBatch` of " + std::to_string(m), "libBatch", "libSingles"},
        {"`verifyPartial` x " + std::to_string(m), "verifySingles", ""},
        {"`verifyBatch` of " + std::to_string(m), "verifyBatch", "verifySingles"},
    };
    std::printf("\nA batch of %d digests (same loop):\n\n", m);
    std::printf(
        "| operation | median ms | p10 | p90 | x A | x the singles "
        "|\n|---|---:|---:|---:|---:|---:|\n");
    for (const Line& line : lines) {
        const auto& v = s.at(line.op);
        std::printf(
            "| %s | %s | %s | %s | %s | %s |\n", line.label.c_str(), formatMs(median(v)).c_str(),
            formatMs(percentile(v, 0.1)).c_str(), formatMs(percentile(v, 0.9)).c_str(),
            formatRatio(med(line.op) / med("A")).c_str(),
            line.singles.empty() ? "" : formatRatio(med(line.op) / med(line.singles)).c_str());
    }
    const double goal = med("cardBatch") / med("cardSingles");
    std::printf(
        "\nGoal card batch <= 0.45x the %d single PARTIAL SIGNs: **%s** (%.3fx; %.2f A against "
        "%.2f A)\n",
        m, goal <= 0.45 ? "met" : "MISSED", goal, med("cardBatch") / med("A"),
        med("cardSingles") / med("A"));
}

void printSize(const SizeResult& r) {
    const auto& s = r.samples;
    const auto med = [&](const std::string& name) { return median(s.at(name)); };
    const std::vector<std::string> baselines = {"A", "A'", "B", "rsaSign", "rsaVerify"};
    struct Line {
        std::string label, op;
        std::vector<std::string> against;
    };
    const std::vector<Line> lines = {
        {"**A**: BN_mod_exp_mont_consttime, |N|-2-bit exponent, Montgomery ctx per call", "A", {}},
        {"A': the same, Montgomery ctx precomputed", "A'", {"A"}},
        {"**B**: consttime exps of the proof sizes (|N|-2, 2 x (|N|+512)), one Montgomery ctx", "B", {"A"}},
        {"OpenSSL RSA-CRT sign (EVP_PKEY_sign, PKCS#1 v1.5)", "rsaSign", {"A"}},
        {"OpenSSL RSA verify (EVP_PKEY_verify, e = 65537)", "rsaVerify", {"A"}},
        {"`partialSignWithoutProof`", "withoutProof", {"A", "A'", "rsaSign"}},
        {"`partialSign` (with proof)", "withProof", {"A", "B", "rsaSign"}},
        {"card: coprocessor sequence up to x_i (u, x_i)", "cardXi", {"A", "A'", "rsaSign"}},
        {"card: whole PARTIAL SIGN computation (with proof)", "cardFull", {"A", "B", "rsaSign"}},
        {"`verifyPartial` (one proof)", "verifyPartial", {"A", "rsaVerify"}},
        {"`combine` of 3, verifyProofs=false", "combineNoProofs", {"A", "rsaVerify"}},
        {"`combine` of 3, verifyProofs=true", "combineProofs", {"A", "rsaVerify"}},
    };
    std::printf("\n### %d-bit modulus, 3-of-7 (%d iterations)\n\n", r.bits, r.iterations);
    std::printf("| operation | median ms | p10 | p90 | x A | x A' | x B | x RSA-CRT sign | x RSA verify |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Line& line : lines) {
        const auto& v = s.at(line.op);
        std::printf("| %s | %s | %s | %s", line.label.c_str(), formatMs(median(v)).c_str(),
                    formatMs(percentile(v, 0.1)).c_str(), formatMs(percentile(v, 0.9)).c_str());
        for (const std::string& baseline : baselines) {
            const bool wanted =
                std::find(line.against.begin(), line.against.end(), baseline) != line.against.end();
            std::printf(" | %s", wanted ? formatRatio(med(line.op) / med(baseline)).c_str() : "");
        }
        std::printf(" |\n");
    }
    const double goal = med("withoutProof") / med("A");
    std::printf("\nGoal `partialSignWithoutProof` <= 1.15x A: **%s** (%.3fx; %.3fx A')\n",
                goal <= 1.15 ? "met" : "MISSED", goal, med("withoutProof") / med("A'"));
    printBatch(r);
    std::printf("\nPieces of the overhead over A' (same loop):\n\n");
    std::printf("| piece | median ms | share of A' |\n|---|---:|---:|\n");
    const std::vector<std::pair<std::string, std::string>> pieces = {
        {"`PublicKey::check()` (N, v, v_1..v_7 read and compared)", "keyCheck"},
        {"BN_CTX_secure_new + BN_MONT_CTX_set", "montSetup"},
        {"encodeMessage + u = x^{2 Delta} (BN_mod_exp_mont, 14-bit exponent)", "raise"},
        {"sum of these", ""},
        {"`partialSignWithoutProof` - A' (measured)", "-"},
    };
    double sum = 0;
    for (const auto& [label, op] : pieces) {
        double value = 0;
        if (op.empty())
            value = sum;
        else if (op == "-")
            value = med("withoutProof") - med("A'");
        else
            sum += value = med(op);
        std::printf("| %s | %s | %.1f%% |\n", label.c_str(), formatMs(value).c_str(),
                    100 * value / med("A'"));
    }
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return in ? one + " " + five + " " + fifteen : "unknown";
}

unsigned cpusAvailable() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return std::thread::hardware_concurrency();
    return static_cast<unsigned>(CPU_COUNT(&set));
}

void keygen(int runs, const std::vector<int>& extraSizes) {
    struct KeygenRow {
        int bits;
        std::vector<double> seconds;
    };
    std::vector<KeygenRow> rows;
    const auto timeDeal = [](int bits) {
        const auto start = Clock::now();
        const shoup::Deal deal = shoup::deal(bits, kThreshold, kPlayers);
        const double seconds = millis(start, Clock::now()) / 1000;
        if (deal.publicKey.modulusBits() != bits) throw std::runtime_error("deal made a wrong size");
        std::cerr << "shoup_bench: deal(" << bits << ", 3, 7): " << seconds << " s\n";
        return seconds;
    };
    if (runs > 0) {
        rows.push_back({2048, {}});
        for (int i = 0; i < runs; ++i) rows.back().seconds.push_back(timeDeal(2048));
    }
    for (const int bits : extraSizes) rows.push_back({bits, {timeDeal(bits)}});
    if (rows.empty()) return;
    std::printf("\n### Keygen: `shoup::deal(bits, 3, 7)` (%u CPU%s available; p and q are searched "
                "for on two threads)\n\n",
                cpusAvailable(), cpusAvailable() == 1 ? "" : "s");
    std::printf("| modulus | runs | min s | median s | max s | all runs (s) |\n|---|---:|---:|---:|---:|---|\n");
    for (const KeygenRow& row : rows) {
        std::string all;
        for (const double seconds : row.seconds) {
            char text[32];
            std::snprintf(text, sizeof text, "%s%.1f", all.empty() ? "" : ", ", seconds);
            all += text;
        }
        std::printf("| %d | %zu | %.1f | %.1f | %.1f | %s |\n", row.bits, row.seconds.size(),
                    *std::min_element(row.seconds.begin(), row.seconds.end()), median(row.seconds),
                    *std::max_element(row.seconds.begin(), row.seconds.end()), all.c_str());
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Shoup threshold RSA: partial signatures, proofs, combination and keygen against "
                 "modular exponentiations and OpenSSL RSA"};
    std::vector<int> sizes = {2048, 3072, 4096};
    int iterations = 0;
    int warmup = 3;
    int batchSize = 9;
    int keygenRuns = 3;
    std::vector<int> keygenSizes;
    bool keygenOnly = false;
    bool setupOnly = false;
    std::string primesCache;
    app.add_option("--sizes", sizes, "Modulus sizes measured (2048, 3072, 4096)")->capture_default_str()
        ->delimiter(',')->check(CLI::IsMember({2048, 3072, 4096}));
    app.add_option("-n,--iterations", iterations,
                   "Iterations per size (0: 200 for 2048, 80 for 3072, 40 for 4096)")->capture_default_str();
    app.add_option("--warmup", warmup, "Untimed iterations first")->capture_default_str();
    app.add_option("--batch-size", batchSize,
                   "Digests in the batch PARTIAL SIGN measured (2..16; a root-zone KSR has 9)")
        ->capture_default_str()
        ->check(CLI::Range(2, 16));
    app.add_option("--keygen-runs", keygenRuns, "Times shoup::deal(2048, 3, 7) is timed (0: none)")
        ->capture_default_str();
    app.add_option("--keygen-sizes", keygenSizes, "Also time deal() once for each of these sizes")
        ->delimiter(',')->check(CLI::IsMember({2048, 3072, 4096}));
    app.add_flag("--keygen-only", keygenOnly, "Only the keygen measurement");
    app.add_flag("--setup-only", setupOnly,
                 "Only make the keys of --sizes (filling --primes-cache), measure nothing");
    app.add_option("--primes-cache", primesCache,
                   "File of safe primes for the 3072/4096-bit keys: read, and appended to when new "
                   "ones are generated (benchmark keys only)");
    CLI11_PARSE(app, argc, argv);
    if (iterations < 0 || warmup < 0 || keygenRuns < 0) {
        std::cerr << "shoup_bench: counts must not be negative\n";
        return 2;
    }

    try {
        if (setupOnly) {
            for (const int bits : sizes) setUp(bits, primesCache);
            return 0;
        }
        std::printf("## shoup_bench: %s, %u CPU%s available\n", OpenSSL_version(OPENSSL_VERSION),
                    cpusAvailable(), cpusAvailable() == 1 ? "" : "s");
        if (!keygenOnly) {
            for (const int bits : sizes) {
                SizeSetup setup = setUp(bits, primesCache);
                std::printf("\nload average before %d bits: %s\n", bits, loadAverage().c_str());
                const int count = iterations > 0 ? iterations : bits == 2048 ? 200 : bits == 3072 ? 80 : 40;
                std::cerr << "shoup_bench: measuring " << bits << " bits, " << count << " iterations\n";
                const auto start = Clock::now();
                const SizeResult result = measure(setup, count, warmup, batchSize);
                std::cerr << "shoup_bench: " << bits << " bits took " << millis(start, Clock::now()) / 1000
                          << " s\n";
                printSize(result);
                std::printf("\nload average after: %s\n", loadAverage().c_str());
                std::fflush(stdout);
            }
            std::printf("\nEvery iteration runs every row once, in a fixed order (A first), on fresh "
                        "random inputs; %d warm-up iterations are not counted. Ratios are ratios of "
                        "medians.\n",
                        warmup);
        }
        keygen(keygenRuns, keygenSizes);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "shoup_bench: error: " << e.what() << "\n";
        return 1;
    }
}
