// ISO 7816-4 5.1.1.1 command chaining (CLA b5): split on the host, reassemble on the card.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "apdu/channel.hpp"

namespace quorum::apdu {

// Splits a command whose data exceeds `maxChunk` into a chain: every part but the last has the
// chaining bit set and no Le; the last part carries the original CLA and Ne.
std::vector<CommandApdu> splitChain(const CommandApdu& command, std::size_t maxChunk = kMaxShortNc);

// Card side: collects a chain part by part. add() returns the whole command once the last part
// (chaining bit clear) arrives, nullopt while more parts are expected. A part whose INS/P1/P2 or
// CLA (ignoring the chaining bit) differ from the first throws ApduError(ChainMismatch); so does a
// chain that would grow past `maxTotal` bytes (Rule::DataTooLong). reset() drops a partial chain.
class ChainAssembler {
public:
    explicit ChainAssembler(std::size_t maxTotal = kMaxExtendedNc);
    std::optional<CommandApdu> add(const CommandApdu& part);
    bool inProgress() const { return pending_.has_value(); }
    // True when `part` continues the chain in progress (same CLA sans chaining bit, INS, P1, P2).
    bool continues(const CommandApdu& part) const;
    void reset();

private:
    std::size_t maxTotal_;
    std::optional<CommandApdu> pending_;
};

// Host side decorator: commands longer than `maxChunk` go out as a chain (each part through
// `inner`, each intermediate part must answer 9000). Commands that fit pass through unchanged.
class CommandChainingChannel : public CardChannel {
public:
    explicit CommandChainingChannel(CardChannel& inner, std::size_t maxChunk = kMaxShortNc);
    ResponseApdu transmit(const CommandApdu& command) override;

private:
    CardChannel& inner_;
    std::size_t maxChunk_;
};

}  // namespace quorum::apdu
