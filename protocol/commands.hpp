// The card's commands as APDUs, and how each must arrive (docs/apdu-spec.md). Commands are
// built here in their plain form; secure messaging wraps them on the way (host/card).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "protocol/reshare.hpp"

namespace quorum::protocol {

namespace command {
apdu::CommandApdu select();                                         // 00 A4 04 00 AID 00
apdu::CommandApdu getData(std::uint16_t tag);                       // 00 CA tag, Le 00
apdu::CommandApdu putData(std::uint16_t tag, Bytes value);          // 00 DA tag value
apdu::CommandApdu generateKeyPair();                                // 00 47 80 00, Le 00
apdu::CommandApdu activateFile();                                   // 00 44 00 00
apdu::CommandApdu verify(Bytes pinBlock);                           // 00 20 00 81 block
apdu::CommandApdu verifyStatus();                                   // 00 20 00 81: tries left
apdu::CommandApdu changePin(const Bytes& oldBlock, const Bytes& newBlock);  // 00 24 00 81
apdu::CommandApdu changePuk(const Bytes& oldPuk, const Bytes& newPuk);      // 00 24 00 82
apdu::CommandApdu resetRetryCounter(const Bytes& puk, const Bytes& newPinBlock);  // 00 2C 00 81
apdu::CommandApdu getShare();                                       // 80 38 00 00, Le 00
apdu::CommandApdu partialSign(const Bytes& digest);                 // 80 3A 00 00 digest, Le 00
// 80 3A 00 00 d_1 || .. || d_m, Le 00: 2..16 digests of 32 bytes (std::invalid_argument otherwise);
// longer than a short Lc from 8 digests on, so it travels with command chaining.
apdu::CommandApdu partialSignBatch(const std::vector<Bytes>& digests);
apdu::CommandApdu wipe();                                           // 80 E4 00 00
// 80 3C 00 00 request, Le 00 (long: command chaining and GET RESPONSE)
apdu::CommandApdu reshareOut(const ReshareOutRequest& request);
apdu::CommandApdu reshareIn(const ReshareInRequest& request);       // 80 3E 00 00 request, Le 00
apdu::CommandApdu retire();                                         // 80 E6 00 00
}  // namespace command

// How a command must reach the card (the last column of the state table): in the clear only,
// either way, inside an SCP11a session with full protection, or - for commands that release a
// secret or sign - inside such a session after the holder's PIN.
enum class Arrival { Clear, Either, Session, Holder };

// The rule for a command header; nullopt for an instruction the card does not have (6D 00).
// GET RESPONSE is Clear: it fetches the rest of an answer that was protected as a whole.
std::optional<Arrival> arrivalOf(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2);

// True when a command APDU's data field may hold a PIN, PUK or share, so traces print only its
// header. Works on raw bytes, malformed ones included.
bool commandCarriesSecret(const Bytes& command);

}  // namespace quorum::protocol
