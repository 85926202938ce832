// The reshare journal: what an interrupted reshare keeps (all public), round trip and refusals.
#include "host/documents/reshare_journal.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>

#include "crypto/ec.hpp"
#include "crypto/feldman.hpp"
#include "crypto/reshare.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using host::ReshareJournal;
using host::ReshareJournalError;

namespace {

ReshareJournal sample() {
    const auto deal = crypto::deal(2, 3);
    std::vector<crypto::reshare::NewCard> cards;
    for (std::uint8_t j = 1; j <= 3; ++j)
        cards.push_back({j, crypto::EcPrivateKey::generate().publicKey().point()});
    const Bytes context(32, 0x5A);
    ReshareJournal journal;
    journal.oldManifestPath = "/srv/c/set.json";
    journal.oldManifestSha256 = Bytes(32, 0x01);
    journal.newManifestPath = "/srv/c/set-2.json";
    journal.k = 2;
    journal.n = 3;
    journal.role = "operational";
    journal.retireOld = true;
    journal.context = context;
    journal.redistributions.push_back(
        crypto::reshare::redistribute(deal.shares[0], 2, cards, context));
    journal.redistributions.push_back(
        crypto::reshare::redistribute(deal.shares[2], 2, cards, context));
    journal.filled = {1, 3};
    journal.retired = {2};
    return journal;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

std::string refusal(const std::string& text) {
    try {
        ReshareJournal::fromJson(text);
    } catch (const ReshareJournalError& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace

TEST_CASE("reshare journal: every field round trips, the sealed boxes byte for byte") {
    const ReshareJournal journal = sample();
    const ReshareJournal back = ReshareJournal::fromJson(journal.toJson());
    CHECK(back.toJson() == journal.toJson());
    REQUIRE(back.redistributions.size() == 2);
    CHECK(back.from(3) != nullptr);
    CHECK(back.from(2) == nullptr);
    CHECK(back.from(3)->commitments.encode() == journal.from(3)->commitments.encode());
    REQUIRE(back.from(1)->sealed.size() == 3);
    CHECK(back.from(1)->sealed[2].to == 3);
    CHECK(back.from(1)->sealed[2].from == 1);
    CHECK(back.from(1)->sealed[2].box == journal.from(1)->sealed[2].box);
    CHECK(back.filled == std::set<int>{1, 3});
    CHECK(back.retired == std::set<int>{2});
    CHECK(back.retireOld);
    CHECK(back.newManifestSha256.empty());
}

TEST_CASE("reshare journal: a damaged journal is refused, naming what is wrong") {
    const std::string text = sample().toJson();
    CHECK(test::contains(
        refusal(replaced(text, "\"role\" : \"operational\"", "\"role\" : \"spare\"")),
        "is not a role"));
    CHECK(test::contains(refusal(replaced(text, "\"k\" : 2", "\"k\" : 4")), "is not a card set"));
    CHECK(test::contains(refusal(replaced(text, "\"from\" : 3", "\"from\" : 1")), "card 1 twice"));
    ReshareJournal twice = sample();
    const std::string filled = twice.toJson();
    const auto at = filled.find("\"filled\"");
    REQUIRE(at != std::string::npos);
    const auto three = filled.find('3', at);  // the list [1, 3]: its 3 becomes a second 1
    CHECK(test::contains(refusal(filled.substr(0, three) + "1" + filled.substr(three + 1)),
                         "lists card 1 twice"));
    CHECK(test::contains(refusal(replaced(text, "\"retire_old\" : true", "\"retire_old\" : 1")),
                         "is not true or false"));
    CHECK(test::contains(refusal(replaced(text, "quorum-reshare-journal", "quorum-keygen-journal")),
                         "\"format\""));
    CHECK(test::contains(refusal("{\"format\": \"quorum-reshare-journal\"}"),
                         "\"version\" is missing"));
}

TEST_CASE("reshare journal: signed by the ceremony CA at every save, refused when changed or unsigned") {
    const auto& ca = test::TestCeremony::instance().ca;
    std::string folder = (std::filesystem::temp_directory_path() / "quorum-reshare-journal-XXXXXX").string();
    REQUIRE(mkdtemp(folder.data()) != nullptr);
    const std::string path = folder + "/reshare-journal.json";
    ReshareJournal journal = sample();
    journal.save(path, ca);
    const ReshareJournal read = ReshareJournal::load(path);
    CHECK_NOTHROW(read.authenticate(ca.certificate(), path));
    CHECK(test::thrownMessage<ReshareJournalError>([&] {
              read.authenticate(test::TestCeremony::other().ca.certificate(), path);
          }).find("fails its check against the ceremony's CA certificate") != std::string::npos);

    const std::string text = journal.toJson();
    for (const auto& edit : std::vector<std::pair<std::string, std::string>>{
             {"\"retire_old\" : true", "\"retire_old\" : false"},
             {"\"/srv/c/set-2.json\"", "\"/tmp/set-2.json\""},
             {"\"k\" : 2", "\"k\" : 3"}}) {
        const std::string& from = edit.first;
        const std::string& to = edit.second;
        CAPTURE(from);
        const ReshareJournal altered = ReshareJournal::fromJson(replaced(text, from, to));
        CHECK(test::thrownMessage<ReshareJournalError>([&] { altered.authenticate(ca.certificate(), path); })
                  .find(path + " fails its check") != std::string::npos);
    }
    ReshareJournal unsignedJournal = journal;
    unsignedJournal.caSignature.clear();
    CHECK(test::thrownMessage<ReshareJournalError>([&] { unsignedJournal.authenticate(ca.certificate(), path); })
              .find("is not signed by the ceremony's CA") != std::string::npos);
    std::filesystem::remove_all(folder);
}
