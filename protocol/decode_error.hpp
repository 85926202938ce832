// A data object that breaks docs/apdu-spec.md; the message says which object and what is wrong.
// The host reports it as the card's fault (host::CardProtocolError).
#pragma once

#include <stdexcept>
#include <string>

namespace quorum::protocol {

class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace quorum::protocol
