// The share-holding card as its reader sees it: ATR, power, and one APDU in, one APDU out.
// docs/apdu-spec.md is the contract this implements.
#pragma once

#include <cstdint>
#include <optional>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "apdu/command_chaining.hpp"
#include "apdu/response.hpp"
#include "crypto/ec.hpp"
#include "crypto/secure_messaging.hpp"
#include "firmware-model/coprocessor.hpp"
#include "firmware-model/nvm.hpp"
#include "firmware-model/pin.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/lifecycle.hpp"
#include "protocol/pin.hpp"

namespace quorum::card {

// The card speaks protocol/'s language (AID, instructions, tags, lifecycle, PIN policy); its
// names are used unqualified here.
namespace ins = protocol::ins;
namespace tag = protocol::tag;
using protocol::Lifecycle;
using protocol::PinPolicy;

// The access rule for commands that release a secret or sign (shares, partial signatures): an
// OPERATIONAL card, a command that arrived wrapped in an SCP11a session with full protection
// (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION), and the PIN verified inside that same session.
bool holderMaySendSecrets(Lifecycle state, bool commandWrapped, bool fullProtection,
                          bool pinVerifiedInSession);

class Card {
public:
    // Reads its state from `nvm`; a card whose NVM has no id yet gets one now ("manufacture").
    // A card found with its PUK tries used up but not yet terminated (power lost in between)
    // completes the termination. Throws std::runtime_error for memory it cannot make sense of.
    Card(Nvm& nvm, Coprocessor& coprocessor);

    // T=1 ATR with the historical bytes described in docs/apdu-spec.md.
    static Bytes atr();

    void powerOn();
    void powerOff();
    void reset();
    bool powered() const { return powered_; }

    // One command APDU (raw bytes) in, one response APDU (data + SW) out. Malformed input gets an
    // ISO status word; only PowerLoss (tear injection in tests) escapes.
    Bytes process(const Bytes& command);

    const Bytes& cardId() const { return cardId_; }
    Lifecycle lifecycle() const;
    bool pinVerified() const { return pinVerified_; }
    bool inSecureSession() const { return session_.has_value(); }

private:
    using Handler = apdu::ResponseApdu (Card::*)(const apdu::CommandApdu&);
    struct Instruction;
    // The dispatch table's row for a command; `object` (P1-P2) tells PUT DATA's rows apart.
    static const Instruction* findInstruction(std::uint8_t cla, std::uint8_t ins, std::uint16_t object);

    // Handlers return the whole answer; process() protects it and cuts it to Ne.
    apdu::ResponseApdu dispatch(const apdu::CommandApdu& command, bool secure);
    // SELECT, GET RESPONSE, GET DATA (card.cpp)
    apdu::ResponseApdu select(const apdu::CommandApdu& command);
    apdu::ResponseApdu getData(const apdu::CommandApdu& command);
    apdu::ResponseApdu getResponse(const apdu::CommandApdu& command);
    // PUT DATA, ACTIVATE FILE, WIPE (card_personalization.cpp)
    apdu::ResponseApdu putData(const apdu::CommandApdu& command);
    apdu::ResponseApdu activate(const apdu::CommandApdu& command);
    apdu::ResponseApdu wipe(const apdu::CommandApdu& command);
    // GENERATE KEY, PSO, MUTUAL AUTHENTICATE, certificates (card_secure_channel.cpp)
    apdu::ResponseApdu generateKeyPair(const apdu::CommandApdu& command);
    apdu::ResponseApdu performSecurityOperation(const apdu::CommandApdu& command);
    apdu::ResponseApdu mutualAuthenticate(const apdu::CommandApdu& command);
    apdu::ResponseApdu putCaKey(const apdu::CommandApdu& command);
    apdu::ResponseApdu putCertificate(const apdu::CommandApdu& command);
    apdu::ResponseApdu getCertificate(const apdu::CommandApdu& command);
    void dropSession();
    // SeededFault::ReplayAccepted only: unwraps with the session, or else with the one before.
    apdu::CommandApdu unwrapAcceptingReplay(const apdu::CommandApdu& wrapped);
    // PUT DATA 00C9 and GET SHARE (card_share.cpp)
    apdu::ResponseApdu putShare(const apdu::CommandApdu& command);
    apdu::ResponseApdu getShare(const apdu::CommandApdu& command);
    // The usage counter after one more release, made durable; nullopt once it is exhausted
    // (a release the card cannot count does not happen).
    std::optional<std::uint32_t> countRelease();
    // PUT DATA 00CB and PARTIAL SIGN (card_partial_sign.cpp)
    apdu::ResponseApdu putRsaShare(const apdu::CommandApdu& command);
    apdu::ResponseApdu partialSign(const apdu::CommandApdu& command);
    // RESHARE OUT, RESHARE IN and RETIRE (card_reshare.cpp)
    apdu::ResponseApdu reshareOut(const apdu::CommandApdu& command);
    apdu::ResponseApdu reshareIn(const apdu::CommandApdu& command);
    apdu::ResponseApdu retire(const apdu::CommandApdu& command);
    // VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER (card_pin.cpp)
    apdu::ResponseApdu verify(const apdu::CommandApdu& command);
    apdu::ResponseApdu changeReferenceData(const apdu::CommandApdu& command);
    apdu::ResponseApdu resetRetryCounter(const apdu::CommandApdu& command);

    apdu::ResponseApdu changePin(const apdu::CommandApdu& command, const PinPolicy& policy);
    apdu::ResponseApdu changePuk(const apdu::CommandApdu& command, const PinPolicy& policy);
    // Decrements the PIN try counter durably (BLOCKED with the last one) before a comparison.
    std::uint8_t spendPinTry();
    // Decrements the PUK try counter durably before a comparison.
    std::uint8_t spendPukTry();
    // Zeroizes every secret and makes the card TERMINATED, in one transaction.
    void terminate();

    // Sends at most Ne bytes now and keeps the rest for GET RESPONSE (ISO 7816-4 5.3.4, 61xx);
    // `finalSw` is the status word once everything is delivered.
    apdu::ResponseApdu deliver(Bytes data, std::optional<std::size_t> ne,
                               std::uint16_t finalSw = 0x9000);
    Bytes fci() const;
    void clearVolatileState();
    // Zeroizes and drops what waits for GET RESPONSE.
    void discardPendingResponse();

    std::optional<PinPolicy> policy() const;
    std::uint8_t readByte(const char* field, std::uint8_t otherwise = 0) const;
    void writeByte(const char* field, std::uint8_t value);
    void setLifecycle(Lifecycle state);

    Nvm& nvm_;
    Coprocessor& coprocessor_;
    Bytes cardId_;

    // Volatile (RAM) state: lost on power off, reset and SELECT.
    bool powered_ = false;
    bool selected_ = false;
    bool pinVerified_ = false;
    Bytes pendingResponse_;
    std::uint16_t pendingSw_ = 0x9000;
    apdu::ChainAssembler chain_;
    std::optional<crypto::EcPublicKey> hostKey_;         // from a verified PSO certificate
    std::optional<crypto::SecureMessaging> session_;     // an open SCP11a session
    std::optional<crypto::SecureMessaging> sessionBeforeLastCommand_;  // SeededFault::ReplayAccepted only
    bool secureCommand_ = false;                         // the command in hand came wrapped
    bool endSessionAfterAnswer_ = false;                 // its answer is the session's last (WIPE, RETIRE)
};

// Names of the persistent fields, for tests and tools that inspect a card image.
namespace field {
constexpr const char* kCardId = "card_id";
constexpr const char* kLifecycle = "lifecycle";
constexpr const char* kPinPolicy = "pin_policy";
constexpr const char* kPin = "pin";
constexpr const char* kPuk = "puk";
constexpr const char* kPinTries = "pin_tries";
constexpr const char* kPukTries = "puk_tries";
constexpr const char* kPinChangeRequired = "pin_change_required";
constexpr const char* kCaPublicKey = "ca_public_key";
constexpr const char* kCardPrivateKey = "card_private_key";
constexpr const char* kCardCertificate = "card_certificate";
constexpr const char* kShare = "share";                  // index || value || commitments digest
constexpr const char* kRsaShare = "rsa_share";          // the PUT DATA 00CB record, s_i included
constexpr const char* kUsageCounter = "usage_counter";   // 4 bytes, big-endian
constexpr const char* kReshareContext = "reshare_context";  // SHA-256 of RESHARE IN's context
}  // namespace field

}  // namespace quorum::card
