// The APDU layer, both directions: strict command parsing (every command that parses encodes
// back to the very bytes it was read from), response parsing (exact round trip), the card's
// chain assembler fed hostile parts, and the host's response chaining driven by a card that
// answers whatever the input says (it must end, within its byte limit, whatever it is told).
#include <cstdint>
#include <deque>

#include "apdu/channel.hpp"
#include "apdu/command.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/error.hpp"
#include "apdu/response.hpp"
#include "apdu/response_chaining.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace quorum;
using quorum::fuzz::FuzzInput;
using quorum::fuzz::violated;

namespace {

bool sameFields(const apdu::CommandApdu& a, const apdu::CommandApdu& b) {
    return a.cla == b.cla && a.ins == b.ins && a.p1 == b.p1 && a.p2 == b.p2 && a.data == b.data &&
           a.ne == b.ne;
}

void commandRoundTrip(const Bytes& raw) {
    apdu::CommandApdu parsed;
    try {
        parsed = apdu::CommandApdu::parse(raw);
    } catch (const apdu::ApduError&) {
        return;
    }
    const Bytes encoded = parsed.encode();  // whatever parsed must be expressible
    const auto again = apdu::CommandApdu::parse(encoded);
    if (!sameFields(parsed, again)) violated("a parsed command does not survive encode + parse");
    if (encoded != raw) violated("a command that parsed encodes to other bytes than it was read from");
}

void responseRoundTrip(const Bytes& raw) {
    try {
        const auto response = apdu::ResponseApdu::parse(raw);
        if (response.encode() != raw) violated("a response does not encode back to its bytes");
    } catch (const apdu::ApduError&) {
        if (raw.size() >= 2) violated("a response of two or more bytes was refused");
    }
}

void assembleChain(FuzzInput& in) {
    apdu::ChainAssembler assembler(in.u16());
    while (!in.empty()) {
        const Bytes raw = in.bytes(in.byte());
        try {
            const auto part = apdu::CommandApdu::parse(raw);
            if (const auto whole = assembler.add(part)) {
                if (whole->isChained()) violated("an assembled command still has the chaining bit");
                // What the host would split it into reassembles to the same command.
                apdu::ChainAssembler again;
                std::optional<apdu::CommandApdu> rebuilt;
                for (const auto& piece : apdu::splitChain(*whole)) rebuilt = again.add(piece);
                if (!rebuilt || !sameFields(*rebuilt, *whole)) violated("splitChain + assembly changed a command");
            }
        } catch (const apdu::ApduError&) {
            assembler.reset();
        }
    }
}

// A card that answers each command with the next response the input holds.
class ScriptedCard : public apdu::CardChannel {
public:
    explicit ScriptedCard(FuzzInput& in) : in_(in) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        ++commands;
        command.encode();  // what the host sends must be expressible
        if (in_.empty()) return apdu::ResponseApdu::status(0x6F00);
        const Bytes data = in_.bytes(in_.byte());
        return apdu::ResponseApdu{data, in_.u16()};
    }
    std::size_t commands = 0;

private:
    FuzzInput& in_;
};

void responseChaining(FuzzInput& in) {
    const std::size_t limit = 1 + in.u16() % 4096;
    ScriptedCard card(in);
    apdu::ResponseChainingChannel channel(card, limit);
    try {
        const auto answer = channel.transmit(apdu::CommandApdu::getData(0x00C3, 256));
        if (answer.data.size() > limit) violated("response chaining collected more than its limit");
    } catch (const apdu::ApduError&) {
    }
    if (card.commands > limit + 2) violated("response chaining sent more commands than its limit allows");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    switch (in.byte() % 4) {
        case 0: commandRoundTrip(in.rest()); break;
        case 1: responseRoundTrip(in.rest()); break;
        case 2: assembleChain(in); break;
        default: responseChaining(in); break;
    }
    return 0;
}
