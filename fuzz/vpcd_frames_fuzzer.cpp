// The vpcd frame parser fed a stream cut into arbitrary pieces: it must hand out exactly the
// frames the stream holds, in order, whatever the cuts, and keep the rest buffered.
#include <cstdint>

#include "card-sim/vpcd_protocol.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace quorum;
using quorum::fuzz::FuzzInput;
using quorum::fuzz::violated;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const Bytes cuts = in.bytes(in.byte() % 32);
    const Bytes stream = in.rest();

    // What the stream holds, read directly.
    std::vector<Bytes> expected;
    std::size_t at = 0;
    while (stream.size() - at >= 2) {
        const std::size_t length = static_cast<std::size_t>(stream[at]) << 8 | stream[at + 1];
        if (stream.size() - at - 2 < length) break;
        expected.emplace_back(stream.begin() + static_cast<std::ptrdiff_t>(at + 2),
                              stream.begin() + static_cast<std::ptrdiff_t>(at + 2 + length));
        at += 2 + length;
    }

    sim::VpcdFrameParser parser;
    std::vector<Bytes> got;
    std::size_t fed = 0;
    for (std::size_t i = 0; fed < stream.size(); ++i) {
        std::size_t piece = cuts.empty() ? stream.size() : 1 + cuts[i % cuts.size()];
        if (piece > stream.size() - fed) piece = stream.size() - fed;
        parser.feed(stream.data() + fed, piece);
        fed += piece;
        while (auto frame = parser.next()) got.push_back(std::move(*frame));
    }
    if (got != expected) violated("the parser's frames differ from the stream's");
    if (parser.buffered() != stream.size() - at) violated("the parser lost or invented buffered bytes");

    // Every frame the card side sends is one the parser reads back.
    for (const auto& frame : expected) {
        if (frame.empty()) continue;
        const Bytes wire = sim::vpcdFrame(frame);
        sim::VpcdFrameParser back;
        back.feed(wire.data(), wire.size());
        const auto read = back.next();
        if (!read || *read != frame || back.buffered() != 0) violated("vpcdFrame does not round-trip");
    }
    return 0;
}
