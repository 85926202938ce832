// reshare_bench: what redistributing a Feldman-shared P-256 secret to a new card set costs (issue
// 13; crypto/reshare.hpp has the maths), per old card and per new card, card side and host side,
// as multiples of one P-256 scalar multiplication measured in the same run.
//
// Baselines, measured in every round of the same loop as the subjects:
//   P  one EC_POINT_mul(group, r, NULL, Q, s, ctx) of an arbitrary point Q by a secret scalar s -
//      what crypto/p256_math.cpp's multiple() does for an ECDH or a Lagrange weight; the unit of
//      the "x P" column;
//   G  one fixed-base multiplication s * G, EC_POINT_mul(group, r, s, NULL, NULL, ctx) - what
//      baseMultiple() does for a commitment or an ephemeral key (OpenSSL's P-256 code has a
//      precomputed table for G, so it is cheaper than P).
// Each sample is the mean of 8 multiplications with fresh random points and scalars (drawn
// outside the timed region), at the start of every round.
//
// The cards are firmware-model cards in process (card::Card on an in-memory NVM), driven by the
// host's own client (host::QuorumCard over host::CardLink: command chaining, GET RESPONSE, SCP11a
// secure messaging) through a channel that times Card::process. A "card side" time is the sum of
// Card::process over every APDU of the command (the card's secure messaging, chaining, command
// decode, certificate checks, the crypto, NVM writes, the answer); the "host side" of the same
// command is the whole QuorumCard call minus that. No pcscd, no sockets, no fsync: the NVM is a
// map in memory, so what is measured is computation.
//
// Every round: each of the k old cards in B (spread over 1..n) opens an SCP11a session, VERIFY,
// RESHARE OUT to the n' new cards; the host checks each answer (fromShareHolder) and computes the
// new commitments once (combinedCommitments); then each new card opens a session and takes its
// share (RESHARE IN). The same computations without the card are timed on the same inputs:
// the certificate checks RESHARE OUT makes (as firmware-model/card_reshare.cpp does them),
// crypto::reshare::redistribute, crypto::reshare::receive, and receive + combinedCommitments (all
// RESHARE IN computes); and, for reading the gap between the multiplications counted and the time
// measured, the OpenSSL operations around them alone (ECDSA verify of a certificate, ECDH through
// EVP, key pair generation and import, P-256 group creation, certificate decoding, one box's
// HKDF + AES-GCM; each sample the mean of 4 calls in a row). The bench checks what it measures:
// every redistribution passes fromShareHolder and C'_0 == C_0 in every round; in the first and the
// last round every new card's stored share is the one receive() makes and verifies against C',
// and k' of them give back the old secret.
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/opensslv.h>
#include <sched.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/channel.hpp"
#include "apdu/command.hpp"
#include "apdu/response.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/primitives.hpp"
#include "crypto/reshare.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/coprocessor.hpp"
#include "firmware-model/nvm.hpp"
#include "host/card/card_link.hpp"
#include "host/card/quorum_card.hpp"
#include "host/card/secure_channel.hpp"
#include "protocol/pin.hpp"
#include "protocol/shares.hpp"

using namespace quorum;
namespace reshare = crypto::reshare;
using Clock = std::chrono::steady_clock;

namespace {

using crypto::ossl::Bn;
using crypto::ossl::BnCtx;
using crypto::ossl::Owned;
using Group = Owned<EC_GROUP, EC_GROUP_free>;
using Point = Owned<EC_POINT, EC_POINT_clear_free>;

const Bytes kPin = {'1', '2', '3', '4', '5', '6'};
const Bytes kPuk = {'1', '2', '3', '4', '5', '6', '7', '8'};
const Bytes kContext = {'r', 'e', 's', 'h', 'a', 'r', 'e', ' ', 'b', 'e', 'n', 'c', 'h'};
constexpr int kMultsPerSample = 8;
constexpr int kRepeats = 4;  // calls per sample of the reference operations

void check(int ok, const char* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
}

double micros(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
}

template <typename F>
double timed(F&& f) {
    const auto start = Clock::now();
    f();
    return micros(start, Clock::now());
}

double percentile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double position = q * static_cast<double>(v.size() - 1);
    const std::size_t low = static_cast<std::size_t>(position);
    const std::size_t high = std::min(low + 1, v.size() - 1);
    const double fraction = position - static_cast<double>(low);
    return v[low] + (v[high] - v[low]) * fraction;
}

double median(const std::vector<double>& v) {
    return percentile(v, 0.5);
}

// ----- Baseline: P-256 scalar multiplications, as crypto/p256_math.cpp makes them --------------

class Baseline {
public:
    Baseline()
        : group_(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)), ctx_(BN_CTX_secure_new()) {
        if (!group_ || !ctx_) throw std::runtime_error("cannot load P-256");
        result_.reset(EC_POINT_new(group_.get()));
        if (!result_) throw std::runtime_error("EC_POINT_new failed");
        for (int i = 0; i < kMultsPerSample; ++i) {
            scalars_.emplace_back(BN_secure_new());
            points_.emplace_back(EC_POINT_new(group_.get()));
            if (!scalars_.back() || !points_.back()) throw std::runtime_error("out of memory");
            BN_set_flags(scalars_.back().get(), BN_FLG_CONSTTIME);
        }
    }
    // Fresh scalars and points (each point a random multiple of G), untimed.
    void draw() {
        const BIGNUM* order = EC_GROUP_get0_order(group_.get());
        Bn pointScalar(BN_new());
        if (!pointScalar) throw std::runtime_error("BN_new failed");
        for (int i = 0; i < kMultsPerSample; ++i) {
            const auto at = static_cast<std::size_t>(i);
            check(BN_priv_rand_range_ex(scalars_[at].get(), order, 0, ctx_.get()),
                  "BN_priv_rand_range_ex");
            check(BN_rand_range(pointScalar.get(), order), "BN_rand_range");
            check(EC_POINT_mul(group_.get(), points_[at].get(), pointScalar.get(), nullptr, nullptr,
                               ctx_.get()),
                  "EC_POINT_mul");
        }
    }
    // Microseconds per multiplication.
    double arbitraryPoint() {
        return timed([&] {
                   for (int i = 0; i < kMultsPerSample; ++i) {
                       const auto at = static_cast<std::size_t>(i);
                       check(EC_POINT_mul(group_.get(), result_.get(), nullptr, points_[at].get(),
                                          scalars_[at].get(), ctx_.get()),
                             "EC_POINT_mul");
                   }
               }) /
               kMultsPerSample;
    }
    double fixedBase() {
        return timed([&] {
                   for (int i = 0; i < kMultsPerSample; ++i)
                       check(EC_POINT_mul(group_.get(), result_.get(),
                                          scalars_[static_cast<std::size_t>(i)].get(), nullptr,
                                          nullptr, ctx_.get()),
                             "EC_POINT_mul");
               }) /
               kMultsPerSample;
    }

private:
    Group group_;
    BnCtx ctx_;
    Point result_;
    std::vector<Bn> scalars_;
    std::vector<Point> points_;
};

// ----- Cards in process
// ---------------------------------------------------------------------------

// Persistent memory as a map: each persisted image replaces the last one (no history, no file).
class BenchNvm : public card::Nvm {
public:
    BenchNvm() : card::Nvm({}, card::kDefaultNvmCapacity) {}
    const card::NvmImage& persisted() const { return persisted_; }

protected:
    void persist(const card::NvmImage& image) override { persisted_ = image; }

private:
    card::NvmImage persisted_;
};

// Straight into Card::process, adding the time the card spends to `cardMicros`.
class TimedCardChannel : public apdu::CardChannel {
public:
    explicit TimedCardChannel(card::Card& card) : card_(card) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        const Bytes encoded = command.encode();
        const auto start = Clock::now();
        Bytes response = card_.process(encoded);
        cardMicros += micros(start, Clock::now());
        ++apdus;
        return apdu::ResponseApdu::parse(response);
    }
    double cardMicros = 0;
    int apdus = 0;
    void reset() {
        cardMicros = 0;
        apdus = 0;
    }

private:
    card::Card& card_;
};

struct BenchCard {
    explicit BenchCard(const host::CeremonyTrust& trust) : quorum(link, trust) {}
    BenchNvm nvm;
    card::OpensslCoprocessor coprocessor;
    card::Card card{nvm, coprocessor};
    TimedCardChannel channel{card};
    host::CardLink link{channel};
    host::QuorumCard quorum;

    Bytes field(const char* name) const {
        const auto found = nvm.persisted().find(name);
        if (found == nvm.persisted().end())
            throw std::runtime_error(std::string("the card has no ") + name);
        return found->second;
    }
    crypto::Certificate certificate() const {
        return crypto::Certificate::fromDer(field(card::field::kCardCertificate));
    }
};

// Issued as card `index` of the ceremony, with `share` when given, PIN "123456" (no change due):
// PERSONALIZED (OPERATIONAL after the first VERIFY).
std::unique_ptr<BenchCard> issue(const crypto::CeremonyCa& ca, const host::CeremonyTrust& trust,
                                 int index, const std::optional<crypto::FeldmanShare>& share,
                                 const Bytes& commitmentsDigest) {
    auto card = std::make_unique<BenchCard>(trust);
    card->quorum.issueIdentity(ca, index);
    if (share) card->quorum.storeShare(*share, commitmentsDigest);
    protocol::PinPolicy policy;
    policy.changeBeforeUse = false;
    card->quorum.personalize(policy, kPin, kPuk);
    return card;
}

// What RESHARE OUT does with the new cards' certificates (firmware-model/card_reshare.cpp,
// newCardsOf): parse, check the CA's signature and the card role, the card set and the index.
std::vector<reshare::NewCard> newCardsOf(const std::vector<Bytes>& certificates,
                                         const crypto::EcPublicKey& caKey, const Bytes& cardSetId) {
    std::vector<reshare::NewCard> cards;
    for (const Bytes& der : certificates) {
        const auto certificate = crypto::Certificate::fromDer(der);
        if (!crypto::verifySignedWithRole(certificate, caKey, crypto::CertRole::Card))
            throw std::runtime_error("a new card's certificate is not the CA's");
        const crypto::CertificateInfo info = certificate.info();
        if (info.cardSetId != cardSetId || !info.cardIndex)
            throw std::runtime_error("a new card of another set");
        cards.push_back(
            {static_cast<std::uint8_t>(*info.cardIndex), certificate.publicKey().point()});
    }
    return cards;
}

// The redistributions as new card j receives them (QuorumCard::reshareIn): only its own box.
std::vector<reshare::Redistribution> boxesFor(const std::vector<reshare::Redistribution>& b,
                                              std::uint8_t j) {
    std::vector<reshare::Redistribution> mine;
    for (const auto& r : b) {
        reshare::Redistribution one{r.from, r.commitments, {}};
        for (const auto& sealed : r.sealed)
            if (sealed.to == j) one.sealed = {sealed};
        mine.push_back(std::move(one));
    }
    return mine;
}

// k indexes spread over 1..n (1, 4, 7 for 3 of 7).
std::vector<int> spread(int k, int n) {
    std::vector<int> out;
    for (int m = 0; m < k; ++m)
        out.push_back(k == 1 ? 1
                             : 1 + static_cast<int>((static_cast<long>(m) * (n - 1) * 2 + (k - 1)) /
                                                    (2 * (k - 1))));
    return out;
}

// ----- Measurement ----------------------------------------------------------------------------

struct Config {
    int oldK = 3, oldN = 7, newK = 3, newN = 7;
};

using Samples = std::map<std::string, std::vector<double>>;

struct Ceremony {
    crypto::CeremonyCa ca;
    host::HostCredentials host;
    host::CeremonyTrust trust() const { return {host, ca.certificate(), ca.cardSetId()}; }
};

Ceremony makeCeremony() {
    auto ca =
        crypto::CeremonyCa::create("reshare bench CA", crypto::randomBytes(crypto::kCardSetIdSize));
    auto key = crypto::EcPrivateKey::generate();
    auto certificate = ca.issueHost(key.publicKey(), "reshare bench host");
    return Ceremony{std::move(ca), host::HostCredentials{std::move(key), std::move(certificate)}};
}

Samples measure(const Ceremony& ceremony, const Config& config, int rounds, int warmup) {
    const host::CeremonyTrust trust = ceremony.trust();
    const crypto::FeldmanDeal deal = crypto::deal(config.oldK, config.oldN);
    const std::vector<int> from = spread(config.oldK, config.oldN);

    std::cerr << "reshare_bench: issuing " << config.oldK << " old and " << config.newN
              << " new cards\n";
    std::vector<std::unique_ptr<BenchCard>> oldCards;
    for (const int i : from)
        oldCards.push_back(issue(ceremony.ca, trust, i,
                                 deal.shares.at(static_cast<std::size_t>(i - 1)),
                                 deal.commitments.digest()));
    std::vector<std::unique_ptr<BenchCard>> newCards;
    for (int j = 1; j <= config.newN; ++j)
        newCards.push_back(issue(ceremony.ca, trust, j, std::nullopt, {}));

    std::vector<crypto::Certificate> certificates;
    std::vector<Bytes> certificateDers;
    std::vector<crypto::EcPrivateKey>
        newKeys;  // what only each new card knows (read from its memory)
    for (const auto& c : newCards) {
        certificates.push_back(c->certificate());
        certificateDers.push_back(certificates.back().der());
        newKeys.push_back(crypto::EcPrivateKey::fromScalar(c->field(card::field::kCardPrivateKey)));
    }
    // What the old cards check the certificates against (their CA key and own card set).
    const crypto::EcPublicKey caKey =
        crypto::EcPublicKey::fromPoint(oldCards.front()->field(card::field::kCaPublicKey));
    const Bytes cardSetId = oldCards.front()->certificate().info().cardSetId;
    const crypto::EcPublicKey peerKey = certificates.back().publicKey();
    const Bytes newScalar = newCards.front()->field(card::field::kCardPrivateKey);
    // Inputs of the size of one box's: Z / g_i(j) (32 bytes), E || P_j, label || context || i || j.
    const Bytes boxSecret = crypto::randomBytes(32);
    const Bytes boxSalt = crypto::randomBytes(130);
    const Bytes boxInfo = crypto::randomBytes(17 + kContext.size() + 2);

    Baseline baseline;
    Samples s;
    const auto add = [&](bool keep, const std::string& name, double value) {
        if (keep) s[name].push_back(value);
    };
    // Card side, host side and whole of one QuorumCard call on `card`.
    const auto command = [&](bool keep, const std::string& name, BenchCard& card,
                             const std::function<void()>& call) {
        card.channel.reset();
        const double whole = timed(call);
        add(keep, name + ".card", card.channel.cardMicros);
        add(keep, name + ".host", whole - card.channel.cardMicros);
        add(keep, name + ".whole", whole);
    };

    for (int round = 0; round < warmup + rounds; ++round) {
        const bool keep = round >= warmup;
        const bool verify = round == 0 || round == warmup + rounds - 1;
        baseline.draw();
        add(keep, "P", baseline.arbitraryPoint());
        add(keep, "G", baseline.fixedBase());
        // The P-256 operations of the handshake and the certificate checks, and the overheads
        // around the multiplications, alone: each sample the mean of kRepeats calls in a row (warm,
        // as the baselines and as the n' certificate checks of one RESHARE OUT).
        const auto repeated = [](const std::function<void()>& f) {
            return timed([&] {
                       for (int i = 0; i < kRepeats; ++i) f();
                   }) /
                   kRepeats;
        };
        add(keep, "ecdsaVerify", repeated([&] {
                if (!crypto::verifySignedWithRole(certificates.front(), caKey,
                                                  crypto::CertRole::Card))
                    throw std::runtime_error("a certificate fails its check");
            }));
        add(keep, "ecdh", repeated([&] { newKeys.front().ecdh(peerKey); }));
        add(keep, "generate", repeated([&] { crypto::EcPrivateKey::generate(); }));
        add(keep, "fromScalar", repeated([&] { crypto::EcPrivateKey::fromScalar(newScalar); }));
        add(keep, "group",
            repeated([&] { Group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)); }));
        add(keep, "certParse",
            repeated([&] { crypto::Certificate::fromDer(certificateDers.front()); }));
        add(keep, "certFields", repeated([&] {
                certificates.front().info();
                certificates.front().publicKey().point();
            }));
        add(keep, "boxSymmetric", repeated([&] {
                crypto::aesGcmEncrypt(crypto::hkdfSha256(boxSecret, boxSalt, boxInfo, 32),
                                      Bytes(12, 0), boxSecret, boxInfo);
            }));

        // Old cards: session, VERIFY, RESHARE OUT; the host checks each answer.
        std::vector<reshare::Redistribution> b;
        for (std::size_t at = 0; at < oldCards.size(); ++at) {
            BenchCard& card = *oldCards[at];
            command(keep, "hsOld", card, [&] { card.quorum.openSecureChannel(); });
            command(keep, "verify", card, [&] { card.quorum.verifyPin(kPin); });
            reshare::Redistribution made;
            command(keep, "out", card,
                    [&] { made = card.quorum.reshareOut(config.newK, certificates, kContext); });
            bool fromHolder = false;
            add(keep, "fromShareHolder",
                timed([&] { fromHolder = reshare::fromShareHolder(made, deal.commitments); }));
            if (!fromHolder || made.from != from[at] || made.sealed.size() != certificates.size())
                throw std::runtime_error(
                    "a redistribution does not start from its old card's share");
            b.push_back(std::move(made));
        }
        // The same computations without the card: the certificate checks, redistribute, both.
        for (std::size_t at = 0; at < oldCards.size(); ++at) {
            const crypto::FeldmanShare& share =
                deal.shares.at(static_cast<std::size_t>(from[at] - 1));
            std::vector<reshare::NewCard> cards;
            add(keep, "certs",
                timed([&] { cards = newCardsOf(certificateDers, caKey, cardSetId); }));
            add(keep, "redistribute",
                timed([&] { reshare::redistribute(share, config.newK, cards, kContext); }));
            add(keep, "outCrypto", timed([&] {
                    reshare::redistribute(share, config.newK,
                                          newCardsOf(certificateDers, caKey, cardSetId), kContext);
                }));
        }
        // The host: the new commitments, once.
        crypto::FeldmanCommitments combined;
        add(keep, "combined", timed([&] { combined = reshare::combinedCommitments(b); }));
        if (combined.points.at(0) != deal.commitments.points.at(0) ||
            combined.threshold() != static_cast<std::size_t>(config.newK))
            throw std::runtime_error("the new commitments do not keep C_0");

        // New cards: session, RESHARE IN; and the card's computation alone.
        std::vector<crypto::FeldmanShare> received;
        for (std::size_t at = 0; at < newCards.size(); ++at) {
            BenchCard& card = *newCards[at];
            const auto j = static_cast<std::uint8_t>(at + 1);
            command(keep, "hsNew", card, [&] { card.quorum.openSecureChannel(); });
            command(keep, "in", card, [&] { card.quorum.reshareIn(b, kContext); });
            const std::vector<reshare::Redistribution> mine = boxesFor(b, j);
            crypto::FeldmanShare share;
            add(keep, "receive",
                timed([&] { share = reshare::receive(j, newKeys[at], mine, kContext); }));
            add(keep, "inCrypto", timed([&] {
                    reshare::receive(j, newKeys[at], mine, kContext);
                    reshare::combinedCommitments(mine).digest();
                }));
            received.push_back(share);
            if (verify) {
                const auto stored = protocol::ShareRecord::decode(card.field(card::field::kShare));
                if (!stored || stored->index != j || stored->value != share.value ||
                    stored->commitmentsDigest != combined.digest() ||
                    !crypto::verifyShare(share, combined))
                    throw std::runtime_error("new card " + std::to_string(j) +
                                             " stored a share other than receive() makes");
            }
        }
        if (verify) {
            const std::vector<crypto::FeldmanShare> some(received.end() - config.newK,
                                                         received.end());
            if (crypto::combine(some, combined) != deal.secret)
                throw std::runtime_error("the new shares do not give back the old secret");
        }
    }
    return s;
}

// ----- Output -----------------------------------------------------------------------------------

struct Expect {
    double g = 0, p = 0;
    std::string text;  // how the count is made up
};

std::string countText(double g, double p) {
    char text[64];
    if (g == 0 && p == 0) return "0";
    if (p == 0)
        std::snprintf(text, sizeof text, "%g G", g);
    else if (g == 0)
        std::snprintf(text, sizeof text, "%g P", p);
    else
        std::snprintf(text, sizeof text, "%g G + %g P", g, p);
    return text;
}

std::string us(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value >= 1000 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value);
    return text;
}

std::string times(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value >= 10 ? "%.1fx" : "%.2fx", value);
    return text;
}

void print(const Config& c, const Samples& s, int rounds) {
    const auto med = [&](const std::string& name) { return median(s.at(name)); };
    const double unit = med("P");
    const double gRatio = med("G") / unit;
    const double k = c.oldK, n2 = c.newN, k2 = c.newK;

    struct Row {
        std::string label, op;
        Expect expect;
        bool bold = false;
    };
    const auto row = [](std::string label, std::string op, double g, double p, std::string why,
                        bool bold = false) {
        return Row{std::move(label), std::move(op), Expect{g, p, std::move(why)}, bold};
    };
    // SCP11a (crypto/scp11.cpp): each ECDH goes through EVP_PKEY_derive with the peer key validated
    // (EVP_PKEY_public_check: n Q == infinity, one more P), and EcPublicKey::fromPoint checks the
    // same way every point it imports.
    const std::string kCardHandshake =
        "host certificate verify (G + P), CA key check (P), key from scalar (G), ephemeral key "
        "(G), "
        "host ephemeral check (P), 2 ECDH (2 x 2P), own ephemeral re-imported (P)";
    const std::string kHostHandshake =
        "card certificate verify (G + P), ephemeral key (G) re-imported (P), card ephemeral check "
        "(P), "
        "2 ECDH (2 x 2P)";
    const std::vector<Row> rows = {
        row("**P**: one P-256 scalar multiplication of an arbitrary point (`EC_POINT_mul`, the "
            "baseline)",
            "P", 0, 1, "1 P", true),
        row("**G**: one fixed-base multiplication s * G (`EC_POINT_mul`, precomputed table)", "G",
            1, 0, "1 G", true),
        row("ECDSA verify of one card certificate (`verifySignedWithRole`)", "ecdsaVerify", 1, 1,
            "u1 G + u2 Q"),
        row("ECDH through EVP (`EcPrivateKey::ecdh`, peer key validated)", "ecdh", 0, 2,
            "n Q (full public key check) + d Q"),
        row("key pair generated (`EcPrivateKey::generate`)", "generate", 1, 0, "d G"),
        row("key pair from a stored scalar (`EcPrivateKey::fromScalar`)", "fromScalar", 1, 0,
            "d G"),
        row("`EC_GROUP_new_by_curve_name(P-256)` (every reshare call, key import and point decode "
            "makes one)",
            "group", 0, 0, "0"),
        row("certificate decode: `Certificate::fromDer` (`d2i_X509`)", "certParse", 0, 0, "0"),
        row("certificate fields: `info()` + `publicKey().point()`", "certFields", 0, 0, "0"),
        row("one box's symmetric crypto: HKDF-SHA256 + AES-256-GCM", "boxSymmetric", 0, 0, "0"),
        // Card side, per old card.
        row("card, per old card: the n' certificate checks of RESHARE OUT (parse, ECDSA verify, "
            "role, set, index)",
            "certs", n2, n2, "n' ECDSA verifies (G + P each)"),
        row("card, per old card: `reshare::redistribute` (k', n')", "redistribute", k2 + n2, n2,
            "k' G (D_il) + n' x (G for E + P for ECDH)"),
        row("card, per old card: RESHARE OUT's computation (certificates + redistribute)",
            "outCrypto", k2 + 2 * n2, 2 * n2, "the two rows above"),
        row("card, per old card: **whole RESHARE OUT** in the card model (SM, chaining, decode, "
            "checks, NVM)",
            "out.card", k2 + 2 * n2, 2 * n2 + 1,
            "as above + P (n Q check of the CA key it imports)", true),
        // Card side, per new card.
        row("card, per new card: `reshare::receive` (k boxes)", "receive", 1 + k, k,
            "G (own P_j) + k x (P for ECDH + G for g_i(j) G)"),
        row("card, per new card: RESHARE IN's computation (receive + combinedCommitments)",
            "inCrypto", 1 + k, k + k * k2, "+ k k' P (lambda_i D_il)"),
        row("card, per new card: **whole RESHARE IN** in the card model (SM, chaining, decode, "
            "NVM)",
            "in.card", 2 + k, k + k * k2, "+ G (key pair from the stored scalar)", true),
        // Host side.
        row("host, per old card: `fromShareHolder`", "fromShareHolder", 0, 0,
            "0 (Horner with small i: doublings and additions)"),
        row("host, per old card: RESHARE OUT's host part (QuorumCard::reshareOut minus the card)",
            "out.host", 0, 0, "0 (SM, decode, k' point checks)"),
        row("host, once: `combinedCommitments` of the k redistributions", "combined", 0, k * k2,
            "k k' P"),
        row("host, per new card: RESHARE IN's host part (QuorumCard::reshareIn minus the card)",
            "in.host", 0, k * k2, "combinedCommitments again (k k' P) + SM"),
        // Around the commands, for a whole card insertion.
        row("card: SCP11a handshake, old card (SELECT, certificate, PSO, MUTUAL AUTHENTICATE)",
            "hsOld.card", 3, 8, kCardHandshake),
        row("card: VERIFY", "verify.card", 0, 0, "0"),
        row("host: SCP11a handshake, old card", "hsOld.host", 2, 7, kHostHandshake),
        row("host: VERIFY", "verify.host", 0, 0, "0"),
        row("card: SCP11a handshake, new card", "hsNew.card", 3, 8, kCardHandshake),
        row("host: SCP11a handshake, new card", "hsNew.host", 2, 7, kHostHandshake),
    };
    std::printf("\n### Old %d-of-%d -> new %d-of-%d (%d rounds; old cards", c.oldK, c.oldN, c.newK,
                c.newN, rounds);
    for (const int i : spread(c.oldK, c.oldN)) std::printf(" %d", i);
    std::printf(
        ")\n\nG = %.3f P in this run. Expected: scalar multiplications the code makes (G "
        "fixed-base, P "
        "arbitrary point), and that count in P with G = %.3f P.\n\n",
        gRatio, gRatio);
    std::printf(
        "| step | median us | p10 | p90 | x one P-256 scalar mult | expected mults | expected x "
        "|\n");
    std::printf("|---|---:|---:|---:|---:|---|---:|\n");
    for (const Row& r : rows) {
        const auto& v = s.at(r.op);
        const bool counted = !r.expect.text.empty();
        const double expected = r.expect.g * gRatio + r.expect.p;
        std::string why = counted ? countText(r.expect.g, r.expect.p) : "";
        if (counted && r.expect.text != "0" && r.expect.text != "1 P" && r.expect.text != "1 G")
            why = r.expect.g == 0 && r.expect.p == 0 ? r.expect.text : why + ": " + r.expect.text;
        std::string ratio = times(median(v) / unit);
        if (r.bold) ratio = "**" + ratio + "**";
        std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.label.c_str(),
                    us(median(v)).c_str(), us(percentile(v, 0.1)).c_str(),
                    us(percentile(v, 0.9)).c_str(), ratio.c_str(), why.c_str(),
                    counted && expected > 0 ? times(expected).c_str() : "");
    }
    // Totals per card insertion (sums of the medians above).
    const double oldCard = med("hsOld.card") + med("verify.card") + med("out.card");
    const double newCard = med("hsNew.card") + med("in.card");
    const double oldHost =
        med("hsOld.host") + med("verify.host") + med("out.host") + med("fromShareHolder");
    const double newHost = med("hsNew.host") + med("in.host");
    std::printf("\nPer card insertion (sums of the medians above):\n\n");
    std::printf(
        "| per card | card side us | x P | host side us | x P |\n|---|---:|---:|---:|---:|\n");
    std::printf(
        "| old card: handshake + VERIFY + RESHARE OUT (+ fromShareHolder on the host) | %s | %s | "
        "%s | %s |\n",
        us(oldCard).c_str(), times(oldCard / unit).c_str(), us(oldHost).c_str(),
        times(oldHost / unit).c_str());
    std::printf("| new card: handshake + RESHARE IN | %s | %s | %s | %s |\n", us(newCard).c_str(),
                times(newCard / unit).c_str(), us(newHost).c_str(), times(newHost / unit).c_str());
    std::printf(
        "| whole redistribution: k old + n' new cards, + combinedCommitments once | %s | %s | %s | "
        "%s |\n",
        us(k * oldCard + n2 * newCard).c_str(), times((k * oldCard + n2 * newCard) / unit).c_str(),
        us(k * oldHost + n2 * newHost + med("combined")).c_str(),
        times((k * oldHost + n2 * newHost + med("combined")) / unit).c_str());
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

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Reshare (RESHARE OUT / RESHARE IN) per old and per new card, card and host side, as "
        "multiples "
        "of one P-256 scalar multiplication measured in the same run"};
    int rounds = 100;
    int warmup = 3;
    int oldK = 3, oldN = 7, newN = 7;
    std::vector<int> newKs = {3, 5};
    app.add_option("-n,--rounds", rounds,
                   "Timed rounds per configuration (each: k RESHARE OUT, n' RESHARE IN)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    app.add_option("--warmup", warmup, "Untimed rounds first")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    app.add_option("--old-k", oldK, "Threshold of the old set (old cards that redistribute)")
        ->capture_default_str()
        ->check(CLI::Range(1, 255));
    app.add_option("--old-n", oldN, "Cards of the old set")
        ->capture_default_str()
        ->check(CLI::Range(1, 255));
    app.add_option("--new-k", newKs, "Thresholds of the new set, one configuration each")
        ->capture_default_str()
        ->delimiter(',')
        ->check(CLI::Range(1, 255));
    app.add_option("--new-n", newN, "Cards of the new set")
        ->capture_default_str()
        ->check(CLI::Range(1, 255));
    CLI11_PARSE(app, argc, argv);
    if (oldK > oldN) {
        std::cerr << "reshare_bench: --old-k must not exceed --old-n\n";
        return 2;
    }
    for (const int newK : newKs)
        if (newK > newN) {
            std::cerr << "reshare_bench: --new-k must not exceed --new-n\n";
            return 2;
        }

    try {
        std::printf("## reshare_bench: %s, %u CPU%s available\n", OpenSSL_version(OPENSSL_VERSION),
                    cpusAvailable(), cpusAvailable() == 1 ? "" : "s");
        const Ceremony ceremony = makeCeremony();
        for (const int newK : newKs) {
            const Config config{oldK, oldN, newK, newN};
            std::printf("\nload average before: %s\n", loadAverage().c_str());
            std::cerr << "reshare_bench: old " << oldK << "-of-" << oldN << " -> new " << newK
                      << "-of-" << newN << ", " << rounds << " rounds\n";
            const auto start = Clock::now();
            const Samples samples = measure(ceremony, config, rounds, warmup);
            std::cerr << "reshare_bench: took " << micros(start, Clock::now()) / 1e6 << " s\n";
            print(config, samples, rounds);
            std::printf("\nload average after: %s\n", loadAverage().c_str());
            std::fflush(stdout);
        }
        std::printf(
            "\nEvery round runs every row, in a fixed order (baselines first), on fresh random "
            "inputs; "
            "%d warm-up rounds are not counted. Medians over rounds (per old card and per new card "
            "rows: "
            "over rounds x cards); ratios are ratios of medians to P's.\n",
            warmup);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "reshare_bench: error: " << e.what() << "\n";
        return 1;
    }
}
