#include "card-sim/vpcd_protocol.hpp"

#include <stdexcept>

namespace quorum::sim {

void VpcdFrameParser::feed(const std::uint8_t* data, std::size_t size) {
    if (consumed_ > 0 && consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    }
    buffer_.insert(buffer_.end(), data, data + size);
}

std::optional<Bytes> VpcdFrameParser::next() {
    const std::size_t available = buffer_.size() - consumed_;
    if (available < 2) return std::nullopt;
    const std::size_t length =
        (static_cast<std::size_t>(buffer_[consumed_]) << 8) | buffer_[consumed_ + 1];
    if (available < 2 + length) return std::nullopt;
    const auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_ + 2);
    Bytes frame(begin, begin + static_cast<std::ptrdiff_t>(length));
    consumed_ += 2 + length;
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    }
    return frame;
}

Bytes vpcdFrame(const Bytes& payload) {
    if (payload.empty()) throw std::length_error("vpcd frame must not be empty");
    if (payload.size() > 0xFFFF)
        throw std::length_error("vpcd frame of " + std::to_string(payload.size()) +
                                " bytes exceeds 65535");
    Bytes framed;
    framed.reserve(payload.size() + 2);
    framed.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    framed.push_back(static_cast<std::uint8_t>(payload.size() & 0xFF));
    framed.insert(framed.end(), payload.begin(), payload.end());
    return framed;
}

namespace {
std::uint16_t parsePort(const std::string& text, const std::string& whole) {
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("vpcd address \"" + whole + "\": port \"" + text +
                                    "\" is not a number");
    const unsigned long value = std::stoul(text);
    if (value == 0 || value > 65535)
        throw std::invalid_argument("vpcd address \"" + whole + "\": port " + text +
                                    " is outside 1..65535");
    return static_cast<std::uint16_t>(value);
}
}  // namespace

VpcdEndpoint VpcdEndpoint::parse(const std::string& text) {
    VpcdEndpoint endpoint;
    if (text.empty()) throw std::invalid_argument("vpcd address is empty (expected HOST:PORT)");
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw std::invalid_argument("vpcd address \"" + text + "\": expected [IPv6]:PORT");
        endpoint.host = text.substr(1, close - 1);
        endpoint.port = parsePort(text.substr(close + 2), text);
        return endpoint;
    }
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        endpoint.port = parsePort(text, text);
        return endpoint;
    }
    if (colon == 0) throw std::invalid_argument("vpcd address \"" + text + "\": host is empty");
    endpoint.host = text.substr(0, colon);
    endpoint.port = parsePort(text.substr(colon + 1), text);
    return endpoint;
}

std::string VpcdEndpoint::str() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

}  // namespace quorum::sim
