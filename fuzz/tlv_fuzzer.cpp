// BER-TLV as the card and the host read data objects: any input either parses within the limits
// or is refused with ApduError; what parses re-encodes, and the encoding parses to the same tree.
#include <cstdint>

#include "apdu/error.hpp"
#include "apdu/tlv.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace quorum;
using quorum::fuzz::FuzzInput;
using quorum::fuzz::violated;

namespace {

std::size_t count(const std::vector<apdu::Tlv>& objects, std::size_t depth, std::size_t& deepest) {
    if (!objects.empty() && depth > deepest) deepest = depth;
    std::size_t n = objects.size();
    for (const auto& object : objects) {
        if (!object.constructed() && !object.children.empty()) violated("a primitive object has children");
        n += count(object.children, depth + 1, deepest);
    }
    return n;
}

bool sameTree(const std::vector<apdu::Tlv>& a, const std::vector<apdu::Tlv>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        // A constructed object's value re-encodes without the padding between its children.
        if (a[i].tag != b[i].tag || !sameTree(a[i].children, b[i].children)) return false;
        if (!a[i].constructed() && a[i].value != b[i].value) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    apdu::TlvLimits limits;
    limits.maxDepth = 1 + in.byte() % 16;
    limits.maxObjects = 1 + in.u16() % 2048;
    const Bytes input = in.rest();
    std::vector<apdu::Tlv> objects;
    try {
        objects = apdu::parseTlv(input, limits);
    } catch (const apdu::ApduError&) {
        return 0;
    }
    std::size_t deepest = 0;
    if (count(objects, 1, deepest) > limits.maxObjects) violated("more objects than maxObjects were parsed");
    if (deepest > limits.maxDepth + 1) violated("objects nested deeper than maxDepth were parsed");
    // Encoding is minimal and skips padding, so it may be shorter than the input, never longer.
    const Bytes encoded = apdu::encodeTlv(objects);
    if (encoded.size() > input.size()) violated("the re-encoding is longer than the input");
    std::vector<apdu::Tlv> again;
    try {
        again = apdu::parseTlv(encoded, limits);
    } catch (const apdu::ApduError& e) {
        violated(std::string("a re-encoded tree does not parse: ") + e.what());
    }
    if (!sameTree(objects, again)) violated("a re-encoded tree parses to another tree");
    return 0;
}
