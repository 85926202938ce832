// KSR and SKR documents: IANA's real files read, written back byte for byte where kskm (or the ZSK
// operator's tool, for KSRs) wrote them, and every malformed or hostile document refused. Times,
// durations and the policy file as kskm reads and writes them.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "host/dnssec/policy.hpp"
#include "tests/support/thrown.hpp"
#include "tests/unit/dnssec_test_support.hpp"

using namespace quorum;
using namespace quorum::host::dnssec;
using test::dnssec::ianaKsr;
using test::dnssec::ianaSkr;
using test::dnssec::ianaText;
using test::dnssec::utc;

namespace {

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
}

std::string withoutIndentation(const std::string& text) {
    std::string result;
    for (const std::string& line : lines(text))
        result += line.substr(line.find_first_not_of(' ')) + "\n";
    return result;
}

const char* const kIanaKsrs[] = {"ksr-root-2009-q4-2.xml",
                                 "ksr-root-2010-q1-0.xml",
                                 "ksr-root-2010-q2-0.xml",
                                 "ksr-root-2016-q3-0.xml",
                                 "ksr-root-2017-q2-0.xml",
                                 "ksr-root-2018-q1-0-d_to_e.xml",
                                 "ksr.bad.xml"};
const char* const kIanaSkrs[] = {"skr-root-2017-q1-0.xml", "skr-root-2017-q2-0.xml",
                                 "skr-root-2017-q3-0-c_to_d.xml", "skr-root-2018-q1-0-d_to_e.xml"};

}  // namespace

TEST_CASE("dnssec times: read as kskm reads them, written as kskm writes them") {
    CHECK(posixSeconds(utc("2017-04-01T00:00:00")) == 1491004800);
    CHECK(utc("2017-04-01T00:00:00+00:00") == utc("2017-04-01T00:00:00"));
    CHECK(utc("2017-04-01T00:00:00Z") == utc("2017-04-01 00:00:00-00:00"));
    CHECK(utc("2017-04-01T00:00:00.75") == utc("2017-04-01T00:00:00"));  // fractions dropped
    CHECK(formatTime(utc("2018-01-22T00:00:00")) == "2018-01-22T00:00:00+00:00");
    CHECK(formatTimeWithoutZone(utc("2018-01-22T00:00:00+00:00")) == "2018-01-22T00:00:00");
    CHECK(describeTime(utc("2019-02-01T00:00:00")) == "2019-02-01 00:00:00+00:00");
    CHECK_THROWS_WITH_AS(utc("2017-04-01T00:00:00+01:00"),
                         doctest::Contains("Timestamps MUST be UTC"), std::invalid_argument);
    CHECK_THROWS_AS(utc("2017-02-29T00:00:00"), std::invalid_argument);
    CHECK_THROWS_AS(utc("2017-04-01"), std::invalid_argument);
    CHECK_THROWS_AS(utc("2017-04-01T24:00:00"), std::invalid_argument);

    CHECK(parseDuration("P21D") == days(21));
    CHECK(parseDuration("P1W") == days(7));
    CHECK(parseDuration("P3DT4H5M6S") == days(3) + Duration(4 * 3600 + 5 * 60 + 6));
    CHECK(parseDuration("") == Duration(0));
    CHECK(formatDuration(days(21)) == "P21D");
    CHECK(formatDuration(Duration(0)) == "PT0S");
    CHECK(formatDuration(days(3) + Duration(4 * 3600 + 5 * 60 + 6)) == "P3DT4H5M6S");
    CHECK(formatDuration(Duration(3600)) == "PT60M");  // kskm's quirk, kept for identical SKRs
    CHECK(formatDuration(Duration(60)) == "PT60S");
    CHECK_THROWS_WITH_AS(parseDuration("P1M"), doctest::Contains("Months are not supported"),
                         std::invalid_argument);
    CHECK_THROWS_AS(parseDuration("P1Y"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parseDuration("21D"), doctest::Contains("does not start with \"P\""),
                         std::invalid_argument);

    CHECK(describeDuration(days(21)) == "21 days");
    CHECK(describeDuration(days(1)) == "1 day");
    CHECK(describeDuration(days(5) - Duration(1)) == "4 days, 23:59:59");
    CHECK(describeDuration(Duration(0)) == "0:00:00");
    CHECK(describeDuration(Duration(-1)) == "-1 day, 23:59:59");
}

TEST_CASE("dnssec KSR: IANA's real KSRs are read, bundles sorted by expiration") {
    for (const char* name : kIanaKsrs) {
        CAPTURE(name);
        const Ksr ksr = ianaKsr(name);
        CHECK(ksr.domain == ".");
        CHECK(!ksr.bundles.empty());
        CHECK(std::is_sorted(
            ksr.bundles.begin(), ksr.bundles.end(),
            [](const Bundle& a, const Bundle& b) { return a.expiration < b.expiration; }));
    }
    const Ksr ksr = ianaKsr("ksr-root-2018-q1-0-d_to_e.xml");
    CHECK(ksr.id == "4fe9bb10-6f6b-4503-8575-7824e2d66925");
    CHECK(ksr.serial == 0);
    REQUIRE(ksr.bundles.size() == 9);
    CHECK(ksr.bundles[0].id == "0a8f7774-3bd3-4702-a923-f1d73f653bd6");
    CHECK(formatTime(ksr.bundles[0].inception) == "2018-01-01T00:00:00+00:00");
    CHECK(formatTime(ksr.bundles[0].expiration) == "2018-01-22T00:00:00+00:00");
    REQUIRE(ksr.bundles[0].keys.size() == 2);
    CHECK(ksr.bundles[0].keys[0].keyTag == 46809);
    CHECK(ksr.bundles[0].keys[1].keyTag == 41824);
    CHECK(ksr.bundles[0].signatures.size() == 2);
    CHECK(ksr.zskPolicy.maxValidityOverlap == days(12));
    REQUIRE(ksr.zskPolicy.algorithms.size() == 1);
    CHECK(ksr.zskPolicy.algorithms[0].size == 2048);
    CHECK(ksr.zskPolicy.algorithms[0].exponent == 65537);
    CHECK(ianaKsr("ksr-root-2016-q3-0.xml").zskPolicy.algorithms.size() ==
          2);  // the 1024 -> 2048 change
    CHECK(ianaKsr("ksr-root-2009-q4-2.xml").bundles.size() == 6);
}

TEST_CASE("dnssec KSR: written back exactly where the layout is the ZSK operator's 2016-2017 one") {
    // kskm never writes KSRs; Verisign's tool did, with attribute orders and time zones that
    // changed over the years. Ours is the 2016/2017 layout.
    for (const char* name : {"ksr-root-2016-q3-0.xml", "ksr-root-2017-q2-0.xml"}) {
        CAPTURE(name);
        CHECK(ianaKsr(name).toXml() == ianaText(name));
    }
    // 2018: <KSR domain id serial> and <RSA exponent size>; otherwise the same bytes.
    std::string text2018 = ianaText("ksr-root-2018-q1-0-d_to_e.xml");
    text2018 = replaced(
        text2018, "<KSR domain=\".\" id=\"4fe9bb10-6f6b-4503-8575-7824e2d66925\" serial=\"0\">",
        "<KSR id=\"4fe9bb10-6f6b-4503-8575-7824e2d66925\" domain=\".\" serial=\"0\">");
    text2018 = replaced(text2018, "<RSA exponent=\"65537\" size=\"2048\"/>",
                        "<RSA size=\"2048\" exponent=\"65537\"/>");
    CHECK(ianaKsr("ksr-root-2018-q1-0-d_to_e.xml").toXml() == text2018);
    // 2009/2010: signature times without a zone (and CRLF line ends in 2010-q2); what we write
    // reads back to the same KSR.
    for (const char* name :
         {"ksr-root-2009-q4-2.xml", "ksr-root-2010-q1-0.xml", "ksr-root-2010-q2-0.xml"}) {
        CAPTURE(name);
        const Ksr ksr = ianaKsr(name);
        CHECK(ianaText(name) != ksr.toXml());
        CHECK(Ksr::fromXml(ksr.toXml()).toXml() == ksr.toXml());
    }
}

TEST_CASE("dnssec SKR: IANA's real SKRs are read, and written back as kskm writes them") {
    for (const char* name : kIanaSkrs) {
        CAPTURE(name);
        const Skr skr = ianaSkr(name);
        CHECK(skr.bundles.size() == 9);
        CHECK(skr.kskPolicy.retireSafety == days(28));
        CHECK(Skr::fromXml(skr.toXml()).toXml() == skr.toXml());
    }
    // 2018-q1 was written by kskm before it sorted keys by tag (2019): byte for byte with the keys
    // as read, and the same lines with the keys sorted.
    const std::string text = ianaText("skr-root-2018-q1-0-d_to_e.xml");
    const Skr skr = ianaSkr("skr-root-2018-q1-0-d_to_e.xml");
    CHECK(skr.toXml(KeyOrder::AsRead) == text);
    CHECK(skr.toXml() != text);
    auto sortedLines = [](const std::string& t) {
        auto l = lines(t);
        std::sort(l.begin(), l.end());
        return l;
    };
    CHECK(sortedLines(skr.toXml()) == sortedLines(text));
    const auto keys = Skr::fromXml(skr.toXml()).bundles[0].keys;
    CHECK(std::is_sorted(keys.begin(), keys.end(),
                         [](const Key& a, const Key& b) { return a.keyTag < b.keyTag; }));
    // The 2017 SKRs come from the tool before kskm: the same elements, no indentation.
    for (const char* name :
         {"skr-root-2017-q1-0.xml", "skr-root-2017-q2-0.xml", "skr-root-2017-q3-0-c_to_d.xml"}) {
        CAPTURE(name);
        CHECK(withoutIndentation(ianaSkr(name).toXml(KeyOrder::AsRead)) == ianaText(name));
    }
}

TEST_CASE(
    "dnssec documents: malformed and hostile XML is refused, naming the document and the element") {
    const std::string good = ianaText("ksr-root-2017-q2-0.xml");
    CHECK_NOTHROW(Ksr::fromXml(good));
    // An unknown element, a missing one, an unknown attribute.
    CHECK_THROWS_WITH_AS(
        Ksr::fromXml(replaced(good, "<TTL>172800</TTL>", "<TTL>172800</TTL><Color>red</Color>"),
                     "KSR x.xml"),
        doctest::Contains("KSR x.xml line 20: <Color>: unknown element inside <Key>"),
        DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<Protocol>3</Protocol>", "")),
                         doctest::Contains("<Key>: the element <Protocol> is missing"),
                         DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "serial=\"1\"", "serial=\"1\" color=\"red\"")),
                         doctest::Contains("unknown attribute color"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<Flags>256</Flags>", "<Flags>255</Flags>")),
                         doctest::Contains("Unsupported DNSSEC key flags combination 255"),
                         DocumentError);
    CHECK_THROWS_WITH_AS(
        Ksr::fromXml(replaced(good, "<Algorithm>8</Algorithm>", "<Algorithm>9</Algorithm>")),
        doctest::Contains("9 is not a DNSSEC algorithm"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<TTL>172800</TTL>", "<TTL>-1</TTL>")),
                         doctest::Contains("is not a number"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<Inception>2017-04-01T00:00:00</Inception>",
                                               "<Inception>2017-04-01T00:00:00+02:00</Inception>")),
                         doctest::Contains("Timestamps MUST be UTC"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<PublicKey>AwEAA", "<PublicKey>*wEAA")),
                         doctest::Contains("<PublicKey>: is not base64"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<TypeCovered>DNSKEY", "<TypeCovered>A")),
                         doctest::Contains("only DNSKEY"), DocumentError);
    // Not a KSR, or an SKR where a KSR belongs.
    CHECK_THROWS_WITH_AS(Ksr::fromXml(ianaText("skr-root-2017-q2-0.xml")),
                         doctest::Contains("the element <Request> is missing"), DocumentError);
    CHECK_THROWS_WITH_AS(Skr::fromXml(good), doctest::Contains("the element <Response> is missing"),
                         DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml("<html/>"),
                         doctest::Contains("the root element must be <KSR>"), DocumentError);
    // Text where elements belong, trailing data, a second root, not XML at all.
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<Request>", "<Request>hello")),
                         doctest::Contains("holds text where only elements belong"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(good + "<KSR/>"), doctest::Contains("not well-formed XML"),
                         DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(good + "trailing"), doctest::Contains("not well-formed XML"),
                         DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(good.substr(0, good.size() / 2)),
                         doctest::Contains("not well-formed XML"), DocumentError);
    CHECK_NOTHROW(Ksr::fromXml(good + "\n<!-- signed at the ceremony -->\n"));
    // No DTD, so no entity can expand (billion laughs, external entities).
    const std::string laughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE KSR [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
        "\"&a;&a;&a;&a;&a;\">]>\n";
    CHECK_THROWS_WITH_AS(Ksr::fromXml(laughs + replaced(good, "domain=\".\"", "domain=\"&b;\"")),
                         doctest::Contains("DTD is not allowed"), DocumentError);
    const std::string external =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE KSR [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n";
    CHECK_THROWS_WITH_AS(Ksr::fromXml(external + replaced(good, "<Request>", "<Request>&x;")),
                         doctest::Contains("DTD is not allowed"), DocumentError);
    CHECK_THROWS_AS(Ksr::fromXml(replaced(good, "domain=\".\"", "domain=\"&undefined;\"")),
                    DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "<Request>", "<Request><![CDATA[x]]>")),
                         doctest::Contains("CDATA"), DocumentError);
    CHECK_THROWS_WITH_AS(Ksr::fromXml(replaced(good, "id=\"23e34059", "id=\"a b")),
                         doctest::Contains("printable ASCII characters without white space"),
                         DocumentError);
}

TEST_CASE("dnssec documents: files larger than 10 MiB are refused before they are read") {
    test::TempFolder folder;
    const std::string path = folder.file("huge.xml");
    {
        std::FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fseek(f, 10 * 1024 * 1024, SEEK_SET);
        std::fputc('x', f);
        std::fclose(f);
    }
    CHECK_THROWS_WITH_AS(
        Ksr::load(path),
        doctest::Contains(
            ("the KSR " + path + " has 10485761 bytes, more than the 10 MiB").c_str()),
        DocumentError);
    CHECK_THROWS_WITH_AS(Skr::load(folder.file("missing.xml")),
                         doctest::Contains("cannot read the SKR"), DocumentError);
}

TEST_CASE("dnssec policy: kskm's defaults, and a strict JSON file that changes some of them") {
    const Policy defaults;
    CHECK(defaults.request.acceptableDomains == std::vector<std::string>{"."});
    CHECK(defaults.request.numBundles == 9);
    CHECK(defaults.request.numKeysPerBundle == std::vector<int>{2, 1, 1, 1, 1, 1, 1, 1, 2});
    CHECK(defaults.request.approvedAlgorithms == std::vector<std::uint8_t>{8});
    CHECK(defaults.request.rsaApprovedKeySizes == std::vector<std::uint32_t>{2048});
    CHECK(defaults.request.rsaApprovedExponents == std::vector<std::uint64_t>{65537});
    CHECK(defaults.request.signatureHorizonDays == 180);
    CHECK(defaults.request.minBundleInterval == days(9));
    CHECK(defaults.ksk.retireSafety == days(28));

    // The whole policy round-trips; a partial one keeps the defaults for what it leaves out.
    CHECK(Policy::fromJson(defaults.toJson()).toJson() == defaults.toJson());
    const Policy era = Policy::fromJson(R"({"format": "quorum-ksr-policy", "version": 1,
        "request": {"num_bundles": 6, "approved_algorithms": ["RSASHA256", "RSASHA1"],
                    "rsa_approved_key_sizes": [1024, 2048], "max_bundle_interval": "P11DT1S"},
        "ksk": {"publish_safety": "P10D", "require_zsk_algorithm": false}})");
    CHECK(era.request.numBundles == 6);
    CHECK(era.request.approvedAlgorithms == std::vector<std::uint8_t>{8, 5});
    CHECK(era.request.rsaApprovedKeySizes == std::vector<std::uint32_t>{1024, 2048});
    CHECK(era.request.maxBundleInterval == days(11) + Duration(1));
    CHECK(era.request.numKeysPerBundle == defaults.request.numKeysPerBundle);
    CHECK(era.ksk.publishSafety == days(10));
    CHECK(!era.ksk.requireZskAlgorithm);
    CHECK(era.response.numBundles == 9);

    const auto refused = [](const std::string& json) -> std::string {
        try {
            Policy::fromJson(json, "policy p.json");
        } catch (const DocumentError& e) {
            return e.what();
        }
        return "(accepted)";
    };
    const std::string head = R"({"format": "quorum-ksr-policy", "version": 1, )";
    CHECK(test::contains(refused(head + R"("request": {"num_bundle": 9}})"),
                         "policy p.json: request: unknown key \"num_bundle\""));
    CHECK(test::contains(refused(head + R"("request": {"num_bundles": "9"}})"),
                         "\"num_bundles\" is not a whole number"));
    CHECK(test::contains(refused(head + R"("request": {"num_bundles": 0}})"), "must be from 1"));
    CHECK(test::contains(refused(head + R"("request": {"signature_horizon_days": 0}})"),
                         "must be from 1"));
    CHECK(test::contains(refused(head + R"("request": {"approved_algorithms": ["RSA"]}})"),
                         "not a DNSSEC algorithm name"));
    CHECK(test::contains(refused(head + R"("ksk": {"retire_safety": "P1M"}})"),
                         "Months are not supported"));
    CHECK(test::contains(refused(head + R"("request": {}, "request": {}})"), "not valid JSON"));
    CHECK(test::contains(refused(head + R"("colour": 1})"), "unknown key \"colour\""));
    CHECK(test::contains(refused(R"({"format": "quorum-ksr-policy", "version": 2})"),
                         "\"version\" 2 is not 1"));
    CHECK(test::contains(refused(R"({"version": 1})"), "\"format\" is missing"));
}
