// The quorum card's names for things (docs/apdu-spec.md): its AID, instructions, data object
// tags and references. The card model and the host both use these; neither has its own copy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "apdu/bytes.hpp"

namespace quorum::protocol {

// F0 (proprietary category, ISO 7816-5) followed by "QUORUMCARD".
extern const Bytes kApplicationId;

// The format version the card reports in its FCI (tag C0) and this code speaks.
constexpr std::uint8_t kFormatVersion = 0x01;
constexpr std::size_t kCardIdSize = 16;

// Class bytes (ISO 7816-4 5.4.1): interindustry 000x xxxx, proprietary (GlobalPlatform)
// 100x xxxx, the same bit layout below the top bits.
namespace cla {
constexpr std::uint8_t kInterindustry = 0x00;
constexpr std::uint8_t kProprietary = 0x80;
constexpr std::uint8_t kClassMask = 0xE0;
constexpr std::uint8_t kChannelMask = 0x03;
constexpr std::uint8_t kGpSecureMessaging = 0x04;   // GP CLA b3: secure messaging
constexpr std::uint8_t kIsoSecureMessaging = 0x08;  // ISO CLA b4: not supported
}  // namespace cla

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
constexpr std::uint8_t kWipe = 0xE4;                      // CLA 80: an unfinished issuance undone
constexpr std::uint8_t kReshareOut = 0x3C;                // CLA 80: redistribute the share to new cards
constexpr std::uint8_t kReshareIn = 0x3E;                 // CLA 80: a share from old cards' redistributions
constexpr std::uint8_t kRetire = 0xE6;                    // CLA 80: erase the share, for good
}  // namespace ins

// Data objects: inside the FCI's A5 template, as GET DATA and PUT DATA P1-P2.
namespace tag {
constexpr std::uint16_t kFormatVersion = 0x00C0;
constexpr std::uint16_t kCardId = 0x00C1;
constexpr std::uint16_t kLifecycle = 0x00C2;
constexpr std::uint16_t kUsageCounter = 0x00C3;  // how often a share or partial signature left
constexpr std::uint16_t kPinStatus = 0x00C4;
constexpr std::uint16_t kPinPolicy = 0x00C5;
constexpr std::uint16_t kPin = 0x00C6;
constexpr std::uint16_t kPuk = 0x00C7;
constexpr std::uint16_t kCaPublicKey = 0x00C8;
constexpr std::uint16_t kShare = 0x00C9;         // Feldman share: index, value, commitments digest
constexpr std::uint16_t kRsaShare = 0x00CB;      // threshold RSA (Shoup) key share and its context
constexpr std::uint16_t kCertificateStore = 0xBF21;  // GP Amendment F: the card's certificate
}  // namespace tag

// The FCI's templates (ISO 7816-4 5.3.3).
namespace fci {
constexpr std::uint32_t kTemplate = 0x6F;
constexpr std::uint32_t kDfName = 0x84;
constexpr std::uint32_t kProprietary = 0xA5;
}  // namespace fci

// SELECT P1 (select by DF name) and the P2 values the card answers (ISO 7816-4 7.1.1).
constexpr std::uint8_t kSelectByName = 0x04;
constexpr std::uint8_t kSelectReturnFci = 0x00;
constexpr std::uint8_t kSelectNoData = 0x0C;

// PIN references (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER).
constexpr std::uint8_t kPinReference = 0x81;
constexpr std::uint8_t kPukReference = 0x82;

// GENERATE ASYMMETRIC KEY PAIR: P1, and its answer 7F49 { 86 point }.
constexpr std::uint8_t kGenerateKeyPairP1 = 0x80;
constexpr std::uint32_t kPublicKeyTemplate = 0x7F49;
constexpr std::uint32_t kPublicKeyPoint = 0x86;

}  // namespace quorum::protocol
