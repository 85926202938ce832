#include "fuzz/card_harness.hpp"

#include <algorithm>

#include "firmware-model/card_memory_check.hpp"
#include "tests/support/card_fixture.hpp"

namespace quorum::fuzz {

namespace {

const std::string& shareRecordHex() {
    // Card 3's share record: index 03, a 32-byte value, a 32-byte commitments digest.
    static const std::string record = "03" + std::string(64, 'C') + "5A" + std::string(62, '3');
    return record;
}

std::vector<card::NvmImage> makeStages() {
    using namespace test::script;
    std::vector<card::NvmImage> images;
    test::CardFixture f;
    images.push_back(f.nvm.persisted());
    f.issueIdentity(3);
    f.send("00DA00C941" + shareRecordHex());
    images.push_back(f.nvm.persisted());
    f.send(kPutPolicyNoChange);
    f.send(kPutPin);
    f.send(kPutPuk);
    f.send(kActivate);
    images.push_back(f.nvm.persisted());
    f.send(kVerifyPin);
    if (f.card.lifecycle() != protocol::Lifecycle::Operational) violated("the test card did not become OPERATIONAL");
    images.push_back(f.nvm.persisted());
    return images;
}

bool contains(const Bytes& haystack, const Bytes& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

const Bytes& heldShareValue() {
    static const Bytes value = fromHex(shareRecordHex().substr(2, 64));
    return value;
}

const card::NvmImage& stageImage(Stage stage) {
    static const std::vector<card::NvmImage> images = makeStages();
    return images.at(static_cast<std::size_t>(stage));
}

Step nextStep(FuzzInput& in) {
    const std::uint8_t b = in.byte();
    if (b == 0xFE) return {Step::Kind::Reset, {}};
    if (b == 0xFF) return {Step::Kind::PowerCycle, {}};
    const std::size_t length = b < 0xF0 ? b : std::min<std::size_t>(in.u16(), 4096);
    return {Step::Kind::Command, in.bytes(length)};
}

void checkPersisted(const card::MemoryNvm& nvm, std::size_t persistsBefore) {
    if (nvm.persistCount() == persistsBefore) return;
    const card::NvmImage& image = nvm.persisted();
    try {
        card::checkCardMemory(image);
    } catch (const card::NvmError& e) {
        violated(std::string("the card persisted memory it would refuse to load: ") + e.what());
    }
    card::MemoryNvm reloaded(image);
    test::CountingCoprocessor coprocessor;
    try {
        card::Card card(reloaded, coprocessor);
    } catch (const std::exception& e) {
        violated(std::string("no card comes up from the memory it persisted: ") + e.what());
    }
}

void checkNoShareLeak(const Bytes& response, const std::vector<Bytes>& commandsSoFar) {
    if (!contains(response, heldShareValue())) return;
    for (const auto& command : commandsSoFar) {
        if (contains(command, heldShareValue())) return;  // the input sent it itself
    }
    violated("the card's share value left the card in the clear: " + toHex(response));
}

}  // namespace quorum::fuzz
