#include "apdu/response_chaining.hpp"

#include <string>

#include "apdu/error.hpp"
#include "apdu/status.hpp"

namespace quorum::apdu {

namespace {

constexpr std::uint8_t kInsGetResponse = 0xC0;
constexpr std::uint8_t kSw1BytesAvailable = 0x61;
constexpr std::uint8_t kSw1WrongLe = 0x6C;

// Each GET RESPONSE must bring data (checked below), so the byte limit already ends the loop;
// this cap also stops a card that dribbles out a few bytes per round trip. 1024 rounds carry a
// full 64 KiB response even in 64-byte pieces.
constexpr std::size_t kMaxGetResponseRounds = 1024;

// ISO 7816-4 5.3.4 and 5.6: SW2 of 61xx / 6Cxx is a length, 00 standing for 256.
std::size_t lengthInSw2(const ResponseApdu& answer) {
    return answer.sw2() == 0 ? kMaxShortNe : answer.sw2();
}

// ISO 7816-4 5.4.1: GET RESPONSE goes to the logical channel of the command it continues, so
// its CLA keeps the channel number; chaining and secure messaging bits are not carried over.
std::uint8_t getResponseClass(std::uint8_t cla) {
    if ((cla & 0xE0) == 0x00) return static_cast<std::uint8_t>(cla & 0x03);  // channels 0-3
    if ((cla & 0xC0) == 0x40) return static_cast<std::uint8_t>(0x40 | (cla & 0x0F));  // 4-19
    return 0x00;  // proprietary class: the interindustry GET RESPONSE on the basic channel
}

std::string commandName(const CommandApdu& command) {
    return command.ins == kInsGetResponse ? "GET RESPONSE" : "the command";
}

}  // namespace

ResponseChainingChannel::ResponseChainingChannel(CardChannel& inner, std::size_t maxResponseBytes)
    : inner_(inner), maxResponseBytes_(maxResponseBytes) {}

ResponseApdu ResponseChainingChannel::transmit(const CommandApdu& command) {
    // A caller sending GET RESPONSE itself is driving the exchange by hand.
    if (command.ins == kInsGetResponse) return inner_.transmit(command);

    CommandApdu current = command;
    Bytes collected;
    bool resentForWrongLe = false;
    std::size_t rounds = 0;
    for (;;) {
        ResponseApdu answer = inner_.transmit(current);
        const std::size_t asked = current.ne.value_or(0);  // no Le field: Ne = 0
        if (answer.data.size() > asked)
            throw ApduError(Rule::ResponseProtocol,
                            "the card returned " + std::to_string(answer.data.size()) +
                                " bytes to " + commandName(current) + " that asked for at most " +
                                std::to_string(asked) + " (status " + sw::name(answer.sw) + ")");

        if (answer.sw1() == kSw1WrongLe) {
            // ISO 7816-4 5.6: 6Cxx = wrong Le, resend with Ne = xx; a card that still objects
            // to the length it named itself is broken, and resending again would loop.
            if (resentForWrongLe)
                throw ApduError(Rule::ResponseProtocol,
                                "the card answered " + sw::name(answer.sw) +
                                    " again after the command was already resent once with the "
                                    "length it asked for (Ne = " +
                                    std::to_string(asked) + ")");
            resentForWrongLe = true;
            current.ne = lengthInSw2(answer);
            continue;
        }

        collected.insert(collected.end(), answer.data.begin(), answer.data.end());
        if (collected.size() > maxResponseBytes_)
            throw ApduError(Rule::ResponseProtocol,
                            "the response has grown to " + std::to_string(collected.size()) +
                                " bytes, beyond the limit of " + std::to_string(maxResponseBytes_));
        if (answer.sw1() != kSw1BytesAvailable)
            return ResponseApdu{std::move(collected), answer.sw};

        // ISO 7816-4 5.3.4: 61xx = xx more bytes (00 = 256 or more), fetched with GET RESPONSE.
        const std::size_t available = lengthInSw2(answer);
        if (current.ins == kInsGetResponse && answer.data.empty())
            throw ApduError(Rule::ResponseProtocol,
                            "the card answered GET RESPONSE with " + sw::name(answer.sw) +
                                " but no data, so asking again would never end");
        if (collected.size() + available > maxResponseBytes_)
            throw ApduError(Rule::ResponseProtocol,
                            "the card announces " + std::to_string(available) +
                                " more bytes after " + std::to_string(collected.size()) +
                                ", beyond the limit of " + std::to_string(maxResponseBytes_));
        if (rounds == kMaxGetResponseRounds)
            throw ApduError(Rule::ResponseProtocol,
                            "the card still announces more data after " +
                                std::to_string(kMaxGetResponseRounds) + " GET RESPONSE commands (" +
                                std::to_string(collected.size()) + " bytes so far)");
        ++rounds;
        current = CommandApdu::getResponse(available);
        current.cla = getResponseClass(command.cla);
    }
}

}  // namespace quorum::apdu
