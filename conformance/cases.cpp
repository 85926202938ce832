#include "conformance/cases.hpp"

namespace quorum::conformance {

namespace {

const char* const kSelect = "00 A4 04 00 0B {aid} 00";
const char* const kKeyReference = "A6 04 83 02 11 01";  // GET DATA BF21: SCP11a key KID 11, KVN 01

std::string fci(const std::string& state, const std::string& sw) {
    return "6F .. 84 0B {aid} A5 .. C0 01 01 C1 10 {card_id:16} C2 01 " + state + " {*} " + sw;
}

std::string hexByte(std::size_t value) {
    static const char* digits = "0123456789ABCDEF";
    return {digits[(value >> 4) & 0xF], digits[value & 0xF]};
}

std::string counter(std::uint32_t value) {
    return hexByte(value >> 24) + " " + hexByte((value >> 16) & 0xFF) + " " + hexByte((value >> 8) & 0xFF) + " " +
           hexByte(value & 0xFF);
}

void needsGetData(CaseContext& c) {
    if (!c.progress().answersGetData)
        c.skip("the card waits for its transport PIN to be changed and answers GET DATA with 69 85 (only BF 21)");
}

void needsBlank(CaseContext& c) {
    if (!c.progress().startedBlank) c.skip("needs a BLANK card without a certificate (--state blank)");
}

void needsIssued(CaseContext& c) {
    if (!c.progress().issued && !c.progress().startedBlank && c.values().count("card_certificate") == 0)
        c.skip("needs a card issued by this ceremony's CA");
    if (c.progress().startedBlank && !c.progress().issued) c.skip("the issuance cases failed");
}

void needsPersonalized(CaseContext& c) {
    needsIssued(c);
    if (!c.progress().personalized)
        c.skip("needs a card this run personalized with the test PIN and PUK (--state blank; the personalization case failed or did not run)");
}

void needsOperational(CaseContext& c) {
    needsPersonalized(c);
    if (!c.progress().operational) c.skip("needs the holder's PIN set (lifecycle.transport-pin failed)");
}

// Whether a card of `scheme` holds a Feldman share (GET SHARE, RESHARE OUT).
bool holdsFeldmanShare(const std::string& scheme) { return scheme == "shamir" || scheme == "reshare"; }

void needsStoredShare(CaseContext& c) {
    needsOperational(c);
    if (!c.progress().shareStored)
        c.skip(c.progress().scheme == "reshare" ? "the test share was not stored (shares.reshare-in failed)"
                                                : "the test share was not stored (shares.store failed)");
}

// `scheme`: shamir for a Feldman share (PUT DATA's or RESHARE IN's), shoup for threshold RSA.
void needsShare(CaseContext& c, const std::string& scheme) {
    needsOperational(c);
    const bool fits = scheme == "shamir" ? holdsFeldmanShare(c.progress().scheme) : c.progress().scheme == scheme;
    if (!fits)
        c.skip("the card holds a " + c.progress().scheme + " test share; run again on another blank card with --scheme " + scheme);
    needsStoredShare(c);
}

void needsDestructive(CaseContext& c) {
    if (!c.progress().destructiveAllowed)
        c.skip("destructive: runs only with --allow-destructive --test-card CARDID");
}

// The usage count the card should report after the share cases and those before.
std::uint32_t& expectedUsage() {
    static std::uint32_t count = 0;
    return count;
}

std::vector<Case> makeCases() {
    std::vector<Case> cases;
    auto add = [&](std::string id, std::string section, std::string title, bool destructive,
                   std::function<void(CaseContext&)> body) {
        cases.push_back({std::move(id), std::move(section), std::move(title), destructive, std::move(body)});
    };

    // ---- Transport: ISO 7816-4 framing, in the clear ----
    add("select.fci", "#select-by-df-name", "SELECT by DF name answers the FCI: AID, format version, card id, state", false,
        [](CaseContext& c) {
            c.raw(kSelect, fci("{start_state:1}", "90 00 | " + fci("{start_state:1}", "62 85")), "SELECT, FCI");
            needsGetData(c);
            c.raw("00 CA 00 C1 00", "{card_id} 90 00", "GET DATA card id: the FCI's");
            c.raw("00 CA 00 C0 00", "01 90 00", "GET DATA format version 1");
            c.raw("00 CA 00 C2 00", "{start_state} 90 00", "GET DATA lifecycle: the FCI's");
        });
    add("select.no-response-data", "#select-by-df-name", "SELECT with P2 0C answers 90 00 alone", false,
        [](CaseContext& c) { c.raw("00 A4 04 0C 0B {aid}", "90 00", "SELECT, no FCI"); });
    add("select.errors", "#select-by-df-name", "SELECT refuses another AID (and deselects), bad P1-P2, no AID", false,
        [](CaseContext& c) {
            needsGetData(c);
            c.raw("00 A4 04 00 05 F0 51 55 4F 52 00", "6A 82", "SELECT another AID");
            c.raw("00 CA 00 C1 00", "69 85", "nothing is selected now");
            c.raw("00 A4 00 00 0B {aid} 00", "6A 86", "P1 not 04");
            c.raw("00 A4 04 04 0B {aid} 00", "6A 86", "P2 neither 00 nor 0C");
            c.raw("00 A4 04 00", "67 00", "no AID");
            c.raw("00 A4 04 0C 0B {aid}", "90 00", "selected again");
        });
    add("iso.cases-short", "#transport", "ISO 7816-4 cases 1 to 4 with short lengths", false, [](CaseContext& c) {
        needsGetData(c);
        c.raw("00 CA 00 C1", "61 10", "case 1 (no Le) with response data: 61 xx and no data");
        c.raw("00 C0 00 00 10", "{card_id} 90 00", "GET RESPONSE fetches it");
        c.raw("00 CA 00 C1 00", "{card_id} 90 00", "case 2");
        c.raw("00 A4 04 0C 0B {aid}", "90 00", "case 3");
        c.raw(kSelect, fci("..", "90 00"), "case 4");
    });
    add("iso.cases-extended", "#transport", "cases 2 to 4 with extended lengths", false, [](CaseContext& c) {
        needsGetData(c);
        c.raw("00 CA 00 C1 00 00 00", "{card_id} 90 00", "case 2E, Le 65536");
        c.raw("00 A4 04 0C 00 00 0B {aid}", "90 00", "case 3E");
        c.raw("00 A4 04 00 00 00 0B {aid} 00 00", fci("..", "90 00"), "case 4E");
    });
    add("iso.response-chaining", "#transport", "61 xx and GET RESPONSE hand out a long answer piece by piece", false,
        [](CaseContext& c) {
            needsGetData(c);
            c.raw("00 CA 00 C1 05", "{card_id[0:5]} 61 0B", "Le 5 of 16 bytes");
            c.raw("00 C0 00 00 04", "{card_id[5:9]} 61 07", "GET RESPONSE 4");
            c.raw("00 C0 00 00 00", "{card_id[9:16]} 90 00", "GET RESPONSE, Le 256: the rest");
            c.raw("00 C0 00 00 00", "69 85", "nothing is pending any more");
        });
    add("iso.pending-discarded", "#get-response", "any command but GET RESPONSE discards pending response bytes", false,
        [](CaseContext& c) {
            needsGetData(c);
            c.raw("00 CA 00 C1 05", "{card_id[0:5]} 61 0B", "11 bytes left pending");
            c.raw("00 CA 00 C0 00", "01 90 00", "another command");
            c.raw("00 C0 00 00 0B", "69 85", "GET RESPONSE: the pending bytes are gone");
        });
    add("iso.get-response-errors", "#get-response", "GET RESPONSE refuses bad P1-P2, no Le, chaining", false,
        [](CaseContext& c) {
            needsGetData(c);
            c.raw("00 CA 00 C1 05", "{card_id[0:5]} 61 0B", "bytes pending");
            c.raw("00 C0 01 00 0B", "6A 86", "P1 not 00");
            c.raw("00 C0 00 00", "67 00", "no Le");
            c.raw("10 C0 00 00 0B", "68 84", "with the chaining bit");
        });
    add("iso.no-6cxx", "#transport", "a short Le is answered with 61 xx, never 6C xx", false, [](CaseContext& c) {
        needsGetData(c);
        c.raw("00 CA 00 C1 01", "{card_id[0:1]} 61 0F", "Le 1 of 16");
    });
    add("iso.class-byte", "#class-byte", "unsupported classes: logical channels, ISO SM, other classes", false,
        [](CaseContext& c) {
            c.raw("01 CA 00 C1 00", "68 81", "logical channel 1");
            c.raw("08 CA 00 C1 00", "68 82", "ISO secure messaging bit");
            c.raw("40 CA 00 C1 00", "6E 00", "class 40");
            c.raw("A0 CA 00 C1 00", "6E 00", "class A0");
            c.raw("FF CA 00 C1 00", "6E 00", "class FF");
            c.raw("80 CA 00 C1 00", "6D 00", "GET DATA is not a GlobalPlatform-class instruction");
        });
    add("iso.unknown-instruction", "#any-other-instruction", "an instruction the card does not have: 6D 00", false,
        [](CaseContext& c) {
            c.raw("00 B0 00 00 00", "6D 00", "READ BINARY");
            c.raw("80 50 00 00 00", "6D 00", "INITIALIZE UPDATE (SCP03): not offered");
        });
    add("iso.malformed-length", "#class-byte", "malformed length fields: 67 00", false, [](CaseContext& c) {
        c.raw("00 CA 00 C1 05 01 02", "67 00", "Lc 5 with 2 bytes");
        c.raw("00 A4 04 0C 0B F0 51", "67 00", "data cut short");
        c.raw("00 CA 00 C1 00 00", "67 00", "an extended Le cut short");
        c.raw("00 CA", "67 00", "two bytes");
        c.raw("00 A4 04 0C 0B {aid} 00 00", "67 00", "trailing bytes");
    });
    add("iso.command-chaining", "#transport", "command chaining: intermediate parts 90 00, the whole command runs", false,
        [](CaseContext& c) {
            c.raw("10 A4 04 00 05 {aid[0:5]}", "90 00", "first part");
            c.raw("00 A4 04 00 06 {aid[5:11]} 00", fci("..", "90 00"), "last part: SELECT runs");
        });
    add("iso.chain-interrupted", "#transport", "another command inside a chain: 68 83, chain dropped", false,
        [](CaseContext& c) {
            c.raw("10 A4 04 00 05 {aid[0:5]}", "90 00", "first part");
            c.raw("00 CA 00 C1 00", "68 83", "another command");
            c.raw("00 A4 04 00 06 {aid[5:11]} 00", "6A 82", "the last part alone: no such AID");
            c.raw("00 A4 04 0C 0B {aid}", "90 00", "selected again");
        });
    add("get-data.objects", "#get-data", "GET DATA: readable objects, PIN and PUK never, data field refused", false,
        [](CaseContext& c) {
            needsGetData(c);
            c.raw("00 CA 00 C3 00", "{usage_counter:4} 90 00", "usage counter, 4 bytes");
            c.raw("00 CA 00 C6 00", "6A 88", "the PIN is never readable");
            c.raw("00 CA 00 C7 00", "6A 88", "the PUK is never readable");
            c.raw("00 CA 00 FF 00", "6A 88", "no such object");
            c.raw("00 CA 00 C1 01 00 00", "67 00", "a data field");
        });

    // ---- Issuance, in the clear ----
    add("issuance.ca-key", "#put-data-00-c8-ca-public-key", "PUT DATA 00 C8: the CA key, checked, once only", false,
        [](CaseContext& c) {
            needsBlank(c);
            c.raw("00 CA 00 C4 00", "6A 88", "a BLANK card has no PIN status yet");
            c.raw("00 DA 00 C5 06 {test_policy}", "69 82", "the PIN policy needs a session");
            c.raw("00 DA 00 C8 40 {ca_point[1:65]}", "67 00", "64 bytes");
            c.raw("00 DA 00 C8 41 04 {not_a_point}", "6A 80", "not a point on P-256");
            c.raw("00 DA 00 C8 41 {ca_point}", "90 00", "the ceremony's CA key");
            c.raw("00 DA 00 C8 41 {ca_point}", "69 85", "once only");
        });
    add("issuance.key-pair", "#generate-asymmetric-key-pair", "GENERATE ASYMMETRIC KEY PAIR answers the card's P-256 key",
        false, [](CaseContext& c) {
            needsBlank(c);
            c.raw("00 47 81 00 00", "6A 86", "P1 not 80");
            c.raw("00 47 80 00 00", "7F 49 43 86 41 {!card_key:65} 90 00", "a fresh key pair");
        });
    add("issuance.certificate", "#put-data-bf-21--get-data-bf-21-card-certificate",
        "PUT DATA BF 21 takes only a CA-signed card certificate of the card's own key; GET DATA BF 21 gives it back",
        false, [](CaseContext& c) {
            needsBlank(c);
            c.raw("00 CA BF 21 00", "6A 88", "no certificate yet");
            c.link("00 DA BF 21", "{host_certificate}", kNoLe, "6A 80", "a host certificate (another key, role host)");
            c.link("00 DA BF 21", "{card_certificate}", kNoLe, "90 00", "the CA's certificate of the card's key (chained)",
                   "certify-card");
            c.link("00 CA BF 21", kKeyReference, kLe, "{card_certificate} 90 00", "read back (GET RESPONSE)");
            c.raw("00 47 80 00 00", "69 85", "the key pair is fixed now");
            c.progress().issued = true;
        });
    add("scp11a.handshake", "#issuance-and-scp11a", "SCP11a: certificates, key agreement, receipt; a wrapped command works",
        false, [](CaseContext& c) {
            needsIssued(c);
            c.openSession();
            c.sm("00 CA 00 C2", "", kLe, ".. 90 00", "wrapped GET DATA, R-MAC checked");
        });
    add("scp11a.refusals", "#perform-security-operation-host-certificate",
        "PERFORM SECURITY OPERATION and MUTUAL AUTHENTICATE refuse what they must", false, [](CaseContext& c) {
            needsIssued(c);
            c.raw("00 A4 04 0C 0B {aid}", "90 00", "SELECT");
            c.link("80 2A 02 10", "{host_certificate}", kNoLe, "6A 86", "P1 not 01");
            c.link("80 2A 01 11", "{host_certificate}", kNoLe, "6A 88", "P2 not 10");
            c.link("80 2A 01 10", "{ca_certificate}", kNoLe, "69 82", "the CA's own certificate: not role host");
            c.link("80 2A 01 10", "30 03 02 01 00", kNoLe, "6A 80", "not a certificate");
            c.raw("00 A4 04 0C 0B {aid}", "90 00", "SELECT (forgets any host key)");
            c.link("80 82 01 11", "A6 0D 90 02 11 01 95 01 3C 80 01 88 81 01 10 5F 49 41 {ca_point}", kLe, "69 85",
                   "MUTUAL AUTHENTICATE without PERFORM SECURITY OPERATION");
        });
    add("issuance.wipe", "#wipe-undo-an-unfinished-issuance",
        "WIPE takes a half-issued card back to the factory state; it is issued again", true, [](CaseContext& c) {
            needsDestructive(c);
            needsIssued(c);
            if (!c.progress().startedBlank) c.skip("needs a card this run issued (--state blank)");
            c.openSession();
            c.sm("00 DA 00 C5", "{test_policy}", kNoLe, "90 00", "a PIN policy: issuance under way");
            c.sm("80 E4 00 00", "", kNoLe, "90 00", "WIPE, its answer under the R-MAC");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session ended with WIPE");
            c.raw("00 CA BF 21 00", "6A 88", "no certificate any more");
            c.raw("00 CA 00 C5 00", "6A 88", "no PIN policy any more");
            c.raw("00 CA 00 C1 00", "{card_id} 90 00", "the card id stays");
            c.raw("00 DA 00 C8 41 {ca_point}", "90 00", "issued again: CA key");
            c.raw("00 47 80 00 00", "7F 49 43 86 41 {!card_key:65} 90 00", "key pair");
            c.link("00 DA BF 21", "{card_certificate}", kNoLe, "90 00", "certificate", "certify-card");
        });
    add("issuance.personalization", "#put-data-personalization",
        "PIN policy, PIN and PUK in their order and ranges, inside SCP11a; ACTIVATE FILE", false, [](CaseContext& c) {
            needsIssued(c);
            if (!c.progress().startedBlank) c.skip("needs a card this run issued (--state blank)");
            c.openSession();
            c.sm("00 DA 00 C6", "{test_pin}", kNoLe, "69 85", "PIN before the policy");
            c.sm("00 DA 00 C5", "06 08 08 10 03 01", kNoLe, "6A 80", "16 PIN tries: out of range");
            c.sm("00 DA 00 C5", "06 08 08 03", kNoLe, "67 00", "a policy of 4 bytes");
            c.sm("00 DA 00 C5", "{test_policy}", kNoLe, "90 00", "policy: PIN 6..8, PUK 8, 3 and 3 tries, change before use");
            c.sm("00 DA 00 C6", "31 32 33", kNoLe, "6A 80", "a PIN shorter than the policy's minimum");
            c.sm("00 DA 00 C6", "{test_pin}", kNoLe, "90 00", "transport PIN (a test value)");
            c.sm("00 44 00 00", "", kNoLe, "69 85", "ACTIVATE FILE without a PUK");
            c.sm("00 DA 00 C7", "{test_puk}", kNoLe, "90 00", "PUK (a test value)");
            c.sm("00 44 00 01", "", kNoLe, "6A 86", "ACTIVATE FILE P2 not 00");
            c.sm("00 44 00 00", "", kNoLe, "90 00", "ACTIVATE FILE");
            c.sm("00 DA 00 C5", "{test_policy}", kNoLe, "69 85", "personalization is over");
            c.select("03");
            c.progress().personalized = true;
            c.progress().answersGetData = false;
        });
    add("lifecycle.transport-pin", "#lifecycle-states",
        "PERSONALIZED with a PIN change pending answers only what the change needs; the change makes it OPERATIONAL",
        false, [](CaseContext& c) {
            needsPersonalized(c);
            c.raw("00 CA 00 C1 00", "69 85", "GET DATA card id: not before the PIN change");
            c.openSession();
            c.sm("00 20 00 81", "", kNoLe, "63 C3", "VERIFY without data: 3 tries");
            c.sm("80 38 00 00", "", kLe, "69 85", "GET SHARE: not OPERATIONAL");
            c.sm("00 20 00 81", "{test_pin_block}", kNoLe, "90 00", "the transport PIN matches");
            c.select("03");
            c.openSession();
            c.sm("00 24 00 81", "{test_pin_block} {holder_pin_block}", kNoLe, "90 00", "CHANGE REFERENCE DATA: the holder's PIN");
            c.select("07");
            c.progress().answersGetData = true;
            c.progress().operational = true;
        });
    add("shares.store", "#put-data-personalization", "PUT DATA 00 C9 / 00 CB: a share once, one kind, inside SCP11a",
        false, [](CaseContext& c) {
            needsOperational(c);
            if (c.progress().scheme == "reshare")
                c.skip("the card takes its share by RESHARE IN in this run (--scheme reshare: shares.reshare-in)");
            const bool shamir = c.progress().scheme == "shamir";
            const std::string object = shamir ? "00 DA 00 C9" : "00 DA 00 CB";
            const std::string record = shamir ? "{test_share_record}" : "{rsa_share_record}";
            c.openSession();
            if (shamir) c.sm(object, "00 {test_share_record[1:65]}", kNoLe, "6A 80", "share index 0 (the secret itself)");
            c.sm(object, record, kNoLe, "90 00", "the test share");
            c.sm(object, record, kNoLe, "69 85", "once only");
            c.sm(shamir ? "00 DA 00 CB" : "00 DA 00 C9", "{test_share_record}", kNoLe,
                 "69 85", "and only one kind");
            c.raw("00 CA 00 C3 00", "00 00 00 00 90 00", "usage counter 0");
            c.progress().shareStored = true;
            expectedUsage() = 0;
        });
    add("shares.reshare-in", "#reshare-in-a-new-card-takes-its-share",
        "RESHARE IN: a share from two old cards, each box opened and checked; refusals store nothing; an unreleased "
        "share of the same redistribution is replaced",
        false, [](CaseContext& c) {
            needsOperational(c);
            if (c.progress().scheme != "reshare")
                c.skip("the card takes its share by PUT DATA in this run; run again on another blank card with --scheme reshare");
            c.link("80 3E 00 00", "{reshare_in_request}", kLe, "69 82", "in the clear", "redistribute-to-card");
            c.openSession();
            c.sm("80 3E 00 01", "{reshare_in_request}", kLe, "6A 86", "P2 not 00");
            c.sm("80 3E 00 00", "", kLe, "67 00", "no data");
            c.sm("80 3E 00 00", "81 00", kLe, "6A 80", "a context and no redistribution");
            c.sm("80 3E 00 00", "{reshare_in_mixed_k}", kLe, "6A 80", "old cards of different k'");
            c.sm("80 3E 00 00", "{reshare_in_twice}", kLe, "6A 80", "old card 2 twice");
            c.sm("80 3E 00 00", "{reshare_in_no_box}", kLe, "9C 02", "old card 2 brought no box for this card");
            c.sm("80 3E 00 00", "{reshare_in_other_context}", kLe, "9C 02", "boxes sealed for another context do not open");
            c.sm("80 3E 00 00", "{reshare_in_bad_box}", kLe, "9C 03", "old card 3's box was altered on its way");
            c.sm("80 3E 00 00", "{reshare_in_bad_subshare}", kLe, "9D 03", "old card 3's sub-share is off its commitments");
            c.verifyHolder();
            c.sm("80 38 00 00", "", kLe, "6A 88", "GET SHARE: none of them stored a share");
            c.sm("80 3E 00 00", "{reshare_in_request}", kLe, "{card_index} {reshare_in_digest} 90 00",
                 "old cards 2 and 3: stored; j and the digest of C'");
            c.sm("00 DA 00 C9", "{test_share_record}", kNoLe, "69 85", "PUT DATA does not replace it");
            c.sm("80 3E 00 00", "{reshare_in_request_13}", kLe, "{card_index} {reshare_in_digest_13} 90 00",
                 "old cards 1 and 3, the same redistribution: the share, never released, is replaced", "reshare-in-kept");
            c.sm("00 CA 00 C3", "", kLe, "00 00 00 00 90 00", "usage counter 0");
            c.select("07");
            c.progress().shareStored = true;
            expectedUsage() = 0;
        });
    add("shares.get-share", "#get-share",
        "GET SHARE only after VERIFY in the session; the share matches the Feldman commitments; each release counted",
        false, [](CaseContext& c) {
            needsShare(c, "shamir");
            c.raw("80 38 00 00 00", "69 82", "in the clear");
            c.openSession();
            c.sm("80 38 00 00", "", kLe, "69 82", "before VERIFY (the session ends)");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session is over");
            c.openSession();
            c.verifyHolder();
            c.sm("80 38 00 01", "", kLe, "6A 86", "P2 not 00");
            c.sm("80 38 00 00", "", kLe, "{released_share:65} " + counter(++expectedUsage()) + " 90 00",
                 "the share and the counter", "feldman-share");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "GET DATA usage counter");
            c.sm("80 38 00 00", "", kLe, "{released_share} " + counter(++expectedUsage()) + " 90 00", "again: counted again");
            c.sm("80 3A 00 00", "{digest}", kLe, "6A 88", "PARTIAL SIGN: no threshold RSA share");
        });
    add("partial-sign.single", "#one-digest",
        "PARTIAL SIGN of one digest: only after VERIFY; the proof checks against v_i; counted", false,
        [](CaseContext& c) {
            needsShare(c, "shoup");
            const std::string l = std::to_string(c.modulusSize());
            const std::string z = std::to_string(c.modulusSize() + 65);
            c.openSession();
            c.sm("80 3A 00 00", "{digest}", kLe, "69 82", "before VERIFY (the session ends)");
            c.openSession();
            c.verifyHolder();
            c.sm("80 3A 00 00", "{digest}", kLe,
                 "{!partial_value:" + l + "} {!partial_c:32} {!partial_z:" + z + "} " + counter(++expectedUsage()) + " 90 00",
                 "x_i, c, z and the counter", "shoup-partial");
            c.sm("80 3A 00 00", "{digest[0:31]}", kLe, "67 00", "31 bytes");
            c.sm("80 3A 00 00", "", kLe, "67 00", "no digest");
            c.sm("80 38 00 00", "", kLe, "6A 88", "GET SHARE: no Feldman share");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "GET DATA usage counter");
        });
    add("partial-sign.batch", "#a-batch-2-to-16-digests-one-proof",
        "PARTIAL SIGN of 3 and 9 digests (chained, GET RESPONSE): one proof each, m uses counted", false,
        [](CaseContext& c) {
            needsShare(c, "shoup");
            const std::size_t size = c.modulusSize();
            const std::string z = std::to_string(size + 65);
            c.openSession();
            c.verifyHolder();
            expectedUsage() += 3;
            c.sm("80 3A 00 00", "{digests[0:96]}", kLe,
                 "{!batch_values:" + std::to_string(3 * size) + "} {!partial_c:32} {!partial_z:" + z + "} " +
                     counter(expectedUsage()) + " 90 00",
                 "3 digests", "shoup-batch");
            expectedUsage() += 9;
            c.sm("80 3A 00 00", "{digests}", kLe,
                 "{!batch_values:" + std::to_string(9 * size) + "} {!partial_c:32} {!partial_z:" + z + "} " +
                     counter(expectedUsage()) + " 90 00",
                 "9 digests: a chained command, a long answer", "shoup-batch");
            c.sm("80 3A 00 00", "{digests} {digests[0:256]}", kLe, "67 00", "17 digests");
            c.sm("80 3A 00 00", "{digests[0:33]}", kLe, "67 00", "33 bytes");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "nothing counted for refusals");
        });

    add("reshare.out", "#reshare-out-an-old-card-redistributes-its-share",
        "RESHARE OUT only after VERIFY, only to new cards its CA certified; every box opens to a sub-share of the card's "
        "own share; counted",
        false, [](CaseContext& c) {
            needsStoredShare(c);
            c.link("80 3C 00 00", "{reshare_out_request}", kLe, "69 82", "in the clear", "certify-new-cards");
            if (!holdsFeldmanShare(c.progress().scheme)) {
                c.openSession();
                c.verifyHolder();
                c.sm("80 3C 00 00", "{reshare_out_request}", kLe, "6A 88", "no Feldman share: a threshold RSA share stays");
                c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "nothing counted");
                return;
            }
            c.openSession();
            c.sm("80 3C 00 00", "{reshare_out_request}", kLe, "69 82", "before VERIFY (the session ends)");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session is over");
            c.openSession();
            c.verifyHolder();
            c.sm("80 3C 00 01", "{reshare_out_request}", kLe, "6A 86", "P2 not 00");
            c.sm("80 3C 00 00", "", kLe, "67 00", "no data");
            c.sm("80 3C 00 00", "{reshare_out_k0}", kLe, "6A 80", "k' 0");
            c.sm("80 3C 00 00", "{reshare_out_k4}", kLe, "6A 80", "k' 4 for 3 new cards");
            c.sm("80 3C 00 00", "{reshare_out_host}", kLe, "6A 80", "a host certificate among the new cards'");
            c.sm("80 3C 00 00", "{reshare_out_twice}", kLe, "6A 80", "new card 1 twice");
            c.sm("80 3C 00 00", "{reshare_out_foreign}", kLe, "6A 80", "new card 2 certified by another CA");
            c.sm("80 3C 00 00", "{reshare_out_forged}", kLe, "6A 80", "new card 2's certificate with a bad signature");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "nothing counted for refusals");
            // i || k' || D_i0 D_i1 || n' || three boxes of 114 bytes, then the counter.
            c.sm("80 3C 00 00", "{reshare_out_request}", kLe,
                 "{!reshare_out_record:475} " + counter(++expectedUsage()) + " 90 00",
                 "D_i and a box for each new card (a long answer), and the counter", "reshare-out");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "GET DATA usage counter");
        });
    add("reshare.in-refused", "#reshare-in-a-new-card-takes-its-share",
        "RESHARE IN never replaces a share PUT DATA dealt, nor one released", false, [](CaseContext& c) {
            needsStoredShare(c);
            const bool reshared = c.progress().scheme == "reshare";
            if (reshared && expectedUsage() == 0)
                c.skip("needs the share RESHARE IN gave released once (by shares.get-share or reshare.out; they failed or did not run)");
            c.openSession();
            c.sm("80 3E 00 00", "{reshare_in_request}", kLe, "69 85",
                 reshared ? "a share of this redistribution, released since: kept" : "a share PUT DATA dealt: kept", "",
                 "redistribute-to-card");
            c.sm("00 CA 00 C3", "", kLe, counter(expectedUsage()) + " 90 00", "the usage counter stays");
        });

    // ---- PIN and PUK ----
    add("pin.try-counter", "#try-counters",
        "VERIFY: a wrong PIN spends a try, a right one restores them; format errors cost nothing", false,
        [](CaseContext& c) {
            needsOperational(c);
            c.openSession();
            c.sm("00 20 00 81", "", kNoLe, "63 C3", "VERIFY without data: 3 tries");
            c.sm("00 20 00 81", "{wrong_pin_block}", kNoLe, "63 C2", "a wrong PIN: 2 left");
            c.sm("00 20 00 81", "", kNoLe, "63 C2", "the try was spent");
            c.sm("00 CA 00 C4", "", kLe, "02 03 03 03 00 90 00", "PIN status: 2 of 3, PUK 3 of 3");
            c.sm("00 20 00 81", "{bad_pin_block}", kNoLe, "6A 80", "not a PIN block (FF inside)");
            c.sm("00 20 00 81", "{holder_pin_block[0:7]}", kNoLe, "67 00", "7 bytes");
            c.sm("00 20 01 81", "{holder_pin_block}", kNoLe, "6A 86", "P1 not 00");
            c.sm("00 20 00 82", "{holder_pin_block}", kNoLe, "6A 88", "P2 not 81");
            c.sm("00 20 00 81", "", kNoLe, "63 C2", "format errors spent nothing");
            c.sm("00 20 00 81", "{holder_pin_block}", kNoLe, "90 00", "the holder's PIN");
            c.sm("00 20 00 81", "", kNoLe, "90 00", "verified in this session");
            c.sm("00 CA 00 C4", "", kLe, "03 03 03 03 00 90 00", "tries restored");
            c.raw("00 20 00 81 08 {wrong_pin_block}", "69 82", "VERIFY in the clear");
        });
    add("puk.try-counter", "#reset-retry-counter",
        "a wrong PUK spends a PUK try; RESET RETRY COUNTER with the PUK restores both counters", false,
        [](CaseContext& c) {
            needsOperational(c);
            c.openSession();
            c.sm("00 24 00 82", "{wrong_puk} {test_puk}", kNoLe, "63 C2", "CHANGE REFERENCE DATA PUK, wrong PUK");
            c.sm("00 CA 00 C4", "", kLe, "03 03 02 03 00 90 00", "PUK: 2 of 3");
            c.sm("00 2C 00 81", "{test_puk}", kNoLe, "67 00", "RESET RETRY COUNTER without the new PIN");
            c.sm("00 2C 00 81", "{test_puk} {holder_pin_block}", kNoLe, "90 00", "RESET RETRY COUNTER");
            c.sm("00 CA 00 C4", "", kLe, "03 03 03 03 00 90 00", "both restored");
        });

    // ---- Secure messaging ----
    add("scp11a.response-mac", "#secure-messaging", "every protected answer (90 00, 63 Cx) carries a valid R-MAC", false,
        [](CaseContext& c) {
            needsIssued(c);
            c.openSession();
            c.sm("00 CA BF 21", kKeyReference, kLe, "{card_certificate} 90 00", "a long protected answer");
            if (c.progress().operational) c.sm("00 20 00 81", "", kNoLe, "63 C3", "63 C3, protected");
            c.sm("00 CA 00 C2", "", kLe, ".. 90 00", "a short one");
        });
    add("scp11a.tampered", "#secure-messaging",
        "every byte of a wrapped command flipped: refused, and the session is over", false, [](CaseContext& c) {
            needsIssued(c);
            // 84 CA BF 21 18 <16 encrypted bytes> <8-byte C-MAC> 00: Le (the last byte) is not MACed.
            for (std::size_t flip = 0; flip < 29; ++flip) {
                c.openSession();
                // CLA 85 names logical channel 1; Lc 19 makes Le part of the data: a MAC error like the rest.
                const std::string refusal = flip == 0 ? "68 81" : "69 82";
                c.tampered("00 CA BF 21", kKeyReference, kLe, flip, refusal,
                           "byte " + std::to_string(flip) + " flipped" +
                               (flip == 0 ? " (CLA: a logical channel)" : ""));
                c.sm("00 CA 00 C2", "", kLe, "69 82", "no session any more");
            }
        });
    add("scp11a.replay", "#secure-messaging", "a wrapped command sent again is refused and ends the session", false,
        [](CaseContext& c) {
            needsIssued(c);
            c.openSession();
            c.sm("00 CA BF 21", kKeyReference, kLe, "{card_certificate} 90 00", "a wrapped command");
            c.replayed("69 82", "the same bytes again");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session is over");
        });
    add("scp11a.clear-ends-session", "#persistent-and-volatile-state", "a command in the clear ends the session", false,
        [](CaseContext& c) {
            needsIssued(c);
            c.openSession();
            c.raw("00 CA BF 21 00", "{card_certificate[0:256]} 61 ..", "in the clear: the certificate's first 256 bytes");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session is over");
        });

    // ---- Persistence ----
    for (const bool unpower : {false, true}) {
        add(unpower ? "persistence.power-off" : "persistence.reset", "#persistent-and-volatile-state",
            unpower ? "SCardReconnect unpowering the card: persistent state stays, volatile state is gone"
                    : "SCardReconnect resetting the card: persistent state stays, volatile state is gone",
            false, [unpower](CaseContext& c) {
                needsOperational(c);
                c.openSession();
                c.verifyHolder();
                if (c.progress().shareStored && holdsFeldmanShare(c.progress().scheme))
                    c.sm("80 38 00 00", "", kLe, "{released_share:65} " + counter(++expectedUsage()) + " 90 00",
                         "a release, counted");
                else if (c.progress().shareStored)
                    c.sm("80 3A 00 00", "{digest}", kLe, "{*} " + counter(++expectedUsage()) + " 90 00", "a partial signature, counted");
                c.sm("00 20 00 81", "{wrong_pin_block}", kNoLe, "63 C2", "a wrong PIN: 2 tries left");
                c.raw("00 CA 00 C1 05", "{card_id[0:5]} 61 0B", "response bytes left pending");
                c.reset(unpower);
                c.raw("00 C0 00 00 0B", "69 85", "pending bytes are gone");
                c.raw("00 CA 00 C1 00", "69 85", "the application is no longer selected");
                c.sm("00 CA 00 C2", "", kLe, "69 82", "the session is gone");
                c.select("07");
                c.raw("00 CA 00 C3 00", counter(expectedUsage()) + " 90 00", "the usage counter stayed");
                c.raw("00 CA 00 C4 00", "02 03 03 03 00 90 00", "the spent PIN try stayed");
                c.openSession();
                c.sm("00 20 00 81", "", kNoLe, "63 C2", "the PIN is no longer verified");
                c.verifyHolder();
            });
    }

    // ---- Destructive: blocking, termination ----
    add("pin.blocked", "#verify", "three wrong PINs block the card; the PUK unblocks it with a new PIN", true,
        [](CaseContext& c) {
            needsDestructive(c);
            needsOperational(c);
            c.openSession();
            c.sm("00 20 00 81", "{wrong_pin_block}", kNoLe, "63 C2", "wrong PIN 1");
            c.sm("00 20 00 81", "{wrong_pin_block}", kNoLe, "63 C1", "wrong PIN 2");
            c.sm("00 20 00 81", "{wrong_pin_block}", kNoLe, "63 C0", "wrong PIN 3: blocked");
            c.select("0F");
            c.raw("00 CA 00 C4 00", "00 03 03 03 00 90 00", "no PIN tries left");
            c.openSession();
            c.sm("00 20 00 81", "{holder_pin_block}", kNoLe, "69 83", "even the right PIN: blocked");
            c.sm("00 24 00 81", "{holder_pin_block} {test_pin_block}", kNoLe, "69 83", "no PIN change either");
            c.sm("80 38 00 00", "", kLe, "69 85", "GET SHARE: not OPERATIONAL");
            c.sm("00 2C 00 81", "{test_puk} {test_pin_block}", kNoLe, "90 00", "RESET RETRY COUNTER: a new PIN");
            c.select("07");
            c.openSession();
            c.sm("00 20 00 81", "{test_pin_block}", kNoLe, "90 00", "the new PIN");
            c.sm("00 24 00 81", "{test_pin_block} {holder_pin_block}", kNoLe, "90 00", "the holder's PIN again");
        });
    add("lifecycle.retire", "#retire-an-old-card-gives-up-its-share",
        "RETIRE ends the card's use for good: the RETIRED card answers SELECT and GET DATA only, 69 85 to the rest before "
        "asking how it arrived, also after power-off", true,
        [](CaseContext& c) {
            needsDestructive(c);
            needsOperational(c);
            if (!c.progress().retire)
                c.skip("a card ends only once, and this run terminates it (puk.terminated): retire another card with --retire");
            c.raw("80 E6 00 00", "69 82", "in the clear");
            c.openSession();
            c.sm("80 E6 00 01", "", kNoLe, "6A 86", "P2 not 00");
            c.sm("80 E6 00 00", "00", kNoLe, "67 00", "a data field");
            c.sm("80 E6 00 00", "", kLe, "67 00", "an Le field");
            c.sm("80 E6 00 00", "", kNoLe, "90 00", "RETIRE, its answer under the R-MAC");
            c.sm("00 CA 00 C2", "", kLe, "69 82", "the session ended with RETIRE");
            c.select("3F");
            c.raw("00 CA 00 C2 00", "3F 90 00", "GET DATA lifecycle: RETIRED");
            c.raw("00 CA 00 C1 00", "{card_id} 90 00", "the card id stays");
            c.raw("00 CA 00 C3 00", counter(expectedUsage()) + " 90 00", "the usage counter stays, for the audit");
            c.link("00 CA BF 21", kKeyReference, kLe, "{card_certificate} 90 00", "the certificate stays");
            c.link("80 2A 01 10", "{host_certificate}", kNoLe, "69 85", "no session opens");
            c.raw("80 E6 00 00", "69 85", "RETIRE again, in the clear: the state answers first");
            c.raw("80 38 00 00 00", "69 85", "GET SHARE");
            c.raw("00 20 00 81 08 {holder_pin_block}", "69 85", "VERIFY");
            c.raw("00 DA 00 C9 41 {test_share_record}", "69 85", "PUT DATA a share");
            c.link("80 3E 00 00", "{reshare_in_request}", kLe, "69 85", "RESHARE IN", "redistribute-to-card");
            c.reset(true);
            c.select("3F");
            c.raw("00 CA 00 C3 00", counter(expectedUsage()) + " 90 00", "still RETIRED after power-off");
            c.link("80 2A 01 10", "{host_certificate}", kNoLe, "69 85", "still no session");
        });
    add("puk.terminated", "#lifecycle-states",
        "three wrong PUKs terminate the card, for good: SELECT 62 85, nothing else runs, also after power-off", true,
        [](CaseContext& c) {
            needsDestructive(c);
            needsOperational(c);
            if (c.progress().retire) c.skip("a card ends only once, and this run retires it (--retire: lifecycle.retire)");
            c.openSession();
            c.sm("00 2C 00 81", "{wrong_puk} {test_pin_block}", kNoLe, "63 C2", "wrong PUK 1");
            c.sm("00 2C 00 81", "{wrong_puk} {test_pin_block}", kNoLe, "63 C1", "wrong PUK 2");
            c.sm("00 2C 00 81", "{wrong_puk} {test_pin_block}", kNoLe, "63 C0", "wrong PUK 3: terminated");
            c.select("7F", "62 85");
            c.raw("00 CA 00 C1 00", "69 85", "GET DATA refused");
            c.link("80 2A 01 10", "{host_certificate}", kNoLe, "69 85", "no session opens");
            c.reset(true);
            c.select("7F", "62 85");
            c.raw("00 CA 00 C3 00", "69 85", "still refused after power-off");
        });
    return cases;
}

}  // namespace

void CaseContext::raw(const std::string& command, const std::string& expect, const std::string& note) {
    conversation_.run(Step{Via::Raw, command, "", kNoLe, std::nullopt, expect, "", "", note});
}

void CaseContext::link(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
                       const std::string& expect, const std::string& note, const std::string& hostAction) {
    conversation_.run(Step{Via::Link, header, data, ne, std::nullopt, expect, hostAction, "", note});
}

void CaseContext::sm(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
                     const std::string& expect, const std::string& note, const std::string& check,
                     const std::string& hostAction) {
    conversation_.run(Step{Via::Session, header, data, ne, std::nullopt, expect, hostAction, check, note});
}

void CaseContext::tampered(const std::string& header, const std::string& data, std::optional<std::size_t> ne,
                           std::size_t flip, const std::string& expect, const std::string& note) {
    conversation_.run(Step{Via::Tampered, header, data, ne, flip, expect, "", "", note});
}

void CaseContext::replayed(const std::string& expect, const std::string& note) {
    conversation_.run(Step{Via::Replayed, "", "", kNoLe, std::nullopt, expect, "", "", note});
}

void CaseContext::reset(bool unpower) {
    conversation_.run(Step{unpower ? Via::Unpower : Via::Reset, "", "", kNoLe, std::nullopt, "", "", "",
                           unpower ? "SCardReconnect, SCARD_UNPOWER_CARD" : "SCardReconnect, SCARD_RESET_CARD"});
}

void CaseContext::select(const std::string& state, const std::string& sw) {
    raw(kSelect, fci(state, sw), "SELECT: state " + state);
}

void CaseContext::openSession() {
    raw("00 A4 04 0C 0B {aid}", "90 00", "SELECT");
    link("00 CA BF 21", kKeyReference, kLe, "{card_certificate} 90 00", "GET DATA BF 21: the card certificate");
    link("80 2A 01 10", "{host_certificate}", kNoLe, "90 00", "PERFORM SECURITY OPERATION: the host certificate");
    link("80 82 01 11", "A6 0D 90 02 11 01 95 01 3C 80 01 88 81 01 10 5F 49 41 {host_ephemeral}", kLe,
         "5F 49 41 {!card_ephemeral:65} 86 10 {!receipt:16} 90 00", "MUTUAL AUTHENTICATE: the receipt checks",
         "mutual-authenticate");
}

void CaseContext::verifyHolder() {
    sm("00 20 00 81", "{holder_pin_block}", kNoLe, "90 00", "VERIFY the holder's PIN");
}

std::size_t CaseContext::modulusSize() {
    const auto found = values().find("rsa_modulus");
    if (found == values().end()) skip("no threshold RSA test key");
    return found->second.size();
}

const std::vector<Case>& allCases() {
    static const std::vector<Case> cases = makeCases();
    return cases;
}

}  // namespace quorum::conformance
