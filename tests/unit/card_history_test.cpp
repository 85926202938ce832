// `ceremony cards`: what the audit log says about each card of a set.
#include <doctest/doctest.h>

#include "crypto/feldman.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/documents/card_history.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/processes.hpp"

using namespace quorum;
using host::details;

TEST_CASE("card history: holder, state as last seen, releases and wrong PINs per card, from the audit log") {
    const auto& ca = test::TestCeremony::instance().ca;
    host::Manifest m;
    m.cardSetId = ca.cardSetId();
    m.k = 2;
    m.n = 3;
    m.caCertificatePem = ca.certificate().pem();
    for (int i = 1; i <= 3; ++i)
        m.cards.push_back({i, Bytes(16, static_cast<std::uint8_t>(i)),
                           ca.issueCard(crypto::EcPrivateKey::generate().publicKey(), i).pem(), i == 1 ? "Ana" : ""});
    const std::string set = toHex(m.cardSetId);
    const std::string card2 = toHex(m.cards[1].cardId);

    test::TempFolder folder;
    {
        auto log = host::AuditLog::open(folder.file("audit.log"));
        log.append("keygen-start", details({{"card_set_id", set}}));
        for (int i = 1; i <= 3; ++i) log.append("card-issued", details({{"index", std::to_string(i)}}));
        log.append("sign-start", details({{"card_set_id", set}}));
        log.append("share-offered", details({{"index", "1"}, {"outcome", "accepted"}, {"usage_counter", "1"}}));
        log.append("share-offered", details({{"index", "3"}, {"outcome", "refused"}, {"usage_counter", "4"}}));
        log.append("pin-wrong", details({{"index", "2"}, {"tries_left", "2"}}));
        // Another set's ceremony: its card 1 is not ours.
        log.append("sign-start", details({{"card_set_id", std::string(32, 'F')}}));
        log.append("share-offered", details({{"index", "1"}, {"outcome", "accepted"}, {"usage_counter", "9"}}));
        // The pin command names the card by id, whichever ceremony came before.
        log.append("pin-wrong", details({{"index", "2"}, {"card_id", card2}, {"tries_left", "0"}}));
    }
    const auto histories = host::cardHistories(m, host::readAuditLog(folder.file("audit.log")));
    REQUIRE(histories.size() == 3);
    CHECK(histories[0].card.holder == "Ana");
    CHECK(histories[0].state == "OPERATIONAL");
    CHECK(histories[0].releases == 1);
    CHECK(histories[0].usageCounter == 1u);  // not the other set's card 1 (9)
    CHECK(histories[1].state == "BLOCKED");
    CHECK(histories[1].wrongPins == 2);
    CHECK(histories[1].releases == 0);
    CHECK(histories[2].state == "OPERATIONAL");
    CHECK(histories[2].refusals == 1);
    CHECK(histories[2].usageCounter == 4u);
    CHECK_FALSE(histories[2].lastSeen.empty());
}
