#include "apdu/response.hpp"

#include <string>

#include "apdu/error.hpp"

namespace quorum::apdu {

Bytes ResponseApdu::encode() const {
    Bytes out;
    out.reserve(data.size() + 2);
    out.insert(out.end(), data.begin(), data.end());
    out.push_back(sw1());
    out.push_back(sw2());
    return out;
}

ResponseApdu ResponseApdu::parse(const Bytes& raw) {
    // ISO 7816-4 5.1: the trailer SW1 SW2 is mandatory, the data field before it optional.
    if (raw.size() < 2)
        throw ApduError(Rule::TooShort,
                        "a response APDU needs at least the 2 status bytes SW1 SW2 "
                        "but " +
                            std::to_string(raw.size()) +
                            (raw.size() == 1 ? " byte was" : " bytes were") + " given");
    ResponseApdu response;
    const auto trailer = raw.end() - 2;
    response.data.assign(raw.begin(), trailer);
    response.sw = static_cast<std::uint16_t>((trailer[0] << 8) | trailer[1]);
    return response;
}

}  // namespace quorum::apdu
