// The card rack's requests, in process (no vpcd: run() is never called, so no slot connects).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "card-sim/rack.hpp"
#include "card-sim/reader_conf.hpp"
#include "tests/support/processes.hpp"

using namespace quorum;

namespace {

sim::RackOptions rackIn(const test::TempFolder& folder, int slots = 4) {
    sim::RackOptions options;
    options.folder = folder.file("rack");
    options.slots = slots;
    options.firstSlot.port = 1;  // never connected to: requests alone
    options.quiet = true;
    return options;
}

std::string last(const std::vector<std::string>& lines) { return lines.empty() ? "" : lines.back(); }

std::string joined(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
}

}  // namespace

TEST_CASE("rack: insert fills the first free slots in the order named; remove empties them") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    const auto three = rack.request({"insert", "a", "b", "c"});
    INFO(joined(three));
    CHECK(three.size() == 4);
    CHECK(three[0].rfind("a in slot 0 (Virtual PCD 00 00, vpcd port 1), a new BLANK card", 0) == 0);
    CHECK(three[1].rfind("b in slot 1 (Virtual PCD 00 01, vpcd port 2)", 0) == 0);
    CHECK(three[2].rfind("c in slot 2 (Virtual PCD 1 00 00, vpcd port 3)", 0) == 0);
    CHECK(last(three) == "ok 3 cards inserted");
    CHECK(std::filesystem::exists(folder.file("rack/a.json")));

    CHECK(last(rack.request({"remove", "b"})) == "ok b removed from slot 1 (Virtual PCD 00 01, vpcd port 2)");
    CHECK(last(rack.request({"insert", "d"})).rfind("ok d in slot 1 ", 0) == 0);  // the first free slot

    const auto listing = rack.request({"list"});
    INFO(joined(listing));
    CHECK(listing.size() == 5);
    CHECK(listing[0].rfind("a slot=0 state=waiting-for-vpcd lifecycle=BLANK id=", 0) == 0);
    CHECK(listing[1].rfind("b slot=- state=out lifecycle=BLANK id=", 0) == 0);
    CHECK(listing[3].rfind("d slot=1 state=waiting-for-vpcd", 0) == 0);
    CHECK(last(listing) == "ok 3 of 4 cards in 4 slots");
}

TEST_CASE("rack: a request inserts all its cards or none, and names what stops it") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    REQUIRE(last(rack.request({"insert", "a", "--slot", "2"})).rfind("ok a in slot 2 ", 0) == 0);

    CHECK(last(rack.request({"insert", "x", "y", "--slot", "1"})) ==
          "error slot 2 (Virtual PCD 1 00 00, vpcd port 3) holds card a; remove it first or choose another slot");
    CHECK(last(rack.request({"insert", "x", "y", "--slot", "3"})) ==
          "error --slot 3 with 2 cards needs slots up to 4; the rack has slots 0 to 3");
    CHECK(last(rack.request({"insert", "x", "a"})) ==
          "error card a is already in slot 2 (Virtual PCD 1 00 00, vpcd port 3); remove it first");
    CHECK(last(rack.request({"insert", "x", "x"})) == "error card x is named twice");
    CHECK(last(rack.request({"insert", "w", "x", "y", "z"})) ==
          "error no free slot for card z: all 4 slots hold a card; remove one first (`list` shows them)");
    CHECK_FALSE(std::filesystem::exists(folder.file("rack/x.json")));
    CHECK_FALSE(std::filesystem::exists(folder.file("rack/w.json")));

    // An image another simulator holds: the whole request fails, naming the image.
    sim::ImageCard elsewhere(folder.file("rack/held.json"), card::kDefaultNvmCapacity);
    const auto held = last(rack.request({"insert", "x", "held"}));
    CHECK(held.rfind("error cannot insert card held: card image " + folder.file("rack/held.json") +
                         " is in use by another card-sim",
                     0) == 0);
    CHECK(held.find("(no card of this request was inserted)") != std::string::npos);
    CHECK(last(rack.request({"remove", "x"})) == "error card x is in no slot (`list` shows the cards)");

    CHECK(last(rack.request({"remove", "a", "nobody"})) ==
          "error card nobody is in no slot (`list` shows the cards); no card was removed");
    CHECK_FALSE(std::filesystem::exists(folder.file("rack/x.json")));  // made for the request, gone with it
    CHECK(last(rack.request({"list"})) == "ok 1 of 2 cards in 4 slots");  // a in its slot, held out
}

TEST_CASE("rack: malformed requests are refused in words") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    CHECK(last(rack.request({})).rfind("error empty request; the requests are insert, remove, pull", 0) == 0);
    CHECK(last(rack.request({"eject", "a"})).rfind("error unknown request \"eject\"", 0) == 0);
    CHECK(last(rack.request({"insert"})).rfind("error insert needs a card name", 0) == 0);
    CHECK(last(rack.request({"insert", "../a"})).find("is not a card name") != std::string::npos);
    CHECK(last(rack.request({"insert", ".hidden"})).find("is not a card name") != std::string::npos);
    CHECK(last(rack.request({"insert", "a", "--slot", "4"})) == "error --slot needs a slot number from 0 to 3");
    CHECK(last(rack.request({"insert", "a", "--slot"})) == "error --slot needs a slot number from 0 to 3");
    CHECK(last(rack.request({"insert", "a", "--pull-after", "0"})) ==
          "error --pull-after needs a number of command APDUs, at least 1");
    CHECK(last(rack.request({"insert", "a", "--foreign", "6A8"})).rfind("error --foreign needs the status word", 0) == 0);
    CHECK(last(rack.request({"insert", "a", "--fast"})).rfind("error insert: unknown option \"--fast\"", 0) == 0);
    CHECK(last(rack.request({"pull", "a", "--after", "3"})) == "error card a is in no slot (`list` shows the cards)");
    CHECK(last(rack.request({"pull", "a", "3"})) == "error pull needs a card and a count: pull CARD --after N");
    CHECK(last(rack.request({"list", "all"})) == "error list takes no arguments");
    CHECK_FALSE(std::filesystem::exists(folder.file("rack/a.json")));
}

TEST_CASE("rack: a foreign card has no image; list reads an out card's image without writing it") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    CHECK(last(rack.request({"insert", "other", "--foreign", "6a82"})) ==
          "ok other in slot 0 (Virtual PCD 00 00, vpcd port 1), a card of another application answering 6A82");
    CHECK_FALSE(std::filesystem::exists(folder.file("rack/other.json")));
    REQUIRE(last(rack.request({"insert", "a"})).rfind("ok ", 0) == 0);
    REQUIRE(last(rack.request({"remove", "a"})).rfind("ok ", 0) == 0);

    struct stat before {};
    REQUIRE(::stat(folder.file("rack/a.json").c_str(), &before) == 0);
    const auto listing = rack.request({"list"});
    CHECK(listing[0].rfind("a slot=- state=out lifecycle=BLANK id=", 0) == 0);
    CHECK(listing[1].rfind("other slot=0 state=waiting-for-vpcd lifecycle=foreign id=-", 0) == 0);
    struct stat after {};
    REQUIRE(::stat(folder.file("rack/a.json").c_str(), &after) == 0);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(after.st_ino == before.st_ino);  // not replaced either
}

TEST_CASE("rack: one rack per folder; the control socket is the owner's alone") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    struct stat socketStat {};
    REQUIRE(::stat(sim::rackSocket(folder.file("rack")).c_str(), &socketStat) == 0);
    CHECK((socketStat.st_mode & 0777) == 0600);
    struct stat folderStat {};
    REQUIRE(::stat(folder.file("rack").c_str(), &folderStat) == 0);
    CHECK((folderStat.st_mode & 0777) == 0700);
    try {
        sim::CardRack second(rackIn(folder));
        FAIL("a second rack on the same folder was made");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).rfind("another card-sim rack serves " + folder.file("rack"), 0) == 0);
    }
}

TEST_CASE("rack: reader names and pcscd's configuration agree") {
    CHECK(sim::readerName(0) == "Virtual PCD 00 00");
    CHECK(sim::readerName(1) == "Virtual PCD 00 01");
    CHECK(sim::readerName(2) == "Virtual PCD 1 00 00");
    CHECK(sim::readerName(7) == "Virtual PCD 3 00 01");
    const std::string conf = sim::readerConf(2, 35963, "/run/drivers");
    CHECK(conf == "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:0x8C7B\n"
                  "LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so\nCHANNELID    0x8C7B\n\n"
                  "FRIENDLYNAME \"Virtual PCD 1\"\nDEVICENAME   /dev/null:0x8C7D\n"
                  "LIBPATH      /run/drivers/libifdvpcd-1.so\nCHANNELID    0x8C7D\n\n");
}

TEST_CASE("rack: an answer line stays one line, whatever the message it carries") {
    test::TempFolder folder;
    sim::CardRack rack(rackIn(folder));
    REQUIRE(last(rack.request({"insert", "a"})).rfind("ok ", 0) == 0);
    REQUIRE(last(rack.request({"remove", "a"})).rfind("ok ", 0) == 0);
    const std::string image = folder.file("rack/a.json");
    const std::string whole = test::readFile(image);
    {
        std::ofstream(image, std::ios::trunc) << whole.substr(0, whole.size() / 2);
    }
    // The answer goes through the socket as a client sees it.
    std::thread serve([&] {
        int never[2];
        REQUIRE(::pipe(never) == 0);
        std::thread stop([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            sim::askRack(folder.file("rack"), {"stop"}, std::chrono::seconds(2));
        });
        rack.run(never[0]);
        stop.join();
        ::close(never[0]);
        ::close(never[1]);
    });
    const auto answer = sim::askRack(folder.file("rack"), {"insert", "a"}, std::chrono::seconds(2));
    serve.join();
    REQUIRE(answer.size() == 1);
    CHECK(answer[0].rfind("error cannot insert card a: card image " + image, 0) == 0);
    CHECK(sim::answerLine("not valid JSON: * Line 7, Column 1\n  Missing '}'\n") ==
          "not valid JSON: * Line 7, Column 1 / Missing '}'");
    CHECK(sim::answerLine("a\r\nb") == "a / b");
}
