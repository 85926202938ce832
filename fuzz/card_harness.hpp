// What both card fuzzers share: a card at several points of its life, the commands an input
// holds, and the properties every card must keep whatever it was sent.
#pragma once

#include <functional>
#include <vector>

#include "apdu/bytes.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/nvm.hpp"
#include "fuzz/fuzz_input.hpp"

namespace quorum::fuzz {

// The share value the test card holds: it must never leave the card in the clear.
const Bytes& heldShareValue();

// NVM images of one card: BLANK (manufactured only), BLANK with its identity and share issued,
// PERSONALIZED (policy, PIN 123456, PUK 12345678), OPERATIONAL (PIN verified once).
enum class Stage { Blank, Issued, Personalized, Operational };
constexpr int kStages = 4;
const card::NvmImage& stageImage(Stage stage);

// One step an input asks for: a command's bytes, or a reset / power cycle of the card.
struct Step {
    enum class Kind { Command, Reset, PowerCycle } kind = Kind::Command;
    Bytes command;
};
// The next step: a byte b < F0 is a command of b bytes, F0..FD one of the next u16 bytes (at
// most 4096), FE a warm reset, FF power off and on.
Step nextStep(FuzzInput& in);

// What holds after any input: the card's persisted memory is one the card would load again
// (checkCardMemory) and a card comes up from it. Checked only when the input made the card
// persist something (`persistsBefore`: nvm.persistCount() when the input began).
void checkPersisted(const card::MemoryNvm& nvm, std::size_t persistsBefore);

// Fails when `response` carries the held share value though no command of this input did.
void checkNoShareLeak(const Bytes& response, const std::vector<Bytes>& commandsSoFar);

}  // namespace quorum::fuzz
