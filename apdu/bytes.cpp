#include "apdu/bytes.hpp"

#include <cstring>
#include <stdexcept>

namespace quorum {

void secureZero(void* data, std::size_t size) noexcept {
    if (data != nullptr && size > 0) explicit_bzero(data, size);  // glibc: never elided
}

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool isSeparator(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':';
}

// Printable characters are quoted as they are; anything else by its code, so the message
// stays readable even for control bytes or stray UTF-8.
std::string describe(char c) {
    const auto code = static_cast<unsigned char>(c);
    if (code >= 0x20 && code < 0x7F) return std::string("'") + c + "'";
    return std::string("byte 0x") + kHexDigits[code >> 4] + kHexDigits[code & 0x0F];
}

}  // namespace

std::string toHex(const std::uint8_t* data, std::size_t size, std::string_view separator) {
    std::string out;
    if (size == 0) return out;
    out.reserve(size * 2 + (size - 1) * separator.size());
    for (std::size_t i = 0; i < size; ++i) {
        if (i != 0) out.append(separator);
        out.push_back(kHexDigits[data[i] >> 4]);
        out.push_back(kHexDigits[data[i] & 0x0F]);
    }
    return out;
}

std::string toHex(const Bytes& bytes, std::string_view separator) {
    return toHex(bytes.data(), bytes.size(), separator);
}

Bytes fromHex(std::string_view hex) {
    Bytes out;
    out.reserve(hex.size() / 2);
    int high = -1;  // pending high nibble, -1 when none
    std::size_t digits = 0;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        const char c = hex[i];
        if (isSeparator(c)) continue;
        const int value = hexValue(c);
        if (value < 0)
            throw std::invalid_argument("invalid hex character " + describe(c) + " at position " +
                                        std::to_string(i) + " of \"" + std::string(hex) + "\"");
        ++digits;
        if (high < 0) {
            high = value;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | value));
            high = -1;
        }
    }
    if (high >= 0)
        throw std::invalid_argument("odd number of hex digits (" + std::to_string(digits) +
                                    ") in \"" + std::string(hex) + "\"; each byte needs two");
    return out;
}

}  // namespace quorum
