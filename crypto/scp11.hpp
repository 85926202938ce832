// GlobalPlatform SCP11a (Card Specification 2.3, Amendment F): mutual authentication with
// certificates and ECDH over P-256, ending in SCP03-style secure messaging. Both sides.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/command.hpp"
#include "apdu/response.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "crypto/secure_messaging.hpp"

namespace quorum::crypto::scp11 {

// The handshake failed; the message says at which step and why.
class HandshakeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr std::uint8_t kClaGlobalPlatform = 0x80;
constexpr std::uint8_t kInsPerformSecurityOperation = 0x2A;
constexpr std::uint8_t kInsMutualAuthenticate = 0x82;
constexpr std::uint8_t kScpIdentifier = 0x11;    // SCP11
constexpr std::uint8_t kParameterScp11a = 0x01;  // "i" of SCP11a
constexpr std::uint8_t kKeyUsageFull = 0x3C;     // C-MAC, C-DECRYPTION, R-MAC, R-ENCRYPTION
constexpr std::uint8_t kKeyTypeAes = 0x88;
constexpr std::uint8_t kKeyLengthAes128 = 16;
constexpr std::uint8_t kCardKeyId = 0x11;        // KID of the card's SCP11a key (SK.SD.ECKA)
constexpr std::uint8_t kCardKeyVersion = 0x01;   // its KVN
constexpr std::uint8_t kHostKeyId = 0x10;        // KID naming the OCE's key in PSO
constexpr std::uint8_t kMoreCertificates = 0x80; // PSO P2 b8: more certificates follow

// GET DATA BF21's data (Amendment F): the key reference A6 { 83 KID KVN } naming the card's SCP11a
// key, whose certificate is asked for.
Bytes certificateKeyReference();

struct DerivedKeys {
    Bytes receiptKey;
    SessionKeys session;
};

// Amendment F 6.5.2.3: X9.63 KDF (SHA-256) over ShSee || ShSes with SharedInfo = key usage ||
// key type || key length; five keys in order: receipt, S-ENC, S-MAC, S-RMAC, S-DEK.
DerivedKeys deriveKeys(const Bytes& shSee, const Bytes& shSes);

// The data field of MUTUAL AUTHENTICATE: A6 { 90 02 11 01, 95 01 3C, 80 01 88, 81 01 10 }
// followed by 5F49 with the host's ephemeral public key.
Bytes mutualAuthenticateData(const Bytes& ephemeralPoint);

// Host side. Send certificateCommands() (the host chain, leaf last), then mutualAuthenticate(),
// then hand the card's answer to finish() to get the session.
class HostHandshake {
public:
    HostHandshake(const EcPrivateKey& hostKey, std::vector<Certificate> hostChain,
                  EcPublicKey cardKey);

    std::vector<apdu::CommandApdu> certificateCommands() const;
    // Generates the ephemeral key (or uses `ephemeral`, for known-answer tests).
    apdu::CommandApdu mutualAuthenticate(std::optional<EcPrivateKey> ephemeral = std::nullopt);
    // Checks the receipt (the card's proof that it holds SK.SD.ECKA); throws HandshakeError.
    SecureMessaging finish(const apdu::ResponseApdu& response);

private:
    const EcPrivateKey& hostKey_;
    std::vector<Certificate> hostChain_;
    EcPublicKey cardKey_;
    std::optional<EcPrivateKey> ephemeral_;
    Bytes request_;
};

// Card side of MUTUAL AUTHENTICATE: checks the parameters, agrees the keys with the host's
// static key (from its verified certificate) and the card's `ephemeral` key, and returns the
// response data (5F49 ePK.SD.ECKA, 86 receipt) with the new session.
struct CardHandshakeResult {
    Bytes responseData;
    SecureMessaging session;
};
CardHandshakeResult cardMutualAuthenticate(const EcPrivateKey& cardKey, const EcPublicKey& hostKey,
                                           const Bytes& commandData, const EcPrivateKey& ephemeral);

}  // namespace quorum::crypto::scp11
