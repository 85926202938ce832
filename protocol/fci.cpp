#include "protocol/fci.hpp"

#include "apdu/error.hpp"
#include "apdu/tlv.hpp"
#include "protocol/decode_error.hpp"

namespace quorum::protocol {

namespace {
const apdu::Tlv& require(const apdu::Tlv& parent, std::uint32_t tag, const char* what) {
    const apdu::Tlv* found = parent.find(tag);
    if (!found)
        throw DecodeError(std::string("card FCI lacks ") + what + " (tag " +
                          toHex({static_cast<std::uint8_t>(tag)}) + ")");
    return *found;
}
}  // namespace

Bytes Fci::encode() const {
    using apdu::Tlv;
    std::vector<Tlv> proprietary = {Tlv::primitive(tag::kFormatVersion, {formatVersion}),
                                    Tlv::primitive(tag::kCardId, cardId),
                                    Tlv::primitive(tag::kLifecycle, {lifecycle})};
    if (pinPolicy) proprietary.push_back(Tlv::primitive(tag::kPinPolicy, pinPolicy->encode()));
    return Tlv::constructedOf(fci::kTemplate, {Tlv::primitive(fci::kDfName, kApplicationId),
                                               Tlv::constructedOf(fci::kProprietary, std::move(proprietary))})
        .encode();
}

Fci Fci::decode(const Bytes& encoded) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(encoded);
    } catch (const apdu::ApduError& e) {
        throw DecodeError(std::string("card FCI is not valid BER-TLV: ") + e.what());
    }
    if (objects.size() != 1 || objects[0].tag != fci::kTemplate)
        throw DecodeError("card FCI is not one FCI template (tag 6F)");
    const apdu::Tlv& name = require(objects[0], fci::kDfName, "the application name");
    if (name.value != kApplicationId)
        throw DecodeError("card FCI names application " + toHex(name.value) + ", not the quorum application");
    const apdu::Tlv& proprietary = require(objects[0], fci::kProprietary, "proprietary data");
    const auto& version = require(proprietary, tag::kFormatVersion, "the format version").value;
    const auto& id = require(proprietary, tag::kCardId, "the card id").value;
    const auto& state = require(proprietary, tag::kLifecycle, "the lifecycle state").value;
    if (version.size() != 1) throw DecodeError("card FCI format version is not one byte");
    if (id.size() != kCardIdSize)
        throw DecodeError("card FCI card id has " + std::to_string(id.size()) + " bytes, expected " +
                          std::to_string(kCardIdSize));
    if (state.size() != 1) throw DecodeError("card FCI lifecycle state is not one byte");
    Fci fci;
    fci.formatVersion = version[0];
    fci.cardId = id;
    fci.lifecycle = state[0];
    if (const apdu::Tlv* policy = proprietary.find(tag::kPinPolicy)) {
        fci.pinPolicy = PinPolicy::decode(policy->value);
        if (!fci.pinPolicy) throw DecodeError("card FCI PIN policy (tag C5) is not a valid 6-byte policy");
    }
    return fci;
}

}  // namespace quorum::protocol
