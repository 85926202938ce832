// The card's share of a threshold RSA key (Shoup, protocol 1; crypto/shoup.hpp has the maths):
// stored at personalization or later on an issued card without a share, used only by PARTIAL
// SIGN for its holder inside a fully protected SCP11a session, each use counted
// (docs/apdu-spec.md). The card formats the message itself, so it never exponentiates a value of
// the host's choosing.
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

}  // namespace

protocol::PartialSignature computePartialSignature(Coprocessor& coprocessor, const protocol::RsaShareRecord& key,
                                                   const Bytes& digest) {
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
    return {xi, c, z};  // r, like every Bytes, is zeroized when it goes
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
    if (command.data.size() != shoup::kDigestSize) return status(sw::kWrongLength);
    const auto record = nvm_.read(field::kRsaShare);
    if (!record) return status(sw::kReferencedDataNotFound);
    const auto key = protocol::RsaShareRecord::decode(*record);
    if (!key) return status(sw::kReferencedDataNotFound);
    protocol::PartialSignAnswer answer{computePartialSignature(coprocessor_, *key, command.data), 0};
    const auto counter = countRelease();
    if (!counter) return status(sw::kConditionsNotSatisfied);
    answer.usageCount = *counter;
    return ResponseApdu{answer.encode(), sw::kSuccess};
}

}  // namespace quorum::card
