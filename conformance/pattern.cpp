#include "conformance/pattern.hpp"

#include <cctype>
#include <optional>
#include <sstream>
#include <vector>

namespace quorum::conformance {

namespace {

// One item of a template or pattern.
struct Item {
    enum Kind { Literal, AnyByte, Named, Rest } kind = Literal;
    Bytes bytes;                      // Literal
    std::string name;                 // Named
    std::optional<std::size_t> size;  // Named: {name:N}
    std::optional<std::pair<std::size_t, std::size_t>> slice;  // Named: {name[a:b]}
    bool rebind = false;              // Named: {!name:N} binds anew, whatever it was
};

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

std::size_t number(const std::string& text, const std::string& item) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw PatternError("\"" + item + "\": \"" + text + "\" is not a number");
    return std::stoul(text);
}

Item parseItem(const std::string& word) {
    Item item;
    if (word == "..") {
        item.kind = Item::AnyByte;
        return item;
    }
    if (word.front() != '{') {
        try {
            item.bytes = fromHex(word);
        } catch (const std::invalid_argument& e) {
            throw PatternError("\"" + word + "\" is neither hex bytes nor {name}: " + e.what());
        }
        return item;
    }
    if (word.back() != '}' || word.size() < 3) throw PatternError("\"" + word + "\" does not end in }");
    std::string inside = word.substr(1, word.size() - 2);
    if (inside == "*") {
        item.kind = Item::Rest;
        return item;
    }
    item.kind = Item::Named;
    if (inside.front() == '!') {
        item.rebind = true;
        inside.erase(0, 1);
    }
    if (const auto colon = inside.find(':'); colon != std::string::npos && inside.find('[') == std::string::npos) {
        item.size = number(inside.substr(colon + 1), word);
        inside.resize(colon);
    } else if (const auto open = inside.find('['); open != std::string::npos) {
        const auto sep = inside.find(':', open);
        if (inside.back() != ']' || sep == std::string::npos) throw PatternError("\"" + word + "\": a slice is [a:b]");
        item.slice = std::make_pair(number(inside.substr(open + 1, sep - open - 1), word),
                                    number(inside.substr(sep + 1, inside.size() - sep - 2), word));
        inside.resize(open);
    }
    for (const char c : inside)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') throw PatternError("\"" + word + "\": bad name");
    item.name = inside;
    return item;
}

std::vector<Item> parse(const std::string& text) {
    std::vector<Item> items;
    for (const auto& word : words(text)) items.push_back(parseItem(word));
    return items;
}

// The bytes a named item stands for when its value is known.
std::optional<Bytes> known(const Item& item, const Values& values) {
    const auto found = values.find(item.name);
    if (found == values.end() || item.rebind) return std::nullopt;
    if (!item.slice) return found->second;
    const auto [from, to] = *item.slice;
    if (from > to || to > found->second.size())
        throw PatternError("{" + item.name + "[" + std::to_string(from) + ":" + std::to_string(to) +
                           "]}: the value has " + std::to_string(found->second.size()) + " bytes");
    return Bytes(found->second.begin() + static_cast<std::ptrdiff_t>(from),
                 found->second.begin() + static_cast<std::ptrdiff_t>(to));
}

std::string hexOf(const Bytes& bytes) {
    if (bytes.size() > 24)
        return toHex(Bytes(bytes.begin(), bytes.begin() + 24), " ") + " .. (" + std::to_string(bytes.size()) + " bytes)";
    return bytes.empty() ? "nothing" : toHex(bytes, " ");
}

std::string mismatchOne(const std::string& pattern, const Bytes& actual, Values& values) {
    const std::vector<Item> items = parse(pattern);
    // Lengths: every item but one open-ended item has a fixed size.
    std::size_t fixed = 0;
    std::optional<std::size_t> open;
    std::vector<std::optional<Bytes>> expected(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = items[i];
        if (item.kind == Item::Literal) fixed += item.bytes.size();
        else if (item.kind == Item::AnyByte) fixed += 1;
        else if (item.kind == Item::Named && (expected[i] = known(item, values))) {
            if (item.size && *item.size != expected[i]->size())
                return "{" + item.name + ":" + std::to_string(*item.size) + "} is known with " +
                       std::to_string(expected[i]->size()) + " bytes";
            fixed += expected[i]->size();
        } else if (item.kind == Item::Named && item.size) fixed += *item.size;
        else {
            if (open) throw PatternError("\"" + pattern + "\" has two open-ended items");
            open = i;
        }
    }
    if (actual.size() < fixed || (!open && actual.size() != fixed))
        return std::to_string(actual.size()) + " bytes (" + hexOf(actual) + "), expected " +
               (open ? "at least " : "") + std::to_string(fixed);

    Values bound;
    std::size_t at = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = items[i];
        std::size_t size = item.kind == Item::Literal ? item.bytes.size()
                           : item.kind == Item::AnyByte ? 1
                           : expected[i]              ? expected[i]->size()
                           : item.size                ? *item.size
                                                      : actual.size() - fixed;
        const Bytes got(actual.begin() + static_cast<std::ptrdiff_t>(at),
                        actual.begin() + static_cast<std::ptrdiff_t>(at + size));
        const Bytes* want = item.kind == Item::Literal ? &item.bytes : expected[i] ? &*expected[i] : nullptr;
        if (want && got != *want) {
            const std::string what = item.kind == Item::Literal ? "bytes " + std::to_string(at) + ".." +
                                                                      std::to_string(at + size - 1)
                                                                : "{" + item.name + "}";
            return what + " are " + hexOf(got) + ", expected " + hexOf(*want) + " (whole answer: " +
                   hexOf(actual) + ")";
        }
        if (item.kind == Item::Named && !want) {
            const auto twice = bound.find(item.name);
            if (twice != bound.end() && twice->second != got)
                return "{" + item.name + "} appears twice with different bytes";
            bound[item.name] = got;
        }
        at += size;
    }
    for (auto& [name, value] : bound) values[name] = std::move(value);
    return {};
}

}  // namespace

Bytes fill(const std::string& text, const Values& values) {
    Bytes out;
    for (const Item& item : parse(text)) {
        if (item.kind == Item::Literal) {
            out.insert(out.end(), item.bytes.begin(), item.bytes.end());
        } else if (item.kind == Item::Named) {
            const auto value = known(item, values);
            if (!value) throw PatternError("{" + item.name + "} is not known here");
            out.insert(out.end(), value->begin(), value->end());
        } else {
            throw PatternError("\"" + text + "\": a command is only bytes and known values");
        }
    }
    return out;
}

std::string mismatch(const std::string& pattern, const Bytes& actual, Values& values) {
    std::string reasons;
    std::size_t from = 0;
    for (;;) {
        const auto bar = pattern.find('|', from);
        const std::string one = pattern.substr(from, bar == std::string::npos ? std::string::npos : bar - from);
        const std::string why = mismatchOne(one, actual, values);
        if (why.empty()) return {};
        reasons += (reasons.empty() ? "" : "; or ") + why;
        if (bar == std::string::npos) return reasons;
        from = bar + 1;
    }
}

}  // namespace quorum::conformance
