// The symmetric primitives and hashes both sides need, over OpenSSL 3 (EVP and EVP_MAC).
// All functions throw CryptoError when OpenSSL reports a failure or an argument is out of range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "apdu/bytes.hpp"

namespace quorum::crypto {

class CryptoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

constexpr std::size_t kAesBlock = 16;

// AES-CBC without padding (`data` must be a multiple of 16 bytes); key of 16, 24 or 32 bytes.
Bytes aesCbcEncrypt(const Bytes& key, const Bytes& iv, const Bytes& data);
Bytes aesCbcDecrypt(const Bytes& key, const Bytes& iv, const Bytes& data);
// One block through AES-ECB (used to derive counter ICVs, GP SCP03 6.2.6).
Bytes aesEncryptBlock(const Bytes& key, const Bytes& block);

// AES-CMAC (NIST SP 800-38B, RFC 4493), the full 16-byte tag.
Bytes aesCmac(const Bytes& key, const Bytes& message);

// SHA-256.
Bytes sha256(const Bytes& message);

// ANSI X9.63 key derivation (SEC 1 3.6.1) with SHA-256: `length` bytes from shared secret `z`
// and `sharedInfo`.
Bytes x963KdfSha256(const Bytes& z, const Bytes& sharedInfo, std::size_t length);

// ISO/IEC 9797-1 padding method 2: 80 then 00s up to a multiple of 16 (always adds a byte).
Bytes padIso9797M2(const Bytes& data);
// Removes method-2 padding; throws CryptoError if it is malformed.
Bytes unpadIso9797M2(const Bytes& data);

// HKDF-SHA256 (RFC 5869) without salt: `length` bytes from input key `key` and `info`.
Bytes hkdfSha256(const Bytes& key, const Bytes& info, std::size_t length);
// The same with a salt (an empty one is the same as none).
Bytes hkdfSha256(const Bytes& key, const Bytes& salt, const Bytes& info, std::size_t length);

// AES-256-GCM with a fresh random 12-byte nonce: nonce || ciphertext || 16-byte tag, `aad`
// authenticated but not encrypted. For secrets a ceremony keeps at rest between its steps.
Bytes aesGcmSeal(const Bytes& key32, const Bytes& plaintext, const Bytes& aad);
// The plaintext of aesGcmSeal's output; CryptoError when it was altered or the key or aad differ.
Bytes aesGcmOpen(const Bytes& key32, const Bytes& sealed, const Bytes& aad);
// AES-256-GCM with the caller's 12-byte nonce (which must never repeat under one key):
// ciphertext || 16-byte tag.
Bytes aesGcmEncrypt(const Bytes& key32, const Bytes& nonce12, const Bytes& plaintext, const Bytes& aad);
// The plaintext of aesGcmEncrypt's output; CryptoError when it was altered or the key, nonce or
// aad differ.
Bytes aesGcmDecrypt(const Bytes& key32, const Bytes& nonce12, const Bytes& sealed, const Bytes& aad);

// Constant-time equality (CRYPTO_memcmp); false for different lengths.
bool constantTimeEqual(const Bytes& a, const Bytes& b);

// `size` bytes from OpenSSL's CSPRNG.
Bytes randomBytes(std::size_t size);

}  // namespace quorum::crypto
