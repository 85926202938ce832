// Signing a KSR into an SKR: the KSK as a DNSKEY and DS, IANA's 2017-Q2 SKR rebuilt from its KSR
// and KSK-2010's signatures, full signings of a real KSR with a test RSA-2048 KSK and a test P-256
// KSK checked by libldns and by dnspython, and the root-anchors document.
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include "host/dnssec/ksr_validation.hpp"
#include "host/dnssec/skr_signing.hpp"
#include "host/dnssec/trust_anchor.hpp"
#include "tests/support/thrown.hpp"
#include "tests/unit/dnssec_test_support.hpp"

using namespace quorum;
using namespace quorum::host::dnssec;
using test::dnssec::brokenCheck;
using test::dnssec::ianaFile;
using test::dnssec::ianaKsr;
using test::dnssec::ianaSkr;
using test::dnssec::TestKsk;
using test::dnssec::utc;

namespace {

// The root KSKs of 2010 and 2017 as IANA's SKRs publish them.
const char* const kKsk2010 =
    "AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/"
    "RStIoO8g0NfnfL2MTJRkxoXbfDa"
    "UeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/"
    "Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hz"
    "CTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+"
    "ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0=";
const char* const kKsk2017 =
    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/"
    "4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMt"
    "NROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/"
    "b58Da+sqqls3eNbuv7pr+eoZG+SrDK"
    "6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/"
    "ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";

const Time k2017q2Ceremony = utc("2017-03-15T12:00:00");

Bytes base64Bytes(const std::string& text) {
    Bytes out(text.size());
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    REQUIRE(n >= 0);
    std::size_t size = static_cast<std::size_t>(n);
    for (auto c = text.rbegin(); c != text.rend() && *c == '='; ++c) --size;
    out.resize(size);
    return out;
}

// Every RRSIG of an SKR checked by dnspython (dns.dnssec.validate), reading the XML on its own.
const char* const kDnspythonCheck = R"(import sys, calendar, datetime
import xml.etree.ElementTree as ET
import dns.dnssec, dns.name, dns.rdata, dns.rdataclass, dns.rdatatype, dns.rrset

def epoch(text):
    return calendar.timegm(datetime.datetime.fromisoformat(text).utctimetuple())

root = ET.parse(sys.argv[1]).getroot()
count = 0
for bundle in root.iter('ResponseBundle'):
    keys = dns.rrset.RRset(dns.name.root, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    for k in bundle.findall('Key'):
        text = ' '.join(k.findtext(f) for f in ('Flags', 'Protocol', 'Algorithm', 'PublicKey'))
        keys.add(dns.rdata.from_text('IN', 'DNSKEY', text), int(k.findtext('TTL')))
    for s in bundle.findall('Signature'):
        fields = [s.findtext('TypeCovered'), s.findtext('Algorithm'), s.findtext('Labels'), s.findtext('OriginalTTL'),
                  str(epoch(s.findtext('SignatureExpiration'))), str(epoch(s.findtext('SignatureInception'))),
                  s.findtext('KeyTag'), s.findtext('SignersName'), s.findtext('SignatureData')]
        sigs = dns.rrset.RRset(dns.name.root, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
        sigs.add(dns.rdata.from_text('IN', 'RRSIG', ' '.join(fields)), int(s.findtext('TTL')))
        dns.dnssec.validate(keys, sigs, {dns.name.root: keys}, now=epoch(s.findtext('SignatureInception')) + 1)
        count += 1
print('dnspython validated %d RRSIGs' % count)
)";

test::CommandResult dnspythonCheck(const std::string& skrPath) {
    test::TempFolder folder;
    const std::string script = folder.file("check_skr.py");
    std::FILE* f = std::fopen(script.c_str(), "w");
    REQUIRE(f);
    std::fputs(kDnspythonCheck, f);
    std::fclose(f);
    // Debian's python3, where python3-dnspython is installed (not a python3 of pyenv or a venv).
    return test::runCommand("/usr/bin/python3 " + script + " " + skrPath);
}

// The whole ceremony with an in-test KSK: inputs, signatures, the SKR.
Skr signWith(const TestKsk& signer, const KskKey& ksk, const Ksr& ksr, const Policy& policy) {
    std::vector<Bytes> signatures;
    for (const SigningInput& input : signingInputs(ksr, ksk))
        signatures.push_back(signer.sign(input.data));
    return assembleSkr(ksr, ksk, signatures, policy);
}

}  // namespace

TEST_CASE("dnssec KSK: IANA's KSK-2017 and KSK-2010 have their published key tags and DS digests") {
    const KskKey ksk2017 = KskKey::fromDnskey(257, 8, kKsk2017, "Klajeyz");
    CHECK(ksk2017.keyTag() == 20326);
    CHECK(ksk2017.bits() == 2048);
    CHECK(ksk2017.exponent() == 65537);
    CHECK(ksk2017.dsDigestHex() ==
          "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D");
    CHECK(ksk2017.dsRecord() ==
          ".\t172800\tIN\tDS\t20326 8 2 "
          "e06d44b80b8f1d39a95c0b0d7c65d08458e880409bbc683457104237c7f8ec8d");
    CHECK(ksk2017.dnskeyRecord() == std::string(".\t172800\tIN\tDNSKEY\t257 3 8 ") + kKsk2017);
    const KskKey ksk2010 = KskKey::fromDnskey(257, 8, kKsk2010, "Kjqmt7v");
    CHECK(ksk2010.keyTag() == 19036);
    CHECK(ksk2010.dsDigestHex() ==
          "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5");
    CHECK_THROWS_AS(KskKey::fromDnskey(257, 8, "AwEAAQ==", "broken"), DnssecError);
    CHECK_THROWS_AS(KskKey::fromDnskey(257, 8, kKsk2017, "a label"), DnssecError);
}

TEST_CASE("dnssec KSK: the card set's RSA or P-256 public key as a DNSKEY of algorithm 8 or 13") {
    const TestKsk rsa = TestKsk::rsa2048();
    const KskKey rsaKsk = KskKey::fromPublicKeyPem(rsa.publicKeyPem(), "KQUORUM");
    CHECK(rsaKsk.algorithm() == 8);
    CHECK(rsaKsk.flags() == 257);
    CHECK(rsaKsk.bits() == 2048);
    CHECK(rsaKsk.exponent() == 65537);
    CHECK(rsaKsk.publicKeyBase64().rfind("AwEAA", 0) ==
          0);  // RFC 3110: exponent length 3, then 65537
    CHECK(rsaKsk.asKey().keyTag == rsaKsk.keyTag());
    CHECK(rsaKsk.dnskeyRecord("example", 3600)
              .rfind("example.\t3600\tIN\tDNSKEY\t257 3 8 AwEAA", 0) == 0);

    const TestKsk ec = TestKsk::p256();
    const KskKey ecKsk = KskKey::fromPublicKeyPem(ec.publicKeyPem(), "KQUORUM-EC");
    CHECK(ecKsk.algorithm() == 13);
    CHECK(ecKsk.bits() == 256);
    CHECK(base64Bytes(ecKsk.publicKeyBase64()).size() == 64);  // RFC 6605: x || y
    CHECK(ecKsk.dsRecord("example.").find("\tDS\t" + std::to_string(ecKsk.keyTag()) + " 13 2 ") !=
          std::string::npos);

    const std::string p384 = [] {
        EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PUBKEY(bio, key);
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        std::string pem(data, static_cast<std::size_t>(size));
        BIO_free(bio);
        EVP_PKEY_free(key);
        return pem;
    }();
    CHECK_THROWS_WITH_AS(KskKey::fromPublicKeyPem(p384, "K"), doctest::Contains("only RSA keys"),
                         DnssecError);
    CHECK_THROWS_AS(KskKey::fromPublicKeyPem("not a key", "K"), DnssecError);
}

TEST_CASE("dnssec ECDSA: DER ECDSA-Sig-Value to the 64-byte r || s of RFC 6605") {
    // SEQUENCE { INTEGER 1, INTEGER 0x00FF.. (33 bytes with a leading zero) }
    Bytes der = fromHex("3026 020101 022100" + std::string(64, 'F'));
    const Bytes raw = ecdsaP256SignatureFromDer(der);
    REQUIRE(raw.size() == 64);
    CHECK(toHex(raw) == std::string(62, '0') + "01" + std::string(64, 'F'));
    CHECK_THROWS_AS(ecdsaP256SignatureFromDer(fromHex("3006020101020101FF")),
                    DnssecError);  // trailing byte
    CHECK_THROWS_AS(ecdsaP256SignatureFromDer(fromHex("3028 020101 022301" + std::string(68, '0'))),
                    DnssecError);                                           // s of 35 bytes
    CHECK_THROWS_AS(ecdsaP256SignatureFromDer(Bytes(64, 1)), DnssecError);  // already r || s
}

TEST_CASE(
    "dnssec signing: IANA's 2017-Q2 SKR is what KSK-2010's signatures over our signing inputs "
    "give") {
    const Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    const Skr iana = ianaSkr("skr-root-2017-q2-0.xml");
    const KskKey ksk2010 = KskKey::fromDnskey(257, 8, kKsk2010, "Kjqmt7v");
    const Policy policy;
    CHECK_NOTHROW(validateKsr(ksr, policy, k2017q2Ceremony, ianaSkr("skr-root-2017-q1-0.xml")));
    CHECK_NOTHROW(validateSigning(ksr, ksk2010, policy, ianaSkr("skr-root-2017-q1-0.xml")));

    const std::vector<SigningInput> inputs = signingInputs(ksr, ksk2010);
    REQUIRE(inputs.size() == 9);
    // kskm's make_raw_rrsig for bundle 1: DNSKEY, alg 8, 0 labels, TTL 172800, 2017-04-22,
    // 2017-04-01, tag 19036, ".".
    CHECK(toHex(Bytes(inputs[0].data.begin(), inputs[0].data.begin() + 19)) ==
          "003008000002A30058FA9D0058DEED804A5C00");
    CHECK(inputs[0].bundleId == "dc1bc68c-b1c1-46f8-817f-ec893549f2be");
    CHECK(inputs[0].rrsig.keyTag == 19036);
    CHECK(inputs[0].rrsig.keyIdentifier == "Kjqmt7v");

    std::vector<Bytes> signatures;
    for (const Bundle& bundle : iana.bundles)
        signatures.push_back(base64Bytes(bundle.signatures.at(0).signatureData));
    const Skr rebuilt = assembleSkr(ksr, ksk2010, signatures, policy);
    CHECK(rebuilt.toXml() == iana.toXml());  // every field, every key, every RRSIG
    CHECK(draftSkr(ksr, ksk2010, policy).bundles[3].keys == rebuilt.bundles[3].keys);

    // Another bundle's signature in bundle 5: named, with the bundle.
    std::swap(signatures[4], signatures[5]);
    const auto thrown = [&] {
        try {
            assembleSkr(ksr, ksk2010, signatures, policy);
        } catch (const SignatureError& e) {
            return e.bundleId() + " | " + e.what();
        }
        return std::string("(nothing thrown)");
    }();
    CHECK(test::contains(
        thrown,
        ksr.bundles[4].id + " | Invalid KSK signature encountered in bundle " + ksr.bundles[4].id));
    signatures.pop_back();
    CHECK_THROWS_WITH_AS(assembleSkr(ksr, ksk2010, signatures, policy),
                         doctest::Contains("8 signatures for 9 bundles"), DnssecError);
}

TEST_CASE(
    "dnssec signing: a real KSR signed with a test RSA-2048 KSK, checked by libldns and "
    "dnspython") {
    const TestKsk signer = TestKsk::rsa2048();
    const KskKey ksk = KskKey::fromPublicKeyPem(signer.publicKeyPem(), "KQUORUM");
    const Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    const Policy policy;
    validateKsr(ksr, policy, k2017q2Ceremony, std::nullopt);
    validateSigning(ksr, ksk, policy, std::nullopt);
    const Skr skr = signWith(signer, ksk, ksr, policy);

    CHECK(skr.id == ksr.id);
    CHECK(skr.serial == ksr.serial);
    REQUIRE(skr.bundles.size() == 9);
    for (std::size_t i = 0; i < 9; ++i) {
        CHECK(skr.bundles[i].id == ksr.bundles[i].id);
        CHECK(skr.bundles[i].keys.size() == ksr.bundles[i].keys.size() + 1);
        REQUIRE(skr.bundles[i].signatures.size() == 1);
        const Signature& rrsig = skr.bundles[i].signatures[0];
        CHECK(rrsig.keyTag == ksk.keyTag());
        CHECK(rrsig.inception == ksr.bundles[i].inception);
        CHECK(rrsig.expiration == ksr.bundles[i].expiration);
        CHECK(rrsig.originalTtl == 172800);
        CHECK(rrsig.labels == 0);
    }
    REQUIRE(skr.kskPolicy.algorithms.size() == 1);
    CHECK(skr.kskPolicy.retireSafety == days(28));
    CHECK(skr.zskPolicy.maxValidityOverlap == ksr.zskPolicy.maxValidityOverlap);
    CHECK_NOTHROW(verifySkr(skr, policy));

    // Written, read back, written again: the same bytes; and as a file.
    const std::string xml = skr.toXml();
    CHECK(Skr::fromXml(xml).toXml() == xml);
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KSR "
                    "id=\"23e34059-7725-46a8-a7d2-662d657aab2b\" "
                    "domain=\".\" serial=\"1\">\n    <Response>\n",
                    0) == 0);
    test::TempFolder folder;
    skr.save(folder.file("skr.xml"));
    CHECK(test::readFile(folder.file("skr.xml")) == xml);
    CHECK(Skr::load(folder.file("skr.xml")).toXml() == xml);
    CHECK_THROWS_AS(skr.save(folder.file("skr.xml")), host::FileError);

    // dnspython, reading our XML on its own, validates every RRSIG; and IANA's, as a control.
    const auto ours = dnspythonCheck(folder.file("skr.xml"));
    CHECK_MESSAGE(ours.exitCode == 0, ours.output);
    CHECK(test::contains(ours.output, "dnspython validated 9 RRSIGs"));
    const auto theirs = dnspythonCheck(ianaFile("skr-root-2018-q1-0-d_to_e.xml"));
    CHECK_MESSAGE(theirs.exitCode == 0, theirs.output);

    // The next quarter's ceremony reads it as the previous SKR.
    CHECK(brokenCheck([&] { validateKsr(ksr, policy, k2017q2Ceremony, skr); }) == "KSR-ID");
}

TEST_CASE("dnssec signing: a P-256 KSK (algorithm 13) over RSA ZSKs, once the policy allows it") {
    const TestKsk signer = TestKsk::p256();
    const KskKey ksk = KskKey::fromPublicKeyPem(signer.publicKeyPem(), "KQUORUM-EC");
    const Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    Policy policy;
    CHECK(test::thrownMessage<KsrPolicyError>(
              [&] { validateSigning(ksr, ksk, policy, std::nullopt); }) ==
          "KSK-ALGORITHM: ZSK algorithms {RSASHA256} does not match KSK algorithms "
          "{ECDSAP256SHA256} for bundle " +
              ksr.bundles[0].id);
    policy.ksk.requireZskAlgorithm = false;
    CHECK_NOTHROW(validateSigning(ksr, ksk, policy, std::nullopt));
    const Skr skr = signWith(signer, ksk, ksr, policy);
    CHECK(skr.bundles[0].signatures[0].algorithm == 13);
    CHECK(base64Bytes(skr.bundles[0].signatures[0].signatureData).size() == 64);
    REQUIRE(skr.kskPolicy.algorithms.size() ==
            2);  // the ZSKs' RSA and the KSK's ECDSA, as kskm lists them
    CHECK(skr.kskPolicy.algorithms[1].algorithm == 13);
    CHECK(skr.kskPolicy.algorithms[1].size == 256);
    CHECK(test::contains(
        skr.toXml(),
        "<SignatureAlgorithm algorithm=\"13\">\n                    <ECDSA size=\"256\"/>"));

    test::TempFolder folder;
    skr.save(folder.file("skr.xml"));
    const Skr back = Skr::load(folder.file("skr.xml"));
    CHECK(back.toXml() == skr.toXml());
    CHECK_NOTHROW(verifySkr(back, policy));
    const auto python = dnspythonCheck(folder.file("skr.xml"));
    CHECK_MESSAGE(python.exitCode == 0, python.output);
    CHECK(test::contains(python.output, "dnspython validated 9 RRSIGs"));

    // A signature of the right form that is not the KSK's.
    std::vector<Bytes> signatures;
    for (const SigningInput& input : signingInputs(ksr, ksk))
        signatures.push_back(signer.sign(input.data));
    signatures[8] = TestKsk::p256().sign(signingInputs(ksr, ksk)[8].data);
    CHECK_THROWS_WITH_AS(
        assembleSkr(ksr, ksk, signatures, policy),
        doctest::Contains(
            ("Invalid KSK signature encountered in bundle " + ksr.bundles[8].id).c_str()),
        SignatureError);
    signatures[8] = Bytes(64, 1);  // r || s where DER belongs
    CHECK_THROWS_AS(assembleSkr(ksr, ksk, signatures, policy), SignatureError);
}

TEST_CASE(
    "dnssec signing: against the previous SKR, the KSK must be the one that signed it, published "
    "in time") {
    const Ksr ksr = ianaKsr("ksr-root-2017-q2-0.xml");
    const Skr previous = ianaSkr("skr-root-2017-q1-0.xml");
    const KskKey ours = KskKey::fromPublicKeyPem(TestKsk::rsa2048().publicKeyPem(), "KQUORUM");
    Policy policy;
    CHECK(test::thrownMessage<KsrPolicyError>([&] {
              validateSigning(ksr, ours, policy, previous);
          }) == "KSR-CHAIN-KEYS: Key Kjqmt7v not found in the HSM(s) (bundle " +
                    previous.bundles[8].id + "): the KSK signing now is KQUORUM");
    const KskKey impostor = KskKey::fromDnskey(257, 8, ours.publicKeyBase64(), "Kjqmt7v");
    CHECK(test::contains(test::thrownMessage<KsrPolicyError>(
                             [&] { validateSigning(ksr, impostor, policy, previous); }),
                         "KSR-CHAIN-KEYS: Key Kjqmt7v does not match key in the HSM"));
    // Not looking at who signed before, a KSK that was never published breaks PublishSafety.
    policy.request.checkChainKeysInHsm = false;
    CHECK(test::thrownMessage<KsrPolicyError>(
              [&] { validateSigning(ksr, ours, policy, previous); }) ==
          "KSR-POLICY-SAFETY: Key KQUORUM used to sign the first bundle in this SKR was not "
          "present in the last "
          "bundle of the last SKR");
}

TEST_CASE(
    "dnssec trust anchor: root-anchors.xml as kskm writes it, and with RFC 9718's PublicKey and "
    "Flags") {
    const KskKey ksk2010 = KskKey::fromDnskey(257, 8, kKsk2010, "Kjqmt7v");
    const KskKey ksk2017 = KskKey::fromDnskey(257, 8, kKsk2017, "Klajeyz");
    // kskm's test_ta.py, TA_20181219 (keys given newest first: the document sorts by validFrom).
    const std::vector<TrustAnchorKey> keys = {
        {ksk2017, utc("2017-02-02T00:00:00+00:00"), std::nullopt, false},
        {ksk2010, utc("2010-07-15T00:00:00+00:00"), utc("2019-01-11T00:00:00+00:00"), false},
    };
    CHECK(trustAnchorXml("380DC50D-484E-40D0-A3AE-68F2B18F61C7", keys) ==
          R"(<?xml version="1.0" encoding="UTF-8"?>
<TrustAnchor id="380DC50D-484E-40D0-A3AE-68F2B18F61C7" source="http://data.iana.org/root-anchors/root-anchors.xml">
<Zone>.</Zone>
<KeyDigest id="Kjqmt7v" validFrom="2010-07-15T00:00:00+00:00" validUntil="2019-01-11T00:00:00+00:00">
<KeyTag>19036</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>
</KeyDigest>
<KeyDigest id="Klajeyz" validFrom="2017-02-02T00:00:00+00:00">
<KeyTag>20326</KeyTag>
<Algorithm>8</Algorithm>
<DigestType>2</DigestType>
<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>
</KeyDigest>
</TrustAnchor>)");
    // RFC 9718: the key itself and its flags after the digest, as IANA publishes KSK-2017 today.
    const std::string current =
        trustAnchorXml("0C05FDD6-422C-4910-8ED6-430ED15E11C2",
                       {{ksk2017, utc("2017-02-02T00:00:00"), std::nullopt, true}});
    CHECK(test::contains(
        current,
        "<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>\n"
        "<PublicKey>" +
            std::string(kKsk2017) + "</PublicKey>\n<Flags>257</Flags>\n</KeyDigest>\n"));
    CHECK_THROWS_AS(trustAnchorXml("bad id", {}), DnssecError);
}
