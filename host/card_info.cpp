#include "host/card_info.hpp"

#include "apdu/error.hpp"
#include "apdu/status.hpp"
#include "apdu/tlv.hpp"

namespace quorum::host {

const Bytes kQuorumAid = {0xF0, 'Q', 'U', 'O', 'R', 'U', 'M', 'C', 'A', 'R', 'D'};

namespace {
constexpr std::uint32_t kFciTemplate = 0x6F;
constexpr std::uint32_t kDfName = 0x84;
constexpr std::uint32_t kProprietary = 0xA5;
constexpr std::uint32_t kFormatVersionTag = 0xC0;
constexpr std::uint32_t kCardIdTag = 0xC1;
constexpr std::uint32_t kLifecycleTag = 0xC2;
constexpr std::size_t kCardIdSize = 16;

const apdu::Tlv& require(const apdu::Tlv& parent, std::uint32_t tag, const char* what) {
    const apdu::Tlv* found = parent.find(tag);
    if (!found)
        throw CardProtocolError(std::string("card FCI lacks ") + what + " (tag " +
                                toHex({static_cast<std::uint8_t>(tag)}) + ")");
    return *found;
}
}  // namespace

std::string CardInfo::lifecycleName() const {
    switch (lifecycle) {
        case 0x01: return "BLANK";
        case 0x03: return "PERSONALIZED";
        case 0x07: return "OPERATIONAL";
        case 0x0F: return "BLOCKED";
        case 0x7F: return "TERMINATED";
        default: return "unknown (0x" + toHex({lifecycle}) + ")";
    }
}

CardInfo parseFci(const Bytes& fci) {
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(fci);
    } catch (const apdu::ApduError& e) {
        throw CardProtocolError(std::string("card FCI is not valid BER-TLV: ") + e.what());
    }
    if (objects.size() != 1 || objects[0].tag != kFciTemplate)
        throw CardProtocolError("card FCI is not one FCI template (tag 6F)");
    const apdu::Tlv& name = require(objects[0], kDfName, "the application name");
    if (name.value != kQuorumAid)
        throw CardProtocolError("card FCI names application " + toHex(name.value) +
                                ", not the quorum application");
    const apdu::Tlv& proprietary = require(objects[0], kProprietary, "proprietary data");
    CardInfo info;
    const auto& version = require(proprietary, kFormatVersionTag, "the format version").value;
    const auto& id = require(proprietary, kCardIdTag, "the card id").value;
    const auto& state = require(proprietary, kLifecycleTag, "the lifecycle state").value;
    if (version.size() != 1) throw CardProtocolError("card FCI format version is not one byte");
    if (id.size() != kCardIdSize)
        throw CardProtocolError("card FCI card id has " + std::to_string(id.size()) +
                                " bytes, expected 16");
    if (state.size() != 1) throw CardProtocolError("card FCI lifecycle state is not one byte");
    info.formatVersion = version[0];
    info.cardId = id;
    info.lifecycle = state[0];
    if (const apdu::Tlv* policy = proprietary.find(0xC5)) info.pinPolicy = policy->value;
    return info;
}

CardInfo selectQuorumCard(apdu::CardChannel& channel) {
    const auto answer = channel.transmit(apdu::CommandApdu::select(kQuorumAid));
    if (answer.sw == apdu::sw::kFileNotFound)
        throw CardProtocolError("this card has no quorum application (SELECT answered " +
                                apdu::sw::name(answer.sw) + ")");
    if (!answer.ok())
        throw CardProtocolError("SELECT of the quorum application failed: " +
                                apdu::sw::name(answer.sw));
    return parseFci(answer.data);
}

}  // namespace quorum::host
