// What a quorum card says about itself in answer to SELECT: the FCI (docs/apdu-spec.md, SELECT).
//
//   6F { 84 AID, A5 { C0 format version, C1 card id, C2 lifecycle state, [C5 PIN policy] } }
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"
#include "protocol/identifiers.hpp"
#include "protocol/lifecycle.hpp"
#include "protocol/pin.hpp"

namespace quorum::protocol {

struct Fci {
    std::uint8_t formatVersion = kFormatVersion;
    Bytes cardId;                          // kCardIdSize bytes
    std::uint8_t lifecycle = 0;            // a Lifecycle value, as the card sent it
    std::optional<PinPolicy> pinPolicy;    // once personalization set it

    // The lifecycle state, or nullopt for a value the spec does not define.
    std::optional<Lifecycle> state() const { return lifecycleFromByte(lifecycle); }
    bool is(Lifecycle wanted) const { return state() == wanted; }
    // "BLANK", ... or "unknown (0xNN)".
    std::string lifecycleName() const { return describeLifecycle(lifecycle); }

    Bytes encode() const;
    // Objects are found by tag (later versions add objects to A5). Throws DecodeError naming what
    // is missing or malformed, or when the DF name is not the quorum application's.
    static Fci decode(const Bytes& fci);
};

}  // namespace quorum::protocol
