#include "crypto/primitives.hpp"

#include "crypto/openssl_util.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <string>

namespace quorum::crypto {

namespace {

using ossl::fail;
using CipherCtx = ossl::Owned<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using MdCtx = ossl::Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
using MacCtx = ossl::Owned<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using KdfCtx = ossl::Owned<EVP_KDF_CTX, EVP_KDF_CTX_free>;

// Cleanses a fixed-size stack buffer when it goes out of scope, however the scope is left.
template <std::size_t N>
struct ScrubbedBlock {
    std::array<unsigned char, N> bytes{};
    ScrubbedBlock() = default;
    ScrubbedBlock(const ScrubbedBlock&) = delete;
    ScrubbedBlock& operator=(const ScrubbedBlock&) = delete;
    ~ScrubbedBlock() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

int toInt(std::size_t size, const char* operation) {
    if (size > static_cast<std::size_t>(INT_MAX))
        throw CryptoError(std::string(operation) + ": input of " + std::to_string(size) +
                          " bytes is too long");
    return static_cast<int>(size);
}

void requireAesKey(const Bytes& key, const char* operation) {
    if (key.size() != 16 && key.size() != 24 && key.size() != 32)
        throw CryptoError(std::string(operation) + ": AES key must be 16, 24 or 32 bytes, not " +
                          std::to_string(key.size()));
}

const EVP_CIPHER* aesCbc(std::size_t keySize) {
    switch (keySize) {
        case 16: return EVP_aes_128_cbc();
        case 24: return EVP_aes_192_cbc();
        default: return EVP_aes_256_cbc();
    }
}

const EVP_CIPHER* aesEcb(std::size_t keySize) {
    switch (keySize) {
        case 16: return EVP_aes_128_ecb();
        case 24: return EVP_aes_192_ecb();
        default: return EVP_aes_256_ecb();
    }
}

// One unpadded pass of `cipher` over `data` (a whole number of blocks).
Bytes runCipher(const EVP_CIPHER* cipher, const Bytes& key, const unsigned char* iv,
                const Bytes& data, bool encrypt, const char* operation) {
    const std::string op(operation);
    const int inLength = toInt(data.size(), operation);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) fail(op + ": EVP_CIPHER_CTX_new failed");
    if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), iv, encrypt ? 1 : 0, nullptr) != 1)
        fail(op + ": cipher initialisation failed");
    if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) fail(op + ": cannot disable padding");

    Bytes out(data.size() + kAesBlock);
    int written = 0;
    if (EVP_CipherUpdate(ctx.get(), out.data(), &written, data.data(), inLength) != 1)
        fail(op + ": EVP_CipherUpdate failed");
    int tail = 0;
    if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &tail) != 1)
        fail(op + ": EVP_CipherFinal_ex failed");
    out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(tail));
    return out;
}

Bytes cbc(const Bytes& key, const Bytes& iv, const Bytes& data, bool encrypt,
          const char* operation) {
    requireAesKey(key, operation);
    if (iv.size() != kAesBlock)
        throw CryptoError(std::string(operation) + ": IV must be 16 bytes, not " +
                          std::to_string(iv.size()));
    if (data.size() % kAesBlock != 0)
        throw CryptoError(std::string(operation) + ": data length " +
                          std::to_string(data.size()) + " is not a multiple of 16");
    if (data.empty()) return Bytes{};
    return runCipher(aesCbc(key.size()), key, iv.data(), data, encrypt, operation);
}

}  // namespace

Bytes aesCbcEncrypt(const Bytes& key, const Bytes& iv, const Bytes& data) {
    return cbc(key, iv, data, true, "AES-CBC encrypt");
}

Bytes aesCbcDecrypt(const Bytes& key, const Bytes& iv, const Bytes& data) {
    return cbc(key, iv, data, false, "AES-CBC decrypt");
}

Bytes aesEncryptBlock(const Bytes& key, const Bytes& block) {
    constexpr const char* op = "AES block encrypt";
    requireAesKey(key, op);
    if (block.size() != kAesBlock)
        throw CryptoError(std::string(op) + ": block must be 16 bytes, not " +
                          std::to_string(block.size()));
    return runCipher(aesEcb(key.size()), key, nullptr, block, true, op);
}

Bytes aesCmac(const Bytes& key, const Bytes& message) {
    const std::string op = "AES-CMAC";
    requireAesKey(key, "AES-CMAC");
    // Fetched once: fetching by name costs more than the MAC of a short APDU.
    static EVP_MAC* const cmac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
    if (cmac == nullptr) fail(op + ": EVP_MAC_fetch(CMAC) failed");
    MacCtx ctx(EVP_MAC_CTX_new(cmac));
    if (!ctx) fail(op + ": EVP_MAC_CTX_new failed");

    const char* cipherName = key.size() == 16   ? "AES-128-CBC"
                             : key.size() == 24 ? "AES-192-CBC"
                                                : "AES-256-CBC";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipherName),
                                         0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1)
        fail(op + ": EVP_MAC_init failed");
    if (!message.empty() && EVP_MAC_update(ctx.get(), message.data(), message.size()) != 1)
        fail(op + ": EVP_MAC_update failed");

    Bytes tag(kAesBlock);
    std::size_t tagLength = 0;
    if (EVP_MAC_final(ctx.get(), tag.data(), &tagLength, tag.size()) != 1)
        fail(op + ": EVP_MAC_final failed");
    if (tagLength != kAesBlock) throw CryptoError(op + ": unexpected tag length");
    return tag;
}

Bytes sha256(const Bytes& message) {
    Bytes digest(32);
    unsigned int length = 0;
    if (EVP_Digest(message.data(), message.size(), digest.data(), &length, EVP_sha256(),
                   nullptr) != 1)
        fail("SHA-256: EVP_Digest failed");
    if (length != digest.size()) throw CryptoError("SHA-256: unexpected digest length");
    return digest;
}

Bytes x963KdfSha256(const Bytes& z, const Bytes& sharedInfo, std::size_t length) {
    const std::string op = "X9.63 KDF";
    constexpr std::size_t kHashSize = 32;
    // SEC 1 3.6.1: keydatalen < hashlen * (2^32 - 1).
    if (length / kHashSize >= 0xFFFFFFFFu)
        throw CryptoError(op + ": requested length " + std::to_string(length) + " is too long");

    Bytes out;
    out.reserve(length);
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx) fail(op + ": EVP_MD_CTX_new failed");
    ScrubbedBlock<kHashSize> block;  // K_i, secret
    for (std::uint32_t counter = 1; out.size() < length; ++counter) {
        const unsigned char counterBytes[4] = {
            static_cast<unsigned char>(counter >> 24), static_cast<unsigned char>(counter >> 16),
            static_cast<unsigned char>(counter >> 8), static_cast<unsigned char>(counter)};
        unsigned int blockLength = 0;
        if (EVP_DigestInit_ex2(ctx.get(), EVP_sha256(), nullptr) != 1 ||
            EVP_DigestUpdate(ctx.get(), z.data(), z.size()) != 1 ||
            EVP_DigestUpdate(ctx.get(), counterBytes, sizeof counterBytes) != 1 ||
            EVP_DigestUpdate(ctx.get(), sharedInfo.data(), sharedInfo.size()) != 1 ||
            EVP_DigestFinal_ex(ctx.get(), block.bytes.data(), &blockLength) != 1)
            fail(op + ": SHA-256 of block " + std::to_string(counter) + " failed");
        if (blockLength != kHashSize) throw CryptoError(op + ": unexpected digest length");
        const std::size_t take = std::min(kHashSize, length - out.size());
        out.insert(out.end(), block.bytes.begin(),
                   block.bytes.begin() + static_cast<std::ptrdiff_t>(take));
    }
    return out;
}

Bytes padIso9797M2(const Bytes& data) {
    Bytes out;
    out.reserve((data.size() / kAesBlock + 1) * kAesBlock);
    out.assign(data.begin(), data.end());
    out.push_back(0x80);
    while (out.size() % kAesBlock != 0) out.push_back(0x00);
    return out;
}

Bytes unpadIso9797M2(const Bytes& data) {
    const std::string op = "ISO/IEC 9797-1 method 2 unpadding";
    if (data.empty() || data.size() % kAesBlock != 0)
        throw CryptoError(op + ": length " + std::to_string(data.size()) +
                          " is not a non-zero multiple of 16");
    // The padding is 80 followed by 0 to 15 zero bytes, all within the last block.
    std::size_t end = data.size();
    const std::size_t lastBlock = data.size() - kAesBlock;
    while (end > lastBlock && data[end - 1] == 0x00) --end;
    if (end == lastBlock || data[end - 1] != 0x80)
        throw CryptoError(op + ": malformed padding (no 80 marker in the last block)");
    return Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

Bytes hkdfSha256(const Bytes& key, const Bytes& info, std::size_t length) {
    return hkdfSha256(key, Bytes{}, info, length);
}

Bytes hkdfSha256(const Bytes& key, const Bytes& salt, const Bytes& info, std::size_t length) {
    // Fetched once: fetching by name costs more than the derivation.
    static EVP_KDF* const hkdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    if (hkdf == nullptr) fail("EVP_KDF_fetch(HKDF) failed");
    KdfCtx ctx(EVP_KDF_CTX_new(hkdf));
    if (!ctx) fail("EVP_KDF_CTX_new(HKDF) failed");
    // Without a salt parameter HKDF-Extract uses HashLen zero bytes, as for an empty salt.
    OSSL_PARAM params[5];
    std::size_t count = 0;
    params[count++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0);
    params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(key.data()), key.size());
    if (!salt.empty())
        params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
    params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size());
    params[count] = OSSL_PARAM_construct_end();
    Bytes out(length);
    if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) fail("EVP_KDF_derive(HKDF) failed");
    return out;
}

namespace {
constexpr std::size_t kGcmNonceSize = 12;
constexpr std::size_t kGcmTagSize = 16;

CipherCtx gcmContext(const Bytes& key32, const std::uint8_t* nonce, bool encrypt) {
    if (key32.size() != 32) throw CryptoError("AES-256-GCM takes a 32-byte key, not " + std::to_string(key32.size()));
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmNonceSize), nullptr) != 1 ||
        EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key32.data(), nonce, encrypt ? 1 : 0) != 1)
        fail("AES-256-GCM setup failed");
    return ctx;
}

void gcmAad(EVP_CIPHER_CTX* ctx, const Bytes& aad) {
    int ignored = 0;
    if (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &ignored, aad.data(), static_cast<int>(aad.size())) != 1)
        fail("AES-256-GCM additional data failed");
}
}  // namespace

Bytes aesGcmEncrypt(const Bytes& key32, const Bytes& nonce12, const Bytes& plaintext, const Bytes& aad) {
    if (nonce12.size() != kGcmNonceSize) throw CryptoError("AES-256-GCM takes a 12-byte nonce, not " + std::to_string(nonce12.size()));
    CipherCtx ctx = gcmContext(key32, nonce12.data(), true);
    gcmAad(ctx.get(), aad);
    Bytes sealed(plaintext.size() + kGcmTagSize);
    int written = 0;
    if (!plaintext.empty() && EVP_CipherUpdate(ctx.get(), sealed.data(), &written, plaintext.data(),
                                               static_cast<int>(plaintext.size())) != 1)
        fail("AES-256-GCM encryption failed");
    int last = 0;
    if (EVP_CipherFinal_ex(ctx.get(), sealed.data() + written, &last) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                            sealed.data() + plaintext.size()) != 1)
        fail("AES-256-GCM tag failed");
    return sealed;
}

Bytes aesGcmDecrypt(const Bytes& key32, const Bytes& nonce12, const Bytes& sealed, const Bytes& aad) {
    if (nonce12.size() != kGcmNonceSize) throw CryptoError("AES-256-GCM takes a 12-byte nonce, not " + std::to_string(nonce12.size()));
    if (sealed.size() < kGcmTagSize) throw CryptoError("AES-256-GCM: the sealed data is too short");
    const std::size_t size = sealed.size() - kGcmTagSize;
    CipherCtx ctx = gcmContext(key32, nonce12.data(), false);
    gcmAad(ctx.get(), aad);
    Bytes plaintext(size);
    int written = 0;
    if (size != 0 && EVP_CipherUpdate(ctx.get(), plaintext.data(), &written, sealed.data(), static_cast<int>(size)) != 1)
        fail("AES-256-GCM decryption failed");
    Bytes tag(sealed.end() - static_cast<std::ptrdiff_t>(kGcmTagSize), sealed.end());
    int last = 0;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize), tag.data()) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), plaintext.data() + written, &last) != 1)
        throw CryptoError("AES-256-GCM: the sealed data was altered, or the key or context differ");
    return plaintext;
}

Bytes aesGcmSeal(const Bytes& key32, const Bytes& plaintext, const Bytes& aad) {
    Bytes sealed = randomBytes(kGcmNonceSize);
    const Bytes box = aesGcmEncrypt(key32, sealed, plaintext, aad);
    sealed.insert(sealed.end(), box.begin(), box.end());
    return sealed;
}

Bytes aesGcmOpen(const Bytes& key32, const Bytes& sealed, const Bytes& aad) {
    if (sealed.size() < kGcmNonceSize + kGcmTagSize) throw CryptoError("AES-256-GCM: the sealed data is too short");
    const auto boxStart = sealed.begin() + static_cast<std::ptrdiff_t>(kGcmNonceSize);
    return aesGcmDecrypt(key32, Bytes(sealed.begin(), boxStart), Bytes(boxStart, sealed.end()), aad);
}

bool constantTimeEqual(const Bytes& a, const Bytes& b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Bytes randomBytes(std::size_t size) {
    Bytes out(size);
    std::size_t done = 0;
    while (done < size) {
        const std::size_t chunk = std::min<std::size_t>(size - done, INT_MAX);
        if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1)
            fail("randomBytes: RAND_bytes failed");
        done += chunk;
    }
    return out;
}

}  // namespace quorum::crypto
