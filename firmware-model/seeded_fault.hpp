// Deliberately broken variants of the card, for testing the conformance program itself: each
// fault is a mistake a port could make, and the conformance program must name the case it breaks.
// The card built normally has no fault (seededFault() is a constant None and the checks vanish);
// conformance/seeded_faults.cmake builds the library again with QUORUM_SEEDED_FAULTS and one
// card-sim-fault-NAME program per fault, each choosing its fault with QUORUM_SEEDED_FAULT=NAME.
#pragma once

#include <string_view>

namespace quorum::card {

enum class SeededFault {
    None,
    PinComparedFirst,      // a wrong PIN is answered 63Cx before the try is spent: it costs nothing
    NoResponseMac,         // protected answers go out without their R-MAC
    ReplayAccepted,        // a wrapped command sent again (the previous MAC chain) is accepted
    PendingResponseKept,   // another command does not discard what GET RESPONSE would still fetch
    UsageCounterNotStored, // GET SHARE answers the next count but never writes it
    ReshareOutUncounted,   // RESHARE OUT answers the counter as it was: the release is not counted
    ReshareInReplacesUsed, // RESHARE IN replaces a share of its redistribution also once it was released
};

// The fault of `name` ("pin-compared-first", ...); None for a name that is none of them.
constexpr SeededFault seededFaultNamed(std::string_view name) {
    if (name == "pin-compared-first") return SeededFault::PinComparedFirst;
    if (name == "no-response-mac") return SeededFault::NoResponseMac;
    if (name == "replay-accepted") return SeededFault::ReplayAccepted;
    if (name == "pending-response-kept") return SeededFault::PendingResponseKept;
    if (name == "usage-counter-not-stored") return SeededFault::UsageCounterNotStored;
    if (name == "reshare-out-uncounted") return SeededFault::ReshareOutUncounted;
    if (name == "reshare-in-replaces-used") return SeededFault::ReshareInReplacesUsed;
    return SeededFault::None;
}

#ifdef QUORUM_SEEDED_FAULTS
// Defined once per card-sim-fault-NAME program (conformance/seeded_fault_choice.cpp).
SeededFault seededFault();
#else
constexpr SeededFault seededFault() { return SeededFault::None; }
#endif

inline bool hasSeededFault(SeededFault fault) { return seededFault() == fault; }

}  // namespace quorum::card
