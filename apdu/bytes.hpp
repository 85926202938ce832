// Byte strings and hex conversion shared by every layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quorum {

using Bytes = std::vector<std::uint8_t>;

// Upper-case hex, bytes separated by `separator` (none by default).
std::string toHex(const std::uint8_t* data, std::size_t size, std::string_view separator = "");
std::string toHex(const Bytes& bytes, std::string_view separator = "");

// Parses hex digits, ignoring spaces, tabs, newlines and ':'; throws std::invalid_argument
// naming the offending character or an odd digit count.
Bytes fromHex(std::string_view hex);

}  // namespace quorum
