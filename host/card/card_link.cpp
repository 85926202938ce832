#include "host/card/card_link.hpp"

#include "apdu/error.hpp"
#include "host/card/errors.hpp"

namespace quorum::host {

apdu::ResponseApdu CardLink::transmit(const apdu::CommandApdu& command) {
    try {
        return chained_.transmit(command);
    } catch (const apdu::ApduError& e) {
        // Answers the card got wrong; other rules are broken by the command, i.e. by this host.
        if (e.rule() == apdu::Rule::ResponseProtocol || e.rule() == apdu::Rule::TooShort)
            throw CardProtocolError(std::string("the card's answer breaks ISO 7816-4: ") + e.what());
        throw;
    }
}

}  // namespace quorum::host
