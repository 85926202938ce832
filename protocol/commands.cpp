#include "protocol/commands.hpp"

#include <stdexcept>
#include <string>

#include "protocol/identifiers.hpp"
#include "protocol/shares.hpp"

namespace quorum::protocol {

namespace command {
namespace {
apdu::CommandApdu make(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data = {},
                       std::optional<std::size_t> ne = std::nullopt) {
    apdu::CommandApdu c;
    c.cla = cla;
    c.ins = ins;
    c.p1 = p1;
    c.p2 = p2;
    c.data = std::move(data);
    c.ne = ne;
    return c;
}

Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

std::uint8_t high(std::uint16_t tag) { return static_cast<std::uint8_t>(tag >> 8); }
std::uint8_t low(std::uint16_t tag) { return static_cast<std::uint8_t>(tag); }
constexpr std::size_t kLeAll = 256;  // Le 00
}  // namespace

apdu::CommandApdu select() { return apdu::CommandApdu::select(kApplicationId); }
apdu::CommandApdu getData(std::uint16_t tag) { return apdu::CommandApdu::getData(tag); }
apdu::CommandApdu putData(std::uint16_t tag, Bytes value) {
    return make(cla::kInterindustry, ins::kPutData, high(tag), low(tag), std::move(value));
}
apdu::CommandApdu generateKeyPair() {
    return make(cla::kInterindustry, ins::kGenerateKeyPair, kGenerateKeyPairP1, 0x00, {}, kLeAll);
}
apdu::CommandApdu activateFile() { return make(cla::kInterindustry, ins::kActivateFile, 0x00, 0x00); }
apdu::CommandApdu verify(Bytes pinBlock) {
    return make(cla::kInterindustry, ins::kVerify, 0x00, kPinReference, std::move(pinBlock));
}
apdu::CommandApdu verifyStatus() { return make(cla::kInterindustry, ins::kVerify, 0x00, kPinReference); }
apdu::CommandApdu changePin(const Bytes& oldBlock, const Bytes& newBlock) {
    return make(cla::kInterindustry, ins::kChangeReferenceData, 0x00, kPinReference, concat(oldBlock, newBlock));
}
apdu::CommandApdu changePuk(const Bytes& oldPuk, const Bytes& newPuk) {
    return make(cla::kInterindustry, ins::kChangeReferenceData, 0x00, kPukReference, concat(oldPuk, newPuk));
}
apdu::CommandApdu resetRetryCounter(const Bytes& puk, const Bytes& newPinBlock) {
    return make(cla::kInterindustry, ins::kResetRetryCounter, 0x00, kPinReference, concat(puk, newPinBlock));
}
apdu::CommandApdu getShare() { return make(cla::kProprietary, ins::kGetShare, 0x00, 0x00, {}, kLeAll); }
apdu::CommandApdu partialSign(const Bytes& digest) {
    return make(cla::kProprietary, ins::kPartialSign, 0x00, 0x00, digest, kLeAll);
}
apdu::CommandApdu partialSignBatch(const std::vector<Bytes>& digests) {
    if (digests.size() < 2 || digests.size() > kMaxPartialSignDigests)
        throw std::invalid_argument("PARTIAL SIGN takes a batch of 2 to " +
                                    std::to_string(kMaxPartialSignDigests) + " digests, not " +
                                    std::to_string(digests.size()));
    Bytes data;
    for (const Bytes& digest : digests) {
        if (digest.size() != kPartialSignDigestSize)
            throw std::invalid_argument("PARTIAL SIGN takes 32-byte SHA-256 digests, not " +
                                        std::to_string(digest.size()) + " bytes");
        data.insert(data.end(), digest.begin(), digest.end());
    }
    return make(cla::kProprietary, ins::kPartialSign, 0x00, 0x00, std::move(data), kLeAll);
}
apdu::CommandApdu wipe() { return make(cla::kProprietary, ins::kWipe, 0x00, 0x00); }
apdu::CommandApdu reshareOut(const ReshareOutRequest& request) {
    return make(cla::kProprietary, ins::kReshareOut, 0x00, 0x00, request.encode(), kLeAll);
}
apdu::CommandApdu reshareIn(const ReshareInRequest& request) {
    return make(cla::kProprietary, ins::kReshareIn, 0x00, 0x00, request.encode(), kLeAll);
}
apdu::CommandApdu retire() { return make(cla::kProprietary, ins::kRetire, 0x00, 0x00); }
}  // namespace command

namespace {
bool personalizationSecret(std::uint16_t object) {
    return object == tag::kPinPolicy || object == tag::kPin || object == tag::kPuk || object == tag::kShare ||
           object == tag::kRsaShare;
}
}  // namespace

std::optional<Arrival> arrivalOf(std::uint8_t claByte, std::uint8_t code, std::uint8_t p1, std::uint8_t p2) {
    const bool proprietary = (claByte & cla::kClassMask) == cla::kProprietary;
    if (proprietary) {
        switch (code) {
            case ins::kPerformSecurityOperation:
            case ins::kMutualAuthenticate: return Arrival::Clear;
            case ins::kGetShare:
            case ins::kPartialSign:
            case ins::kReshareOut: return Arrival::Holder;
            // Only a host of the card's own CA may undo its issuance, give a card without a
            // share its share, or retire a card (whose holder may have lost the PIN).
            case ins::kWipe:
            case ins::kReshareIn:
            case ins::kRetire: return Arrival::Session;
            default: return std::nullopt;
        }
    }
    switch (code) {
        case ins::kSelect:
        case ins::kGetData: return Arrival::Either;
        case ins::kGetResponse:
        case ins::kGenerateKeyPair: return Arrival::Clear;
        case ins::kPutData:
            // The card's identity (CA key, certificate) may be set up in the clear: a BLANK card
            // holds no secret yet. Everything else comes from a host of its CA, inside SCP11a.
            return personalizationSecret(static_cast<std::uint16_t>((p1 << 8) | p2)) ? Arrival::Session
                                                                                       : Arrival::Either;
        case ins::kActivateFile:
        case ins::kVerify:
        case ins::kChangeReferenceData:
        case ins::kResetRetryCounter: return Arrival::Session;
        default: return std::nullopt;
    }
}

bool commandCarriesSecret(const Bytes& command) {
    if (command.size() < 4) return false;
    switch (command[1]) {
        case ins::kVerify:
        case ins::kChangeReferenceData:
        case ins::kResetRetryCounter: return true;
        case ins::kPutData: {
            const auto object = static_cast<std::uint16_t>((command[2] << 8) | command[3]);
            return object == tag::kPin || object == tag::kPuk || object == tag::kShare || object == tag::kRsaShare;
        }
        default: return false;
    }
}

}  // namespace quorum::protocol
