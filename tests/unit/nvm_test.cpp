// The NVM model: transactions, capacity, and power cuts after the k-th write.
#include <doctest/doctest.h>

#include "firmware-model/nvm.hpp"

using namespace quorum;
using card::MemoryNvm;

TEST_CASE("writes outside a transaction persist one by one; inside, at commit only") {
    MemoryNvm nvm;
    nvm.write("a", {1});
    CHECK(nvm.persistCount() == 1);
    nvm.begin();
    nvm.write("a", {2});
    nvm.write("b", {3});
    CHECK(nvm.persistCount() == 1);  // staged, not persisted
    CHECK(nvm.read("b").value() == Bytes{3});
    CHECK(nvm.persisted().count("b") == 0);
    CHECK_THROWS_AS(nvm.begin(), std::logic_error);
    nvm.commit();
    CHECK(nvm.persistCount() == 2);
    CHECK(nvm.persisted().at("a") == Bytes{2});
    CHECK(nvm.persisted().at("b") == Bytes{3});
    CHECK_THROWS_AS(nvm.commit(), std::logic_error);
    nvm.begin();
    nvm.write("a", {9});
    nvm.abort();
    CHECK(nvm.read("a").value() == Bytes{2});
    CHECK(nvm.writeCount() == 5);  // 4 writes and 1 commit; abort is not a write
}

TEST_CASE("capacity: a write past it throws NvmFullError and changes nothing") {
    MemoryNvm nvm({}, 20);
    nvm.write("ab", Bytes(10, 1));  // 4 + 2 + 10 = 16
    CHECK(card::Nvm::usage(nvm.image()) == 16);
    CHECK_THROWS_AS(nvm.write("c", Bytes(1, 1)), card::NvmFullError);  // 16 + 6 > 20
    nvm.write("ab", Bytes(14, 1));  // replacing in place: exactly 20
    CHECK(nvm.persisted().at("ab").size() == 14);
    nvm.begin();
    CHECK_THROWS_WITH_AS(nvm.write("ab", Bytes(15, 1)), doctest::Contains("card memory full"),
                         card::NvmFullError);
    nvm.abort();
    CHECK(nvm.read("ab")->size() == 14);
}

TEST_CASE("a power cut after the k-th write keeps that write and nothing after it") {
    MemoryNvm nvm;
    nvm.cutPowerAfterWrite(2);
    nvm.write("a", {1});
    CHECK_THROWS_AS(nvm.write("b", {2}), card::PowerLoss);  // the 2nd write happens, then power goes
    CHECK(nvm.persisted().at("b") == Bytes{2});
    CHECK_THROWS_AS(nvm.write("c", {3}), card::PowerLoss);  // the card is dead
    CHECK(nvm.persisted().count("c") == 0);

    MemoryNvm inTransaction;
    inTransaction.cutPowerAfterWrite(2);
    inTransaction.begin();
    inTransaction.write("a", {1});
    CHECK_THROWS_AS(inTransaction.write("b", {2}), card::PowerLoss);
    CHECK(inTransaction.persisted().empty());  // the transaction never committed

    MemoryNvm atCommit;
    atCommit.cutPowerAfterWrite(3);
    atCommit.begin();
    atCommit.write("a", {1});
    atCommit.write("b", {2});
    CHECK_THROWS_AS(atCommit.commit(), card::PowerLoss);  // the commit itself completed
    CHECK(atCommit.persisted().size() == 2);
}

TEST_CASE("erase removes a field: at once outside a transaction, at commit inside one") {
    MemoryNvm nvm;
    nvm.write("a", {1});
    nvm.write("b", {2});
    nvm.erase("a");
    CHECK(nvm.persistCount() == 3);
    CHECK_FALSE(nvm.read("a"));
    CHECK(nvm.persisted().count("a") == 0);
    nvm.begin();
    nvm.erase("b");
    nvm.erase("missing");                  // nothing to remove: no harm
    CHECK_FALSE(nvm.read("b"));            // reads see the transaction
    CHECK(nvm.persisted().at("b") == Bytes{2});
    nvm.commit();
    CHECK(nvm.persisted().empty());
    CHECK(nvm.persistCount() == 4);
    CHECK(nvm.writeCount() == 6);          // every erase is a write (a tear point), like the commit

    MemoryNvm torn({{"a", {1}}, {"b", {2}}});
    torn.cutPowerAfterWrite(2);
    torn.begin();
    torn.erase("a");
    CHECK_THROWS_AS(torn.erase("b"), card::PowerLoss);
    CHECK(torn.persisted().size() == 2);   // the transaction never committed
}
