// `ceremony sign-rrset` underneath: a zone's DNSKEY RRset signed by the KSK through our API, the
// rest of the zone by a ZSK with ldns-signzone, and the whole zone accepted by ldns-verify-zone
// (ldnsutils) and dnssec-verify (bind9-utils) - each trusting only the KSK.
#include <doctest/doctest.h>

#include <cstdio>
#include <ctime>

#include "host/dnssec/rrset_signing.hpp"
#include "tests/support/thrown.hpp"
#include "tests/unit/dnssec_test_support.hpp"

using namespace quorum;
using namespace quorum::host::dnssec;
using test::dnssec::TestKsk;

namespace {

void writeText(const std::string& path, const std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    std::fputs(text.c_str(), f);
    std::fclose(f);
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// A test zone signed the way an operator would with our KSK: ZSK by ldns-keygen, DNSKEY RRset by
// the KSK through signRrsetInput / signedRrsetRrsig, the rest by ldns-signzone with the ZSK.
struct SignedZone {
    test::TempFolder folder;
    std::string zoneFile;  // the signed zone, with the KSK's RRSIG
    std::string dsFile;    // the KSK's DS: the only trust anchor the validators get
    std::string kskRrsig;

    SignedZone(const TestKsk& signer, const KskKey& ksk, const char* zskAlgorithm) {
        const auto keygen = test::runCommand(
            "cd " + folder.path() + " && ldns-keygen -a " + zskAlgorithm +
            (std::string(zskAlgorithm) == "RSASHA256" ? " -b 2048" : "") + " example.");
        REQUIRE_MESSAGE(keygen.exitCode == 0, keygen.output);
        const std::string zsk = firstLine(keygen.output);
        const std::string zskRecord = firstLine(test::readFile(folder.file(zsk + ".key")));
        const std::string dnskeys = zskRecord + "\n" + ksk.dnskeyRecord("example.", 3600) + "\n";
        writeText(folder.file("example.zone"),
                  "$ORIGIN example.\n$TTL 3600\n"
                  "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600\n"
                  "@ IN NS ns1\n"
                  "ns1 IN A 192.0.2.1\n"
                  "www IN A 192.0.2.2\n" +
                      dnskeys);
        const std::time_t now = std::time(nullptr);
        const Time inception = timeFromPosix(now - 3600);
        const Time expiration = timeFromPosix(now + 30 * 86400);
        const SigningInput input = signRrsetInput("example", dnskeys, inception, expiration, ksk);
        kskRrsig = signedRrsetRrsig("example", dnskeys, inception, expiration, ksk,
                                    signer.sign(input.data));

        const auto signzone = test::runCommand(
            "cd " + folder.path() + " && ldns-signzone -i " + std::to_string(now - 3600) + " -e " +
            std::to_string(now + 30 * 86400) + " -o example. example.zone " + zsk);
        REQUIRE_MESSAGE(signzone.exitCode == 0, signzone.output);
        zoneFile = folder.file("example.zone.signed");
        writeText(zoneFile, test::readFile(zoneFile) + kskRrsig + "\n");
        dsFile = folder.file("ksk.ds");
        writeText(dsFile, ksk.dsRecord("example.") + "\n");
    }
};

void checkZoneWithValidators(const TestKsk& signer, const KskKey& ksk, const char* zskAlgorithm) {
    SignedZone zone(signer, ksk, zskAlgorithm);
    CHECK(zone.kskRrsig.find("example.\t3600\tIN\tRRSIG\tDNSKEY " +
                             std::to_string(ksk.algorithm()) + " 1 3600 ") == 0);
    CHECK(test::contains(zone.kskRrsig, " " + std::to_string(ksk.keyTag()) + " example. "));

    const auto ldns = test::runCommand("ldns-verify-zone -k " + zone.dsFile + " " + zone.zoneFile);
    CHECK_MESSAGE(ldns.exitCode == 0, ldns.output);
    // -x: the DNSKEY RRset must be signed by a KSK (SEP): only our RRSIG can do that.
    const auto bind = test::runCommand("dnssec-verify -x -o example. " + zone.zoneFile);
    CHECK_MESSAGE(bind.exitCode == 0, bind.output);
    CHECK(test::contains(bind.output, "Zone fully signed"));

    // Without our RRSIG neither accepts the zone with the KSK as its anchor.
    const std::string text = test::readFile(zone.zoneFile);
    writeText(zone.zoneFile, text.substr(0, text.size() - zone.kskRrsig.size() - 1));
    CHECK(test::runCommand("ldns-verify-zone -k " + zone.dsFile + " " + zone.zoneFile).exitCode !=
          0);
    CHECK(test::runCommand("dnssec-verify -x -o example. " + zone.zoneFile).exitCode != 0);
}

}  // namespace

TEST_CASE(
    "dnssec sign-rrset: a zone whose DNSKEY RRset an RSA-2048 KSK signed passes ldns-verify-zone "
    "and dnssec-verify") {
    const TestKsk signer = TestKsk::rsa2048();
    checkZoneWithValidators(signer, KskKey::fromPublicKeyPem(signer.publicKeyPem(), "KQUORUM"),
                            "RSASHA256");
}

TEST_CASE("dnssec sign-rrset: the same with a P-256 KSK (algorithm 13) and an ECDSA ZSK") {
    const TestKsk signer = TestKsk::p256();
    checkZoneWithValidators(signer, KskKey::fromPublicKeyPem(signer.publicKeyPem(), "KQUORUM-EC"),
                            "ECDSAP256SHA256");
}

TEST_CASE(
    "dnssec sign-rrset: RRsets that are not one zone's DNSKEY RRset with the KSK in it are "
    "refused") {
    const TestKsk signer = TestKsk::rsa2048();
    const KskKey ksk = KskKey::fromPublicKeyPem(signer.publicKeyPem(), "KQUORUM");
    const Time inception = test::dnssec::utc("2025-01-01T00:00:00");
    const Time expiration = test::dnssec::utc("2025-01-22T00:00:00");
    const std::string kskLine = ksk.dnskeyRecord("example.", 3600);
    const auto refusal = [&](const std::string& rrset,
                             Time from = test::dnssec::utc("2025-01-01T00:00:00")) {
        return test::thrownMessage<DnssecError>(
            [&] { signRrsetInput("example.", rrset, from, expiration, ksk); });
    };
    CHECK_NOTHROW(signRrsetInput("example.", kskLine, inception, expiration, ksk));
    // Zone-file syntax: $TTL, relative names, comments.
    const SigningInput relative = signRrsetInput(
        "example", "$TTL 3600\n; the KSK\n@ IN DNSKEY 257 3 8 " + ksk.publicKeyBase64() + "\n",
        inception, expiration, ksk);
    CHECK(relative.data == signRrsetInput("example.", kskLine, inception, expiration, ksk).data);
    CHECK(relative.rrsig.signersName == "example.");
    CHECK(relative.rrsig.labels == 1);
    CHECK(relative.rrsig.originalTtl == 3600);

    CHECK(test::contains(refusal(""), "the DNSKEY RRset is empty"));
    CHECK(test::contains(refusal(ksk.dnskeyRecord("other.", 3600)), "is not owned by example."));
    CHECK(test::contains(refusal(kskLine + "\nexample. 3600 IN A 192.0.2.1\n"), "is not a DNSKEY"));
    CHECK(test::contains(refusal(kskLine + "\n" + ksk.dnskeyRecord("example.", 7200)),
                         "has another TTL"));
    const KskKey other = KskKey::fromPublicKeyPem(TestKsk::rsa2048().publicKeyPem(), "OTHER");
    CHECK(test::contains(refusal(other.dnskeyRecord("example.", 3600)),
                         "is not in the DNSKEY RRset"));
    CHECK(test::contains(refusal(kskLine + "\nexample. 3600 IN DNSKEY 257 3 8 %%%\n"),
                         "the DNSKEY RRset, line 2"));
    CHECK(test::contains(refusal(kskLine, expiration), "is not after its inception"));

    // A signature that is not the KSK's is refused, not printed.
    const Bytes wrong = TestKsk::rsa2048().sign(
        signRrsetInput("example.", kskLine, inception, expiration, ksk).data);
    CHECK_THROWS_WITH_AS(signedRrsetRrsig("example.", kskLine, inception, expiration, ksk, wrong),
                         doctest::Contains("does not verify"), SignatureError);
}
