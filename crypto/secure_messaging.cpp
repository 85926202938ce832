#include "crypto/secure_messaging.hpp"

#include <cstring>

#include "crypto/primitives.hpp"

namespace quorum::crypto {

namespace {
constexpr std::uint8_t kClaSecureMessaging = 0x04;  // GP CLA b3: secure messaging
constexpr std::size_t kMacSize = 8;

// Decrypts and removes the padding; any failure is a secure messaging error.
Bytes decrypt(const Bytes& key, const Bytes& icv, const Bytes& data, const char* what) {
    if (data.size() % kAesBlock != 0)
        throw SecureMessagingError(std::string("encrypted ") + what +
                                   " data is not a whole number of blocks");
    try {
        return unpadIso9797M2(aesCbcDecrypt(key, icv, data));
    } catch (const CryptoError&) {
        throw SecureMessagingError(std::string("encrypted ") + what + " data has bad padding");
    }
}

Bytes counterBlock(std::uint8_t first, std::uint64_t counter) {
    Bytes block(kAesBlock, 0x00);
    block[0] = first;
    for (std::size_t i = 0; i < 8; ++i)
        block[kAesBlock - 1 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
    return block;
}
}  // namespace

SecurityLevel SecurityLevel::fromScp03(std::uint8_t level) {
    return {(level & 0x02) != 0, (level & 0x10) != 0, (level & 0x20) != 0};
}

bool isProtectedStatus(std::uint16_t sw) {
    const std::uint8_t sw1 = static_cast<std::uint8_t>(sw >> 8);
    return sw == 0x9000 || sw1 == 0x62 || sw1 == 0x63;
}

SecureMessaging::SecureMessaging(SessionKeys keys, Bytes initialMacChain, SecurityLevel level)
    : keys_(std::move(keys)), macChain_(std::move(initialMacChain)), level_(level) {
    if (macChain_.size() != kAesBlock)
        throw CryptoError("secure messaging: the initial MAC chaining value must be 16 bytes");
}

// GP SCP03 6.2.6: ICV = AES(S-ENC, counter as a 16-byte block); responses set the first byte 80.
Bytes SecureMessaging::commandIcv() const { return aesEncryptBlock(keys_.enc, counterBlock(0x00, counter_)); }
Bytes SecureMessaging::responseIcv() const {
    return aesEncryptBlock(keys_.enc, counterBlock(0x80, counter_ - 1));
}

// GP SCP03 6.2.4: the C-MAC covers CLA (with bit 04) INS P1 P2, Lc counting the MAC, and the
// (encrypted) data; Le is not covered. Lc takes the extended form beyond 255 bytes.
Bytes SecureMessaging::macInput(const apdu::CommandApdu& header, const Bytes& data) const {
    Bytes input = macChain_;
    input.insert(input.end(), {static_cast<std::uint8_t>(header.cla | kClaSecureMessaging),
                               header.ins, header.p1, header.p2});
    const std::size_t lc = data.size() + kMacSize;
    if (lc <= apdu::kMaxShortNc) {
        input.push_back(static_cast<std::uint8_t>(lc));
    } else {
        input.insert(input.end(), {0x00, static_cast<std::uint8_t>(lc >> 8),
                                   static_cast<std::uint8_t>(lc & 0xFF)});
    }
    input.insert(input.end(), data.begin(), data.end());
    return input;
}

apdu::CommandApdu SecureMessaging::wrapCommand(const apdu::CommandApdu& plain) {
    apdu::CommandApdu wrapped = plain;
    wrapped.cla = static_cast<std::uint8_t>(plain.cla | kClaSecureMessaging);
    if (level_.commandEncryption && !plain.data.empty())
        wrapped.data = aesCbcEncrypt(keys_.enc, commandIcv(), padIso9797M2(plain.data));
    ++counter_;
    macChain_ = aesCmac(keys_.mac, macInput(plain, wrapped.data));
    wrapped.data.insert(wrapped.data.end(), macChain_.begin(), macChain_.begin() + kMacSize);
    return wrapped;
}

apdu::CommandApdu SecureMessaging::unwrapCommand(const apdu::CommandApdu& wrapped) {
    if ((wrapped.cla & kClaSecureMessaging) == 0)
        throw SecureMessagingError("command is not protected (CLA bit 04 clear)");
    if (wrapped.data.size() < kMacSize) throw SecureMessagingError("command has no C-MAC");
    // Split by position, not by iterator ranges: GCC 12 at -O3 reports a false stringop-overflow
    // for a range copy of the last kMacSize bytes.
    const std::size_t macAt = wrapped.data.size() - kMacSize;
    const Bytes data(wrapped.data.data(), wrapped.data.data() + macAt);
    Bytes mac(kMacSize);
    std::memcpy(mac.data(), wrapped.data.data() + macAt, kMacSize);
    apdu::CommandApdu header = wrapped;
    header.cla = static_cast<std::uint8_t>(wrapped.cla & ~kClaSecureMessaging);
    Bytes chain = aesCmac(keys_.mac, macInput(header, data));
    if (!constantTimeEqual(Bytes(chain.begin(), chain.begin() + kMacSize), mac))
        throw SecureMessagingError("C-MAC does not match");
    macChain_ = std::move(chain);

    apdu::CommandApdu plain = header;
    if (level_.commandEncryption && !data.empty()) {
        plain.data = decrypt(keys_.enc, commandIcv(), data, "command");
    } else {
        plain.data = data;
    }
    ++counter_;
    return plain;
}

apdu::ResponseApdu SecureMessaging::wrapResponse(const apdu::ResponseApdu& plain) {
    if (!isProtectedStatus(plain.sw)) return apdu::ResponseApdu::status(plain.sw);
    apdu::ResponseApdu wrapped = plain;
    if (level_.responseEncryption && !plain.data.empty())
        wrapped.data = aesCbcEncrypt(keys_.enc, responseIcv(), padIso9797M2(plain.data));
    if (level_.responseMac) {
        Bytes input = macChain_;
        input.insert(input.end(), wrapped.data.begin(), wrapped.data.end());
        input.push_back(plain.sw1());
        input.push_back(plain.sw2());
        const Bytes rmac = aesCmac(keys_.rmac, input);
        wrapped.data.insert(wrapped.data.end(), rmac.begin(), rmac.begin() + kMacSize);
    }
    return wrapped;
}

apdu::ResponseApdu SecureMessaging::unwrapResponse(const apdu::ResponseApdu& wrapped) {
    if (!isProtectedStatus(wrapped.sw)) {
        if (!wrapped.data.empty())
            throw SecureMessagingError("error status " + toHex({wrapped.sw1(), wrapped.sw2()}) +
                                       " came with data (R-MAC rules forbid it)");
        return wrapped;
    }
    Bytes data = wrapped.data;
    if (level_.responseMac) {
        if (data.size() < kMacSize) throw SecureMessagingError("response has no R-MAC");
        const Bytes mac(data.end() - kMacSize, data.end());
        data.resize(data.size() - kMacSize);
        Bytes input = macChain_;
        input.insert(input.end(), data.begin(), data.end());
        input.push_back(wrapped.sw1());
        input.push_back(wrapped.sw2());
        const Bytes expected = aesCmac(keys_.rmac, input);
        if (!constantTimeEqual(Bytes(expected.begin(), expected.begin() + kMacSize), mac))
            throw SecureMessagingError("R-MAC does not match");
    }
    apdu::ResponseApdu plain{data, wrapped.sw};
    if (level_.responseEncryption && !data.empty())
        plain.data = decrypt(keys_.enc, responseIcv(), data, "response");
    return plain;
}

}  // namespace quorum::crypto
