// Secure messaging of GlobalPlatform SCP03 (Amendment D v1.1 section 6.2), which SCP11 uses
// unchanged after its key agreement: AES-CBC encryption with a counter-derived ICV, C-MAC with
// MAC chaining, R-MAC over response data and SW, response encryption.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "apdu/response.hpp"

namespace quorum::crypto {

// A wrapped APDU failed its MAC, padding or form check. The session must be dropped.
class SecureMessagingError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Which protections a session applies. C-MAC is always on.
struct SecurityLevel {
    bool commandEncryption = false;  // C-DECRYPTION
    bool responseMac = false;        // R-MAC
    bool responseEncryption = false; // R-ENCRYPTION
    static SecurityLevel full() { return {true, true, true}; }
    bool isFull() const { return commandEncryption && responseMac && responseEncryption; }
    // From an SCP03 security level byte (C-MAC 01, C-DEC 02, R-MAC 10, R-ENC 20).
    static SecurityLevel fromScp03(std::uint8_t level);
};

struct SessionKeys {
    Bytes enc;   // S-ENC
    Bytes mac;   // S-MAC
    Bytes rmac;  // S-RMAC
    Bytes dek;   // S-DEK (unused by the wrapping itself)
};

// One side of a session. The host calls wrapCommand then unwrapResponse; the card calls
// unwrapCommand then wrapResponse. Both keep the MAC chaining value and the encryption counter.
class SecureMessaging {
public:
    SecureMessaging(SessionKeys keys, Bytes initialMacChain, SecurityLevel level);

    // Host: CLA gets bit 04; data (if any) padded and encrypted; C-MAC appended; counter + 1
    // (also for commands without data, which are not encrypted). Le is kept and not MACed.
    apdu::CommandApdu wrapCommand(const apdu::CommandApdu& plain);
    // Host: error status words (anything but 9000, 62xx, 63xx) come back unprotected and
    // without data; otherwise the R-MAC is checked and the data decrypted.
    apdu::ResponseApdu unwrapResponse(const apdu::ResponseApdu& wrapped);

    // Card: checks CLA bit 04 and the C-MAC (constant time), decrypts; counter + 1.
    apdu::CommandApdu unwrapCommand(const apdu::CommandApdu& wrapped);
    // Card: encrypts the data and appends the R-MAC, except for error status words, which
    // are returned alone (no data, no MAC).
    apdu::ResponseApdu wrapResponse(const apdu::ResponseApdu& plain);

    const SecurityLevel& level() const { return level_; }
    const Bytes& macChain() const { return macChain_; }
    std::uint64_t counter() const { return counter_; }

private:
    Bytes commandIcv() const;
    Bytes responseIcv() const;
    Bytes macInput(const apdu::CommandApdu& header, const Bytes& dataWithoutMac) const;

    SessionKeys keys_;
    Bytes macChain_;
    SecurityLevel level_;
    std::uint64_t counter_ = 1;  // GP SCP03 6.2.6: starts at 1 for the first command
};

// SW 9000, 62xx and 63xx are protected; every other status word is an error (GP SCP03 6.2.5).
bool isProtectedStatus(std::uint16_t sw);

}  // namespace quorum::crypto
