// The card image file: round trip, crash-safe replacement, and refusal of damaged files.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "firmware-model/image_file.hpp"
#include "firmware-model/nvm.hpp"
#include "tests/support/processes.hpp"

using namespace quorum;
using card::ImageFileError;
using card::ImageFileNvm;

namespace {
void writeText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}
}  // namespace

TEST_CASE("an image that does not exist starts empty and is created on the first write") {
    test::TempFolder folder;
    const auto path = folder.file("card.json");
    auto nvm = ImageFileNvm::open(path);
    CHECK_FALSE(nvm.existedOnDisk());
    CHECK_FALSE(std::filesystem::exists(path));
    nvm.write("a", fromHex("0102"));
    CHECK(std::filesystem::exists(path));
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);  // a card image is nobody else's business

    auto again = ImageFileNvm::open(path);
    CHECK(again.existedOnDisk());
    CHECK(toHex(again.read("a").value()) == "0102");
}

TEST_CASE("a transaction reaches the file as one replacement, an abort not at all") {
    test::TempFolder folder;
    const auto path = folder.file("card.json");
    auto nvm = ImageFileNvm::open(path);
    nvm.write("a", {1});
    nvm.begin();
    nvm.write("a", {2});
    nvm.write("b", {3});
    CHECK(toHex(nvm.read("a").value()) == "02");  // the transaction sees its own writes
    CHECK(toHex(ImageFileNvm::open(path).read("a").value()) == "01");  // the file does not yet
    CHECK_THROWS_AS(nvm.begin(), std::logic_error);  // no nesting
    nvm.commit();
    auto reloaded = ImageFileNvm::open(path);
    CHECK(toHex(reloaded.read("a").value()) == "02");
    CHECK(toHex(reloaded.read("b").value()) == "03");

    nvm.begin();
    nvm.write("a", {9});
    nvm.abort();
    CHECK(toHex(nvm.read("a").value()) == "02");
    CHECK(toHex(ImageFileNvm::open(path).read("a").value()) == "02");
}

TEST_CASE("damaged images are refused with a message naming the problem, and left untouched") {
    test::TempFolder folder;
    const auto path = folder.file("card.json");
    {
        auto nvm = ImageFileNvm::open(path);
        nvm.write("card_id", fromHex("00112233445566778899AABBCCDDEEFF"));
    }
    const std::string good = test::readFile(path);

    struct Case {
        const char* name;
        std::string text;
        const char* expected;
    };
    std::string flipped = good;
    flipped[flipped.find("00112233")] = '1';  // one hex digit of the card id changed
    std::string otherVersion = good;
    otherVersion.replace(otherVersion.find("\"version\" : 1"), 13, "\"version\" : 7");
    const Case cases[] = {
        {"truncated", good.substr(0, good.size() / 2), "not valid JSON"},
        {"empty", "", "not valid JSON"},
        {"not ours", "{\"format\": \"something-else\"}", "not a quorum card image"},
        {"other version", otherVersion, "format version"},
        {"value flipped", flipped, "integrity check"},
        {"field not hex", "{\"format\":\"quorum-card-image\",\"version\":1,\"fields\":{\"x\":\"zz\"}}",
         "field \"x\""},
        {"no fields", "{\"format\":\"quorum-card-image\",\"version\":1}", "no \"fields\""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        writeText(path, c.text);
        CHECK_THROWS_WITH_AS(ImageFileNvm::open(path), doctest::Contains(c.expected), ImageFileError);
        CHECK_THROWS_WITH_AS(ImageFileNvm::open(path), doctest::Contains(path.c_str()), ImageFileError);
        CHECK(test::readFile(path) == c.text);
    }
}

TEST_CASE("an image that cannot be written leaves the card's memory as it was") {
    test::TempFolder folder;
    const auto sub = folder.file("sub");
    std::filesystem::create_directories(sub);
    auto nvm = ImageFileNvm::open(sub + "/card.json");
    nvm.write("a", {1});
    std::filesystem::remove_all(sub);  // the folder vanished under the card
    CHECK_THROWS_AS(nvm.write("a", {2}), ImageFileError);
    CHECK(toHex(nvm.read("a").value()) == "01");
}
