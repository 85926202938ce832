// The card's share of a threshold RSA key (Shoup, protocol 1; crypto/shoup.hpp has the maths):
// stored at personalization, used only by PARTIAL SIGN for its holder inside a fully protected
// SCP11a session, each use counted (docs/apdu-spec.md). The card formats the message itself, so
// it never exponentiates a value of the host's choosing.
#include "apdu/error.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"
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

constexpr std::size_t kMinModulusSize = crypto::shoup::kMinTestModulusBits / 8;
constexpr std::size_t kMaxModulusSize = 512;  // 4096 bits

bool below(const Bytes& value, const Bytes& modulus) {
    return value.size() == modulus.size() &&
           std::lexicographical_compare(value.begin(), value.end(), modulus.begin(), modulus.end());
}

}  // namespace

std::optional<RsaShare> parseRsaShare(const Bytes& record) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(record, {1, 8});
    } catch (const apdu::ApduError&) {
        return std::nullopt;
    }
    if (objects.size() != 7) return std::nullopt;
    for (std::size_t i = 0; i < objects.size(); ++i)
        if (objects[i].tag != 0x80 + i || objects[i].constructed()) return std::nullopt;
    for (std::size_t i = 0; i < 3; ++i)
        if (objects[i].value.size() != 1) return std::nullopt;
    RsaShare share{objects[0].value[0], objects[1].value[0], objects[2].value[0], objects[3].value,
                   objects[4].value, objects[5].value, objects[6].value};
    const Bytes& n = share.modulus;
    if (n.size() < kMinModulusSize || n.size() > kMaxModulusSize || n.front() == 0 || (n.back() & 1) == 0)
        return std::nullopt;
    if (share.n < 1 || share.n > shoup::kMaxPlayers || share.k < 1 || share.k > share.n ||
        share.index < 1 || share.index > share.n)
        return std::nullopt;
    if (!below(share.v, n) || !below(share.vi, n) || !below(share.share, n)) return std::nullopt;
    return share;
}

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

}  // namespace

Bytes computePartialSignature(Coprocessor& coprocessor, const RsaShare& key, const Bytes& digest) {
    const Bytes& n = key.modulus;
    // u = x^{2 Delta}; x_i = u^{s_i}; x~ = u^2 = x^{4 Delta}.
    const Bytes x = shoup::encodeMessage(digest, n.size());
    const Bytes twoDelta = coprocessor.multiplyAdd(shoup::delta(key.n), {0x02}, {}, 8);
    const Bytes u = coprocessor.rsaNonCrt(n, twoDelta, x);
    const Bytes xi = coprocessor.rsaNonCrt(n, key.share, u);
    const Bytes xTilde = coprocessor.rsaNonCrt(n, {0x02}, u);
    // The proof that log_v(v_i) == log_x~(x_i^2): c = H(v, x~, v_i, x_i^2, v^r, x~^r), z = s_i c + r.
    const Bytes r = proofRandom(coprocessor, n);
    const Bytes vPrime = coprocessor.rsaNonCrt(n, r, key.v);
    const Bytes xPrime = coprocessor.rsaNonCrt(n, r, xTilde);
    const Bytes xiSquared = coprocessor.rsaNonCrt(n, {0x02}, xi);
    const Bytes c = shoup::challenge(n.size(), key.v, xTilde, key.vi, xiSquared, vPrime, xPrime);
    const Bytes z = coprocessor.multiplyAdd(key.share, c, r, shoup::responseSize(n.size()));
    Bytes answer;  // r, like every Bytes, is zeroized when it goes
    answer.reserve(xi.size() + c.size() + z.size());
    for (const Bytes* part : {&xi, &c, &z}) answer.insert(answer.end(), part->begin(), part->end());
    return answer;
}

ResponseApdu Card::putRsaShare(const CommandApdu& command) {
    if (nvm_.read(field::kShare) || nvm_.read(field::kRsaShare)) return status(sw::kConditionsNotSatisfied);
    if (!parseRsaShare(command.data)) return status(sw::kWrongData);
    nvm_.begin();
    nvm_.write(field::kRsaShare, command.data);
    nvm_.write(field::kUsageCounter, Bytes(4, 0x00));
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::partialSign(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (command.data.size() != shoup::kDigestSize) return status(sw::kWrongLength);
    const auto record = nvm_.read(field::kRsaShare);
    if (!record) return status(sw::kReferencedDataNotFound);
    const auto key = parseRsaShare(*record);
    if (!key) return status(sw::kReferencedDataNotFound);
    Bytes answer = computePartialSignature(coprocessor_, *key, command.data);
    const auto counter = countRelease();
    if (!counter) return status(sw::kConditionsNotSatisfied);
    answer.insert(answer.end(), counter->begin(), counter->end());
    return ResponseApdu{std::move(answer), sw::kSuccess};
}

}  // namespace quorum::card
