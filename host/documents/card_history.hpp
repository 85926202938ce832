// What the audit log says about each card of a set: who holds it, its state as last seen, how
// often it released its share or signed, and when it was last seen - for `ceremony cards`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/documents/audit_log.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

struct CardHistory {
    ManifestCard card;
    std::string state = "unknown";    // ISSUED, OPERATIONAL, BLOCKED, TERMINATED, ... as last seen
    int releases = 0;                 // shares released or partial signatures made, accepted or not
    int refusals = 0;                 // times the card was refused or its share or partial was
    int wrongPins = 0;
    std::optional<std::uint32_t> usageCounter;  // the card's own count, as it last reported it
    std::string lastSeen;             // UTC time of the last entry about it; empty if none
};

// One history per card of `manifest`, in index order, from `entries` (readAuditLog). An entry
// speaks of a card when it names its card id, or names its index inside a ceremony on this set
// (after an entry with this set's card_set_id and before one with another set's).
std::vector<CardHistory> cardHistories(const Manifest& manifest, const std::vector<AuditEntry>& entries);

}  // namespace quorum::host
