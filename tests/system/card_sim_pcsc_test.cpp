// card-sim through the real stack: pcscd + vpcd + card-sim processes, host PC/SC code and
// PC/SC programs nobody here wrote.
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cctype>
#include <csignal>
#include <thread>

#include "apdu/command.hpp"
#include "apdu/response_chaining.hpp"
#include "apdu/status.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/image_file.hpp"
#include "protocol/fci.hpp"
#include "protocol/identifiers.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/channel.hpp"
#include "host/pcsc/errors.hpp"
#include "host/pcsc/reader_monitor.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;
using host::ReaderEvent;
using std::chrono::milliseconds;

namespace {

// Events from `monitor` until one of `kind` for `reader` arrives (others are collected too).
ReaderEvent waitForEvent(host::PcscReaderMonitor& monitor, ReaderEvent::Kind kind,
                         const std::string& reader, milliseconds timeout = milliseconds(10000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        for (const auto& e : monitor.wait(left))
            if (e.kind == kind && e.reader == reader) return e;
    }
    FAIL("no \"" << host::eventName(kind) << "\" event for " << reader << " in time");
    return {};
}

protocol::Fci selectThroughPcsc(const std::string& reader = kReader0) {
    PcscStack stack(reader);
    return stack.connected.quorum().select();
}

Bytes cardIdInImage(const std::string& image) {
    auto nvm = card::ImageFileNvm::open(image);
    return nvm.read("card_id").value_or(Bytes{});
}

}  // namespace

TEST_CASE("the host sees the vpcd readers, and card-sim's start and stop as insert and remove") {
    Room room;
    host::PcscContext context;
    host::PcscReaderMonitor monitor(context);

    // The first wait reports the world as it is: two empty vpcd readers.
    const auto initial = monitor.wait(milliseconds(0));
    int readersAdded = 0;
    for (const auto& e : initial) {
        CHECK(e.kind == ReaderEvent::Kind::ReaderAdded);
        ++readersAdded;
    }
    CHECK(readersAdded == kSlots);
    for (const auto& r : monitor.readers()) CHECK_FALSE(r.cardPresent);

    room.insert("card");
    const auto inserted = waitForEvent(monitor, ReaderEvent::Kind::CardInserted, kReader0);
    CHECK(toHex(inserted.atr) == toHex(card::Card::atr()));

    CHECK(room.pull("card", SIGTERM) == 0);  // exit status 0 as reported by waitpid
    waitForEvent(monitor, ReaderEvent::Kind::CardRemoved, kReader0);

    room.insert("card");
    waitForEvent(monitor, ReaderEvent::Kind::CardInserted, kReader0);
    CHECK(room.pull("card", SIGINT) == 0);
    waitForEvent(monitor, ReaderEvent::Kind::CardRemoved, kReader0);
}

TEST_CASE("SELECT through PC/SC returns the FCI, and a short Le is completed by GET RESPONSE") {
    Room room;
    room.insert("card");

    PcscStack stack;
    CHECK(toHex(stack.card().atr()) == toHex(card::Card::atr()));
    apdu::CardChannel& raw = stack.link().raw();  // single frames: no GET RESPONSE

    // SELECT with Le = 256: the whole FCI at once.
    const auto full = raw.transmit(apdu::CommandApdu::select(protocol::kApplicationId, 256));
    REQUIRE(full.sw == apdu::sw::kSuccess);
    const auto info = protocol::Fci::decode(full.data);
    CHECK(info.lifecycleName() == "BLANK");
    CHECK(info.formatVersion == 1);
    CHECK(toHex(info.cardId) == toHex(cardIdInImage(room.image("card"))));
    REQUIRE(full.data.size() > 16);

    // SELECT with Le = 16: the card sends 16 bytes and 61xx with the number left.
    const auto part = raw.transmit(apdu::CommandApdu::select(protocol::kApplicationId, 16));
    CHECK(part.data.size() == 16);
    CHECK(part.sw == (apdu::sw::kBytesAvailable | (full.data.size() - 16)));

    // The same through the host's channel stack (GET RESPONSE): the whole FCI, identical.
    apdu::CardChannel& chained = stack.link();
    const auto whole = chained.transmit(apdu::CommandApdu::select(protocol::kApplicationId, 16));
    CHECK(whole.sw == apdu::sw::kSuccess);
    CHECK(toHex(whole.data) == toHex(full.data));

    // GET DATA for the card id agrees with the FCI.
    const auto id = chained.transmit(apdu::CommandApdu::getData(0x00C1));
    CHECK(id.sw == apdu::sw::kSuccess);
    CHECK(toHex(id.data) == toHex(info.cardId));
}

TEST_CASE("the card's ISO error status words arrive unchanged through PC/SC") {
    Room room;
    room.insert("card");
    host::PcscContext context;
    host::PcscCard card(context, kReader0);
    auto send = [&](const char* hex) {
        return apdu::ResponseApdu::parse(card.transmit(fromHex(hex))).sw;
    };
    CHECK(send("00A404000BF051554F52554D4341524400") == apdu::sw::kSuccess);   // SELECT applet
    CHECK(send("00EE000000") == apdu::sw::kInsNotSupported);                   // unknown INS
    CHECK(send("40A404000BF051554F52554D4341524400") == apdu::sw::kClaNotSupported);  // CLA 40
    CHECK(send("00A405000BF051554F52554D4341524400") == apdu::sw::kIncorrectP1P2);    // P1 05
    CHECK(send("00A4040000") == apdu::sw::kWrongLength);                       // SELECT, no AID
    CHECK(send("00A4040006A000000003") == apdu::sw::kWrongLength);             // Lc 6, 5 bytes
    CHECK(send("00A4040005A00000000300") == apdu::sw::kFileNotFound);          // other AID
}

TEST_CASE("programs nobody here wrote see the card: opensc-tool and pyscard") {
    Room room;
    room.insert("card");

    const auto atr = runCommand("opensc-tool --reader 0 --atr");
    INFO(atr.output);
    CHECK(atr.exitCode == 0);
    std::string atrText = toHex(card::Card::atr(), ":");
    for (auto& c : atrText) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(atr.output.find(atrText) != std::string::npos);

    const auto select = runCommand("opensc-tool --reader 0 --send-apdu 00:A4:04:00:0B:F0:51:55:4F:52:55:4D:43:41:52:44:00");
    INFO(select.output);
    CHECK(select.exitCode == 0);
    CHECK(select.output.find("SW1=0x90, SW2=0x00") != std::string::npos);
    CHECK(select.output.find("6F 27 84 0B F0 51 55 4F 52 55 4D 43 41 52 44") != std::string::npos);

    const auto py = runCommand(std::string("/usr/bin/python3 ") + QUORUM_SOURCE_DIR +
                               "/tests/system/pyscard_select.py '" + kReader0 + "'");
    INFO(py.output);
    CHECK(py.exitCode == 0);
    CHECK(py.output.find("atr: " + toHex(card::Card::atr())) != std::string::npos);
    CHECK(py.output.find("select: 6F27840BF051554F52554D43415244") != std::string::npos);
}

TEST_CASE("stopping card-sim with SIGTERM or SIGKILL and starting it again keeps the card") {
    Room room;

    room.insert("card");
    const Bytes firstId = selectThroughPcsc().cardId;
    CHECK(room.pull("card", SIGTERM) == 0);
    CHECK(toHex(cardIdInImage(room.image("card"))) == toHex(firstId));

    room.insert("card");
    CHECK(toHex(selectThroughPcsc().cardId) == toHex(firstId));
    const int status = room.pull("card", SIGKILL);  // a power cut
    CHECK(WIFSIGNALED(status));

    room.insert("card");
    CHECK(toHex(selectThroughPcsc().cardId) == toHex(firstId));
    CHECK(room.pull("card", SIGTERM) == 0);
}

TEST_CASE("card-sim inserts its card again when pcscd goes away and comes back") {
    Room room;
    room.insert("card");
    const Bytes id = selectThroughPcsc().cardId;

    room.pcscd().stop(SIGKILL);
    CHECK_THROWS_AS(host::PcscContext(), host::ServiceUnavailableError);
    std::this_thread::sleep_for(milliseconds(100));
    CHECK(room.inSlot("card"));  // the rack keeps it, waiting for vpcd

    room.pcscd().start();
    waitForCard(kReader0, true);
    CHECK(toHex(selectThroughPcsc().cardId) == toHex(id));
    CHECK(room.pull("card", SIGTERM) == 0);
}

TEST_CASE("a card pulled while connected raises CardRemovedError, not a hang or a crash") {
    Room room;
    room.insert("card");
    host::PcscContext context;
    host::PcscCard card(context, kReader0);
    CHECK(apdu::ResponseApdu::parse(card.transmit(fromHex("00A404000BF051554F52554D4341524400"))).ok());
    CHECK(room.pull("card", SIGTERM) == 0);  // returns once the reader is empty
    CHECK_THROWS_AS(card.transmit(fromHex("00CA00C100")), host::CardRemovedError);
    CHECK_THROWS_AS(host::PcscCard(context, kReader0), host::NoCardError);
}

TEST_CASE("two cards fill two vpcd slots, and one image cannot be used twice") {
    Room room;
    room.insertTogether("a", "b");
    CHECK(toHex(selectThroughPcsc(kReader0).cardId) != toHex(selectThroughPcsc(kReader1).cardId));

    // A card-sim of its own on card a's image, in another slot, must refuse it and end on its own
    // while the rack holds the card.
    ChildProcess clash(cardSimCommand(room.image("a"), 2), room.file("clash.log"));
    const int status = clash.stop(0);  // signal 0: just wait for it to exit on its own
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    CHECK(readFile(room.file("clash.log")).find("in use by another card-sim") != std::string::npos);
}

TEST_CASE("an exclusive connection shuts others out; a transaction spans several APDUs") {
    Room room;
    room.insert("card");
    host::PcscContext context;
    {
        host::PcscCard exclusive(context, kReader0, host::ShareMode::Exclusive);
        CHECK_THROWS_AS(host::PcscCard(context, kReader0), host::SharingViolationError);
    }
    host::PcscCard first(context, kReader0);
    host::PcscCard second(context, kReader0);
    {
        host::PcscTransaction transaction(first);
        CHECK(apdu::ResponseApdu::parse(first.transmit(fromHex("00A404000BF051554F52554D4341524400"))).ok());
        CHECK(toHex(first.transmit(fromHex("00CA00C000"))) == "019000");  // still selected
    }
    // Resetting the card through one handle is reported to the other as CardResetError.
    second.reconnect(true);
    CHECK_THROWS_AS(first.transmit(fromHex("00CA00C000")), host::CardResetError);
    first.reconnect(false);
    CHECK(toHex(first.transmit(fromHex("00CA00C000"))) == "6985");  // the reset deselected it
}
