#include "protocol/lifecycle.hpp"

#include "apdu/bytes.hpp"

namespace quorum::protocol {

const char* lifecycleName(Lifecycle state) {
    switch (state) {
        case Lifecycle::Blank: return "BLANK";
        case Lifecycle::Personalized: return "PERSONALIZED";
        case Lifecycle::Operational: return "OPERATIONAL";
        case Lifecycle::Blocked: return "BLOCKED";
        case Lifecycle::Retired: return "RETIRED";
        case Lifecycle::Terminated: return "TERMINATED";
    }
    return "UNKNOWN";
}

std::optional<Lifecycle> lifecycleFromByte(std::uint8_t value) {
    switch (static_cast<Lifecycle>(value)) {
        case Lifecycle::Blank:
        case Lifecycle::Personalized:
        case Lifecycle::Operational:
        case Lifecycle::Blocked:
        case Lifecycle::Retired:
        case Lifecycle::Terminated: return static_cast<Lifecycle>(value);
    }
    return std::nullopt;
}

std::string describeLifecycle(std::uint8_t value) {
    if (const auto state = lifecycleFromByte(value)) return lifecycleName(*state);
    return "unknown (0x" + toHex(&value, 1) + ")";
}

}  // namespace quorum::protocol
