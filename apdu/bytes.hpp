// Byte strings and hex conversion shared by every layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quorum {

// Overwrites `size` bytes at `data` with zeros in a way the compiler may not optimise away.
void secureZero(void* data, std::size_t size) noexcept;

// Every buffer is zeroed before it goes back to the heap: APDUs carry PINs and shares, and a
// byte string cannot know whether it held one.
template <typename T>
struct ZeroizingAllocator {
    using value_type = T;
    ZeroizingAllocator() noexcept = default;
    template <typename U>
    ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secureZero(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <typename U>
    bool operator==(const ZeroizingAllocator<U>&) const noexcept { return true; }
    template <typename U>
    bool operator!=(const ZeroizingAllocator<U>&) const noexcept { return false; }
};

using Bytes = std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>>;

// Upper-case hex, bytes separated by `separator` (none by default).
std::string toHex(const std::uint8_t* data, std::size_t size, std::string_view separator = "");
std::string toHex(const Bytes& bytes, std::string_view separator = "");

// Parses hex digits, ignoring spaces, tabs, newlines and ':'; throws std::invalid_argument
// naming the offending character or an odd digit count.
Bytes fromHex(std::string_view hex);

}  // namespace quorum
