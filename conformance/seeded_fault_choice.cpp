// The one fault of a card-sim-fault-NAME program (conformance/seeded_faults.cmake).
#include "firmware-model/seeded_fault.hpp"

namespace quorum::card {

namespace {
constexpr SeededFault kChosen = seededFaultNamed(QUORUM_SEEDED_FAULT);
static_assert(kChosen != SeededFault::None, "QUORUM_SEEDED_FAULT names no fault of firmware-model/seeded_fault.hpp");
}  // namespace

SeededFault seededFault() { return kChosen; }

}  // namespace quorum::card
