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

// Data object tags: inside the FCI's A5 template, as GET DATA and PUT DATA P1-P2.
namespace tag {
constexpr std::uint16_t kFormatVersion = 0x00C0;
constexpr std::uint16_t kCardId = 0x00C1;
constexpr std::uint16_t kLifecycle = 0x00C2;
constexpr std::uint16_t kPinStatus = 0x00C4;
constexpr std::uint16_t kPinPolicy = 0x00C5;
constexpr std::uint16_t kPin = 0x00C6;
constexpr std::uint16_t kPuk = 0x00C7;
constexpr std::uint16_t kCaPublicKey = 0x00C8;
constexpr std::uint16_t kShare = 0x00C9;         // Feldman share: index, value, commitments digest
constexpr std::uint16_t kRsaShare = 0x00CB;      // threshold RSA (Shoup) key share and its context
constexpr std::uint16_t kUsageCounter = 0x00C3;  // how often a share or partial signature left
constexpr std::uint16_t kCertificateStore = 0xBF21;  // GP Amendment F: the card's certificate
}  // namespace tag

namespace ins {
constexpr std::uint8_t kSelect = 0xA4;
constexpr std::uint8_t kGetResponse = 0xC0;
constexpr std::uint8_t kGetData = 0xCA;
constexpr std::uint8_t kPutData = 0xDA;
constexpr std::uint8_t kActivateFile = 0x44;
constexpr std::uint8_t kVerify = 0x20;
constexpr std::uint8_t kChangeReferenceData = 0x24;
constexpr std::uint8_t kResetRetryCounter = 0x2C;
constexpr std::uint8_t kGenerateKeyPair = 0x47;
constexpr std::uint8_t kPerformSecurityOperation = 0x2A;  // CLA 80: SCP11 host certificate
constexpr std::uint8_t kMutualAuthenticate = 0x82;        // CLA 80: SCP11a key agreement
constexpr std::uint8_t kGetShare = 0x38;                  // CLA 80: release the share
constexpr std::uint8_t kPartialSign = 0x3A;               // CLA 80: threshold RSA partial signature
}  // namespace ins

// PIN references (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER).
constexpr std::uint8_t kPinReference = 0x81;
constexpr std::uint8_t kPukReference = 0x82;

// The access rule for commands that release a secret or sign (shares, partial signatures): an
// OPERATIONAL card, a command that arrived wrapped in an SCP11a session with full protection
// (C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION), and the PIN verified inside that same session.
bool holderMaySendSecrets(Lifecycle state, bool commandWrapped, bool fullProtection,
                          bool pinVerifiedInSession);

// True when a command APDU's data field may hold a PIN, PUK or other secret, so traces print
// only its header. Works on raw bytes, malformed ones included.
bool commandCarriesSecret(const Bytes& command);

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
    static const Instruction* findInstruction(std::uint8_t cla, std::uint8_t ins);

    // Handlers return the whole answer; process() protects it and cuts it to Ne.
    apdu::ResponseApdu dispatch(const apdu::CommandApdu& command, bool secure);
    // SELECT, GET RESPONSE, GET DATA (card.cpp)
    apdu::ResponseApdu select(const apdu::CommandApdu& command);
    apdu::ResponseApdu getData(const apdu::CommandApdu& command);
    apdu::ResponseApdu getResponse(const apdu::CommandApdu& command);
    // PUT DATA, ACTIVATE FILE (card_personalization.cpp)
    apdu::ResponseApdu putData(const apdu::CommandApdu& command);
    apdu::ResponseApdu activate(const apdu::CommandApdu& command);
    // GENERATE KEY, PSO, MUTUAL AUTHENTICATE, certificates (card_secure_channel.cpp)
    apdu::ResponseApdu generateKeyPair(const apdu::CommandApdu& command);
    apdu::ResponseApdu performSecurityOperation(const apdu::CommandApdu& command);
    apdu::ResponseApdu mutualAuthenticate(const apdu::CommandApdu& command);
    apdu::ResponseApdu putCaKey(const apdu::CommandApdu& command);
    apdu::ResponseApdu putCertificate(const apdu::CommandApdu& command);
    apdu::ResponseApdu getCertificate(const apdu::CommandApdu& command);
    void dropSession();
    // PUT DATA 00C9 and GET SHARE (card_share.cpp)
    apdu::ResponseApdu putShare(const apdu::CommandApdu& command);
    apdu::ResponseApdu getShare(const apdu::CommandApdu& command);
    // The usage counter after one more release, made durable; nullopt once it is exhausted
    // (a release the card cannot count does not happen).
    std::optional<Bytes> countRelease();
    // PUT DATA 00CB and PARTIAL SIGN (card_partial_sign.cpp)
    apdu::ResponseApdu putRsaShare(const apdu::CommandApdu& command);
    apdu::ResponseApdu partialSign(const apdu::CommandApdu& command);
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
    bool secureCommand_ = false;                         // the command in hand came wrapped
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
}  // namespace field

}  // namespace quorum::card
