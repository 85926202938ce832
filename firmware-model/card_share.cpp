// The card's Feldman share of the activation key: stored at personalization, released only to
// its holder inside a fully protected SCP11a session, each release counted (docs/apdu-spec.md).
#include "apdu/status.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/card_response.hpp"

namespace quorum::card {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;
using answer::status;

namespace {
constexpr std::size_t kShareValueSize = 32;   // a P-256 scalar
constexpr std::size_t kDigestSize = 32;       // SHA-256 of the public commitments
constexpr std::size_t kShareRecordSize = 1 + kShareValueSize + kDigestSize;
constexpr std::size_t kCounterSize = 4;
}  // namespace

ResponseApdu Card::putShare(const CommandApdu& command) {
    // Once only, and a card holds one kind of share.
    if (nvm_.read(field::kShare) || nvm_.read(field::kRsaShare)) return status(sw::kConditionsNotSatisfied);
    if (command.data.size() != kShareRecordSize) return status(sw::kWrongLength);
    if (command.data[0] == 0) return status(sw::kWrongData);  // f(0) is the secret itself
    nvm_.begin();
    nvm_.write(field::kShare, command.data);
    nvm_.write(field::kUsageCounter, Bytes(kCounterSize, 0x00));
    nvm_.commit();
    return status(sw::kSuccess);
}

ResponseApdu Card::getShare(const CommandApdu& command) {
    if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
    if (!command.data.empty()) return status(sw::kWrongLength);
    auto share = nvm_.read(field::kShare);
    if (!share || share->size() != kShareRecordSize) return status(sw::kReferencedDataNotFound);
    const auto counter = countRelease();
    if (!counter) return status(sw::kConditionsNotSatisfied);
    share->insert(share->end(), counter->begin(), counter->end());
    return ResponseApdu{std::move(*share), sw::kSuccess};
}

std::optional<Bytes> Card::countRelease() {
    const auto stored = nvm_.read(field::kUsageCounter);
    std::uint32_t count = 0;
    if (stored && stored->size() == kCounterSize)
        for (std::uint8_t b : *stored) count = (count << 8) | b;
    if (count == 0xFFFFFFFFu) return std::nullopt;  // never wraps
    ++count;
    const Bytes counter = {static_cast<std::uint8_t>(count >> 24), static_cast<std::uint8_t>(count >> 16),
                           static_cast<std::uint8_t>(count >> 8), static_cast<std::uint8_t>(count)};
    nvm_.write(field::kUsageCounter, counter);
    return counter;
}

}  // namespace quorum::card
