// The card rack (`card-sim --rack` and `card-sim ctl`) through real pcscd + vpcd: many cards in
// many readers from one process, driven as developers and scripts drive it.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "card-sim/rack.hpp"
#include "card-sim/reader_conf.hpp"
#include "firmware-model/image_file.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/errors.hpp"
#include "host/pcsc/reader_monitor.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

constexpr const char* kSelect = "00A404000BF051554F52554D4341524400";
constexpr const char* kGenerateKey = "0047800000";  // a write to the card's memory on a BLANK card

// `card-sim ctl --rack RACK WORDS` as a script runs it.
CommandResult ctl(const Room& room, const std::string& words) {
    return runCommand(builtProgram("card-sim") + " ctl --rack " + room.rackFolder() + " --connect-wait 0 " + words);
}

// The card id in the FCI the card in `reader` answers SELECT with (hex), read through pcscd.
std::string selectedId(const std::string& reader) {
    PcscStack stack(reader);
    return toHex(stack.connected.quorum().select().cardId);
}

// The line `ctl list` prints for `card`.
std::string listed(const Room& room, const std::string& card) {
    const auto listing = ctl(room, "list");
    REQUIRE(listing.exitCode == 0);
    std::size_t at = 0;
    while (at < listing.output.size()) {
        const auto end = listing.output.find('\n', at);
        const std::string line = listing.output.substr(at, end - at);
        if (line.rfind(card + " ", 0) == 0) return line;
        if (end == std::string::npos) break;
        at = end + 1;
    }
    FAIL("`ctl list` shows no card " << card << ":\n" << listing.output);
    return {};
}

}  // namespace

TEST_CASE("rack: seven cards in seven readers at once, from one process, each its own card") {
    Room room;
    const std::vector<std::string> cards{"c1", "c2", "c3", "c4", "c5", "c6", "c7"};
    room.insertTogether(cards);

    std::set<std::string> ids;
    for (int slot = 0; slot < 7; ++slot) {
        const std::string id = selectedId(Room::reader(slot));
        CHECK(id.size() == 32);
        ids.insert(id);
        const std::string line = listed(room, cards[static_cast<std::size_t>(slot)]);
        CHECK(line.find(" slot=" + std::to_string(slot) + " state=present lifecycle=BLANK id=" + id) != std::string::npos);
        CHECK(line.find(" reader=" + Room::reader(slot)) != std::string::npos);
    }
    CHECK(ids.size() == 7);

    // pcsc_scan's and OpenSC's view: eight readers, seven with a card.
    const auto opensc = runCommand("opensc-tool --list-readers");
    INFO(opensc.output);
    CHECK(opensc.exitCode == 0);
    for (int slot = 0; slot < kSlots; ++slot) CHECK(opensc.output.find(Room::reader(slot)) != std::string::npos);

    // Out of the rack, a card keeps its image; in again, it is the same card.
    room.pull("c3");
    CHECK(listed(room, "c3").find(" slot=- state=out lifecycle=BLANK id=") != std::string::npos);
    CHECK_THROWS_AS(selectedId(Room::reader(2)), host::NoCardError);
    room.insert("c3", 7);
    CHECK(ids.count(selectedId(Room::reader(7))) == 1);
}

TEST_CASE("rack: card-sim ctl inserts, removes, pulls and lists, and says what is wrong") {
    Room room;
    struct stat socketStat {};
    REQUIRE(::stat(sim::rackSocket(room.rackFolder()).c_str(), &socketStat) == 0);
    CHECK(S_ISSOCK(socketStat.st_mode));
    CHECK((socketStat.st_mode & 0777) == 0600);

    auto made = ctl(room, "insert alpha --slot 3 --wait");
    INFO(made.output);
    CHECK(made.exitCode == 0);
    CHECK(made.output.find("alpha in slot 3 (" + Room::reader(3) + ", vpcd port 35966), a new BLANK card") !=
          std::string::npos);
    waitForCard(Room::reader(3), true);
    const std::string alphaId = selectedId(Room::reader(3));

    // Slips a developer makes, each refused in words, with nothing changed.
    const auto again = ctl(room, "insert alpha");
    CHECK(again.exitCode == 1);
    CHECK(again.output.find("card alpha is already in slot 3") != std::string::npos);
    const auto taken = ctl(room, "insert beta --slot 3");
    CHECK(taken.exitCode == 1);
    CHECK(taken.output.find("slot 3 (" + Room::reader(3) + ", vpcd port 35966) holds card alpha") != std::string::npos);
    const auto badSlot = ctl(room, "insert beta --slot 8");
    CHECK(badSlot.exitCode == 1);
    CHECK(badSlot.output.find("--slot needs a slot number from 0 to 7") != std::string::npos);
    const auto badName = ctl(room, "insert ../alpha");
    CHECK(badName.exitCode == 1);
    CHECK(badName.output.find("is not a card name") != std::string::npos);
    const auto nobody = ctl(room, "remove gamma");
    CHECK(nobody.exitCode == 1);
    CHECK(nobody.output.find("card gamma is in no slot") != std::string::npos);
    CHECK(!std::filesystem::exists(room.image("beta")));
    CHECK(!std::filesystem::exists(room.image("gamma")));
    CHECK(selectedId(Room::reader(3)) == alphaId);

    const auto readers = ctl(room, "readers");
    CHECK(readers.exitCode == 0);
    CHECK(readers.output.find("slot=3 port=35966 card=alpha reader=" + Room::reader(3)) != std::string::npos);
    CHECK(readers.output.find("slot=0 port=35963 card=- reader=Virtual PCD 00 00") != std::string::npos);

    // pull --after 2: two more commands are answered, the third is not, and the card is gone.
    CHECK(ctl(room, "pull alpha --after 2").exitCode == 0);
    {
        host::PcscContext context;
        host::PcscCard card(context, Room::reader(3));
        CHECK(toHex(card.transmit(fromHex(kSelect))).substr(0, 2) == "6F");
        CHECK(toHex(card.transmit(fromHex("00CA00C100"))).size() > 4);
        CHECK_THROWS_AS(card.transmit(fromHex(kSelect)), host::Error);
    }
    waitForCard(Room::reader(3), false);
    CHECK(listed(room, "alpha").find(" slot=- state=out lifecycle=BLANK id=" + alphaId) != std::string::npos);
    CHECK(room.cardLog("alpha").find("pulling the card in the middle of the exchange (after 2 more command APDUs, as asked)") !=
          std::string::npos);

    // A second rack on the same folder is refused; it leaves the first one serving.
    const auto second = runCommand(builtProgram("card-sim") + " --rack " + room.rackFolder() + " --readers 1");
    CHECK(second.exitCode == 1);
    CHECK(second.output.find("another card-sim rack serves " + room.rackFolder()) != std::string::npos);
    CHECK(ctl(room, "list").exitCode == 0);

    // No rack there: said at once, with what to do.
    const auto none = runCommand(builtProgram("card-sim") + " ctl --rack " + room.file("nowhere") +
                                 " --connect-wait 0 list");
    CHECK(none.exitCode == 1);
    CHECK(none.output.find("no card-sim rack answers at " + room.file("nowhere") + "/rack.sock") != std::string::npos);
    CHECK(none.output.find("start one with `card-sim --rack " + room.file("nowhere") + "`") != std::string::npos);
}

TEST_CASE("rack: killed with SIGKILL while four cards write, every image is whole and every card answers") {
    Room room;
    const std::vector<std::string> cards{"w0", "w1", "w2", "w3"};
    room.insertTogether(cards);
    std::atomic<bool> stop{false};
    std::atomic<int> writes{0};
    std::vector<std::thread> writers;
    for (int slot = 0; slot < 4; ++slot)
        writers.emplace_back([&, slot] {
            try {
                PcscStack stack(Room::reader(slot));
                stack.card().transmit(fromHex(kSelect));
                while (!stop) {
                    const Bytes answer = stack.card().transmit(fromHex(kGenerateKey));
                    if (answer.size() < 2 || answer[answer.size() - 2] != 0x90) return;
                    ++writes;
                }
            } catch (const std::exception&) {
                // the rack is gone in the middle of an exchange
            }
        });
    while (writes < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // A power cut of the whole rack; the room starts it again and puts w1..w3 back.
    CHECK(WIFSIGNALED(room.pull("w0", SIGKILL)));
    stop = true;
    for (auto& writer : writers) writer.join();

    room.insert("w0", 0);
    for (int slot = 0; slot < 4; ++slot) {
        const std::string& card = cards[static_cast<std::size_t>(slot)];
        INFO("card " << card);
        CHECK_NOTHROW(card::ImageFileNvm::open(room.image(card)));
        CHECK(selectedId(Room::reader(slot)).size() == 32);
    }
}

TEST_CASE("rack: card-sim --image still serves one card of its own, and --reader-conf configures pcscd") {
    Room room;
    ChildProcess one(cardSimCommand(room.file("single.json"), 5), room.file("single.log"));
    waitForCard(Room::reader(5), true);
    CHECK(selectedId(Room::reader(5)).size() == 32);
    CHECK(one.stop(SIGTERM) == 0);
    waitForCard(Room::reader(5), false);

    // Asking for information changes nothing: the image is read, not rewritten.
    struct stat before {};
    REQUIRE(::stat(room.file("single.json").c_str(), &before) == 0);
    const std::string content = readFile(room.file("single.json"));
    const auto info = runCommand(builtProgram("card-sim") + " --info --image " + room.file("single.json"));
    INFO(info.output);
    CHECK(info.exitCode == 0);
    CHECK(info.output.find("lifecycle: BLANK") != std::string::npos);
    struct stat after {};
    REQUIRE(::stat(room.file("single.json").c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);
    CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    CHECK(readFile(room.file("single.json")) == content);

    const auto unsure = runCommand(builtProgram("card-sim") + " --reader-conf 2");
    CHECK(unsure.exitCode == 2);
    CHECK(unsure.output.find("--reader-conf 2 needs --driver-copies DIR") != std::string::npos);
    const auto conf = runCommand(builtProgram("card-sim") + " --reader-conf 2 --driver-copies " + room.file("drivers"));
    CHECK(conf.exitCode == 0);
    CHECK(conf.output.find("FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:0x8C7B\n") != std::string::npos);
    CHECK(conf.output.find("FRIENDLYNAME \"Virtual PCD 1\"\nDEVICENAME   /dev/null:0x8C7D\nLIBPATH      " +
                           room.file("drivers") + "/libifdvpcd-1.so\n") != std::string::npos);
    CHECK(conf.output.find("0x8C7F") == std::string::npos);
    CHECK(readFile(room.file("drivers") + "/libifdvpcd-1.so") == readFile(sim::kVpcdDriver));
}

TEST_CASE("rack: a signing ceremony takes the cards of several readers in turn, without waiting for removals") {
    Room room;
    const CardSet set = makeCardSet(room, "s", 2, 3);  // keygen with its three cards inserted at once
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "a DNSKEY RRset\n";
    room.insertTogether({set.card(3), set.card(1)});  // slots 0 and 1: taken in that order
    const auto signed_ = room.unattended(
        "sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --in " + message + " --out " +
        room.file("message.sig") + " --pin-file " + room.secrets("pins", {CardSet::pin(3), CardSet::pin(1)}) +
        " --card-timeout 10");
    INFO(signed_.output);
    REQUIRE(signed_.exitCode == 0);
    const auto third = signed_.output.find("card 3 accepted: 1 of 2 shares");
    const auto first = signed_.output.find("card 1 accepted: 2 of 2 shares");
    CHECK(third != std::string::npos);
    CHECK(first != std::string::npos);
    CHECK(third < first);
    REQUIRE(room.ceremony("public-key --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " > " +
                          room.file("pub.pem"))
                .exitCode == 0);
    const auto verified = runCommand("openssl dgst -sha256 -verify " + room.file("pub.pem") + " -signature " +
                                     room.file("message.sig") + " " + message);
    INFO(verified.output);
    CHECK(verified.output.find("Verified OK") != std::string::npos);
}
