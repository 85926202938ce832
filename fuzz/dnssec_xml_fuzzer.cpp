// KSR and SKR XML as the signer reads them: any text is accepted or refused with DocumentError;
// what is accepted writes back (toXml) to XML that reads back to the same document.
#include <cstdint>
#include <string>

#include "fuzz/fuzz_input.hpp"
#include "host/dnssec/errors.hpp"
#include "host/dnssec/ksr.hpp"
#include "host/dnssec/skr.hpp"

using namespace quorum;
using namespace quorum::host::dnssec;
using quorum::fuzz::FuzzInput;
using quorum::fuzz::violated;

namespace {

template <typename Document>
void roundTrip(const std::string& text) {
    std::string written;
    try {
        written = Document::fromXml(text, "fuzz input").toXml();
    } catch (const DocumentError&) {
        return;
    }
    try {
        if (Document::fromXml(written, "rewritten").toXml() != written)
            violated("a document does not write back the same after a round trip");
    } catch (const DocumentError& e) {
        violated(std::string("XML it wrote is refused: ") + e.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const bool skr = in.byte() & 1;
    const std::string text = in.restAsText();
    if (skr)
        roundTrip<Skr>(text);
    else
        roundTrip<Ksr>(text);
    return 0;
}
