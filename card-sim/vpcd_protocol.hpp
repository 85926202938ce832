// The vpcd socket protocol (vsmartcard's virtual reader driver inside pcscd), card side.
// Every message both ways: 2-byte big-endian length, then that many bytes. Length-1 messages
// from vpcd are control codes, or 1-byte command APDUs (vpcd_frame_sorter.hpp tells which);
// longer ones are command APDUs answered with a response APDU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::sim {

namespace vpcd {
constexpr std::uint8_t kPowerOff = 0x00;
constexpr std::uint8_t kPowerOn = 0x01;
constexpr std::uint8_t kReset = 0x02;
constexpr std::uint8_t kGetAtr = 0x04;
constexpr std::uint16_t kDefaultPort = 35963;  // 0x8C7B, Debian's /etc/reader.conf.d/vpcd slot 0
}  // namespace vpcd

// Splits a byte stream into frames; several frames may arrive in one read, or one in many.
class VpcdFrameParser {
public:
    void feed(const std::uint8_t* data, std::size_t size);
    // The next complete frame, or nullopt until more bytes arrive.
    std::optional<Bytes> next();
    std::size_t buffered() const { return buffer_.size() - consumed_; }

private:
    Bytes buffer_;
    std::size_t consumed_ = 0;
};

// Length prefix + payload in one buffer, so it leaves in one send(). Throws std::length_error
// for an empty payload (vpcd would hang on it) or one over 65535 bytes.
Bytes vpcdFrame(const Bytes& payload);

struct VpcdEndpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = vpcd::kDefaultPort;

    // "HOST:PORT", "[v6addr]:PORT" or "PORT"; throws std::invalid_argument saying what is wrong.
    static VpcdEndpoint parse(const std::string& text);
    std::string str() const;
};

}  // namespace quorum::sim
