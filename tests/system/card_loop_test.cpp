// The signing card loop lets a ceremony go on when one card or one try fails: a card that is not a
// quorum card, or answers SELECT against the specification, is refused with its reason and the
// next card is waited for; a PIN the card's policy cannot accept is asked again, without spending a
// try. Through real pcscd + vpcd + card-sim, with the `ceremony` program as people run it.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/system/room.hpp"

using namespace quorum::test;

TEST_CASE("signing goes on past a foreign card, a card without an FCI and a PIN of the wrong length") {
    Room room;
    const CardSet set = makeCardSet(room, "c", 2, 3);
    const std::string message = room.file("message.txt");
    std::ofstream(message) << "a DNSKEY RRset\n";
    // Card 1's holder first types a PIN of 2 characters (the policy wants 6 to 8), then one of 9,
    // then the right one; card 3's holder gets it right at once.
    const std::string pins = room.secrets("holder-pins", {"12", "123456789", CardSet::pin(1), CardSet::pin(3)});
    LiveCeremony sign(room,
                      {"sign", "--yes", "--ceremony", set.ceremonyDir, "--manifest", set.manifest, "--in", message, "--out",
                       room.file("message.sig"), "--pin-file", pins, "--card-timeout", "30"},
                      "sign");
    sign.waitFor("(0 of 2 shares)");
    sign.offerForeign("6A82", "Remove the card from", 1);  // a card of another application
    sign.offerForeign("9000", "Remove the card from", 2);  // says yes to SELECT, sends no FCI
    sign.offer(set.card(1), "Remove the card from", 3);
    sign.offer(set.card(3), "Signed: ");
    CHECK(sign.exitCode() == 0);
    const std::string screen = sign.screen();
    INFO(screen);
    CHECK(screen.find("This card is refused: it is not a quorum card, or it answered against the specification: "
                      "this card has no quorum application (SELECT answered 6A82") != std::string::npos);
    CHECK(screen.find("This card is refused: it is not a quorum card, or it answered against the specification: "
                      "card FCI is not one FCI template") != std::string::npos);
    CHECK(screen.find("That PIN cannot be right: a PIN on this card has 6 to 8 characters, this one has 2. No try "
                      "was spent; type it again.") != std::string::npos);
    CHECK(screen.find("this one has 9. No try was spent") != std::string::npos);
    CHECK(screen.find("card 1 accepted: 1 of 2 shares") != std::string::npos);
    CHECK(screen.find("card 3 accepted: 2 of 2 shares") != std::string::npos);

    // No try was spent on the two PINs that could not be right: card 1 still has all 3.
    room.insert(set.card(1));
    const auto status = room.ceremony("pin status --ceremony " + set.ceremonyDir);
    INFO(status.output);
    CHECK(status.output.find("PIN: 3 of 3 tries left") != std::string::npos);
}
