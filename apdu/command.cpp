#include "apdu/command.hpp"

#include <string>

#include "apdu/error.hpp"

namespace quorum::apdu {

namespace {

constexpr std::size_t kHeaderSize = 4;         // CLA INS P1 P2
constexpr std::size_t kExtendedFieldSize = 3;  // 00 + two length bytes

std::string bytesWord(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

std::string dataBytesWord(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " data byte" : " data bytes");
}

void putTwo(Bytes& out, std::size_t value) {
    out.push_back(static_cast<std::uint8_t>((value >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

std::size_t readTwo(const Bytes& raw, std::size_t at) {
    return (static_cast<std::size_t>(raw[at]) << 8) | raw[at + 1];
}

// ISO 7816-4 5.1: a short Le of 00 means 256, an extended Le of 0000 means 65536.
std::size_t shortNe(std::uint8_t le) {
    return le == 0 ? kMaxShortNe : le;
}
std::size_t extendedNe(std::size_t le) {
    return le == 0 ? kMaxExtendedNe : le;
}

// Cases 3S and 4S: P3 is a non-zero short Lc.
CommandApdu parseShortBody(CommandApdu command, const Bytes& raw) {
    const std::size_t n = raw.size();
    const std::size_t nc = raw[kHeaderSize];
    const std::size_t body = n - kHeaderSize - 1;
    if (body < nc)
        throw ApduError(Rule::TruncatedBody, "Lc says " + dataBytesWord(nc) + " but only " +
                                                 std::to_string(body) + " follow");
    const auto dataBegin = raw.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + 1);
    command.data.assign(dataBegin, dataBegin + static_cast<std::ptrdiff_t>(nc));
    const std::size_t rest = body - nc;
    if (rest == 0) return command;  // case 3S
    if (rest == 1) {                // case 4S
        command.ne = shortNe(raw[n - 1]);
        return command;
    }
    if (rest == 2 || rest == 3)
        throw ApduError(Rule::ShortLcExtendedLe,
                        "after the short Lc (" + std::to_string(nc) + ") and its data, " +
                            bytesWord(rest) +
                            " remain, which looks like an extended Le; a short Lc may only be "
                            "followed by a 1-byte Le (ISO 7816-4 5.1: Lc and Le are both short "
                            "or both extended)");
    // Diagnose a 2-byte Lc written without its 00 marker: read as extended, the length would fit
    // the body exactly (case 3E) or leave exactly a 2-byte Le (case 4E).
    const std::size_t asTwoBytes = readTwo(raw, kHeaderSize);
    const std::size_t afterTwoBytes = n - kHeaderSize - 2;
    if (asTwoBytes == afterTwoBytes || asTwoBytes + 2 == afterTwoBytes) {
        const std::string fit =
            asTwoBytes == afterTwoBytes
                ? "exactly the " + std::to_string(afterTwoBytes) + " data bytes"
                : "the " + std::to_string(asTwoBytes) + " data bytes and a 2-byte Le";
        throw ApduError(Rule::BadExtendedMarker,
                        "the 2 bytes after the header read as an Lc of " +
                            std::to_string(asTwoBytes) + ", which would fit " + fit +
                            " that follow, but an extended Lc must start with a 00 byte (ISO "
                            "7816-4 5.1); read as a short Lc of " +
                            std::to_string(nc) + " it leaves " + bytesWord(rest) + " over");
    }
    throw ApduError(Rule::TrailingBytes, "Lc says " + dataBytesWord(nc) + " but " +
                                             std::to_string(body) + " follow; after the data " +
                                             "only a 1-byte Le may come, yet " + bytesWord(rest) +
                                             " are left over");
}

// Cases 3E and 4E: P3 is 00 and the APDU is longer than 7 bytes, so 00 + 2 bytes is an Lc.
CommandApdu parseExtendedBody(CommandApdu command, const Bytes& raw) {
    const std::size_t n = raw.size();
    const std::size_t nc = readTwo(raw, kHeaderSize + 1);
    if (nc == 0)
        throw ApduError(Rule::ZeroLc,
                        "the extended Lc 00 00 00 announces 0 data bytes; an Lc must announce "
                        "1 to 65535 bytes and is left out when there is no data (ISO 7816-4 5.1)");
    const std::size_t body = n - kHeaderSize - kExtendedFieldSize;
    if (body < nc)
        throw ApduError(Rule::TruncatedBody, "extended Lc says " + dataBytesWord(nc) +
                                                 " but only " + std::to_string(body) + " follow");
    const auto dataBegin =
        raw.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + kExtendedFieldSize);
    command.data.assign(dataBegin, dataBegin + static_cast<std::ptrdiff_t>(nc));
    command.forceExtended = true;  // keeps encode(parse(x)) == x even when short would fit
    const std::size_t rest = body - nc;
    if (rest == 0) return command;  // case 3E
    if (rest == 2) {                // case 4E: no second 00 marker before Le
        command.ne = extendedNe(readTwo(raw, n - 2));
        return command;
    }
    if (rest == 1)
        throw ApduError(
            Rule::ExtendedLcShortLe,
            "after the extended Lc (" + std::to_string(nc) +
                ") and its data, 1 byte remains; an extended Lc must be followed by a "
                "2-byte Le (ISO 7816-4 5.1: Lc and Le are both short or both extended)");
    throw ApduError(Rule::TrailingBytes, "extended Lc says " + dataBytesWord(nc) + " but " +
                                             std::to_string(body) + " follow; after the data " +
                                             "only a 2-byte Le may come, yet " + bytesWord(rest) +
                                             " are left over");
}

}  // namespace

bool CommandApdu::isExtended() const {
    return forceExtended || data.size() > kMaxShortNc || (ne && *ne > kMaxShortNe);
}

Bytes CommandApdu::encode() const {
    if (data.size() > kMaxExtendedNc)
        throw ApduError(Rule::DataTooLong, "command data is " + bytesWord(data.size()) +
                                               "; even an extended Lc can announce at most 65535");
    if (ne && *ne == 0)
        throw ApduError(
            Rule::LeOutOfRange,
            "Ne is 0; an Le field asks for 1 to 65536 bytes (leave Ne empty for no Le)");
    if (ne && *ne > kMaxExtendedNe)
        throw ApduError(Rule::LeOutOfRange, "Ne is " + std::to_string(*ne) +
                                                "; even an extended Le can ask for at most 65536");

    Bytes out{cla, ins, p1, p2};
    out.reserve(kHeaderSize + kExtendedFieldSize + data.size() + kExtendedFieldSize);
    if (!isExtended()) {
        // ISO 7816-4 5.1, short form: Lc is 1 byte (1..255), Le is 1 byte (00 = 256).
        if (!data.empty()) {
            out.push_back(static_cast<std::uint8_t>(data.size()));
            out.insert(out.end(), data.begin(), data.end());
        }
        if (ne) out.push_back(static_cast<std::uint8_t>(*ne == kMaxShortNe ? 0 : *ne));
        return out;
    }
    // ISO 7816-4 5.1, extended form: Lc is 00 + 2 bytes; Le is 2 bytes after an Lc, or 00 +
    // 2 bytes on its own (case 2E); 0000 = 65536. Case 1 has no length field to extend.
    if (!data.empty()) {
        out.push_back(0x00);
        putTwo(out, data.size());
        out.insert(out.end(), data.begin(), data.end());
    }
    if (ne) {
        if (data.empty()) out.push_back(0x00);
        putTwo(out, *ne == kMaxExtendedNe ? 0 : *ne);
    }
    return out;
}

CommandApdu CommandApdu::parse(const Bytes& raw) {
    // The ISO 7816-3 12.1.3 decision procedure: the total length and the byte after the header
    // (P3) tell the case apart.
    const std::size_t n = raw.size();
    if (n < kHeaderSize)
        throw ApduError(Rule::TooShort,
                        "a command APDU needs the 4 header bytes CLA INS P1 P2 "
                        "but only " +
                            bytesWord(n) + " were given");
    CommandApdu command;
    command.cla = raw[0];
    command.ins = raw[1];
    command.p1 = raw[2];
    command.p2 = raw[3];
    if (n == kHeaderSize) return command;  // case 1

    const std::uint8_t p3 = raw[kHeaderSize];
    if (n == kHeaderSize + 1) {  // case 2S; P3 = 00 is Ne = 256, not an Lc of zero
        command.ne = shortNe(p3);
        return command;
    }
    if (p3 != 0) return parseShortBody(command, raw);
    if (n == kHeaderSize + 2)
        throw ApduError(Rule::ZeroLc,
                        "P3 is 00 and 1 byte follows it: as a short Lc, 0 is forbidden (ISO "
                        "7816-4 5.1), and as an extended length field 00 needs 2 more bytes");
    if (n == kHeaderSize + kExtendedFieldSize) {  // case 2E: 00 + 2-byte Le
        command.ne = extendedNe(readTwo(raw, kHeaderSize + 1));
        command.forceExtended = true;
        return command;
    }
    return parseExtendedBody(command, raw);
}

CommandApdu CommandApdu::select(const Bytes& aid, std::optional<std::size_t> ne) {
    // ISO 7816-4 7.1.1: P1 04 = select by DF name, P2 00 = first occurrence, return FCI.
    CommandApdu command;
    command.ins = 0xA4;
    command.p1 = 0x04;
    command.data = aid;
    command.ne = ne;
    return command;
}

CommandApdu CommandApdu::getResponse(std::size_t ne) {
    CommandApdu command;
    command.ins = 0xC0;  // ISO 7816-4 7.6.1
    command.ne = ne;
    return command;
}

CommandApdu CommandApdu::getData(std::uint16_t tag, std::size_t ne) {
    CommandApdu command;
    command.ins = 0xCA;  // ISO 7816-4 7.4.2: P1-P2 carry the tag
    command.p1 = static_cast<std::uint8_t>(tag >> 8);
    command.p2 = static_cast<std::uint8_t>(tag & 0xFF);
    command.ne = ne;
    return command;
}

}  // namespace quorum::apdu
