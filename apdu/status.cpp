#include "apdu/status.hpp"

#include <array>

namespace quorum::apdu::sw {

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string hexByte(unsigned value) {
    return {kHexDigits[(value >> 4) & 0x0F], kHexDigits[value & 0x0F]};
}

struct Named {
    std::uint16_t sw;
    const char* text;
};

// The fixed-value status words of ISO 7816-4 5.6 that status.hpp names; 61xx, 63Cx and 6Cxx
// carry a parameter and are named in name() itself.
constexpr std::array<Named, 31> kNames{{
    {kSuccess, "success"},
    {kWarningNvUnchanged, "warning, non-volatile memory unchanged"},
    {kEndOfData, "end of file or record reached before reading Ne bytes"},
    {kSelectedFileTerminated, "selected file in termination state"},
    {kWarningNvChanged, "warning, non-volatile memory changed"},
    {kExecutionErrorNvUnchanged, "execution error, non-volatile memory unchanged"},
    {kMemoryFailure, "memory failure"},
    {kWrongLength, "wrong length"},
    {kLogicalChannelNotSupported, "logical channel not supported"},
    {kSecureMessagingNotSupported, "secure messaging not supported"},
    {kLastCommandOfChainExpected, "last command of the chain expected"},
    {kChainingNotSupported, "command chaining not supported"},
    {kCommandNotAllowed, "command not allowed"},
    {kSecurityStatusNotSatisfied, "security status not satisfied"},
    {kAuthenticationMethodBlocked, "authentication method blocked"},
    {kReferenceDataNotUsable, "reference data not usable"},
    {kConditionsNotSatisfied, "conditions of use not satisfied"},
    {kCommandNotAllowedNoEf, "command not allowed, no current EF"},
    {kSmDataObjectsMissing, "expected secure messaging data objects missing"},
    {kSmDataObjectsIncorrect, "incorrect secure messaging data objects"},
    {kWrongData, "incorrect parameters in the data field"},
    {kFunctionNotSupported, "function not supported"},
    {kFileNotFound, "file or application not found"},
    {kNotEnoughMemory, "not enough memory space in the file"},
    {kIncorrectP1P2, "incorrect parameters P1-P2"},
    {kLcInconsistentWithP1P2, "Lc inconsistent with P1-P2"},
    {kReferencedDataNotFound, "referenced data or reference data not found"},
    {kWrongP1P2, "wrong parameters P1-P2"},
    {kInsNotSupported, "instruction code not supported or invalid"},
    {kClaNotSupported, "class not supported"},
    {kNoPreciseDiagnosis, "no precise diagnosis"},
}};

}  // namespace

std::string hex(std::uint16_t sw) {
    return hexByte(static_cast<unsigned>(sw >> 8)) + hexByte(sw & 0xFFu);
}

std::string name(std::uint16_t sw) {
    const unsigned sw1 = sw >> 8;
    const unsigned sw2 = sw & 0xFFu;
    // Parametrised words are written "61 1A" so the parameter byte stands apart.
    const std::string spaced = hexByte(sw1) + " " + hexByte(sw2);
    if (sw1 == 0x61) {  // ISO 7816-4 5.6: SW2 more bytes available, 00 = 256 or more
        if (sw2 == 0) return spaced + ": 256 or more bytes available";
        return spaced + ": " + std::to_string(sw2) + (sw2 == 1 ? " more byte" : " more bytes") +
               " available";
    }
    if (sw1 == 0x63 && (sw2 & 0xF0) == 0xC0) {  // 63Cx: counter x, here the tries left
        const unsigned tries = sw2 & 0x0F;
        return spaced + ": verification failed, " + std::to_string(tries) +
               (tries == 1 ? " try left" : " tries left");
    }
    if (sw1 == 0x6C) {  // 6Cxx: wrong Le, SW2 is the exact length (00 = 256)
        return spaced + ": wrong Le, exact length is " + std::to_string(sw2 == 0 ? 256 : sw2);
    }
    for (const auto& entry : kNames)
        if (entry.sw == sw) return hex(sw) + ": " + entry.text;
    return hex(sw) + ": unknown status";
}

}  // namespace quorum::apdu::sw
