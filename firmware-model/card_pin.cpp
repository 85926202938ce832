// VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER (docs/apdu-spec.md). Each secret
// comparison follows the same order: format checks (free), the try spent and committed, a
// constant-time comparison, and only on a match the counter restored.
#include "firmware-model/card.hpp"

#include "apdu/status.hpp"
#include "firmware-model/card_response.hpp"
#include "firmware-model/seeded_fault.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
using answer::status;
using answer::triesLeft;

namespace {

// Every field that holds a secret; terminate() overwrites each one.
constexpr const char* kSecretFields[] = {field::kPin, field::kPuk, field::kCardPrivateKey,
                                         field::kShare, field::kRsaShare};

}  // namespace

std::uint8_t Card::spendPinTry() {
    const auto left = static_cast<std::uint8_t>(readByte(field::kPinTries) - 1);
    nvm_.begin();
    writeByte(field::kPinTries, left);
    if (left == 0) setLifecycle(Lifecycle::Blocked);
    nvm_.commit();
    return left;
}

std::uint8_t Card::spendPukTry() {
    const auto left = static_cast<std::uint8_t>(readByte(field::kPukTries) - 1);
    writeByte(field::kPukTries, left);
    return left;
}

void Card::terminate() {
    nvm_.begin();
    for (const char* name : kSecretFields) {
        if (auto value = nvm_.read(name)) nvm_.write(name, Bytes(value->size(), 0x00));
    }
    writeByte(field::kPinTries, 0);
    writeByte(field::kPukTries, 0);
    setLifecycle(Lifecycle::Terminated);
    nvm_.commit();
    pinVerified_ = false;
}

ResponseApdu Card::verify(const CommandApdu& command) {
    if (command.p1 != 0) return status(sw::kIncorrectP1P2);
    if (command.p2 != protocol::kPinReference) return status(sw::kReferencedDataNotFound);
    const auto p = policy();
    if (!p) return status(sw::kConditionsNotSatisfied);
    const std::uint8_t tries = readByte(field::kPinTries);
    if (tries == 0) return status(sw::kAuthenticationMethodBlocked);
    if (command.data.empty())  // ISO 7816-4 11.5.6: no data, report the state only
        return pinVerified_ ? status(sw::kSuccess) : triesLeft(tries);
    if (command.data.size() != p->pinMax) return status(sw::kWrongLength);
    if (!isValidPinBlock(command.data.data(), command.data.size(), *p))
        return status(sw::kWrongData);

    const Lifecycle before = lifecycle();
    pinVerified_ = false;
    if (hasSeededFault(SeededFault::PinComparedFirst)) {
        const auto pin = nvm_.read(field::kPin);
        if (!pin || !secretsEqual(command.data.data(), pin->data(), p->pinMax))
            return triesLeft(static_cast<std::uint8_t>(tries - 1));
    }
    const std::uint8_t left = spendPinTry();
    const auto stored = nvm_.read(field::kPin);
    if (!stored || stored->size() != p->pinMax ||
        !secretsEqual(command.data.data(), stored->data(), p->pinMax))
        return triesLeft(left);

    Lifecycle after = before;
    if (before == Lifecycle::Personalized && readByte(field::kPinChangeRequired) == 0)
        after = Lifecycle::Operational;  // the holder has taken the card over
    nvm_.begin();
    writeByte(field::kPinTries, p->pinTries);
    if (after != lifecycle()) setLifecycle(after);
    nvm_.commit();
    pinVerified_ = true;
    return status(sw::kSuccess);
}

ResponseApdu Card::changeReferenceData(const CommandApdu& command) {
    if (command.p1 != 0) return status(sw::kIncorrectP1P2);
    const auto p = policy();
    if (!p) return status(sw::kConditionsNotSatisfied);
    if (command.p2 == protocol::kPinReference) return changePin(command, *p);
    if (command.p2 == protocol::kPukReference) return changePuk(command, *p);
    return status(sw::kReferencedDataNotFound);
}

ResponseApdu Card::changePin(const CommandApdu& command, const PinPolicy& p) {
    if (readByte(field::kPinTries) == 0) return status(sw::kAuthenticationMethodBlocked);
    if (command.data.size() != 2u * p.pinMax) return status(sw::kWrongLength);
    const std::uint8_t* oldBlock = command.data.data();
    const std::uint8_t* newBlock = oldBlock + p.pinMax;
    if (!isValidPinBlock(oldBlock, p.pinMax, p) || !isValidPinBlock(newBlock, p.pinMax, p))
        return status(sw::kWrongData);

    pinVerified_ = false;
    const std::uint8_t left = spendPinTry();
    const auto stored = nvm_.read(field::kPin);
    if (!stored || stored->size() != p.pinMax || !secretsEqual(oldBlock, stored->data(), p.pinMax))
        return triesLeft(left);

    nvm_.begin();
    nvm_.write(field::kPin, Bytes(newBlock, newBlock + p.pinMax));
    writeByte(field::kPinTries, p.pinTries);
    writeByte(field::kPinChangeRequired, 0);
    setLifecycle(Lifecycle::Operational);
    nvm_.commit();
    pinVerified_ = true;
    return status(sw::kSuccess);
}

ResponseApdu Card::changePuk(const CommandApdu& command, const PinPolicy& p) {
    if (command.data.size() != 2u * p.pukLength) return status(sw::kWrongLength);
    const std::uint8_t* oldPuk = command.data.data();
    const std::uint8_t* newPuk = oldPuk + p.pukLength;

    const std::uint8_t left = spendPukTry();
    const auto stored = nvm_.read(field::kPuk);
    if (!stored || stored->size() != p.pukLength ||
        !secretsEqual(oldPuk, stored->data(), p.pukLength)) {
        if (left == 0) terminate();
        return triesLeft(left);
    }
    nvm_.begin();
    nvm_.write(field::kPuk, Bytes(newPuk, newPuk + p.pukLength));
    writeByte(field::kPukTries, p.pukTries);
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::resetRetryCounter(const CommandApdu& command) {
    if (command.p1 != 0) return status(sw::kIncorrectP1P2);
    if (command.p2 != protocol::kPinReference) return status(sw::kReferencedDataNotFound);
    const auto p = policy();
    if (!p) return status(sw::kConditionsNotSatisfied);
    if (command.data.size() != std::size_t{p->pukLength} + p->pinMax)
        return status(sw::kWrongLength);
    const std::uint8_t* puk = command.data.data();
    const std::uint8_t* newBlock = puk + p->pukLength;
    if (!isValidPinBlock(newBlock, p->pinMax, *p)) return status(sw::kWrongData);

    pinVerified_ = false;
    const std::uint8_t left = spendPukTry();
    const auto stored = nvm_.read(field::kPuk);
    if (!stored || stored->size() != p->pukLength ||
        !secretsEqual(puk, stored->data(), p->pukLength)) {
        if (left == 0) terminate();
        return triesLeft(left);
    }
    nvm_.begin();
    writeByte(field::kPukTries, p->pukTries);
    nvm_.write(field::kPin, Bytes(newBlock, newBlock + p->pinMax));
    writeByte(field::kPinTries, p->pinTries);
    setLifecycle(readByte(field::kPinChangeRequired) != 0 ? Lifecycle::Personalized
                                                          : Lifecycle::Operational);
    nvm_.commit();
    return status(sw::kSuccess);
}

}  // namespace quorum::card
