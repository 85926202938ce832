// Strict JSON documents of the host (card-set manifests, partial signatures): parsing that refuses
// duplicate keys, anything but one object, trailing data and deep nesting; required fields read
// with errors that name the document and the field; the bounded whole-file read and the atomic
// new-file write with the document's own error type.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>

#include <json/json.h>

#include "apdu/bytes.hpp"
#include "host/base/file_io.hpp"
#include "platform/strict_json.hpp"

namespace quorum::host {

// A document's text as the host writes every JSON file: two-space indentation, UTF-8 kept as
// it is, one newline at the end.
inline std::string jsonText(const Json::Value& root) {
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "  ";
    writer["emitUTF8"] = true;
    return Json::writeString(writer, root) + "\n";
}

template <typename Error>
class JsonDocument {
public:
    // `name` starts every message: "manifest", "partial signature".
    explicit JsonDocument(std::string name) : name_(std::move(name)) {}

    // The most bytes a document file may have: the largest the project writes (a 4096-bit
    // threshold set of many cards, a KSR's batch of partials) are far below.
    static constexpr std::size_t kMaxBytes = 1024 * 1024;

    [[noreturn]] void fail(const std::string& message) const { throw Error(name_ + ": " + message); }

    // One JSON object and nothing after it, nested at most platform::kMaxJsonDepth deep.
    Json::Value parse(const std::string& text) const {
        try {
            return platform::parseStrictJson(text);
        } catch (const platform::JsonError& e) {
            fail(e.what());
        }
    }

    // `where` prefixes the field's name for nested objects ("cards[2]: ").
    const Json::Value& require(const Json::Value& object, const char* key, const std::string& where = "") const {
        if (!object.isObject() || !object.isMember(key)) fail(where + "\"" + key + "\" is missing");
        return object[key];
    }
    std::string string(const Json::Value& object, const char* key, const std::string& where = "") const {
        const Json::Value& v = require(object, key, where);
        if (!v.isString()) fail(where + "\"" + key + "\" is not a string");
        return v.asString();
    }
    Bytes hex(const Json::Value& object, const char* key, const std::string& where = "") const {
        const std::string text = string(object, key, where);
        try {
            return fromHex(text);
        } catch (const std::invalid_argument& e) {
            fail(where + "\"" + key + "\" is not hex: " + e.what());
        }
    }
    int integer(const Json::Value& object, const char* key, const std::string& where = "") const {
        const Json::Value& v = require(object, key, where);
        if (!v.isInt()) fail(where + "\"" + key + "\" is not an integer");
        return v.asInt();
    }

    // A new file (never over an existing one), written atomically; errors name the file.
    void save(const std::string& path, const std::string& text, mode_t mode) const {
        try {
            writeNewFile(path, text, mode, name_);
        } catch (const std::runtime_error& e) {
            throw Error(e.what());
        }
    }
    std::string load(const std::string& path) const {
        try {
            return readWholeFile(path, name_, kMaxBytes);
        } catch (const std::runtime_error& e) {
            throw Error(e.what());
        }
    }

private:
    std::string name_;
};

}  // namespace quorum::host
