// What an expression throws, as text a CHECK can compare (so a failure shows what was thrown).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "apdu/error.hpp"

namespace quorum::test {

// The name of the rule an ApduError from `f` reports, or a text that matches no rule name.
template <typename F>
std::string brokenRule(F&& f) {
    try {
        f();
    } catch (const apdu::ApduError& e) {
        return apdu::ruleName(e.rule());
    }
    return "(no ApduError thrown)";
}

// The what() of the exception of type E that `f` throws.
template <typename E = apdu::ApduError, typename F>
std::string thrownMessage(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

// What an exception that names a card (Feldman's and Shoup's errors: index()) reported.
struct Thrown {
    bool thrown = false;
    std::string message;
    std::optional<int> index;
};

// The exception of type E that `f` throws, if any, with the card it names.
template <typename E, typename F>
Thrown thrownWithIndex(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return Thrown{true, e.what(), e.index()};
    }
    return Thrown{};
}

inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace quorum::test
