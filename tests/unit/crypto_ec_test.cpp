// P-256 keys: scalar and point import, ECDH and ECDSA against published vectors, PEM round trips.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "apdu/bytes.hpp"
#include "crypto/ec.hpp"
#include "crypto/primitives.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::crypto;
using test::contains;
using test::thrownMessage;

namespace {

Bytes bytesOf(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes concat(const Bytes& a, const Bytes& b) {
    Bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

Bytes uncompressedPoint(const std::string& xHex, const std::string& yHex) {
    return concat(concat(Bytes{0x04}, fromHex(xHex)), fromHex(yHex));
}

// DER INTEGER of a big-endian unsigned value (minimal, with a 00 before a set high bit).
Bytes derInteger(const Bytes& value) {
    std::size_t start = 0;
    while (start + 1 < value.size() && value[start] == 0x00) ++start;
    Bytes body(value.begin() + static_cast<std::ptrdiff_t>(start), value.end());
    if (body[0] & 0x80) body.insert(body.begin(), 0x00);
    Bytes out{0x02, static_cast<std::uint8_t>(body.size())};
    return concat(out, body);
}

// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (short form lengths suffice for P-256).
Bytes derSignature(const std::string& rHex, const std::string& sHex) {
    const Bytes body = concat(derInteger(fromHex(rHex)), derInteger(fromHex(sHex)));
    return concat(Bytes{0x30, static_cast<std::uint8_t>(body.size())}, body);
}

// RFC 5903 section 8.1, "256-bit Random ECP Group": i, g^i, r, g^r and the x coordinate of
// g^ir (the shared secret).
const char* const kRfc5903I =
    "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433";
const char* const kRfc5903Gix =
    "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180";
const char* const kRfc5903Giy =
    "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3";
const char* const kRfc5903R =
    "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53";
const char* const kRfc5903Grx =
    "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63";
const char* const kRfc5903Gry =
    "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB";
const char* const kRfc5903Girx =
    "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE";

// RFC 6979 appendix A.2.5 (ECDSA, 256 bits (prime field)): private key x, public key (Ux, Uy),
// and the signatures with SHA-256 of "sample" and of "test".
const char* const kRfc6979X = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
const char* const kRfc6979Ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
const char* const kRfc6979Uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
const char* const kSampleR = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
const char* const kSampleS = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
const char* const kTestR = "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367";
const char* const kTestS = "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083";

// The P-256 base point G and order n (FIPS 186-4 D.1.2.3 / SEC 2 2.4.2).
const char* const kGx = "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296";
const char* const kGy = "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5";
const char* const kOrder = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

struct PkeyFree {
    void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

}  // namespace

TEST_CASE("crypto: ECDH P-256 matches RFC 5903 section 8.1") {
    const EcPrivateKey i = EcPrivateKey::fromScalar(fromHex(kRfc5903I));
    const EcPrivateKey r = EcPrivateKey::fromScalar(fromHex(kRfc5903R));
    const Bytes gi = uncompressedPoint(kRfc5903Gix, kRfc5903Giy);
    const Bytes gr = uncompressedPoint(kRfc5903Grx, kRfc5903Gry);

    // The public keys the RFC derives from i and r.
    CHECK(i.publicKey().point() == gi);
    CHECK(r.publicKey().point() == gr);
    // Both sides reach the published x coordinate of g^ir.
    CHECK(toHex(i.ecdh(EcPublicKey::fromPoint(gr))) == toHex(fromHex(kRfc5903Girx)));
    CHECK(toHex(r.ecdh(EcPublicKey::fromPoint(gi))) == toHex(fromHex(kRfc5903Girx)));
    CHECK(i.scalar() == fromHex(kRfc5903I));
}

TEST_CASE("crypto: ECDH P-256 matches NIST CAVP KAS ECC CDH primitive, P-256 COUNT = 0") {
    // NIST CAVP SP 800-56A ECC CDH Primitive test vectors (ecccdhtestvectors.zip,
    // KAS_ECC_CDH_PrimitiveTest.txt), [P-256] COUNT = 0.
    const EcPrivateKey iut = EcPrivateKey::fromScalar(
        fromHex("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534"));  // dIUT
    CHECK(iut.publicKey().point() ==
          uncompressedPoint("ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230",
                            "28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141"));
    const EcPublicKey cavs = EcPublicKey::fromPoint(
        uncompressedPoint("700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287",
                          "db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac"));
    CHECK(toHex(iut.ecdh(cavs)) ==
          "46FC62106420FF012E54A434FBDD2D25CCC5852060561E68040DD7778997BD7B");  // ZIUT
}

TEST_CASE("crypto: ECDH between generated keys agrees and is 32 bytes") {
    const EcPrivateKey a = EcPrivateKey::generate();
    const EcPrivateKey b = EcPrivateKey::generate();
    const Bytes ab = a.ecdh(b.publicKey());
    CHECK(ab.size() == 32);
    CHECK(ab == b.ecdh(a.publicKey()));
    CHECK(ab != a.ecdh(EcPrivateKey::generate().publicKey()));
    CHECK(a.scalar() != b.scalar());
    CHECK(a.publicKey().point().size() == kP256PointSize);
}

TEST_CASE("crypto: fromScalar accepts exactly [1, n-1]") {
    // Scalar 1 gives the base point G (FIPS 186-4 D.1.2.3).
    Bytes one(32, 0x00);
    one[31] = 0x01;
    CHECK(EcPrivateKey::fromScalar(one).publicKey().point() == uncompressedPoint(kGx, kGy));

    Bytes nMinusOne = fromHex(kOrder);
    nMinusOne[31] = static_cast<std::uint8_t>(nMinusOne[31] - 1);
    CHECK(EcPrivateKey::fromScalar(nMinusOne).scalar() == nMinusOne);

    const auto refused = [](const Bytes& scalar) {
        return contains(thrownMessage<CryptoError>([&] { EcPrivateKey::fromScalar(scalar); }),
                        "EcPrivateKey::fromScalar: ");
    };
    Bytes nPlusOne = fromHex(kOrder);
    nPlusOne[31] = static_cast<std::uint8_t>(nPlusOne[31] + 1);
    CHECK(refused(Bytes(32, 0x00)));       // zero
    CHECK(refused(fromHex(kOrder)));       // n
    CHECK(refused(nPlusOne));              // n + 1
    CHECK(refused(Bytes(32, 0xFF)));       // 2^256 - 1
    CHECK(refused(Bytes(31, 0x01)));       // too short
    CHECK(refused(concat(Bytes{0x00}, fromHex(kRfc5903I))));  // 33 bytes, even if in range
    CHECK(contains(thrownMessage<CryptoError>([] { EcPrivateKey::fromScalar(Bytes(32)); }),
                   "not in [1, n-1]"));
}

TEST_CASE("crypto: fromPoint rejects wrong lengths, prefixes and points off the curve") {
    const Bytes good = uncompressedPoint(kRfc5903Gix, kRfc5903Giy);
    CHECK(EcPublicKey::fromPoint(good).point() == good);

    const auto refusal = [](const Bytes& point) {
        return thrownMessage<CryptoError>([&] { EcPublicKey::fromPoint(point); });
    };
    CHECK(contains(refusal(Bytes{}), "65 bytes"));
    CHECK(contains(refusal(Bytes(good.begin(), good.end() - 1)), "65 bytes"));
    CHECK(contains(refusal(concat(good, Bytes{0x00})), "65 bytes"));
    // The compressed form of a valid point (33 bytes) is not accepted either.
    CHECK(contains(refusal(concat(Bytes{0x02}, fromHex(kRfc5903Gix))), "65 bytes"));

    for (int prefix : {0x00, 0x02, 0x03, 0x05, 0x06, 0x07}) {
        CAPTURE(prefix);
        Bytes wrongPrefix = good;
        wrongPrefix[0] = static_cast<std::uint8_t>(prefix);
        CHECK(contains(refusal(wrongPrefix), "uncompressed"));
    }

    Bytes offCurve = good;
    offCurve[64] ^= 0x01;  // y changed by one bit
    CHECK(contains(refusal(offCurve), "not on P-256"));
    CHECK(contains(refusal(concat(Bytes{0x04}, Bytes(64, 0x00))), "not on P-256"));  // (0, 0)
    // x = p (the field prime), which is out of range whatever y is.
    CHECK(contains(refusal(uncompressedPoint(
                       "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF",
                       kRfc5903Giy)),
                   "not on P-256"));
}

TEST_CASE("crypto: ECDSA P-256/SHA-256 verifies the RFC 6979 A.2.5 signatures") {
    const EcPublicKey key = EcPublicKey::fromPoint(uncompressedPoint(kRfc6979Ux, kRfc6979Uy));
    // The private key x of A.2.5 gives the published public key U.
    CHECK(EcPrivateKey::fromScalar(fromHex(kRfc6979X)).publicKey().point() == key.point());

    const Bytes sample = derSignature(kSampleR, kSampleS);
    const Bytes testSig = derSignature(kTestR, kTestS);
    CHECK(sample.size() == 72);   // both integers need a leading 00
    CHECK(testSig.size() == 71);  // r needs it, s does not
    CHECK(key.verifySha256(bytesOf("sample"), sample));
    CHECK(key.verifySha256(bytesOf("test"), testSig));
    // Crossed messages and signatures do not verify.
    CHECK_FALSE(key.verifySha256(bytesOf("test"), sample));
    CHECK_FALSE(key.verifySha256(bytesOf("sample"), testSig));
}

TEST_CASE("crypto: ECDSA sign/verify round trip fails after any bit flip") {
    const EcPrivateKey signer = EcPrivateKey::generate();
    const EcPublicKey key = signer.publicKey();
    const Bytes message = bytesOf("quorum ceremony transcript");
    const Bytes signature = signer.signSha256(message);
    REQUIRE(signature.size() >= 8);
    CHECK(signature[0] == 0x30);  // a DER SEQUENCE
    CHECK(key.verifySha256(message, signature));
    CHECK(signer.signSha256(Bytes{}).size() >= 8);
    CHECK(key.verifySha256(Bytes{}, signer.signSha256(Bytes{})));

    for (std::size_t bit : {std::size_t{0}, std::size_t{7}, std::size_t{100}, 8 * message.size() - 1}) {
        CAPTURE(bit);
        Bytes tampered = message;
        tampered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        CHECK_FALSE(key.verifySha256(tampered, signature));
    }
    // A flipped bit in s (the last byte), in r, and in the DER framing.
    for (std::size_t index : {signature.size() - 1, std::size_t{10}, std::size_t{1}}) {
        CAPTURE(index);
        Bytes tampered = signature;
        tampered[index] ^= 0x01;
        CHECK_FALSE(key.verifySha256(message, tampered));
    }
    CHECK_FALSE(key.verifySha256(message, Bytes{}));
    CHECK_FALSE(key.verifySha256(message, Bytes(signature.begin(), signature.end() - 1)));
    CHECK_FALSE(key.verifySha256(message, concat(signature, Bytes{0x00})));  // trailing garbage
    CHECK_FALSE(EcPrivateKey::generate().publicKey().verifySha256(message, signature));
}

TEST_CASE("crypto: PEM round trip, plain and encrypted") {
    const EcPrivateKey key = EcPrivateKey::fromScalar(fromHex(kRfc5903I));

    SUBCASE("plain PKCS#8") {
        const std::string pem = key.toPem();
        CHECK(contains(pem, "-----BEGIN PRIVATE KEY-----"));
        const EcPrivateKey back = EcPrivateKey::fromPem(pem);
        CHECK(back.scalar() == key.scalar());
        CHECK(back.publicKey().point() == key.publicKey().point());
    }
    SUBCASE("encrypted PKCS#8 with AES-256-CBC") {
        const std::string pem = key.toPem("correct horse battery staple");
        CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        CHECK_FALSE(contains(pem, key.toPem()));

        // The PBES2 parameters name aes-256-cbc (OID 2.16.840.1.101.3.4.1.42).
        struct BioFree {
            void operator()(BIO* b) const noexcept { BIO_free(b); }
        };
        std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
        REQUIRE(bio);
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* der = nullptr;
        long derLength = 0;
        REQUIRE(PEM_read_bio(bio.get(), &name, &header, &der, &derLength) == 1);
        const std::string derText(reinterpret_cast<const char*>(der),
                                  static_cast<std::size_t>(derLength));
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(der);
        const Bytes aes256CbcOid = fromHex("06 09 60 86 48 01 65 03 04 01 2A");
        CHECK(contains(derText, std::string(aes256CbcOid.begin(), aes256CbcOid.end())));

        const EcPrivateKey back = EcPrivateKey::fromPem(pem, "correct horse battery staple");
        CHECK(back.scalar() == key.scalar());

        CHECK(contains(thrownMessage<CryptoError>(
                           [&] { EcPrivateKey::fromPem(pem, "correct horse battery stapl"); }),
                       "EcPrivateKey::fromPem: wrong passphrase"));
        CHECK(contains(thrownMessage<CryptoError>([&] { EcPrivateKey::fromPem(pem); }),
                       "no passphrase was given"));
    }
}

TEST_CASE("crypto: fromPem refuses what is not a P-256 private key") {
    CHECK(contains(thrownMessage<CryptoError>([] { EcPrivateKey::fromPem("not a key"); }),
                   "EcPrivateKey::fromPem: no readable PEM private key"));
    CHECK(contains(thrownMessage<CryptoError>([] { EcPrivateKey::fromPem(""); }),
                   "EcPrivateKey::fromPem"));

    // A well-formed P-384 key.
    std::unique_ptr<EVP_PKEY, PkeyFree> p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    REQUIRE(p384);
    struct BioFree {
        void operator()(BIO* b) const noexcept { BIO_free(b); }
    };
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), p384.get(), nullptr, nullptr, 0, nullptr,
                                          nullptr) == 1);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio.get(), &data);
    const std::string pem(data, static_cast<std::size_t>(length));
    CHECK(contains(thrownMessage<CryptoError>([&] { EcPrivateKey::fromPem(pem); }),
                   "not a P-256 EC key"));
    CHECK(contains(thrownMessage<CryptoError>([&] { EcPublicKey::fromEvp(p384.get()); }),
                   "EcPublicKey::fromEvp: the key is not a P-256 EC key"));
}

TEST_CASE("crypto: EcPublicKey::fromEvp, copies and moved-from keys") {
    EcPrivateKey key = EcPrivateKey::fromScalar(fromHex(kRfc5903I));
    const Bytes gi = uncompressedPoint(kRfc5903Gix, kRfc5903Giy);

    const EcPublicKey viaEvp = EcPublicKey::fromEvp(key.get());
    CHECK(viaEvp.point() == gi);
    CHECK(contains(thrownMessage<CryptoError>([] { EcPublicKey::fromEvp(nullptr); }), "null"));

    EcPublicKey copy = viaEvp;
    CHECK(copy.point() == gi);
    EcPublicKey assigned = EcPublicKey::fromPoint(uncompressedPoint(kGx, kGy));
    assigned = copy;
    CHECK(assigned.point() == gi);
    const EcPublicKey moved = std::move(copy);
    CHECK(moved.point() == gi);
    CHECK(contains(thrownMessage<CryptoError>([&] { (void)copy.point(); }), "moved from"));

    const EcPrivateKey taken = std::move(key);
    CHECK(taken.scalar() == fromHex(kRfc5903I));
    CHECK(contains(thrownMessage<CryptoError>([&] { (void)key.publicKey(); }), "moved from"));
    CHECK(contains(thrownMessage<CryptoError>([&] { (void)key.scalar(); }), "moved from"));
}
