// The ceremony CA, host and card certificates, and their verification (crypto/certificate.hpp).
#include <doctest/doctest.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"
#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "crypto/primitives.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::crypto;
using test::contains;
using test::thrownMessage;

namespace {

// The OID of the project's certificate extension, as crypto/certificate.cpp defines it. The
// tests that rewrite the extension CHECK that they found it, so a change there shows up here.
constexpr const char* kQuorumOid = "2.25.183427838492325065611004675756724054625";

struct X509Free {
    void operator()(X509* x) const noexcept { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
struct ObjectFree {
    void operator()(ASN1_OBJECT* o) const noexcept { ASN1_OBJECT_free(o); }
};
struct ExtensionFree {
    void operator()(X509_EXTENSION* e) const noexcept { X509_EXTENSION_free(e); }
};
struct OctetFree {
    void operator()(ASN1_OCTET_STRING* s) const noexcept { ASN1_OCTET_STRING_free(s); }
};

Bytes setId(std::uint8_t first) {
    Bytes id(kCardSetIdSize);
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(first + i);
    return id;
}

// The DER of the project's extension value, written out by hand (independently of the code
// under test): SEQUENCE { ENUMERATED role, OCTET STRING set id, [INTEGER index] }.
Bytes extensionDer(std::uint8_t role, const Bytes& set, const Bytes& indexTlv = {}) {
    Bytes content{0x0A, 0x01, role, 0x04, static_cast<std::uint8_t>(set.size())};
    content.insert(content.end(), set.begin(), set.end());
    content.insert(content.end(), indexTlv.begin(), indexTlv.end());
    Bytes der{0x30, static_cast<std::uint8_t>(content.size())};
    der.insert(der.end(), content.begin(), content.end());
    return der;
}

int findQuorumExtension(X509* x, int after = -1) {
    std::unique_ptr<ASN1_OBJECT, ObjectFree> oid(OBJ_txt2obj(kQuorumOid, 1));
    REQUIRE(oid);
    return X509_get_ext_by_OBJ(x, oid.get(), after);
}

void addQuorumExtension(X509* x, const Bytes& value) {
    std::unique_ptr<ASN1_OBJECT, ObjectFree> oid(OBJ_txt2obj(kQuorumOid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, OctetFree> data(ASN1_OCTET_STRING_new());
    REQUIRE(oid);
    REQUIRE(data);
    REQUIRE(ASN1_OCTET_STRING_set(data.get(), value.data(), static_cast<int>(value.size())) == 1);
    std::unique_ptr<X509_EXTENSION, ExtensionFree> ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, data.get()));
    REQUIRE(ext);
    REQUIRE(X509_add_ext(x, ext.get(), -1) == 1);
}

void removeExtension(X509* x, int index) {
    REQUIRE(index >= 0);
    X509_EXTENSION_free(X509_delete_ext(x, index));
}

// Replaces the project's extension (which must be there) with `value`.
void replaceQuorumExtension(X509* x, const Bytes& value) {
    removeExtension(x, findQuorumExtension(x));
    addQuorumExtension(x, value);
}

// Test-only issuance path: `cert` changed by `change`, then signed again by `signer` (a CA's
// key), so that only what `change` did can make verification fail.
Certificate resigned(const Certificate& cert, const EcPrivateKey& signer, const std::function<void(X509*)>& change) {
    X509Ptr x(X509_dup(cert.get()));
    REQUIRE(x);
    change(x.get());
    REQUIRE(X509_sign(x.get(), signer.get(), EVP_sha256()) > 0);
    const int length = i2d_X509(x.get(), nullptr);
    REQUIRE(length > 0);
    Bytes der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    REQUIRE(i2d_X509(x.get(), &out) == length);
    return Certificate::fromDer(der);
}

std::string day(const ASN1_TIME* t) {
    std::tm tm{};
    REQUIRE(ASN1_TIME_to_tm(t, &tm) == 1);
    char buffer[16];
    REQUIRE(std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &tm) > 0);
    return buffer;
}

// Seconds from now to `t` (negative in the past).
long secondsFromNow(const ASN1_TIME* t) {
    int days = 0, seconds = 0;
    REQUIRE(ASN1_TIME_diff(&days, &seconds, nullptr, t) == 1);
    return static_cast<long>(days) * 86400 + seconds;
}

std::string refusal(const Certificate& leaf, const Certificate& ca, CertRole role,
                    const std::optional<Bytes>& set = std::nullopt) {
    return thrownMessage<CertificateError>([&] { verifyCertificate(leaf, ca, role, set); });
}

bool hasKeyUsage(X509* x, std::uint32_t bits) { return (X509_get_key_usage(x) & bits) == bits; }

bool isCritical(X509* x, int nid) {
    const int index = X509_get_ext_by_NID(x, nid, -1);
    return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, index)) == 1;
}

}  // namespace

TEST_CASE("crypto: certificate - a new CA is a self-signed P-256 CA carrying its card set") {
    const Bytes set = setId(0x10);
    const CeremonyCa ca = CeremonyCa::create("Quorum Ceremony CA", set);
    X509* x = ca.certificate().get();
    REQUIRE(x != nullptr);

    const CertificateInfo info = ca.certificate().info();
    CHECK(info.role == CertRole::Ca);
    CHECK(info.cardSetId == set);
    CHECK_FALSE(info.cardIndex.has_value());
    CHECK(info.subject == "Quorum Ceremony CA");
    CHECK(ca.cardSetId() == set);

    CHECK(ca.certificate().publicKey().point() == ca.key().publicKey().point());
    CHECK(X509_verify(x, ca.key().publicKey().get()) == 1);
    CHECK(X509_get_version(x) == X509_VERSION_3);
    CHECK(X509_get_signature_nid(x) == NID_ecdsa_with_SHA256);
    CHECK(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0);

    // basicConstraints critical CA:TRUE pathlen 0, keyUsage critical keyCertSign + cRLSign, SKID.
    CHECK(X509_check_ca(x) == 1);
    CHECK(isCritical(x, NID_basic_constraints));
    CHECK(X509_get_pathlen(x) == 0);
    CHECK(isCritical(x, NID_key_usage));
    CHECK(hasKeyUsage(x, KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    CHECK_FALSE(hasKeyUsage(x, KU_DIGITAL_SIGNATURE));
    CHECK(X509_get0_subject_key_id(x) != nullptr);
    const int own = findQuorumExtension(x);
    REQUIRE(own >= 0);
    CHECK(X509_EXTENSION_get_critical(X509_get_ext(x, own)) == 0);

    // 16-byte positive random serial: two CAs never share one.
    const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
    CHECK(ASN1_STRING_length(serial) == 16);
    CHECK(ASN1_STRING_type(serial) == V_ASN1_INTEGER);  // not V_ASN1_NEG_INTEGER
    const CeremonyCa other = CeremonyCa::create("Quorum Ceremony CA", set);
    CHECK(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(other.certificate().get())) != 0);
    CHECK(other.key().publicKey().point() != ca.key().publicKey().point());

    // notBefore five minutes back (clock skew), notAfter the default 3650 days ahead.
    const long before = secondsFromNow(X509_get0_notBefore(x));
    CHECK(before <= -290);
    CHECK(before >= -400);
    const long after = secondsFromNow(X509_get0_notAfter(x));
    CHECK(after > 3650L * 86400 - 60);
    CHECK(after <= 3650L * 86400 + 60);

    // The CA verifies as a CA against itself.
    CHECK(verifyCertificate(ca.certificate(), ca.certificate(), CertRole::Ca).role == CertRole::Ca);

    CHECK_THROWS_AS(CeremonyCa::create("bad set", Bytes(15, 0x01)), std::invalid_argument);
    CHECK_THROWS_AS(CeremonyCa::create("", set), std::invalid_argument);
    CHECK_THROWS_AS(CeremonyCa::create("bad validity", set, 0), std::invalid_argument);
}

TEST_CASE("crypto: certificate - host and card certificates are issued and verified") {
    const Bytes set = setId(0xA0);
    const CeremonyCa ca = CeremonyCa::create("Ceremony 2025", set);
    const EcPrivateKey hostKey = EcPrivateKey::generate();
    const EcPrivateKey cardKey = EcPrivateKey::generate();

    const Certificate host = ca.issueHost(hostKey.publicKey(), "operator laptop");
    const CertificateInfo hostInfo = verifyCertificate(host, ca.certificate(), CertRole::Host, set);
    CHECK(hostInfo.role == CertRole::Host);
    CHECK(hostInfo.cardSetId == set);
    CHECK_FALSE(hostInfo.cardIndex.has_value());
    CHECK(hostInfo.subject == "operator laptop");
    CHECK(host.info().subject == "operator laptop");
    CHECK(host.publicKey().point() == hostKey.publicKey().point());
    CHECK(verifyCertificate(host, ca.certificate(), CertRole::Host).role == CertRole::Host);  // no set given

    const Certificate card = ca.issueCard(cardKey.publicKey(), 7);
    const CertificateInfo cardInfo = verifyCertificate(card, ca.certificate(), CertRole::Card, set);
    CHECK(cardInfo.role == CertRole::Card);
    CHECK(cardInfo.cardSetId == set);
    REQUIRE(cardInfo.cardIndex.has_value());
    CHECK(*cardInfo.cardIndex == 7);
    CHECK(cardInfo.subject == "quorum card 7 of set A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
    CHECK(card.publicKey().point() == cardKey.publicKey().point());

    // Indexes 128..255 need a two-byte DER integer; the ends of the range both work.
    for (const int index : {1, 127, 128, 200, 255}) {
        CAPTURE(index);
        const Certificate c = ca.issueCard(cardKey.publicKey(), index);
        const CertificateInfo i = verifyCertificate(c, ca.certificate(), CertRole::Card, set);
        REQUIRE(i.cardIndex.has_value());
        CHECK(*i.cardIndex == index);
        CHECK(i.subject == "quorum card " + std::to_string(index) + " of set " + toHex(set));
    }

    // Leaf profile: issued by the CA (name and key id), not a CA, critical keyUsage
    // keyAgreement + digitalSignature, signed ECDSA-SHA256, with its own random serial.
    for (const Certificate* leaf : {&host, &card}) {
        X509* x = leaf->get();
        CHECK(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca.certificate().get())) == 0);
        CHECK(X509_check_issued(ca.certificate().get(), x) == X509_V_OK);
        CHECK(X509_check_ca(x) == 0);
        CHECK(isCritical(x, NID_key_usage));
        CHECK(hasKeyUsage(x, KU_KEY_AGREEMENT | KU_DIGITAL_SIGNATURE));
        CHECK_FALSE(hasKeyUsage(x, KU_KEY_CERT_SIGN));
        const ASN1_OCTET_STRING* akid = X509_get0_authority_key_id(x);
        REQUIRE(akid != nullptr);
        CHECK(ASN1_OCTET_STRING_cmp(akid, X509_get0_subject_key_id(ca.certificate().get())) == 0);
        CHECK(X509_get_signature_nid(x) == NID_ecdsa_with_SHA256);
        CHECK(ASN1_STRING_length(X509_get0_serialNumber(x)) == 16);
        const long after = secondsFromNow(X509_get0_notAfter(x));
        CHECK(after > (leaf == &host ? 365L : 3650L) * 86400 - 60);
        CHECK(after <= (leaf == &host ? 365L : 3650L) * 86400 + 60);
    }
    CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(host.get()), X509_get0_serialNumber(card.get())) != 0);

    CHECK_THROWS_AS(ca.issueCard(cardKey.publicKey(), 0), std::invalid_argument);
    CHECK_THROWS_AS(ca.issueCard(cardKey.publicKey(), 256), std::invalid_argument);
    CHECK_THROWS_AS(ca.issueCard(cardKey.publicKey(), -1), std::invalid_argument);
    CHECK_THROWS_AS(ca.issueHost(hostKey.publicKey(), "host", 0), std::invalid_argument);
    CHECK_THROWS_AS(ca.issueHost(hostKey.publicKey(), std::string(65, 'h')), std::invalid_argument);
    CHECK(ca.issueHost(hostKey.publicKey(), std::string(64, 'h'), 1).info().subject == std::string(64, 'h'));
}

TEST_CASE("crypto: certificate - PEM and DER round trips, fingerprints and malformed input") {
    const CeremonyCa ca = CeremonyCa::create("Round trip CA", setId(0x01));
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 3);
    const Bytes der = card.der();
    REQUIRE(der.size() > 100);
    CHECK(der[0] == 0x30);

    const Certificate fromDer = Certificate::fromDer(der);
    CHECK(fromDer.der() == der);
    const std::string pem = card.pem();
    CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
    CHECK(contains(pem, "-----END CERTIFICATE-----"));
    const Certificate fromPem = Certificate::fromPem(pem);
    CHECK(fromPem.der() == der);
    CHECK(fromPem.pem() == pem);
    CHECK(fromPem.info().cardIndex == std::optional<int>(3));
    CHECK(verifyCertificate(fromPem, Certificate::fromPem(ca.certificate().pem()), CertRole::Card).cardIndex ==
          std::optional<int>(3));

    // SHA-256 over the DER, computed here independently.
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLength = 0;
    REQUIRE(EVP_Digest(der.data(), der.size(), md, &mdLength, EVP_sha256(), nullptr) == 1);
    CHECK(card.sha256Fingerprint() == Bytes(md, md + mdLength));
    CHECK(card.sha256Fingerprint().size() == 32);
    CHECK(card.sha256Fingerprint() != ca.certificate().sha256Fingerprint());

    // Copies are independent values; moves carry the certificate.
    Certificate copy = card;
    CHECK(copy.der() == der);
    CHECK(copy.get() != card.get());
    copy = ca.certificate();
    CHECK(copy.der() == ca.certificate().der());
    CHECK(card.der() == der);
    Certificate moved = std::move(copy);
    CHECK(moved.der() == ca.certificate().der());

    // Malformed input is a CertificateError, not a crash or a partial certificate.
    Bytes trailing = der;
    trailing.push_back(0x00);
    CHECK(contains(thrownMessage<CertificateError>([&] { Certificate::fromDer(trailing); }), "trailing"));
    const Bytes truncated(der.begin(), der.end() - 1);
    CHECK_THROWS_AS(Certificate::fromDer(truncated), CertificateError);
    CHECK_THROWS_AS(Certificate::fromDer(Bytes{}), CertificateError);
    CHECK_THROWS_AS(Certificate::fromDer(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}), CertificateError);
    CHECK_THROWS_AS(Certificate::fromPem(""), CertificateError);
    CHECK_THROWS_AS(Certificate::fromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                    CertificateError);
    std::string badPem = pem;
    badPem[40] = badPem[40] == 'A' ? 'B' : 'A';  // inside the base64 body: breaks the DER or the signature
    bool refused = false;
    try {
        verifyCertificate(Certificate::fromPem(badPem), ca.certificate(), CertRole::Card);
    } catch (const CertificateError&) {
        refused = true;
    }
    CHECK(refused);
}

TEST_CASE("crypto: certificate - CA saved as PEM (encrypted key) and loaded back") {
    const Bytes set = setId(0x5A);
    const CeremonyCa ca = CeremonyCa::create("Saved CA", set);
    const std::string certPem = ca.certificate().pem();
    const std::string keyPem = ca.key().toPem("correct horse battery staple");
    CHECK(contains(keyPem, "ENCRYPTED"));

    const CeremonyCa loaded = CeremonyCa::load(certPem, keyPem, "correct horse battery staple");
    CHECK(loaded.certificate().der() == ca.certificate().der());
    CHECK(loaded.cardSetId() == set);
    CHECK(loaded.key().publicKey().point() == ca.key().publicKey().point());
    CHECK(loaded.key().scalar() == ca.key().scalar());

    // The loaded CA issues certificates the original CA certificate accepts, and vice versa.
    const Certificate card = loaded.issueCard(EcPrivateKey::generate().publicKey(), 42);
    CHECK(verifyCertificate(card, ca.certificate(), CertRole::Card, set).cardIndex == std::optional<int>(42));
    const Certificate host = ca.issueHost(EcPrivateKey::generate().publicKey(), "host");
    CHECK(verifyCertificate(host, loaded.certificate(), CertRole::Host, set).subject == "host");

    // An unencrypted key loads with an empty passphrase.
    const CeremonyCa plain = CeremonyCa::load(certPem, ca.key().toPem(), "");
    CHECK(plain.key().scalar() == ca.key().scalar());
}

TEST_CASE("crypto: certificate - CA load refuses a wrong passphrase, a mismatched key, a non-CA certificate") {
    const CeremonyCa ca = CeremonyCa::create("Saved CA", setId(0x5A));
    const CeremonyCa other = CeremonyCa::create("Saved CA", setId(0x5A));  // same name, other key
    const std::string certPem = ca.certificate().pem();
    const std::string keyPem = ca.key().toPem("right");

    const std::string wrong = thrownMessage<CryptoError>([&] { CeremonyCa::load(certPem, keyPem, "wrong"); });
    CHECK(contains(wrong, "cannot decrypt the CA key"));
    CHECK(contains(wrong, "wrong passphrase"));
    const std::string none = thrownMessage<CryptoError>([&] { CeremonyCa::load(certPem, keyPem, ""); });
    CHECK(contains(none, "cannot decrypt the CA key"));
    CHECK(contains(none, "it is encrypted and no passphrase was given"));

    const std::string mismatch = thrownMessage<CertificateError>(
        [&] { CeremonyCa::load(certPem, other.key().toPem("right"), "right"); });
    CHECK(contains(mismatch, "does not match"));
    CHECK(contains(mismatch, "Saved CA"));

    // A host certificate with its own key is not a CA.
    const EcPrivateKey hostKey = EcPrivateKey::generate();
    const Certificate host = ca.issueHost(hostKey.publicKey(), "just a host");
    const std::string notCa = thrownMessage<CertificateError>(
        [&] { CeremonyCa::load(host.pem(), hostKey.toPem("right"), "right"); });
    CHECK(contains(notCa, "just a host"));
    CHECK(contains(notCa, "not a CA"));

    CHECK(contains(thrownMessage<CertificateError>([&] { CeremonyCa::load("not a pem", keyPem, "right"); }),
                   "cannot read the CA certificate"));
    CHECK_THROWS_AS(CeremonyCa::load(certPem, "not a key", "right"), CryptoError);
}

TEST_CASE("crypto: certificate - refuses a card certificate from another CA") {
    const CeremonyCa ours = CeremonyCa::create("Our ceremony", setId(0x01));
    const CeremonyCa theirs = CeremonyCa::create("Their ceremony", setId(0x02));
    const EcPublicKey cardKey = EcPrivateKey::generate().publicKey();
    const Certificate foreign = theirs.issueCard(cardKey, 1);
    REQUIRE(verifyCertificate(foreign, theirs.certificate(), CertRole::Card).cardIndex == std::optional<int>(1));

    const std::string message = refusal(foreign, ours.certificate(), CertRole::Card);
    CHECK(contains(message, "certificate of quorum card 1 of set " + toHex(setId(0x02))));
    CHECK(contains(message, "was not issued by this ceremony's CA (Our ceremony)"));

    // A CA with the same name and the same card set but another key is not our CA either.
    const CeremonyCa impostor = CeremonyCa::create("Our ceremony", setId(0x01));
    const Certificate forged = impostor.issueCard(cardKey, 1);
    REQUIRE(verifyCertificate(forged, impostor.certificate(), CertRole::Card).role == CertRole::Card);
    CHECK(contains(refusal(forged, ours.certificate(), CertRole::Card, setId(0x01)),
                   "was not issued by this ceremony's CA (Our ceremony)"));
    // ... even when the forgery copies our CA's key identifier (so only the signature differs).
    const Certificate sameAkid = resigned(forged, impostor.key(), [&](X509* x) {
        removeExtension(x, X509_get_ext_by_NID(x, NID_authority_key_identifier, -1));
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, ours.certificate().get(), x, nullptr, nullptr, 0);
        X509_EXTENSION* akid = X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
        REQUIRE(akid != nullptr);
        CHECK(X509_add_ext(x, akid, -1) == 1);
        X509_EXTENSION_free(akid);
    });
    CHECK(contains(refusal(sameAkid, ours.certificate(), CertRole::Card), "was not issued by this ceremony's CA"));
    // And a CA certificate that is not ours, presented as the leaf.
    CHECK(contains(refusal(impostor.certificate(), ours.certificate(), CertRole::Ca),
                   "was not issued by this ceremony's CA"));
}

TEST_CASE("crypto: certificate - refuses a card of another card set") {
    const Bytes ourSet = setId(0x11);
    const Bytes theirSet = setId(0x22);
    const CeremonyCa ca = CeremonyCa::create("Ceremony", ourSet);
    const CeremonyCa other = CeremonyCa::create("Ceremony", theirSet);
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 5);
    REQUIRE(verifyCertificate(card, ca.certificate(), CertRole::Card, ourSet).cardSetId == ourSet);

    const std::string message = refusal(card, ca.certificate(), CertRole::Card, theirSet);
    CHECK(contains(message, "certificate of quorum card 5 of set " + toHex(ourSet)));
    CHECK(contains(message, "belongs to card set " + toHex(ourSet) + ", expected " + toHex(theirSet)));

    // The other CA of the same name (and its card set) refuses it too.
    CHECK(contains(refusal(card, other.certificate(), CertRole::Card, theirSet),
                   "was not issued by this ceremony's CA (Ceremony)"));

    // A certificate signed by the CA but claiming another set than the CA's own is refused even
    // when the caller names no set.
    const Certificate otherSet = resigned(card, ca.key(), [&](X509* x) {
        replaceQuorumExtension(x, extensionDer(0x02, theirSet, {0x02, 0x01, 0x05}));
    });
    CHECK(contains(refusal(otherSet, ca.certificate(), CertRole::Card),
                   "belongs to card set " + toHex(theirSet) + ", expected " + toHex(ourSet)));
}

TEST_CASE("crypto: certificate - refuses the wrong role and CA certificates as leaves") {
    const Bytes set = setId(0x33);
    const CeremonyCa ca = CeremonyCa::create("Role CA", set);
    const Certificate host = ca.issueHost(EcPrivateKey::generate().publicKey(), "the host");
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 9);

    CHECK(contains(refusal(host, ca.certificate(), CertRole::Card, set),
                   "certificate of the host has role host, expected card"));
    CHECK(contains(refusal(card, ca.certificate(), CertRole::Host, set),
                   "certificate of quorum card 9 of set " + toHex(set) + " has role card, expected host"));
    CHECK(contains(refusal(host, ca.certificate(), CertRole::Ca), "certificate of the host is not a CA"));

    // The CA's own certificate chains to itself, but it is no host or card.
    CHECK(contains(refusal(ca.certificate(), ca.certificate(), CertRole::Host),
                   "certificate of Role CA is a CA certificate, expected a host certificate"));
    CHECK(contains(refusal(ca.certificate(), ca.certificate(), CertRole::Card),
                   "is a CA certificate, expected a card certificate"));

    // A leaf the CA signed with basicConstraints CA:TRUE (and role card) is refused as a card.
    const Certificate caLeaf = resigned(card, ca.key(), [](X509* x) {
        removeExtension(x, X509_get_ext_by_NID(x, NID_basic_constraints, -1));
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, nullptr, x, nullptr, nullptr, 0);
        X509_EXTENSION* bc = X509V3_EXT_nconf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
        REQUIRE(bc != nullptr);
        CHECK(X509_add_ext(x, bc, -1) == 1);
        X509_EXTENSION_free(bc);
    });
    REQUIRE((X509_get_extension_flags(caLeaf.get()) & EXFLAG_CA) != 0);
    REQUIRE(X509_check_ca(caLeaf.get()) == 0);  // its keyUsage lacks keyCertSign: OpenSSL's own test says no
    CHECK(caLeaf.info().role == CertRole::Card);
    CHECK(contains(refusal(caLeaf, ca.certificate(), CertRole::Card),
                   "is a CA certificate, expected a card certificate"));
    CHECK_FALSE(verifySignedWithRole(caLeaf, ca.key().publicKey(), CertRole::Card));

    // A "CA" argument that is not a ceremony CA is refused rather than trusted.
    CHECK(contains(refusal(card, host, CertRole::Card), "given as the CA is not a ceremony CA"));
}

TEST_CASE("crypto: certificate - refuses expired and not yet valid certificates") {
    const CeremonyCa ca = CeremonyCa::create("Clock CA", setId(0x44));
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 2);

    // Control: re-signing without a change keeps it valid, so the refusals below are the dates'.
    const Certificate same = resigned(card, ca.key(), [](X509*) {});
    CHECK(verifyCertificate(same, ca.certificate(), CertRole::Card).cardIndex == std::optional<int>(2));

    const Certificate expired = resigned(card, ca.key(), [](X509* x) {
        REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), -30L * 86400) != nullptr);
        REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), -2L * 86400) != nullptr);
    });
    const std::string expiredMessage = refusal(expired, ca.certificate(), CertRole::Card);
    CHECK(contains(expiredMessage, "certificate of quorum card 2 of set " + toHex(setId(0x44))));
    CHECK(contains(expiredMessage, "expired on " + day(X509_get0_notAfter(expired.get()))));
    // The card side has no clock: the signature and role still hold.
    CHECK(verifySignedWithRole(expired, ca.key().publicKey(), CertRole::Card));

    const Certificate future = resigned(card, ca.key(), [](X509* x) {
        REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), 3L * 86400) != nullptr);
    });
    CHECK(contains(refusal(future, ca.certificate(), CertRole::Card),
                   "is not valid before " + day(X509_get0_notBefore(future.get()))));

    // An expired CA makes everything it issued refused, naming the CA.
    const Certificate expiredCa = resigned(ca.certificate(), ca.key(), [](X509* x) {
        REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x), -30L * 86400) != nullptr);
        REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x), -1L * 86400) != nullptr);
    });
    CHECK(contains(refusal(card, expiredCa, CertRole::Card), "certificate of Clock CA expired on "));
}

TEST_CASE("crypto: certificate - refuses a tampered DER") {
    const Bytes set = setId(0x55);
    const CeremonyCa ca = CeremonyCa::create("Tamper CA", set);
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 4);
    const Bytes der = card.der();

    // Certificate ::= SEQUENCE (30 82 LL LL) { tbs SEQUENCE (30 82 LL LL) { [0] v3 (A0 03 02 01 02),
    // serial INTEGER (02 10 ...) ...: flip one bit of the serial number, inside the signed part.
    REQUIRE(der.size() > 40);
    REQUIRE(der[0] == 0x30);
    REQUIRE(der[4] == 0x30);
    REQUIRE(der[13] == 0x02);
    REQUIRE(der[14] == 0x10);
    Bytes serialFlipped = der;
    serialFlipped[20] ^= 0x01;
    const Certificate tampered = Certificate::fromDer(serialFlipped);
    CHECK(contains(refusal(tampered, ca.certificate(), CertRole::Card),
                   "was not issued by this ceremony's CA (Tamper CA)"));
    CHECK_FALSE(verifySignedWithRole(tampered, ca.key().publicKey(), CertRole::Card));

    // Turning the card's role into host inside the extension (ENUMERATED 2 -> 1) breaks the signature too.
    const Bytes roleBytes{0x0A, 0x01, 0x02, 0x04, 0x10};
    const auto at = std::search(der.begin(), der.end(), roleBytes.begin(), roleBytes.end());
    REQUIRE(at != der.end());
    Bytes promoted = der;
    promoted[static_cast<std::size_t>(at - der.begin()) + 2] = 0x01;
    const Certificate asHost = Certificate::fromDer(promoted);
    CHECK(asHost.info().role == CertRole::Host);  // what it claims
    CHECK(contains(refusal(asHost, ca.certificate(), CertRole::Host), "was not issued by this ceremony's CA"));
    CHECK_FALSE(verifySignedWithRole(asHost, ca.key().publicKey(), CertRole::Host));

    // Untouched, it verifies (the refusals above are the flipped bytes').
    CHECK(verifyCertificate(Certificate::fromDer(der), ca.certificate(), CertRole::Card, set).cardIndex ==
          std::optional<int>(4));
}

TEST_CASE("crypto: certificate - refuses missing, malformed and inconsistent quorum extensions") {
    const Bytes set = setId(0x66);
    const CeremonyCa ca = CeremonyCa::create("Extension CA", set);
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 6);
    const Certificate host = ca.issueHost(EcPrivateKey::generate().publicKey(), "ext host");
    const Bytes index6{0x02, 0x01, 0x06};

    // Control: the hand-written DER equals what the CA wrote, and re-signing it verifies.
    const int own = findQuorumExtension(card.get());
    REQUIRE(own >= 0);
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(card.get(), own));
    CHECK(Bytes(ASN1_STRING_get0_data(value), ASN1_STRING_get0_data(value) + ASN1_STRING_length(value)) ==
          extensionDer(0x02, set, index6));
    const Certificate same = resigned(card, ca.key(), [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, index6)); });
    CHECK(verifyCertificate(same, ca.certificate(), CertRole::Card, set).cardIndex == std::optional<int>(6));
    CHECK(verifySignedWithRole(same, ca.key().publicKey(), CertRole::Card));

    struct Case {
        const char* what;
        std::function<void(X509*)> change;
        const char* message;
    };
    const Case malformed[] = {
        {"missing", [](X509* x) { removeExtension(x, findQuorumExtension(x)); }, "lacks the quorum certificate extension"},
        {"twice", [&](X509* x) { addQuorumExtension(x, extensionDer(0x02, set, index6)); }, "more than once"},
        {"trailing byte", [&](X509* x) {
             Bytes v = extensionDer(0x02, set, index6);
             v.push_back(0x00);
             replaceQuorumExtension(x, v);
         }, "malformed"},
        {"outer length too long", [&](X509* x) {
             Bytes v = extensionDer(0x02, set, index6);
             v[1] = static_cast<std::uint8_t>(v[1] + 1);
             replaceQuorumExtension(x, v);
         }, "malformed"},
        {"set id of 15 bytes", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, Bytes(set.begin(), set.end() - 1), index6)); }, "malformed"},
        {"set id of 17 bytes", [&](X509* x) {
             Bytes longer = set;
             longer.push_back(0x00);
             replaceQuorumExtension(x, extensionDer(0x02, longer, index6));
         }, "malformed"},
        {"unknown role 3", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x03, set, index6)); }, "malformed"},
        {"non-minimal index", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x02, 0x00, 0x06})); }, "malformed"},
        {"index of length 0", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x00})); }, "malformed"},
        {"an element after the index", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x01, 0x06, 0x05, 0x00})); }, "malformed"},
        {"index with a wrong tag", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x0A, 0x01, 0x06})); }, "malformed"},
        {"index length beyond the end", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x02, 0x06})); }, "malformed"},
        {"long-form length", [&](X509* x) {
             Bytes v = extensionDer(0x02, set, index6);
             Bytes longForm{0x30, 0x81, v[1]};
             longForm.insert(longForm.end(), v.begin() + 2, v.end());
             replaceQuorumExtension(x, longForm);
         }, "malformed"},
        {"not a sequence", [&](X509* x) { replaceQuorumExtension(x, Bytes{0x04, 0x00}); }, "malformed"},
        {"empty", [&](X509* x) { replaceQuorumExtension(x, Bytes{}); }, "malformed"},
        {"card without index", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set)); }, "carries no card index"},
        {"card index 0", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x01, 0x00})); }, "card index 0, outside 1..255"},
        {"card index 256", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x02, 0x01, 0x00})); }, "card index 256, outside 1..255"},
        {"card index -1", [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x01, 0xFF})); }, "card index -1, outside 1..255"},
    };
    for (const Case& c : malformed) {
        CAPTURE(c.what);
        const Certificate bad = resigned(card, ca.key(), c.change);
        const std::string message = refusal(bad, ca.certificate(), CertRole::Card, set);
        CHECK(contains(message, c.message));
        CHECK(contains(message, "quorum card 6 of set " + toHex(set)));
        CHECK_FALSE(verifySignedWithRole(bad, ca.key().publicKey(), CertRole::Card));
    }

    // info() reports what it can read and refuses what it cannot.
    CHECK(resigned(card, ca.key(), [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x02, set, {0x02, 0x02, 0x01, 0x00})); })
              .info().cardIndex == std::optional<int>(256));
    CHECK(contains(thrownMessage<CertificateError>([&] {
                       resigned(card, ca.key(), [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x09, set, index6)); }).info();
                   }),
                   "malformed"));
    CHECK(contains(thrownMessage<CertificateError>([&] {
                       resigned(card, ca.key(), [](X509* x) { removeExtension(x, findQuorumExtension(x)); }).info();
                   }),
                   "lacks"));

    // A host certificate carrying a card index is inconsistent.
    const Certificate hostWithIndex = resigned(host, ca.key(), [&](X509* x) { replaceQuorumExtension(x, extensionDer(0x01, set, index6)); });
    CHECK(contains(refusal(hostWithIndex, ca.certificate(), CertRole::Host), "has role host but carries a card index"));
    CHECK_FALSE(verifySignedWithRole(hostWithIndex, ca.key().publicKey(), CertRole::Host));
}

TEST_CASE("crypto: certificate - verifySignedWithRole checks the CA key and the role, never throws") {
    const CeremonyCa ca = CeremonyCa::create("Card-side CA", setId(0x77));
    const CeremonyCa other = CeremonyCa::create("Card-side CA", setId(0x77));
    const Certificate host = ca.issueHost(EcPrivateKey::generate().publicKey(), "host");
    const Certificate card = ca.issueCard(EcPrivateKey::generate().publicKey(), 12);
    const EcPublicKey caKey = ca.key().publicKey();

    CHECK(verifySignedWithRole(host, caKey, CertRole::Host));
    CHECK(verifySignedWithRole(card, caKey, CertRole::Card));
    CHECK(verifySignedWithRole(ca.certificate(), caKey, CertRole::Ca));

    CHECK_FALSE(verifySignedWithRole(host, caKey, CertRole::Card));
    CHECK_FALSE(verifySignedWithRole(card, caKey, CertRole::Host));
    CHECK_FALSE(verifySignedWithRole(card, caKey, CertRole::Ca));
    CHECK_FALSE(verifySignedWithRole(ca.certificate(), caKey, CertRole::Host));

    const EcPublicKey otherKey = other.key().publicKey();
    CHECK_FALSE(verifySignedWithRole(host, otherKey, CertRole::Host));
    CHECK_FALSE(verifySignedWithRole(card, otherKey, CertRole::Card));
    CHECK_FALSE(verifySignedWithRole(ca.certificate(), otherKey, CertRole::Ca));
    // The subject's own key did not sign it.
    CHECK_FALSE(verifySignedWithRole(card, card.publicKey(), CertRole::Card));

    // A moved-from certificate is just "no".
    Certificate gone = card;
    const Certificate taken = std::move(gone);
    CHECK(verifySignedWithRole(taken, caKey, CertRole::Card));
    bool result = true;
    CHECK_NOTHROW(result = verifySignedWithRole(gone, caKey, CertRole::Card));  // NOLINT(bugprone-use-after-move)
    CHECK_FALSE(result);
}
