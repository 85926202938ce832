#include "platform/strict_json.hpp"

#include <json/json.h>

#include <memory>

namespace quorum::platform {

Json::Value parseStrictJson(const std::string& text, bool objectRoot) {
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);  // failIfExtra, rejectDupKeys, no comments
    builder["stackLimit"] = kMaxJsonDepth;
    const std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    Json::Value root;
    std::string errors;
    try {
        if (!reader->parse(text.data(), text.data() + text.size(), &root, &errors)) {
            for (char& c : errors)
                if (c == '\n') c = ' ';
            while (!errors.empty() && errors.back() == ' ') errors.pop_back();
            throw JsonError("not valid JSON (truncated, corrupted or followed by other data?): " + errors);
        }
    } catch (const Json::Exception&) {  // jsoncpp throws when the stack limit is reached
        throw JsonError("not valid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (objectRoot && !root.isObject()) throw JsonError("not a JSON object");
    return root;
}

}  // namespace quorum::platform
