// AES-CBC, AES-ECB, AES-CMAC, SHA-256 and the X9.63 KDF against published known answers; the
// ISO/IEC 9797-1 method 2 padding, constant-time comparison and the CSPRNG wrapper.
#include <doctest/doctest.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstddef>
#include <memory>
#include <string>

#include "apdu/bytes.hpp"
#include "crypto/primitives.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::crypto;
using test::contains;
using test::thrownMessage;

namespace {

Bytes bytesOf(const std::string& text) { return Bytes(text.begin(), text.end()); }

// The same derivation through OpenSSL's own "X963KDF" EVP_KDF: an independent implementation to
// compare ours with at lengths the published vectors do not cover.
Bytes opensslX963(const Bytes& z, const Bytes& info, std::size_t length) {
    struct KdfFree {
        void operator()(EVP_KDF* k) const noexcept { EVP_KDF_free(k); }
    };
    struct KdfCtxFree {
        void operator()(EVP_KDF_CTX* c) const noexcept { EVP_KDF_CTX_free(c); }
    };
    std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "X963KDF", nullptr));
    REQUIRE(kdf);
    std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
    REQUIRE(ctx);
    Bytes zCopy = z;
    Bytes infoCopy = info;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, zCopy.data(), zCopy.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, infoCopy.data(), infoCopy.size()),
        OSSL_PARAM_construct_end()};
    Bytes out(length);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

// RFC 4493 section 4 (and NIST SP 800-38A F.2.1 / F.1.1): the AES-128 key and the 64-byte
// message whose prefixes the examples use.
const Bytes kRfc4493Key = fromHex("2b7e1516 28aed2a6 abf71588 09cf4f3c");
const Bytes kRfc4493Message = fromHex(
    "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51"
    "30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710");

Bytes prefix(const Bytes& bytes, std::size_t size) {
    return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
}

}  // namespace

TEST_CASE("crypto: AES-CMAC matches the four RFC 4493 section 4 examples") {
    // RFC 4493 section 4, Example 1: len = 0.
    CHECK(toHex(aesCmac(kRfc4493Key, Bytes{})) == "BB1D6929E95937287FA37D129B756746");
    // RFC 4493 section 4, Example 2: len = 16.
    CHECK(toHex(aesCmac(kRfc4493Key, prefix(kRfc4493Message, 16))) ==
          "070A16B46B4D4144F79BDD9DD04A287C");
    // RFC 4493 section 4, Example 3: len = 40.
    CHECK(toHex(aesCmac(kRfc4493Key, prefix(kRfc4493Message, 40))) ==
          "DFA66747DE9AE63030CA32611497C827");
    // RFC 4493 section 4, Example 4: len = 64.
    CHECK(toHex(aesCmac(kRfc4493Key, kRfc4493Message)) == "51F0BEBF7E3B9D92FC49741779363CFE");
}

TEST_CASE("crypto: AES-CMAC refuses a key of the wrong size") {
    CHECK(contains(thrownMessage<CryptoError>([] { aesCmac(Bytes(15), Bytes{}); }),
                   "AES-CMAC: AES key must be 16, 24 or 32 bytes"));
    CHECK(aesCmac(Bytes(32), Bytes{}).size() == kAesBlock);  // AES-256 works
}

TEST_CASE("crypto: AES-CBC matches NIST SP 800-38A F.2.1 and F.2.2 (CBC-AES128)") {
    // NIST SP 800-38A Appendix F.2.1 CBC-AES128.Encrypt and F.2.2 CBC-AES128.Decrypt.
    const Bytes iv = fromHex("000102030405060708090a0b0c0d0e0f");
    const Bytes ciphertext = fromHex(
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
        "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7");
    CHECK(aesCbcEncrypt(kRfc4493Key, iv, kRfc4493Message) == ciphertext);
    CHECK(aesCbcDecrypt(kRfc4493Key, iv, ciphertext) == kRfc4493Message);
}

TEST_CASE("crypto: AES-CBC matches NIST SP 800-38A F.2.5 and F.2.6 (CBC-AES256)") {
    // NIST SP 800-38A Appendix F.2.5 CBC-AES256.Encrypt and F.2.6 CBC-AES256.Decrypt.
    const Bytes key = fromHex(
        "603deb1015ca71be2b73aef0857d7781 1f352c073b6108d72d9810a30914dff4");
    const Bytes iv = fromHex("000102030405060708090a0b0c0d0e0f");
    const Bytes ciphertext = fromHex(
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
        "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b");
    CHECK(aesCbcEncrypt(key, iv, kRfc4493Message) == ciphertext);
    CHECK(aesCbcDecrypt(key, iv, ciphertext) == kRfc4493Message);
}

TEST_CASE("crypto: AES-CBC refuses bad key, IV and data lengths") {
    const Bytes iv(16);
    CHECK(contains(thrownMessage<CryptoError>([&] { aesCbcEncrypt(Bytes(17), iv, Bytes(16)); }),
                   "AES-CBC encrypt: AES key must be 16, 24 or 32 bytes, not 17"));
    CHECK(contains(
        thrownMessage<CryptoError>([&] { aesCbcEncrypt(kRfc4493Key, Bytes(15), Bytes(16)); }),
        "IV must be 16 bytes, not 15"));
    CHECK(contains(thrownMessage<CryptoError>([&] { aesCbcDecrypt(kRfc4493Key, iv, Bytes(17)); }),
                   "AES-CBC decrypt: data length 17 is not a multiple of 16"));
    CHECK(aesCbcEncrypt(kRfc4493Key, iv, Bytes{}).empty());
}

TEST_CASE("crypto: one AES block matches SP 800-38A F.1.1 and FIPS 197 C.3") {
    // NIST SP 800-38A Appendix F.1.1 ECB-AES128.Encrypt, block #1.
    CHECK(toHex(aesEncryptBlock(kRfc4493Key, prefix(kRfc4493Message, 16))) ==
          "3AD77BB40D7A3660A89ECAF32466EF97");
    // FIPS 197 Appendix C.3 (AES-256).
    CHECK(toHex(aesEncryptBlock(
              fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
              fromHex("00112233445566778899aabbccddeeff"))) ==
          "8EA2B7CA516745BFEAFC49904B496089");
    CHECK(contains(thrownMessage<CryptoError>([] { aesEncryptBlock(Bytes(16), Bytes(15)); }),
                   "block must be 16 bytes, not 15"));
}

TEST_CASE("crypto: SHA-256 matches FIPS 180-2") {
    // FIPS 180-2 Appendix B.1: "abc".
    CHECK(toHex(sha256(bytesOf("abc"))) ==
          "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    // FIPS 180-2 Appendix B.2: the 448-bit two-block message.
    CHECK(toHex(sha256(bytesOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
          "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1");
}

// Source: NIST CAVP SP 800-135 component test vectors, ANS X9.63-2001 KDF (CAVS 12.0,
// 800-135testvectors/ansx963_2001.zip, file ansx963_2001.rsp), which pyca/cryptography ships as
// vectors/cryptography_vectors/KDF/ansx963_2001.txt. Section headers and COUNT numbers are the
// file's. The values were read from reproductions of that file that agree with each other:
// openssl/openssl test/recipes/30-test_evp_data/evpkdf_x963.txt (the SharedInfo COUNT = 0 case)
// and Yubico's .NET YubiKit X963KdfTests (every SHA-256 COUNT, citing ansx963_2001.rsp).
TEST_CASE("crypto: X9.63 KDF with SHA-256 matches the NIST CAVP ansx963_2001 vectors") {
    SUBCASE("[SHA-256] [shared secret length = 192] [SharedInfo length = 0] "
            "[key data length = 128] COUNT = 0") {
        CHECK(toHex(x963KdfSha256(fromHex("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08"),
                                  Bytes{}, 16)) == "443024C3DAE66B95E6F5670601558F71");
    }
    SUBCASE("[SHA-256] [shared secret length = 192] [SharedInfo length = 128] "
            "[key data length = 1024] COUNT = 0") {
        CHECK(toHex(x963KdfSha256(fromHex("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d"),
                                  fromHex("75eef81aa3041e33b80971203d2c0c52"), 128)) ==
              "C498AF77161CC59F2962B9A713E2B215152D139766CE34A776DF11866A69BF2E"
              "52A13D9C7C6FC878C50C5EA0BC7B00E0DA2447CFD874F6CF92F30D0097111485"
              "500C90C3AF8B487872D04685D14C8D1DC8D7FA08BEB0CE0ABABC11F0BD496269"
              "142D43525A78E5BC79A17F59676A5706DC54D54D4D1F0BD7E386128EC26AFC21");
    }
    SUBCASE("[SHA-256] [shared secret length = 192] [SharedInfo length = 128] "
            "[key data length = 1024] COUNT = 1") {
        CHECK(toHex(x963KdfSha256(fromHex("7e335afa4b31d772c0635c7b0e06f26fcd781df947d2990a"),
                                  fromHex("d65a4812733f8cdbcdfb4b2f4c191d87"), 128)) ==
              "C0BD9E38A8F9DE14C2ACD35B2F3410C6988CF02400543631E0D6A4C1D030365A"
              "CBF398115E51AADDEBDC9590664210F9AA9FED770D4C57EDEAFA0B8C14F93300"
              "865251218C262D63DADC47DFA0E0284826793985137E0A544EC80ABF2FDF5AB9"
              "0BDAEA66204012EFE34971DC431D625CD9A329B8217CC8FD0D9F02B13F2F6B0B");
    }
}

TEST_CASE("crypto: X9.63 KDF agrees with OpenSSL's X963KDF at partial-block lengths") {
    const Bytes z = fromHex("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d");
    const Bytes info = fromHex("75eef81aa3041e33b80971203d2c0c52");
    for (std::size_t length : {1u, 31u, 32u, 33u, 65u, 100u}) {
        CAPTURE(length);
        CHECK(x963KdfSha256(z, info, length) == opensslX963(z, info, length));
        CHECK(x963KdfSha256(z, Bytes{}, length) == opensslX963(z, Bytes{}, length));
    }
    CHECK(x963KdfSha256(z, info, 0).empty());
}

TEST_CASE("crypto: ISO/IEC 9797-1 method 2 padding") {
    SUBCASE("empty input becomes one block of 80 00..00") {
        CHECK(toHex(padIso9797M2(Bytes{})) == "80000000000000000000000000000000");
    }
    SUBCASE("15 bytes get a single 80") {
        const Bytes data(15, 0xAA);
        const Bytes padded = padIso9797M2(data);
        CHECK(toHex(padded) == "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA80");
        CHECK(unpadIso9797M2(padded) == data);
    }
    SUBCASE("16 bytes get a whole block of padding") {
        const Bytes data(16, 0x00);
        const Bytes padded = padIso9797M2(data);
        CHECK(padded.size() == 32);
        CHECK(toHex(Bytes(padded.begin() + 16, padded.end())) ==
              "80000000000000000000000000000000");
        CHECK(unpadIso9797M2(padded) == data);  // data's own trailing zeros survive
    }
    SUBCASE("every length from 0 to 48 round-trips, data ending in 80 or 00 included") {
        for (std::size_t size = 0; size <= 48; ++size) {
            CAPTURE(size);
            Bytes data(size, 0x00);
            if (size > 0) data[size - 1] = (size % 2 == 0) ? 0x80 : 0x00;
            const Bytes padded = padIso9797M2(data);
            CHECK(padded.size() == (size / 16 + 1) * 16);
            CHECK(unpadIso9797M2(padded) == data);
        }
    }
}

TEST_CASE("crypto: ISO/IEC 9797-1 method 2 unpadding refuses malformed padding") {
    const auto refused = [](const Bytes& data) {
        return contains(thrownMessage<CryptoError>([&] { unpadIso9797M2(data); }),
                        "ISO/IEC 9797-1 method 2 unpadding");
    };
    CHECK(refused(Bytes{}));                                   // nothing to unpad
    CHECK(refused(fromHex("AA80")));                           // not a whole block
    CHECK(refused(Bytes(16, 0x00)));                           // no 80 marker at all
    CHECK(refused(fromHex("000102030405060708090A0B0C0D0E01")));  // ends in neither 80 nor 00
    CHECK(refused(fromHex("0000000000000000000000000000800001")));  // 17 bytes
    CHECK(refused(fromHex("00000000000000000000000000008001")));    // byte after the 80
    // An 80 that ends the previous block followed by a block of zeros: 17 bytes of padding.
    Bytes tooLong(32, 0x00);
    tooLong[15] = 0x80;
    CHECK(refused(tooLong));
    // The smallest valid padding: a lone 80 at the very end.
    CHECK(unpadIso9797M2(fromHex("0102030405060708090A0B0C0D0E0F80")) ==
          fromHex("0102030405060708090A0B0C0D0E0F"));
}

TEST_CASE("crypto: constantTimeEqual") {
    CHECK(constantTimeEqual(Bytes{}, Bytes{}));
    CHECK(constantTimeEqual(fromHex("010203"), fromHex("010203")));
    CHECK_FALSE(constantTimeEqual(fromHex("010203"), fromHex("010204")));
    CHECK_FALSE(constantTimeEqual(fromHex("810203"), fromHex("010203")));
    CHECK_FALSE(constantTimeEqual(fromHex("0102"), fromHex("010203")));
    CHECK_FALSE(constantTimeEqual(Bytes{}, fromHex("00")));
}

TEST_CASE("crypto: randomBytes returns the requested length of fresh bytes") {
    CHECK(randomBytes(0).empty());
    CHECK(randomBytes(1).size() == 1);
    CHECK(randomBytes(1000).size() == 1000);
    const Bytes a = randomBytes(32);
    const Bytes b = randomBytes(32);
    CHECK(a.size() == 32);
    CHECK(a != b);               // 2^-256 chance of a false failure
    CHECK(a != Bytes(32, 0x00));
}

TEST_CASE("crypto: HKDF-SHA256 without salt (RFC 5869 test case 3)") {
    CHECK(toHex(hkdfSha256(fromHex("0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B"), {}, 42)) ==
          "8DA4E775A563C18F715F802A063C5A31B8A11F5C5EE1879EC3454E5F3C738D2D9D201395FAA4B61A96C8");
}

TEST_CASE("crypto: AES-256-GCM sealing opens only unaltered, with the same key and context") {
    const Bytes key = randomBytes(32);
    const Bytes secret = fromHex("00112233445566778899AABBCCDDEEFF0011");
    const Bytes aad = fromHex("C0FFEE");
    const Bytes sealed = aesGcmSeal(key, secret, aad);
    CHECK(sealed.size() == 12 + secret.size() + 16);
    CHECK(aesGcmOpen(key, sealed, aad) == secret);
    CHECK(aesGcmSeal(key, secret, aad) != sealed);  // a fresh nonce each time
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        Bytes altered = sealed;
        altered[i] ^= 0x01;
        CHECK_THROWS_AS(aesGcmOpen(key, altered, aad), CryptoError);
    }
    CHECK_THROWS_AS(aesGcmOpen(randomBytes(32), sealed, aad), CryptoError);
    CHECK_THROWS_AS(aesGcmOpen(key, sealed, fromHex("C0FFEF")), CryptoError);
    CHECK_THROWS_AS(aesGcmOpen(key, Bytes(20), aad), CryptoError);
    CHECK(aesGcmOpen(key, aesGcmSeal(key, {}, {}), {}).empty());
}
