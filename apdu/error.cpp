#include "apdu/error.hpp"

namespace quorum::apdu {

const char* ruleName(Rule rule) {
    switch (rule) {
        case Rule::TooShort: return "too short";
        case Rule::TruncatedBody: return "truncated body";
        case Rule::TrailingBytes: return "trailing bytes";
        case Rule::ZeroLc: return "zero lc";
        case Rule::ExtendedLcShortLe: return "extended lc with short le";
        case Rule::ShortLcExtendedLe: return "short lc with extended le";
        case Rule::BadExtendedMarker: return "missing extended length marker";
        case Rule::DataTooLong: return "data too long";
        case Rule::LeOutOfRange: return "le out of range";
        case Rule::TlvTruncated: return "truncated tlv";
        case Rule::TlvBadTag: return "bad tlv tag";
        case Rule::TlvBadLength: return "bad tlv length";
        case Rule::TlvTooDeep: return "tlv nested too deep";
        case Rule::TlvTooMany: return "too many tlv objects";
        case Rule::ChainMismatch: return "chain mismatch";
        case Rule::ResponseProtocol: return "response protocol";
    }
    return "unknown rule";  // only reachable through a value cast into the enum
}

ApduError::ApduError(Rule rule, const std::string& detail)
    : std::runtime_error(std::string("APDU rule broken (") + ruleName(rule) + "): " + detail),
      rule_(rule) {}

}  // namespace quorum::apdu
