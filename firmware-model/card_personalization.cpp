// PUT DATA, ACTIVATE FILE and WIPE: loading a BLANK card, closing personalization for good, or
// undoing an issuance that stopped before that (docs/apdu-spec.md). The state table allows them
// in BLANK only; the shares (card_share.cpp, card_partial_sign.cpp) have rows of their own.
#include "firmware-model/card.hpp"

#include <string>
#include <vector>

#include "apdu/status.hpp"
#include "firmware-model/card_response.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
using answer::status;

ResponseApdu Card::putData(const CommandApdu& command) {
    const std::uint16_t object = static_cast<std::uint16_t>((command.p1 << 8) | command.p2);
    // The card's identity may be set up in the clear: a BLANK card holds no secret yet.
    if (object == tag::kCaPublicKey) return putCaKey(command);
    if (object == tag::kCertificateStore) return putCertificate(command);
    if (object != tag::kPinPolicy && object != tag::kPin && object != tag::kPuk)
        return status(sw::kReferencedDataNotFound);
    // Everything else came from a host of this card's CA, inside an SCP11a session
    // (protocol::arrivalOf, checked by dispatch()).
    if (command.data.empty()) return status(sw::kWrongLength);

    if (object == tag::kPinPolicy) {
        if (command.data.size() != PinPolicy::kEncodedSize) return status(sw::kWrongLength);
        // The stored PIN's padding depends on the policy: it cannot change under a stored PIN.
        if (nvm_.read(field::kPin) || nvm_.read(field::kPuk))
            return status(sw::kConditionsNotSatisfied);
        const auto decoded = PinPolicy::decode(command.data);
        if (!decoded) return status(sw::kWrongData);
        nvm_.write(field::kPinPolicy, decoded->encode());
        return status(sw::kSuccess);
    }

    const auto p = policy();
    if (!p) return status(sw::kConditionsNotSatisfied);
    if (object == tag::kPin) {
        if (!isValidPin(command.data.data(), command.data.size(), *p)) return status(sw::kWrongData);
        nvm_.write(field::kPin, pinBlock(command.data.data(), command.data.size(), *p));
    } else {
        if (command.data.size() != p->pukLength) return status(sw::kWrongData);
        nvm_.write(field::kPuk, command.data);
    }
    return status(sw::kSuccess);
}

ResponseApdu Card::activate(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty() || command.ne) return status(sw::kWrongLength);
    const auto p = policy();
    if (!p || !nvm_.read(field::kPin) || !nvm_.read(field::kPuk))
        return status(sw::kConditionsNotSatisfied);
    nvm_.begin();
    writeByte(field::kPinTries, p->pinTries);
    writeByte(field::kPukTries, p->pukTries);
    writeByte(field::kPinChangeRequired, p->changeBeforeUse ? 1 : 0);
    setLifecycle(Lifecycle::Personalized);
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::wipe(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty() || command.ne) return status(sw::kWrongLength);
    // Everything the card was given since manufacture goes, in one transaction; its id and its
    // state (BLANK) stay. Removing a field is its zeroization here: the committed image no longer
    // holds it and its buffer is zeroed when freed (a port overwrites arrays: docs/porting.md).
    std::vector<std::string> given;
    for (const auto& entry : nvm_.image())
        if (entry.first != field::kCardId && entry.first != field::kLifecycle) given.push_back(entry.first);
    nvm_.begin();
    for (const auto& name : given) nvm_.erase(name);
    nvm_.commit();
    endSessionAfterAnswer_ = true;  // the session rests on the private key just erased
    return status(sw::kSuccess);
}

}  // namespace quorum::card
