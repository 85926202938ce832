// Decorator that hides ISO 7816-4 response chaining: 61xx + GET RESPONSE and 6Cxx retries.
#pragma once

#include <cstddef>

#include "apdu/channel.hpp"

namespace quorum::apdu {

class ResponseChainingChannel : public CardChannel {
public:
    // `maxResponseBytes` bounds the total collected data so a broken card cannot make us loop
    // or allocate without limit; `inner` must outlive this object.
    explicit ResponseChainingChannel(CardChannel& inner, std::size_t maxResponseBytes = 65536);

    // On 61xx: sends GET RESPONSE (Ne = xx, or 256 for 00) until the card stops answering 61xx,
    // concatenating the data; the final SW is returned. On 6Cxx: resends the same command once
    // with Ne = xx. Throws ApduError(ResponseProtocol) when the card exceeds the limit, answers
    // 6Cxx twice or returns more data than asked for.
    ResponseApdu transmit(const CommandApdu& command) override;

private:
    CardChannel& inner_;
    std::size_t maxResponseBytes_;
};

}  // namespace quorum::apdu
