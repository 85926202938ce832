// The card's Feldman share of the activation key: stored at personalization or later on an issued
// card without one, released only to its holder inside a fully protected SCP11a session, each
// release counted (docs/apdu-spec.md).
#include "apdu/status.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/card_response.hpp"
#include "firmware-model/seeded_fault.hpp"
#include "protocol/shares.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
using answer::status;

ResponseApdu Card::putShare(const CommandApdu& command) {
    // Once only, and a card holds one kind of share.
    if (nvm_.read(field::kShare) || nvm_.read(field::kRsaShare)) return status(sw::kConditionsNotSatisfied);
    const auto record = protocol::ShareRecord::decode(command.data);
    if (!record) return status(sw::kWrongLength);
    if (record->index == 0) return status(sw::kWrongData);  // f(0) is the secret itself
    nvm_.begin();
    nvm_.write(field::kShare, command.data);
    nvm_.write(field::kUsageCounter, protocol::encodeUsageCounter(0));
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::getShare(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty()) return status(sw::kWrongLength);
    const auto stored = nvm_.read(field::kShare);
    const auto record = stored ? protocol::ShareRecord::decode(*stored) : std::nullopt;
    if (!record || record->index == 0) return status(sw::kReferencedDataNotFound);
    const auto counter = countRelease();
    if (!counter) return status(sw::kConditionsNotSatisfied);
    return ResponseApdu{protocol::ShareRelease{*record, *counter}.encode(), sw::kSuccess};
}

std::optional<std::uint32_t> Card::countRelease() {
    const auto stored = nvm_.read(field::kUsageCounter);
    std::uint32_t count = stored ? protocol::decodeUsageCounter(*stored).value_or(0) : 0;
    if (count == 0xFFFFFFFFu) return std::nullopt;  // never wraps
    ++count;
    if (hasSeededFault(SeededFault::UsageCounterNotStored)) return count;
    nvm_.write(field::kUsageCounter, protocol::encodeUsageCounter(count));
    return count;
}

}  // namespace quorum::card
