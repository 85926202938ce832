#include "host/documents/card_history.hpp"

namespace quorum::host {

namespace {

std::string field(const Json::Value& details, const char* name) {
    const Json::Value& value = details[name];
    return value.isString() ? value.asString() : std::string();
}

int number(const std::string& text) {
    try {
        return text.empty() ? -1 : std::stoi(text);
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace

std::vector<CardHistory> cardHistories(const Manifest& manifest, const std::vector<AuditEntry>& entries) {
    std::vector<CardHistory> histories;
    for (const auto& card : manifest.cards) {
        CardHistory history;
        history.card = card;
        histories.push_back(history);
    }
    const std::string setId = toHex(manifest.cardSetId);
    bool inSet = false;
    for (const auto& entry : entries) {
        const std::string entrySet = field(entry.details, "card_set_id");
        if (!entrySet.empty()) inSet = entrySet == setId;
        const std::string cardId = field(entry.details, "card_id");
        const int index = number(field(entry.details, "index"));
        CardHistory* history = nullptr;
        for (auto& candidate : histories) {
            const bool byId = !cardId.empty() && toHex(candidate.card.cardId) == cardId;
            const bool byIndex = cardId.empty() && inSet && candidate.card.index == index;
            if (byId || byIndex) history = &candidate;
        }
        if (history == nullptr) continue;
        history->lastSeen = entry.time;
        const std::string& event = entry.event;
        const std::string outcome = field(entry.details, "outcome");
        if (const int counter = number(field(entry.details, "usage_counter")); counter >= 0)
            history->usageCounter = static_cast<std::uint32_t>(counter);
        if (event == "card-issued") {
            history->state = "ISSUED";
        } else if (event == "share-offered" || event == "partial-offered" || event == "partial-made") {
            ++history->releases;
            history->state = "OPERATIONAL";
            if (outcome != "accepted" && outcome != "not-needed" && outcome != "already-counted") ++history->refusals;
        } else if (event == "redistribution-made") {  // its share, sealed for a new set's cards
            ++history->releases;
            history->state = "OPERATIONAL";
        } else if (event == "card-filled") {  // its share, from an old set's cards
            history->state = "OPERATIONAL";
        } else if (event == "card-retired") {
            history->state = "RETIRED";
        } else if (event == "card-refused") {
            ++history->refusals;
        } else if (event == "pin-wrong") {
            ++history->wrongPins;
            if (field(entry.details, "tries_left") == "0") history->state = "BLOCKED";
        } else if (event == "pin-changed" || event == "pin-unblocked") {
            history->state = "OPERATIONAL";
        } else if (event == "card-terminated") {
            history->state = "TERMINATED";
        } else if (event == "card-wiped") {
            history->state = "BLANK";
        }
    }
    return histories;
}

}  // namespace quorum::host
