// DNSSEC ceremonies end to end through real pcscd + vpcd + card-sim: IANA's real 2017-Q2 root
// KSR signed into an SKR by a Shamir set (one HSM activation) and by a threshold RSA set (each
// card once, in the room, and at the holders' sites with a public combination); bad KSRs refused
// by the rule they break before any card is asked for; a zone's DNSKEY RRset signed with
// sign-rrset. Every SKR and zone is checked by code this project did not write: dnspython and
// libldns (tests/system/skr_check.py), ldns-verify-zone and BIND's dnssec-verify.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/system/room.hpp"

using namespace quorum::test;

namespace {

const std::string kData = QUORUM_SOURCE_DIR "/tests/data/iana/";
const std::string kKsr = kData + "ksr-root-2017-q2-0.xml";
// When IANA signed it: before its first bundle's inception (2017-04-01).
const std::string kAt = "2017-03-15T12:00:00";

bool shows(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

CommandResult python(const std::string& arguments) {
    return runCommand("/usr/bin/python3 " + arguments + " 2>&1");
}

// The set's KSK as a DNSKEY RR (with its key tag and DS), as `ceremony dnskey` prints it.
std::string kskFile(Room& room, const CardSet& set, const std::string& zone = ".") {
    const std::string path = room.file(set.prefix + "-ksk.key");
    const auto shown =
        room.ceremony("dnskey --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --zone " + zone + " > " + path);
    REQUIRE(shown.exitCode == 0);
    return path;
}

// The SKR checked by dnspython and libldns against the KSK, and against the KSR it answers.
void checkSkr(const std::string& skr, const std::string& ksk, const std::string& ksr = kKsr) {
    const auto checked =
        python(QUORUM_SOURCE_DIR "/tests/system/skr_check.py " + skr + " " + ksk + " " + ksr);
    INFO(checked.output);
    CHECK(checked.exitCode == 0);
    CHECK(!shows(checked.output, "FAILED"));
    CHECK(shows(checked.output, "bundle 9 "));
}

// `ceremony ksr-sign` of `ksr` by `set` at kAt, with the PINs of cards `pins` in that order.
LiveCeremony ksrSign(Room& room, const CardSet& set, const std::string& out,
                     const std::vector<int>& pins, const std::string& name) {
    std::vector<std::string> pinLines;
    for (const int i : pins) pinLines.push_back(CardSet::pin(i));
    LiveCeremony sign(room,
                      {"ksr-sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest",
                       set.manifest, "--ksr", kKsr, "--at", kAt, "--out", out, "--pin-file",
                       room.secrets(name + ".pins", pinLines), "--card-timeout", "30", "--timings"},
                      name);
    sign.waitFor("Insert a card of set");
    return sign;
}

// sign-rrset of a small zone's DNSKEY RRset by `set` (its KSK, algorithm `algorithm`) with cards
// `cards`, the rest of the zone signed by a ZSK made with ldns-keygen; the signed zone must pass
// BIND's dnssec-verify and ldns-verify-zone, and fail both without or with an altered RRSIG.
void signZone(Room& room, const CardSet& set, int algorithm, const std::vector<int>& cards) {
    // A small zone signed by a ZSK made with ldns-keygen; the KSK's RRSIG over the DNSKEY
    // RRset comes from the cards.
    const std::string zone = "example.test.";
    const std::string zoneKsk = kskFile(room, set, zone);
    const std::string folder = room.file(set.prefix + "-zone");
    std::filesystem::create_directory(folder);
    const auto zsk = runCommand(
        "cd " + folder + " && ldns-keygen " +
        (algorithm == 13 ? "-a ECDSAP256SHA256 " : "-a RSASHA256 -b 2048 ") + zone + " 2>&1");
    REQUIRE(zsk.exitCode == 0);
    const std::string zskBase = folder + "/" + zsk.output.substr(0, zsk.output.find('\n'));
    const std::string kskLine = runCommand("grep -P '\\sDNSKEY\\s' " + zoneKsk).output;
    // The ZSK with the KSK's TTL: an RRset has one TTL.
    const std::string zskLine =
        runCommand(
            "awk '$0 !~ /^;/ { for (i = 1; i <= NF; ++i) if ($i == \"DNSKEY\") { s = $1 \" 172800 "
            "IN "
            "DNSKEY\"; for (j = i + 1; j <= NF; ++j) s = s \" \" $j; print s } }' " +
            zskBase + ".key")
            .output;
    const std::string rrset = folder + "/dnskeys.txt";
    std::ofstream(rrset) << kskLine << zskLine;
    const std::string rrsig = folder + "/rrsig.txt";
    std::vector<std::string> pinLines;
    for (const int i : cards) pinLines.push_back(CardSet::pin(i));
    const std::string pins = room.secrets(set.prefix + "-rrset.pins", pinLines);
    const auto inception =
        runCommand("date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S").output.substr(0, 19);
    const auto expiration =
        runCommand("date -u -d '+20 days' +%Y-%m-%dT%H:%M:%S").output.substr(0, 19);
    LiveCeremony sign(room,
                      {"sign-rrset",  "--yes",      "--ceremony",   set.ceremonyDir,  "--manifest",
                       set.manifest,  "--zone",     zone,           "--rrset",        rrset,
                       "--inception", inception,    "--expiration", expiration,       "--out",
                       rrsig,         "--pin-file", pins,           "--card-timeout", "30"},
                      set.prefix + "-sign-rrset");
    sign.waitFor("Insert a card of set");
    for (std::size_t i = 0; i + 1 < cards.size(); ++i)
        sign.offer(set.card(cards[i]), "Remove the card from", static_cast<int>(i + 1));
    sign.offer(set.card(cards.back()), "RRSIG written");
    CHECK(sign.exitCode() == 0);
    const std::string signature = readFile(rrsig);
    INFO(signature);
    CHECK(shows(signature, "RRSIG\tDNSKEY " + std::to_string(algorithm) + " 2 "));

    std::ofstream(folder + "/zone.txt") << "$ORIGIN " << zone << "\n$TTL 3600\n"
                                        << "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600\n"
                                        << "@ IN NS ns1\nns1 IN A 192.0.2.1\nwww IN A 192.0.2.2\n"
                                        << kskLine << zskLine;
    // Everything signed by the ZSK (the DNSKEY RRset too), then the cards' RRSIG added.
    const auto signedZone = runCommand("cd " + folder + " && ldns-signzone -d -o " + zone +
                                       " -f signed.zone zone.txt " + zskBase + " 2>&1 && cat " +
                                       rrsig + " >> signed.zone");
    INFO(signedZone.output);
    REQUIRE(signedZone.exitCode == 0);
    // BIND's verifier wants the DNSKEY RRset signed by a KSK (flag 257) of the zone: ours.
    const auto bind = runCommand("dnssec-verify -o " + zone + " " + folder + "/signed.zone 2>&1");
    INFO(bind.output);
    CHECK(bind.exitCode == 0);
    CHECK(shows(bind.output, "Zone fully signed"));
    const auto ldns =
        runCommand("ldns-verify-zone -k " + zoneKsk + " " + folder + "/signed.zone 2>&1");
    INFO(ldns.output);
    CHECK(ldns.exitCode == 0);
    CHECK(shows(ldns.output, "Zone is verified and complete"));
    // Without the cards' RRSIG, BIND finds no KSK signature: the check above rests on it.
    const auto unsignedZone = runCommand("cd " + folder + " && ldns-signzone -d -o " + zone +
                                         " -f zsk-only.zone zone.txt " + zskBase +
                                         " && dnssec-verify -o " + zone + " zsk-only.zone 2>&1");
    CHECK(unsignedZone.exitCode != 0);
    // An RRSIG with one altered signature byte fails in both.
    const auto altered = runCommand(
        "cd " + folder + " && ldns-signzone -d -o " + zone + " -f altered.zone zone.txt " +
        zskBase +
        " && /usr/bin/python3 -c 'import sys; t=open(sys.argv[1]).read().rstrip().split(); "
        "s=t[-1]; t[-1]=(\"A\" if s[5]!=\"A\" else \"B\").join([s[:5], s[6:]]); print(\" "
        "\".join(t))' " +
        rrsig + " >> altered.zone && dnssec-verify -o " + zone + " altered.zone 2>&1");
    CHECK(altered.exitCode != 0);
    CHECK(runCommand("ldns-verify-zone -k " + zoneKsk + " " + folder + "/altered.zone 2>&1")
              .exitCode != 0);
}

}  // namespace

TEST_CASE(
    "dnssec: a Shamir set signs IANA's 2017-Q2 KSR; bad KSRs are refused by rule; sign-rrset") {
    Room room;
    const CardSet set = makeCardSet(room, "shamir", 3, 4);
    const std::string ksk = kskFile(room, set);
    const std::string auditLog = set.ceremonyDir + "/audit.log";

    SUBCASE("dnskey: the KSK's key tag, DS and root-anchors file agree with dnspython's") {
        const std::string anchor = room.file("root-anchors.xml");
        const auto shown = room.ceremony("dnskey --ca " + set.ceremonyDir + "/ca.pem --manifest " + set.manifest + " --anchor " +
                                         anchor + " --valid-from 2026-12-01T00:00:00");
        INFO(shown.output);
        REQUIRE(shown.exitCode == 0);
        const std::string printed = room.file("dnskey.txt");
        std::ofstream(printed) << shown.output;
        // dnspython computes the key tag and the SHA-256 DS from the DNSKEY line alone, and reads
        // the anchor's KeyDigest.
        const std::string check = room.file("ds_check.py");
        std::ofstream(check) << R"PY(
import sys, dns.dnssec, dns.rrset, xml.etree.ElementTree as E
text = open(sys.argv[1]).read()
lines = [l for l in text.splitlines() if not l.startswith(";")]
key = dns.rrset.from_text_list(".", 172800, "IN", "DNSKEY",
                               [" ".join(l.split()[4:]) for l in lines if "DNSKEY" in l.split()])[0]
ds = dns.dnssec.make_ds(".", key, "SHA256")
tag = dns.dnssec.key_id(key)
ours = [" ".join(l.split()[4:]) for l in lines if "DS" in l.split()][0]
assert ours.upper() == ds.to_text().upper(), (ours, ds.to_text())
assert "; key tag %d" % tag in text, tag
d = E.parse(sys.argv[2]).getroot().find("KeyDigest")
assert d.get("validFrom").startswith("2026-12-01T00:00:00"), d.get("validFrom")
got = (d.find("KeyTag").text, d.find("Algorithm").text, d.find("DigestType").text, d.find("Digest").text.upper())
want = (str(tag), "8", "2", ds.digest.hex().upper())
assert got == want, (got, want)
print("agreed", tag)
)PY";
        const auto agreed = python(check + " " + printed + " " + anchor);
        INFO(agreed.output);
        CHECK(agreed.exitCode == 0);
        CHECK(shows(agreed.output, "agreed "));
        // The anchor is a new file: never written over.
        const auto again =
            room.ceremony("dnskey --ca " + set.ceremonyDir + "/ca.pem --manifest " + set.manifest + " --anchor " + anchor);
        CHECK(again.exitCode == 1);
        CHECK(shows(again.output, "exists already"));
    }

    SUBCASE("KSRs that break a rule are refused by its name before any card; nothing is written") {
        // Variants of the real KSR: a bundle taken out, a bundle id used twice.
        const std::string missing = room.file("ksr-missing-bundle.xml");
        const std::string reused = room.file("ksr-reused-id.xml");
        REQUIRE(python("-c 'import re,sys; t=open(sys.argv[1]).read(); "
                       "b=re.findall(r\"<RequestBundle .*?</RequestBundle>\\s*\", t, re.S); "
                       "open(sys.argv[2],\"w\").write(t.replace(b[4], \"\"))' " +
                       kKsr + " " + missing)
                    .exitCode == 0);
        REQUIRE(python("-c 'import re,sys; t=open(sys.argv[1]).read(); "
                       "ids=re.findall(r\"<RequestBundle id=\\\"([^\\\"]+)\\\"\", t); "
                       "open(sys.argv[2],\"w\").write(t.replace(ids[3], ids[2]))' " +
                       kKsr + " " + reused)
                    .exitCode == 0);
        struct Bad {
            std::string what, ksr, at, extra, rule;
        };
        const std::vector<Bad> bad = {
            // IANA's own negative test: two ZSK self-signatures of bundle 1 swapped.
            {"a broken ZSK self-signature", kData + "ksr.bad.xml", "2017-11-15T12:00:00", "",
             "KSR-BUNDLE-POP"},
            {"a missing bundle", missing, kAt, "", "KSR-BUNDLE-COUNT"},
            // 2010's ZSKs were RSA-1024.
            {"a wrong key size", kData + "ksr-root-2010-q1-0.xml", "2009-12-01T00:00:00", "",
             "KSR-BUNDLE-KEYS"},
            {"a reused bundle id", reused, kAt, "", "KSR-BUNDLE-UNIQUE"},
            // The previous SKR's id is this KSR's: a replay (its KSK is not ours either).
            {"a reused KSR id", kKsr, kAt, " --previous-skr " + kData + "skr-root-2017-q2-0.xml",
             "KSR-"},
            {"a time after the KSR's first expiration", kKsr, "2017-05-01T00:00:00", "",
             "KSR-POLICY-SIG-HORIZON"},
            {"a time too long before it", kKsr, "2016-01-01T00:00:00", "",
             "KSR-POLICY-SIG-HORIZON"},
        };
        const std::string logBefore = readFile(auditLog);
        for (const auto& b : bad) {
            INFO(b.what);
            const std::string out = room.file("never.xml");
            const auto refused =
                room.ceremony("ksr-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                              set.manifest + " --ksr " + b.ksr + " --at " + b.at + b.extra +
                              " --out " + out + " --pin-fd 0 --card-timeout 1 < /dev/null");
            INFO(refused.output);
            CHECK(refused.exitCode == 1);
            CHECK(shows(refused.output, "error: " + b.rule));
            CHECK(!shows(refused.output, "Insert"));
            CHECK(!std::filesystem::exists(out));
        }
        // The previous SKR is IANA's, signed by KSK-2010: our KSK cannot follow it.
        const auto otherKsk = room.ceremony(
            "ksr-sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest +
            " --ksr " + kKsr + " --at " + kAt + " --previous-skr " + kData +
            "skr-root-2017-q1-0.xml --out " + room.file("never.xml") + " --pin-fd 0 < /dev/null");
        INFO(otherKsk.output);
        CHECK(otherKsk.exitCode == 1);
        CHECK(shows(otherKsk.output, "KSR-CHAIN-KEYS"));
        CHECK(!std::filesystem::exists(room.file("never.xml")));
        // Refused before the ceremony began: the audit log did not change.
        CHECK(readFile(auditLog) == logBefore);
    }

    SUBCASE("the KSR signed with three cards, one HSM activation; dnspython and libldns agree") {
        const std::string skr = room.file("skr.xml");
        LiveCeremony sign = ksrSign(room, set, skr, {2, 4, 1}, "ksr-sign");
        sign.offer(set.card(2), "Remove the card from", 1);
        sign.offer(set.card(4), "Remove the card from", 2);
        sign.offer(set.card(1), "SKR written");
        CHECK(sign.exitCode() == 0);
        const std::string screen = sign.screen();
        INFO(screen);
        CHECK(shows(screen, "passed every check of the signing policy"));
        CHECK(shows(screen, "(9 bundles, every RRSIG verified with the KSK"));
        checkSkr(skr, ksk);
        // The KSK's RRSIG: labels 0, original TTL 172800, signer the root, the KSK at TTL 172800.
        const auto fields = python(
            "-c 'import sys, xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); "
            "b=r.findall(\"Response/ResponseBundle\"); s=b[0].find(\"Signature\"); "
            "k=[k for k in b[0].findall(\"Key\") if k.find(\"Flags\").text==\"257\"][0]; "
            "print(len(b), s.find(\"Labels\").text, s.find(\"OriginalTTL\").text, "
            "s.find(\"SignersName\").text, k.find(\"TTL\").text, "
            "len(b[0].findall(\"Signature\")))' " +
            skr);
        CHECK(fields.output == "9 0 172800 . 172800 1\n");
        const auto ends = room.ceremony("audit-verify --log " + auditLog);
        CHECK(ends.exitCode == 0);
        CHECK(shows(readFile(auditLog), "\"ksr-sign-done\""));

        // The same SKR read back as the previous SKR of the same KSR: a replayed KSR id.
        const auto replay =
            room.ceremony("ksr-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                          set.manifest + " --ksr " + kKsr + " --at " + kAt + " --previous-skr " +
                          skr + " --out " + room.file("again.xml") + " --pin-fd 0 < /dev/null");
        CHECK(replay.exitCode == 1);
        CHECK(shows(replay.output, "KSR-ID"));
    }

    SUBCASE(
        "sign-rrset: a zone's DNSKEY RRset; ldns-verify-zone and dnssec-verify accept the zone") {
        signZone(room, set, 8, {3, 1, 2});
    }
}

TEST_CASE(
    "dnssec: a threshold RSA set signs IANA's 2017-Q2 KSR, each card once, a tampered card named; "
    "holders sign it at home and anybody combines the SKR") {
    Room room;
    const CardSet set = makeCardSet(room, "shoup", 3, 4, "shoup");
    const std::string ksk = kskFile(room, set);
    // Card 2's share altered in its memory: its batch fails its proof.
    REQUIRE(python(QUORUM_SOURCE_DIR "/tests/system/tamper_share.py " + room.image(set.card(2)))
                .exitCode == 0);

    const std::string skr = room.file("skr.xml");
    {
        LiveCeremony sign = ksrSign(room, set, skr, {2, 1, 3, 4}, "ksr-sign");
        sign.offer(set.card(2), "Remove the card from", 1);
        sign.offer(set.card(1), "Remove the card from", 2);
        sign.offer(set.card(3), "Remove the card from", 3);
        sign.offer(set.card(4), "SKR written");
        CHECK(sign.exitCode() == 0);
        const std::string screen = sign.screen();
        INFO(screen);
        CHECK(shows(screen,
                    "card 2's batch of 9 partial signatures fails its proof against the manifest"));
        CHECK(shows(screen, "card 1 accepted: 1 of 3"));
        CHECK(shows(screen, "card 4 accepted: 3 of 3"));
        CHECK(shows(screen, "PARTIAL SIGN of every message, batched"));
    }
    checkSkr(skr, ksk);
    // Each card was inserted once and signed all nine bundles then: four insertions for four
    // cards, and each good card counts nine signatures.
    const std::string screen = readFile(room.file("ksr-sign.out"));
    std::size_t insertions = 0;
    for (auto at = screen.find("Insert a card of set"); at != std::string::npos;
         at = screen.find("Insert a card of set", at + 1))
        ++insertions;
    CHECK(insertions == 4);
    for (const int i : {1, 3, 4}) {
        INFO("card " << i);
        const auto counter = python(
            "-c 'import json,sys; print(json.load(open(sys.argv[1]))[\"fields\"]"
            "[\"usage_counter\"])' " +
            room.image(set.card(i)));
        CHECK(counter.output == "00000009\n");
    }

    // At home: three holders make one file each, for all bundles; anybody combines them.
    std::vector<std::string> files;
    for (const int i : {4, 3, 1}) {
        const std::string name = "partial-" + std::to_string(i);
        const std::string file = room.file(name + ".json");
        LiveCeremony partial(
            room,
            {"partial-sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest,
             "--ksr", kKsr, "--at", kAt, "--out", file, "--pin-file",
             room.secrets(name + ".pin", {CardSet::pin(i)}), "--card-timeout", "30"},
            name);
        partial.waitFor("Insert your card");
        partial.offer(set.card(i), "Partial signatures written");
        REQUIRE(partial.exitCode() == 0);
        CHECK(shows(partial.screen(), "signed all 9 bundles"));
        files.push_back(file);
    }
    const std::string combined = room.file("combined.xml");
    const std::string tooFew = room.file("too-few.xml");
    const auto refused =
        room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --ksr " + kKsr + " --at " + kAt +
                      " --out " + tooFew + " " + files[0] + " " + files[1]);
    CHECK(refused.exitCode == 1);
    CHECK(shows(refused.output, "only 2 of 3"));
    CHECK(!std::filesystem::exists(tooFew));
    const auto made =
        room.ceremony("combine --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --ksr " + kKsr + " --at " + kAt +
                      " --out " + combined + " " + files[0] + " " + files[1] + " " + files[2]);
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    checkSkr(combined, ksk);
    // RSA signatures are deterministic: the room's SKR and the combined one are the same.
    CHECK(readFile(combined) == readFile(skr));
}

TEST_CASE(
    "dnssec: a Shamir set with a P-256 key signs a zone's DNSKEY RRset with ECDSAP256SHA256 (13)") {
    Room room;
    const CardSet set = makeCardSet(room, "p256", 2, 3, "shamir", {"--key-type", "p256"});
    const auto shown = room.ceremony("dnskey --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --zone example.test.");
    INFO(shown.output);
    CHECK(shows(shown.output, "DNSKEY\t257 3 13 "));
    signZone(room, set, 13, {3, 2});
    // A root KSR's ZSKs are RSA: a P-256 KSK cannot sign them (KSK-ALGORITHM), refused before any
    // card.
    const auto refused = room.ceremony(
        "ksr-sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --ksr " +
        kKsr + " --at " + kAt + " --out " + room.file("never.xml") + " --pin-fd 0 < /dev/null");
    INFO(refused.output);
    CHECK(refused.exitCode == 1);
    CHECK(shows(refused.output, "KSK-ALGORITHM"));
}
