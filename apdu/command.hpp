// Command APDUs (ISO 7816-4 section 5.1): cases 1-4, short and extended length, strict parsing.
#pragma once

#include <cstdint>
#include <optional>

#include "apdu/bytes.hpp"

namespace quorum::apdu {

constexpr std::uint8_t kClaChaining = 0x10;       // ISO 7816-4 5.4.1: more commands of this chain follow
constexpr std::uint8_t kClaSecureMessaging = 0x0C; // ISO 7816-4 5.4.1: SM indication bits b4 b3
constexpr std::size_t kMaxShortNc = 255;
constexpr std::size_t kMaxShortNe = 256;
constexpr std::size_t kMaxExtendedNc = 65535;
constexpr std::size_t kMaxExtendedNe = 65536;

struct CommandApdu {
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::uint8_t p1 = 0;
    std::uint8_t p2 = 0;
    Bytes data;                   // Nc = data.size(); empty = no Lc field
    std::optional<std::size_t> ne; // expected response length; nullopt = no Le field
    bool forceExtended = false;   // encode with extended length even when short would do

    // Case 1-4 encoding; extended form when forced or when Nc > 255 or Ne > 256.
    // Throws ApduError(DataTooLong / LeOutOfRange) when the fields cannot be expressed.
    Bytes encode() const;

    // Strict decoding of one command APDU; throws ApduError naming the rule broken.
    static CommandApdu parse(const Bytes& raw);

    bool isExtended() const;  // true when encode() would use the extended form
    bool isChained() const { return (cla & kClaChaining) != 0; }

    // Named factories for the interindustry commands the project uses.
    static CommandApdu select(const Bytes& aid, std::optional<std::size_t> ne = 256);  // 00 A4 04 00
    static CommandApdu getResponse(std::size_t ne);                                      // 00 C0 00 00
    static CommandApdu getData(std::uint16_t tag, std::size_t ne = 256);                 // 00 CA P1P2=tag
};

}  // namespace quorum::apdu
