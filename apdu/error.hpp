// The exception raised for a byte string that breaks an ISO 7816-4 encoding rule.
#pragma once

#include <stdexcept>
#include <string>

namespace quorum::apdu {

// Which rule a malformed APDU or TLV broke, so callers (and tests) can tell the cases apart.
enum class Rule {
    TooShort,            // fewer than the 4 header bytes, or an empty response (< SW1 SW2)
    TruncatedBody,       // Lc announces more data than present
    TrailingBytes,       // bytes left over after the last field
    ZeroLc,              // Lc present but zero (forbidden by ISO 7816-4 5.1)
    ExtendedLcShortLe,   // extended Lc followed by a short (1-byte) Le
    ShortLcExtendedLe,   // short Lc followed by an extended (2/3-byte) Le
    BadExtendedMarker,   // extended length field without its leading 00
    DataTooLong,         // more data than Lc can express (255 short, 65535 extended)
    LeOutOfRange,        // Ne outside 1..256 (short) or 1..65536 (extended)
    TlvTruncated,        // a TLV tag, length or value runs past the end
    TlvBadTag,           // tag bytes malformed (00/FF padding where a tag is required, tag > 3 bytes)
    TlvBadLength,        // length form not supported (indefinite 80, > 3 length bytes, non-minimal)
    TlvTooDeep,          // constructed nesting deeper than the configured limit
    TlvTooMany,          // more objects than the configured limit
    ChainMismatch,       // a chained command whose header differs from the first of the chain
    ResponseProtocol,    // a card answered a GET RESPONSE / 6Cxx retry in a way that breaks ISO rules
};

const char* ruleName(Rule rule);

class ApduError : public std::runtime_error {
public:
    ApduError(Rule rule, const std::string& detail);
    Rule rule() const noexcept { return rule_; }

private:
    Rule rule_;
};

}  // namespace quorum::apdu
