// Hostile input files (issue 15, failure 10): every document the programs read is bounded in size
// and nesting and parsed strictly - a device, a folder, a huge file, JSON nested 50,000 deep or
// followed by other data is refused with a message that names the file, never read until memory
// runs out or the stack does.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "firmware-model/image_file.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/keygen_journal.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/partial_file.hpp"
#include "host/documents/reshare_journal.hpp"
#include "platform/durable_file.hpp"
#include "platform/strict_json.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;

namespace {

void writeText(const std::string& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// The message of whatever `read` throws (every reader has its own error type).
std::string refusal(const std::function<void()>& read) {
    try {
        read();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

struct Reader {
    const char* name;
    std::function<void(const std::string& path)> read;
};

const std::vector<Reader>& readers() {
    static const std::vector<Reader> all{
        {"manifest", [](const std::string& p) { host::Manifest::load(p); }},
        {"partial signature", [](const std::string& p) { host::PartialFile::load(p); }},
        {"partial signatures", [](const std::string& p) { host::PartialBatchFile::load(p); }},
        {"keygen journal", [](const std::string& p) { host::KeygenJournal::load(p); }},
        {"reshare journal", [](const std::string& p) { host::ReshareJournal::load(p); }},
        {"audit log", [](const std::string& p) { host::verifyAuditLog(p); }},
        {"card image", [](const std::string& p) { card::ImageFileNvm::open(p); }},
    };
    return all;
}

}  // namespace

TEST_CASE("input bounds: a device, a folder or a huge file is refused by name, without reading it") {
    test::TempFolder folder;
    const std::string huge = folder.file("huge.json");
    writeText(huge, "{\"a\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"}");
    for (const Reader& reader : readers()) {
        CAPTURE(reader.name);
        const std::string zero = refusal([&] { reader.read("/dev/zero"); });
        CHECK(test::contains(zero, "/dev/zero"));
        CHECK(test::contains(zero, "not a regular file"));
        const std::string dir = refusal([&] { reader.read(folder.path()); });
        CHECK(test::contains(dir, folder.path()));
        CHECK(test::contains(dir, "not a regular file"));
        if (std::string(reader.name) != "audit log") {  // a log may grow far larger than a document
            const std::string large = refusal([&] { reader.read(huge); });
            CHECK(test::contains(large, huge));
            CHECK(test::contains(large, "more than"));
        }
    }
}

TEST_CASE("input bounds: JSON nested 50,000 deep or followed by other data is refused, naming the file") {
    test::TempFolder folder;
    const std::string deep = folder.file("deep.json");
    writeText(deep, "{\"a\":" + std::string(50000, '[') + std::string(50000, ']') + "}");
    const std::string trailing = folder.file("trailing.json");
    writeText(trailing, "{\"format\":\"x\"} {\"more\":1}");
    for (const Reader& reader : readers()) {
        CAPTURE(reader.name);
        if (std::string(reader.name) == "audit log") continue;  // a line of its own, below
        const std::string message = refusal([&] { reader.read(deep); });
        CHECK(test::contains(message, deep));
        CAPTURE(message);
        CHECK(test::contains(message, "nested deeper than 64 levels"));
        const std::string extra = refusal([&] { reader.read(trailing); });
        CHECK(test::contains(extra, trailing));
        CHECK(test::contains(extra, "not valid JSON"));
    }
    // An audit log line is bounded on its own (64 KiB), and parsed as strictly.
    const std::string log = folder.file("audit.log");
    writeText(log, "{\"details\":" + std::string(100, '[') + std::string(100, ']') + "}\n");
    CHECK(test::contains(refusal([&] { host::verifyAuditLog(log); }), log + ": line 1: not JSON: not valid JSON: nested deeper than 64"));
    writeText(log, "{\"details\":{}} {}\n");
    CHECK(test::contains(refusal([&] { host::verifyAuditLog(log); }), log + ": line 1: not JSON"));
    writeText(log, "{\"details\":\"" + std::string(70000, 'a') + "\"}\n");
    CHECK(test::contains(refusal([&] { host::verifyAuditLog(log); }), log + ": line 1: longer than the 65536 bytes"));

    CHECK_THROWS_WITH_AS(platform::parseStrictJson("{\"a\":1}\nx"), doctest::Contains("not valid JSON"),
                         platform::JsonError);
    CHECK_THROWS_WITH_AS(platform::parseStrictJson("{\"a\":1,\"a\":2}"), doctest::Contains("not valid JSON"),
                         platform::JsonError);
    CHECK_THROWS_WITH_AS(platform::parseStrictJson("[1]"), doctest::Contains("not a JSON object"),
                         platform::JsonError);
    CHECK(platform::parseStrictJson("{\"a\":[[[1]]]}\n")["a"][0][0][0].asInt() == 1);
}

TEST_CASE("input bounds: the generic reader refuses devices and files over its bound") {
    test::TempFolder folder;
    const std::string small = folder.file("pins");
    writeText(small, "123456\n");
    CHECK(host::readWholeFile(small, "PIN file", 16) == "123456\n");
    CHECK_THROWS_WITH_AS(host::readWholeFile(small, "PIN file", 4),
                         doctest::Contains(("cannot read the PIN file " + small + ": it has more than 4 bytes").c_str()),
                         host::FileError);
    CHECK_THROWS_WITH_AS(host::readWholeFile("/dev/zero", "ceremony script"),
                         doctest::Contains("cannot read the ceremony script /dev/zero: it is not a regular file"),
                         host::FileError);
    CHECK_THROWS_WITH_AS(host::readWholeFile(folder.file("none"), "holders file"),
                         doctest::Contains("No such file"), host::FileError);
}

TEST_CASE("atomic writes: a new file never replaces one, a replacement leaves no temporary, modes are kept") {
    test::TempFolder folder;
    const std::string path = folder.file("out.json");
    platform::writeFileAtomically(path, "one\n", 0600, "test file", platform::Existing::Refuse);
    CHECK(test::readFile(path) == "one\n");
    const std::string exists = refusal(
        [&] { platform::writeFileAtomically(path, "two\n", 0600, "test file", platform::Existing::Refuse); });
    CHECK(test::contains(exists, "cannot create the test file " + path + ": it exists already"));
    CHECK(test::readFile(path) == "one\n");
    writeText(path + ".tmp", "left by a kill");
    platform::writeFileAtomically(path, "two\n", 0640, "test file", platform::Existing::Replace);
    CHECK(test::readFile(path) == "two\n");
    CHECK(!std::filesystem::exists(path + ".tmp"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(std::distance(std::filesystem::directory_iterator(folder.path()), std::filesystem::directory_iterator()) == 1);
    const std::string noFolder = refusal([&] {
        platform::writeFileAtomically(folder.file("none/out"), "x", 0600, "test file", platform::Existing::Replace);
    });
    CHECK(test::contains(noFolder, folder.file("none/out")));
}

TEST_CASE("card image: an image others may read is refused (chmod 600), and left as it is") {
    test::TempFolder folder;
    const std::string path = folder.file("card.json");
    {
        auto nvm = card::ImageFileNvm::open(path);
        nvm.write("card_id", Bytes(16, 0x11));
    }
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    const std::string text = test::readFile(path);
    CHECK_THROWS_WITH_AS(card::ImageFileNvm::open(path), doctest::Contains("has mode 644"), card::ImageFileError);
    CHECK_THROWS_WITH_AS(card::ImageFileNvm::open(path), doctest::Contains(("chmod 600 " + path).c_str()), card::ImageFileError);
    CHECK(test::readFile(path) == text);
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    CHECK(card::ImageFileNvm::open(path).read("card_id").has_value());
}
