// ISO 7816-4 status words (section 5.6) with their names.
#pragma once

#include <cstdint>
#include <string>

namespace quorum::apdu::sw {

constexpr std::uint16_t kSuccess = 0x9000;
constexpr std::uint16_t kBytesAvailable = 0x6100;           // 61xx: xx more bytes (00 = 256 or more)
constexpr std::uint16_t kWarningNvUnchanged = 0x6200;
constexpr std::uint16_t kEndOfData = 0x6282;
constexpr std::uint16_t kSelectedFileTerminated = 0x6285;
constexpr std::uint16_t kWarningNvChanged = 0x6300;
constexpr std::uint16_t kVerifyFailed = 0x63C0;             // 63Cx: x tries left
constexpr std::uint16_t kExecutionErrorNvUnchanged = 0x6400;
constexpr std::uint16_t kMemoryFailure = 0x6581;
constexpr std::uint16_t kWrongLength = 0x6700;
constexpr std::uint16_t kLogicalChannelNotSupported = 0x6881;
constexpr std::uint16_t kSecureMessagingNotSupported = 0x6882;
constexpr std::uint16_t kLastCommandOfChainExpected = 0x6883;
constexpr std::uint16_t kChainingNotSupported = 0x6884;
constexpr std::uint16_t kCommandNotAllowed = 0x6900;
constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
constexpr std::uint16_t kAuthenticationMethodBlocked = 0x6983;
constexpr std::uint16_t kReferenceDataNotUsable = 0x6984;
constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
constexpr std::uint16_t kCommandNotAllowedNoEf = 0x6986;
constexpr std::uint16_t kSmDataObjectsMissing = 0x6987;
constexpr std::uint16_t kSmDataObjectsIncorrect = 0x6988;
constexpr std::uint16_t kWrongData = 0x6A80;
constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
constexpr std::uint16_t kFileNotFound = 0x6A82;
constexpr std::uint16_t kNotEnoughMemory = 0x6A84;
constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
constexpr std::uint16_t kLcInconsistentWithP1P2 = 0x6A87;
constexpr std::uint16_t kReferencedDataNotFound = 0x6A88;
constexpr std::uint16_t kWrongP1P2 = 0x6B00;
constexpr std::uint16_t kWrongLe = 0x6C00;                  // 6Cxx: xx is the exact Ne
constexpr std::uint16_t kInsNotSupported = 0x6D00;
constexpr std::uint16_t kClaNotSupported = 0x6E00;
constexpr std::uint16_t kNoPreciseDiagnosis = 0x6F00;

// "6A82 file or application not found" style name; unknown values get "unknown status".
// 61xx, 63Cx and 6Cxx are named with their parameter ("61 1A: 26 more bytes available").
std::string name(std::uint16_t sw);

// "6A82" - four upper-case hex digits.
std::string hex(std::uint16_t sw);

}  // namespace quorum::apdu::sw
