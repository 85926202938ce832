// Reads a fuzzer's input as a sequence of small decisions and byte strings, so one input can
// drive several calls (a series of APDUs, a document kind and its text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::fuzz {

class FuzzInput {
public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool empty() const { return offset_ >= size_; }
    std::size_t remaining() const { return size_ - offset_; }

    // The next byte, or 0 once the input is used up.
    std::uint8_t byte() { return empty() ? 0 : data_[offset_++]; }
    // A big-endian 16-bit number (missing bytes read as 0).
    std::uint16_t u16() {
        const std::uint16_t high = byte();
        return static_cast<std::uint16_t>(high << 8 | byte());
    }
    // Up to `count` bytes (fewer where the input ends).
    Bytes bytes(std::size_t count) {
        const std::size_t n = count < remaining() ? count : remaining();
        Bytes out(data_ + offset_, data_ + offset_ + n);
        offset_ += n;
        return out;
    }
    Bytes rest() { return bytes(remaining()); }
    std::string restAsText() {
        const std::size_t n = remaining();
        std::string out(reinterpret_cast<const char*>(data_ + offset_), n);
        offset_ = size_;
        return out;
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t offset_ = 0;
};

// Stops the fuzzer with a message: a property every input must keep did not hold.
[[noreturn]] void violated(const std::string& what);

}  // namespace quorum::fuzz
