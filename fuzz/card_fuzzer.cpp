// The card's whole dispatch, commands in the clear, through the in-process channel: a card at
// one of four points of its life (the first byte) gets the commands the input holds, with warm
// resets and power cycles between them. No input may crash it, throw out of process(), make it
// persist memory it would refuse to load, or get its share out in the clear.
#include <cstdint>

#include "fuzz/card_harness.hpp"
#include "tests/support/card_fixture.hpp"

using namespace quorum;
using namespace quorum::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const auto stage = static_cast<Stage>(in.byte() % kStages);
    card::MemoryNvm nvm(stageImage(stage));
    test::CountingCoprocessor coprocessor;
    card::Card card(nvm, coprocessor);
    card.powerOn();
    std::vector<Bytes> sent;
    for (int steps = 0; !in.empty() && steps < 64; ++steps) {
        Step step = nextStep(in);
        switch (step.kind) {
            case Step::Kind::Reset: card.reset(); break;
            case Step::Kind::PowerCycle:
                card.powerOff();
                card.powerOn();
                break;
            case Step::Kind::Command: {
                const Bytes response = card.process(step.command);
                if (response.size() < 2) fuzz::violated("a response without a status word");
                sent.push_back(std::move(step.command));
                checkNoShareLeak(response, sent);
                break;
            }
        }
    }
    checkPersisted(nvm, 0);
    return 0;
}
