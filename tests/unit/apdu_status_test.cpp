// Status word names and hex.
#include <doctest/doctest.h>

#include <string>

#include "apdu/status.hpp"

using namespace quorum::apdu;

TEST_CASE("sw::hex is four upper-case digits") {
    CHECK(sw::hex(0x6A82) == "6A82");
    CHECK(sw::hex(sw::kSuccess) == "9000");
    CHECK(sw::hex(0x0001) == "0001");
    CHECK(sw::hex(0xABCD) == "ABCD");
}

TEST_CASE("every fixed status word in status.hpp has its name") {
    struct Expected {
        std::uint16_t sw;
        const char* name;
    };
    const Expected table[] = {
        {sw::kSuccess, "9000: success"},
        {sw::kWarningNvUnchanged, "6200: warning, non-volatile memory unchanged"},
        {sw::kEndOfData, "6282: end of file or record reached before reading Ne bytes"},
        {sw::kWarningNvChanged, "6300: warning, non-volatile memory changed"},
        {sw::kExecutionErrorNvUnchanged, "6400: execution error, non-volatile memory unchanged"},
        {sw::kMemoryFailure, "6581: memory failure"},
        {sw::kWrongLength, "6700: wrong length"},
        {sw::kLogicalChannelNotSupported, "6881: logical channel not supported"},
        {sw::kSecureMessagingNotSupported, "6882: secure messaging not supported"},
        {sw::kLastCommandOfChainExpected, "6883: last command of the chain expected"},
        {sw::kChainingNotSupported, "6884: command chaining not supported"},
        {sw::kCommandNotAllowed, "6900: command not allowed"},
        {sw::kSecurityStatusNotSatisfied, "6982: security status not satisfied"},
        {sw::kAuthenticationMethodBlocked, "6983: authentication method blocked"},
        {sw::kReferenceDataNotUsable, "6984: reference data not usable"},
        {sw::kConditionsNotSatisfied, "6985: conditions of use not satisfied"},
        {sw::kCommandNotAllowedNoEf, "6986: command not allowed, no current EF"},
        {sw::kSmDataObjectsMissing, "6987: expected secure messaging data objects missing"},
        {sw::kSmDataObjectsIncorrect, "6988: incorrect secure messaging data objects"},
        {sw::kWrongData, "6A80: incorrect parameters in the data field"},
        {sw::kFunctionNotSupported, "6A81: function not supported"},
        {sw::kFileNotFound, "6A82: file or application not found"},
        {sw::kNotEnoughMemory, "6A84: not enough memory space in the file"},
        {sw::kIncorrectP1P2, "6A86: incorrect parameters P1-P2"},
        {sw::kLcInconsistentWithP1P2, "6A87: Lc inconsistent with P1-P2"},
        {sw::kReferencedDataNotFound, "6A88: referenced data or reference data not found"},
        {sw::kWrongP1P2, "6B00: wrong parameters P1-P2"},
        {sw::kInsNotSupported, "6D00: instruction code not supported or invalid"},
        {sw::kClaNotSupported, "6E00: class not supported"},
        {sw::kNoPreciseDiagnosis, "6F00: no precise diagnosis"},
    };
    for (const auto& entry : table) {
        CAPTURE(entry.name);
        CHECK(sw::name(entry.sw) == entry.name);
    }
}

TEST_CASE("61xx is named with the number of bytes available") {
    CHECK(sw::name(0x611A) == "61 1A: 26 more bytes available");
    CHECK(sw::name(0x6101) == "61 01: 1 more byte available");
    CHECK(sw::name(0x61FF) == "61 FF: 255 more bytes available");
    CHECK(sw::name(sw::kBytesAvailable) == "61 00: 256 or more bytes available");
}

TEST_CASE("63Cx is named with the tries left") {
    CHECK(sw::name(0x63C2) == "63 C2: verification failed, 2 tries left");
    CHECK(sw::name(0x63C1) == "63 C1: verification failed, 1 try left");
    CHECK(sw::name(0x63CF) == "63 CF: verification failed, 15 tries left");
    CHECK(sw::name(sw::kVerifyFailed) == "63 C0: verification failed, 0 tries left");
    // 63 with a low byte outside C0-CF is not a counter.
    CHECK(sw::name(0x63D2) == "63D2: unknown status");
}

TEST_CASE("6Cxx is named with the exact length, 00 meaning 256") {
    CHECK(sw::name(0x6C10) == "6C 10: wrong Le, exact length is 16");
    CHECK(sw::name(sw::kWrongLe) == "6C 00: wrong Le, exact length is 256");
}

TEST_CASE("an unknown status word is named as such with its hex") {
    CHECK(sw::name(0x6F12) == "6F12: unknown status");
    CHECK(sw::name(0x0000) == "0000: unknown status");
    CHECK(sw::name(0x9001) == "9001: unknown status");
    CHECK(sw::name(0x6A83) == "6A83: unknown status");
}
