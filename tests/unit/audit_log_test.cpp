// The audit log: hash-chained JSON lines, verification naming the first bad line, refusal of
// secrets; and the PGP words that fingerprints are read aloud in.
#include "host/documents/audit_log.hpp"

#include <doctest/doctest.h>
#include <json/json.h>
#include <sys/stat.h>

#include <cctype>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "crypto/primitives.hpp"
#include "host/documents/pgp_words.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using host::AuditLog;
using host::AuditLogError;
using host::verifyAuditLog;

namespace {

const std::string kZeros(64, '0');

void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::string joinLines(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

std::string sha256Hex(const std::string& text) {
    return toHex(crypto::sha256(Bytes(text.begin(), text.end())));
}

Json::Value cardDetails(int n) {
    Json::Value details(Json::objectValue);
    details["card"] = "serial-" + std::to_string(n) + "k";
    details["certificate_fingerprint"] = std::string(64, 'A');
    details["holder"]["name"] = "Zoë";  // non-ASCII, nested
    return details;
}

// A log of `count` entries at `path`; returns the hash of each entry.
std::vector<std::string> makeLog(const std::string& path, int count) {
    std::vector<std::string> hashes;
    auto log = AuditLog::open(path);
    for (int i = 1; i <= count; ++i)
        hashes.push_back(log.append("event-" + std::to_string(i), cardDetails(i)));
    return hashes;
}

// The line an AuditLogError from `f` names; -1 when f throws nothing.
template <typename F>
std::int64_t badLine(F&& f) {
    try {
        f();
    } catch (const AuditLogError& e) {
        return static_cast<std::int64_t>(e.line());
    }
    return -1;
}

}  // namespace

TEST_CASE("audit: entries survive a reopen, chain up, and verify to the hash append returned") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    std::vector<std::string> returned;
    {
        auto log = AuditLog::open(path);
        CHECK(log.entries() == 0);
        CHECK(log.lastHash() == kZeros);
        for (int i = 1; i <= 3; ++i) {
            returned.push_back(log.append("event-" + std::to_string(i), cardDetails(i)));
            CHECK(log.lastHash() == returned.back());
            CHECK(log.entries() == static_cast<std::uint64_t>(i));
        }
    }
    {
        auto log = AuditLog::open(path);
        CHECK(log.entries() == 3);
        CHECK(log.lastHash() == returned.back());
        returned.push_back(log.append("event-4", Json::Value()));  // null: no details
        returned.push_back(log.append("event-5", cardDetails(5)));
        CHECK(log.entries() == 5);
    }
    const auto verification = verifyAuditLog(path);
    CHECK(verification.entries == 5);
    CHECK(verification.lastHash == returned.back());
    CHECK(verifyAuditLog(path, returned.back()).entries == 5);
    std::string lowerCase = returned.back();
    for (char& c : lowerCase) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(verifyAuditLog(path, lowerCase).entries == 5);  // as sha256sum prints it

    // The text itself: one canonical line per entry, each hash over the line's exact bytes, each
    // prev the hash before it, the members in jsoncpp's (byte) order.
    const auto lines = linesOf(test::readFile(path));
    REQUIRE(lines.size() == 5);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        CAPTURE(lines[i]);
        CHECK(sha256Hex(lines[i]) == returned[i]);
        const std::string prev = i == 0 ? kZeros : returned[i - 1];
        CHECK(test::contains(lines[i], ",\"prev\":\"" + prev + "\","));
        CHECK(test::contains(lines[i], ",\"seq\":" + std::to_string(i + 1) + ","));
    }
    CHECK(lines[0].rfind("{\"details\":{\"card\":\"serial-1k\",\"certificate_fingerprint\":\"" +
                             std::string(64, 'A') +
                             "\",\"holder\":{\"name\":\"Zoë\"}},\"event\":\"event-1\",\"format\":"
                             "\"quorum-audit\","
                             "\"prev\":\"" +
                             kZeros + "\",\"seq\":1,\"time\":\"",
                         0) == 0);
    CHECK(lines[3].rfind("{\"details\":{},\"event\":\"event-4\",", 0) == 0);
    const std::string ending = "Z\",\"version\":1}";
    CHECK(lines[0].substr(lines[0].size() - ending.size()) == ending);
}

TEST_CASE("audit: the time is UTC to the second, when the entry is written") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    const std::time_t before = std::time(nullptr);
    makeLog(path, 1);
    const std::time_t after = std::time(nullptr);
    const auto line = linesOf(test::readFile(path)).at(0);
    const auto at = line.find("\"time\":\"");
    REQUIRE(at != std::string::npos);
    const std::string time = line.substr(at + 8, 20);
    std::tm fields{};
    REQUIRE(::strptime(time.c_str(), "%Y-%m-%dT%H:%M:%SZ", &fields) != nullptr);
    const std::time_t when = ::timegm(&fields);
    CHECK(when >= before);
    CHECK(when <= after);
}

TEST_CASE("audit: one changed character in any line is found, and that line named") {
    constexpr int kEntries = 5;
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    const auto hashes = makeLog(path, kEntries);
    const std::string original = test::readFile(path);
    const auto lines = linesOf(original);
    REQUIRE(lines.size() == kEntries);

    enum class Kind {
        Self,     // the line is no longer a valid entry by itself
        Prev,     // the line's prev no longer matches
        Content,  // still a valid entry: only the chain (or the recorded last hash) shows it
    };
    const auto after = [](const std::string& line, const char* marker) {
        const auto at = line.find(marker);
        REQUIRE(at != std::string::npos);
        return at + std::char_traits<char>::length(marker);
    };
    struct Case {
        const char* what;
        Kind kind;
        const char* marker;  // the changed character is the one just after it ("" = the first)
        int offset;          // ... or that many characters further on
    };
    const Case cases[] = {
        {"opening brace", Kind::Self, "", 0},
        {"a member name", Kind::Self, "\"format\"", -6},
        {"the format", Kind::Self, "\"format\":\"", 2},
        {"the version", Kind::Self, "\"version\":", 0},
        {"the seq", Kind::Self, "\"seq\":", 0},
        {"the time's month (13)", Kind::Self, "\"time\":\"", 5},
        {"a prev digit", Kind::Prev, "\"prev\":\"", 10},
        {"the event", Kind::Content, "\"event\":\"", 1},
        {"a details value", Kind::Content, "\"card\":\"serial-", 0},
        {"a nested details value", Kind::Content, "\"name\":\"", 0},
        {"the time's seconds", Kind::Content, "\"time\":\"", 18},
        {"the closing brace", Kind::Self, "\"version\":1", 0},
    };
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const auto number = static_cast<std::int64_t>(k + 1);
        for (const auto& c : cases) {
            CAPTURE(number);
            CAPTURE(c.what);
            auto changed = lines;
            std::string& line = changed[k];
            const std::size_t at = after(line, c.marker) + static_cast<std::size_t>(c.offset);
            REQUIRE(at < line.size());
            char& ch = line[at];
            if (c.kind == Kind::Prev)
                ch = ch == '0' ? '7' : '0';
            else if (std::string(c.what) == "the time's month (13)")
                ch = '1', line[at + 1] = '3';
            else if (ch >= '0' && ch <= '9')
                ch = ch == '9' ? '0' : static_cast<char>(ch + 1);
            else if (ch == '{' || ch == '}')
                ch = ch == '{' ? '[' : ']';
            else
                ch = ch == 'x' ? 'y' : 'x';
            REQUIRE(changed[k] != lines[k]);
            const std::string text = joinLines(changed);
            writeText(path, text);

            // With the last hash recorded outside the file, the changed line itself is named.
            CHECK(badLine([&] { verifyAuditLog(path, hashes.back()); }) == number);

            // From the file alone: the same, except that a still-valid entry is only caught by the
            // line after it, which cannot vouch for itself when it is the last line.
            std::int64_t expected = number;
            if (c.kind == Kind::Content && k + 2 == lines.size()) expected = number + 1;
            if (c.kind == Kind::Content && k + 1 == lines.size()) expected = -1;
            CHECK(badLine([&] { verifyAuditLog(path); }) == expected);
            if (expected == -1) CHECK(verifyAuditLog(path).lastHash != hashes.back());

            // A writer refuses it just the same, and leaves every byte as it was.
            CHECK(badLine([&] { AuditLog::open(path); }) == expected);
            CHECK(test::readFile(path) == text);
        }
    }
    writeText(path, original);
    CHECK(verifyAuditLog(path, hashes.back()).entries == kEntries);
}

TEST_CASE("audit: removed, reordered, forged, reformatted and truncated lines are found") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    const auto hashes = makeLog(path, 5);
    const auto lines = linesOf(test::readFile(path));
    const auto check = [&](const std::vector<std::string>& changed, std::int64_t line,
                           const std::string& anchor = "") {
        writeText(path, joinLines(changed));
        return badLine([&] { verifyAuditLog(path, anchor); }) == line;
    };

    auto changed = lines;
    changed.erase(changed.begin() + 2);  // line 3 deleted
    CHECK(check(changed, 3));
    CHECK(test::contains(test::thrownMessage<AuditLogError>([&] { verifyAuditLog(path); }),
                         "line 3: \"seq\" is 4 where entry 3 belongs"));

    changed = lines;
    std::swap(changed[1], changed[3]);
    CHECK(check(changed, 2));
    changed = lines;
    std::swap(changed[2], changed[3]);
    CHECK(check(changed, 3));

    changed = lines;
    changed.pop_back();  // the last entry removed: only the recorded last hash shows it
    CHECK(check(changed, -1));
    CHECK(check(changed, 4, hashes.back()));

    const auto forged = [&](const std::string& prev) {
        return "{\"details\":{},\"event\":\"forged\",\"format\":\"quorum-audit\",\"prev\":\"" +
               prev + "\",\"seq\":6,\"time\":\"2026-11-23T21:30:00Z\",\"version\":1}";
    };
    changed = lines;
    changed.push_back(forged(kZeros));  // a wrong prev
    CHECK(check(changed, 6));
    CHECK(check(changed, 6, hashes.back()));
    changed = lines;
    changed.push_back(forged(hashes.back()));  // chained properly: only the recorded hash shows it
    CHECK(check(changed, -1));
    CHECK(check(changed, 6, hashes.back()));
    CHECK(test::contains(
        test::thrownMessage<AuditLogError>([&] { verifyAuditLog(path, hashes.back()); }),
        "line 6: its SHA-256 " + sha256Hex(changed.back()) + " is not the expected last hash"));

    // A truncated last line: the final newline missing, or half the line.
    std::string text = joinLines(lines);
    writeText(path, text.substr(0, text.size() - 1));
    CHECK(badLine([&] { verifyAuditLog(path); }) == 5);
    CHECK(test::contains(test::thrownMessage<AuditLogError>([&] { verifyAuditLog(path); }),
                         "truncated"));
    writeText(path, text.substr(0, text.size() - lines.back().size() / 2));
    CHECK(badLine([&] { verifyAuditLog(path); }) == 5);

    changed = lines;
    changed.insert(changed.begin() + 1, "");  // an empty line
    CHECK(check(changed, 2));
    changed = lines;
    changed[1].replace(changed[1].find("\"event\":"), 8,
                       "\"event\": ");  // valid JSON, not canonical
    CHECK(check(changed, 2));
    changed = lines;
    changed[2] += "\r";  // CRLF
    CHECK(check(changed, 3));
    changed = lines;
    changed[3].replace(changed[3].find("-4\""), 2, "\\u002d4");  // the same text, escaped
    CHECK(check(changed, 4));
    changed = lines;
    const auto time = changed[0].find("\"time\":\"") + 8;
    changed[0].replace(time, 10, "2026-02-30");  // no such day
    CHECK(check(changed, 1));
    changed = lines;
    changed[0].replace(changed[0].find("\"format\":\"quorum-audit\""), 23,
                       "\"format\":\"quorum-audi\"");
    CHECK(check(changed, 1));

    writeText(path, "");  // an empty log is a valid one
    CHECK(verifyAuditLog(path).entries == 0);
    CHECK(verifyAuditLog(path).lastHash == kZeros);
    CHECK(badLine([&] { verifyAuditLog(path, hashes.back()); }) == 0);
    CHECK_THROWS_AS(verifyAuditLog(path, "not a hash"), std::invalid_argument);
    CHECK_THROWS_AS(verifyAuditLog(folder.file("missing.log")), AuditLogError);
}

TEST_CASE("audit: open refuses a broken log and leaves it byte-identical; a new log is 0600") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    const mode_t savedMask = ::umask(0);  // the mode must come from the program, not the umask
    makeLog(path, 3);
    ::umask(savedMask);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    const auto lines = linesOf(test::readFile(path));
    auto changed = lines;
    changed[0][changed[0].find("event-1") + 6] = '9';
    const std::string broken = joinLines(changed);
    writeText(path, broken);
    REQUIRE(::stat(path.c_str(), &st) == 0);
    const auto modified = st.st_mtim;
    const std::string message = test::thrownMessage<AuditLogError>([&] { AuditLog::open(path); });
    CHECK(test::contains(message, path + ": line 1: altered after it was written"));
    CHECK(test::readFile(path) == broken);
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(st.st_mtim.tv_sec == modified.tv_sec);
    CHECK(st.st_mtim.tv_nsec == modified.tv_nsec);

    const std::string truncated = joinLines(lines) + "{\"details\":{},\"ev";  // a write cut short
    writeText(path, truncated);
    CHECK(badLine([&] { AuditLog::open(path); }) == 4);
    CHECK(test::readFile(path) == truncated);

    CHECK_THROWS_AS(AuditLog::open(folder.file("no-such-folder/audit.log")), AuditLogError);
}

TEST_CASE("audit: one writer at a time, and none behind its back") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    auto log = AuditLog::open(path);
    log.append("first", Json::Value());
    CHECK(test::contains(test::thrownMessage<AuditLogError>([&] { AuditLog::open(path); }),
                         "open for writing elsewhere"));
    AuditLog moved = std::move(log);
    moved.append("second", Json::Value());
    CHECK_THROWS_AS(log.append("third", Json::Value()),
                    AuditLogError);  // NOLINT: moved from on purpose

    {
        std::ofstream(path, std::ios::binary | std::ios::app) << "{}\n";  // someone else writes
    }
    CHECK(test::contains(
        test::thrownMessage<AuditLogError>([&] { moved.append("third", Json::Value()); }),
        "changed behind its writer's back"));
    CHECK_THROWS_AS(moved.append("fourth", Json::Value()), AuditLogError);  // and stays stopped
    CHECK(linesOf(test::readFile(path)).size() == 3);
}

TEST_CASE(
    "audit: details with a secret's member name are refused at any depth, and nothing written") {
    test::TempFolder folder;
    const auto path = folder.file("audit.log");
    auto log = AuditLog::open(path);
    log.append("start", Json::Value());
    const std::string before = test::readFile(path);

    for (const char* name :
         {"pin", "puk", "passphrase", "secret", "share", "activation_key", "PIN", "Share"}) {
        CAPTURE(name);
        Json::Value flat(Json::objectValue);
        flat[name] = "123456";
        CHECK_THROWS_AS(log.append("card-personalized", flat), std::invalid_argument);
        Json::Value nested(Json::objectValue);
        nested["card"]["holder"][name] = "x";
        CHECK_THROWS_AS(log.append("card-personalized", nested), std::invalid_argument);
        Json::Value inArray(Json::objectValue);
        inArray["cards"][0]["serial"] = "1";
        inArray["cards"][1][name] = "x";
        CHECK_THROWS_AS(log.append("card-personalized", inArray), std::invalid_argument);
    }
    CHECK(test::contains(test::thrownMessage<std::invalid_argument>([&] {
                             Json::Value d(Json::objectValue);
                             d["cards"][0]["share"] = "x";
                             log.append("e", d);
                         }),
                         "details.cards[0] has a member \"share\""));
    CHECK_THROWS_AS(log.append("e", Json::Value("a string")), std::invalid_argument);
    CHECK_THROWS_AS(log.append("", Json::Value()), std::invalid_argument);
    CHECK(test::readFile(path) == before);
    CHECK(log.entries() == 1);

    // Names that only resemble the deny-list are public data.
    Json::Value allowed(Json::objectValue);
    allowed["pin_retries"] = 3;
    allowed["share_index"] = 2;
    allowed["key_fingerprint"] = std::string(64, 'B');
    allowed["shares"] = "3 of 7";
    allowed["note"] = "pin";  // a value, not a name
    log.append("card-personalized", allowed);
    CHECK(verifyAuditLog(path).entries == 2);
}

TEST_CASE("audit: PGP words - the published fingerprint examples, one word per byte") {
    CHECK(
        host::pgpWords(fromHex("E58294F2E9A227486E8B061B31CC528FD7FA3F19")) ==
        "topmost Istanbul Pluto vagabond treadmill Pacific brackish dictator goldfish Medusa "
        "afflict bravado chatter revolver Dupont midsummer stopwatch whimsical cowbell bottomless");
    CHECK(host::pgpWords(fromHex("D1D464C004F00FB5C9A4C8D8E433E7FB7FF56256")) ==
          "stairway souvenir flytrap recipe adrift upcoming artist positive spearhead Pandora "
          "spaniel stupendous tonic concurrent transit Wichita lockup visitor flagpole escapade");
    CHECK(host::pgpWords(fromHex("0000")) == "aardvark adroitness");
    CHECK(host::pgpWords(fromHex("0101")) == "absurd adviser");
    CHECK(host::pgpWords(fromHex("FFFF")) == "Zulu Yucatan");
    CHECK(host::pgpWords(fromHex("FEFE")) == "woodlark yesteryear");
    CHECK(host::pgpWords(Bytes{}) == "");

    // A SHA-256 (an audit log's last hash) is 32 words, one per byte, single spaces.
    const std::string words = host::pgpWords(crypto::sha256(Bytes{1, 2, 3}));
    std::size_t spaces = 0;
    for (char c : words) spaces += c == ' ' ? 1 : 0;
    CHECK(spaces == 31);
    CHECK(words.find("  ") == std::string::npos);

    // Two lists of 256 distinct words each, no word in both.
    std::set<std::string> even, odd;
    for (int v = 0; v < 256; ++v) {
        even.insert(host::pgpWord(static_cast<std::uint8_t>(v), 0));
        odd.insert(host::pgpWord(static_cast<std::uint8_t>(v), 1));
    }
    CHECK(even.size() == 256);
    CHECK(odd.size() == 256);
    for (const auto& w : even) CHECK(odd.count(w) == 0);
}

TEST_CASE("audit: a fingerprint written down is read back as hex or PGP words, never with a wrong word") {
    const Bytes hash = crypto::sha256(Bytes{1, 2, 3});
    const std::string words = host::pgpWords(hash);
    CHECK(host::parseFingerprint(toHex(hash), 32) == hash);
    CHECK(host::parseFingerprint(toHex(hash, ":"), 32) == hash);  // colons and spaces ignored
    std::string lowerHex = toHex(hash, " ");
    for (char& c : lowerHex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(host::parseFingerprint(lowerHex, 32) == hash);
    CHECK(host::parseFingerprint(words, 32) == hash);
    // Case and spacing as a tired hand writes them.
    std::string sloppy;
    for (char c : words) sloppy += c == ' ' ? std::string("  \n\t") : std::string(1, static_cast<char>(std::toupper(c)));
    CHECK(host::parseFingerprint(sloppy, 32) == hash);

    auto refusal = [](const std::string& text) {
        return test::thrownMessage<std::invalid_argument>([&] { host::parseFingerprint(text, 32); });
    };
    // Too few (the 8-word prefix older versions showed), a word dropped, one repeated, one misspelt.
    const std::size_t eighth = [&] {
        std::size_t at = 0;
        for (int i = 0; i < 8; ++i) at = words.find(' ', at) + 1;
        return at - 1;
    }();
    CHECK(test::contains(refusal(words.substr(0, eighth)), "32 PGP words (or 64 hex digits), not 8 words"));
    const std::size_t second = words.find(' ') + 1;
    const std::string dropped = words.substr(0, second) + words.substr(words.find(' ', second) + 1);
    CHECK(test::contains(refusal(dropped + " " + host::pgpWord(0, 31)),
                         "a two-syllable word where a three-syllable word belongs"));
    const std::string first = words.substr(0, second - 1);
    std::string lowerFirst = first;
    for (char& c : lowerFirst) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The first word said twice: the 31 words after it all shift by one.
    CHECK(test::contains(refusal(first + " " + words.substr(0, words.rfind(' '))),
                         "word 2, \"" + lowerFirst + "\", is a two-syllable word where a three-syllable word belongs"));
    std::string misspelt = words;
    misspelt.replace(0, first.size(), first + "x");
    CHECK(test::contains(refusal(misspelt), "word 1, \"" ));
    CHECK(test::contains(refusal(misspelt), "is not a PGP word"));
    CHECK(test::contains(refusal(toHex(hash).substr(2)), "64 hex digits (32 PGP words), not 62"));
}
