// The one strict reading of JSON for every document of the project (manifests, partial
// signatures, journals, transcripts, card images, audit log lines): exactly one value and nothing
// after it, no comments, no duplicate keys, and a bound on nesting, so that hostile input is a
// clear error rather than a crash.
#pragma once

#include <stdexcept>
#include <string>

#include <json/value.h>

namespace quorum::platform {

// How deep objects and arrays may nest in any document the project reads (its own go to 6).
constexpr int kMaxJsonDepth = 64;

// Says what is wrong with the text: "not valid JSON: ...", "nested deeper than 64 levels".
class JsonError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The root value of `text`, which must be an object (or, with `objectRoot` false, any value).
Json::Value parseStrictJson(const std::string& text, bool objectRoot = true);

}  // namespace quorum::platform
