// The share-holding card as its reader sees it: ATR, power, and one APDU in, one APDU out.
#pragma once

#include <cstdint>
#include <optional>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/response.hpp"
#include "firmware-model/coprocessor.hpp"
#include "firmware-model/nvm.hpp"

namespace quorum::card {

// F0 (proprietary category, ISO 7816-5) followed by "QUORUMCARD".
extern const Bytes kApplicationId;

constexpr std::uint8_t kFormatVersion = 0x01;
constexpr std::size_t kCardIdSize = 16;

// Lifecycle states as stored in NVM and reported in the FCI (tag C2).
enum class Lifecycle : std::uint8_t {
    Blank = 0x01,
    Personalized = 0x03,
    Operational = 0x07,
    Blocked = 0x0F,
    Terminated = 0x7F,
};
const char* lifecycleName(Lifecycle state);

// Data object tags: inside the FCI's A5 template and as GET DATA P1-P2.
namespace tag {
constexpr std::uint16_t kFormatVersion = 0x00C0;
constexpr std::uint16_t kCardId = 0x00C1;
constexpr std::uint16_t kLifecycle = 0x00C2;
}  // namespace tag

namespace ins {
constexpr std::uint8_t kSelect = 0xA4;
constexpr std::uint8_t kGetResponse = 0xC0;
constexpr std::uint8_t kGetData = 0xCA;
}  // namespace ins

class Card {
public:
    // Reads its state from `nvm`; a card whose NVM has no id yet gets one now ("manufacture").
    Card(Nvm& nvm, Coprocessor& coprocessor);

    // T=1 ATR with the historical bytes described in docs/apdu-spec.md.
    static Bytes atr();

    void powerOn();
    void powerOff();
    void reset();
    bool powered() const { return powered_; }

    // One command APDU (raw bytes) in, one response APDU (data + SW) out. Never throws for
    // anything a reader can send: malformed input gets an ISO status word.
    Bytes process(const Bytes& command);

    const Bytes& cardId() const { return cardId_; }
    Lifecycle lifecycle() const { return lifecycle_; }

private:
    apdu::ResponseApdu dispatch(const apdu::CommandApdu& command);
    apdu::ResponseApdu select(const apdu::CommandApdu& command);
    apdu::ResponseApdu getData(const apdu::CommandApdu& command);
    apdu::ResponseApdu getResponse(const apdu::CommandApdu& command);
    // Sends at most Ne bytes now and keeps the rest for GET RESPONSE (ISO 7816-4 5.3.4, 61xx).
    apdu::ResponseApdu deliver(Bytes data, std::optional<std::size_t> ne);
    Bytes fci() const;
    void clearVolatileState();

    Nvm& nvm_;
    Coprocessor& coprocessor_;
    Bytes cardId_;
    Lifecycle lifecycle_ = Lifecycle::Blank;

    // Volatile (RAM) state: lost on power off, reset and deselect.
    bool powered_ = false;
    bool selected_ = false;
    Bytes pendingResponse_;
    apdu::ChainAssembler chain_;
};

}  // namespace quorum::card
