#include "host/documents/partial_file.hpp"


#include <json/json.h>

#include "crypto/certificate.hpp"
#include "host/documents/json_document.hpp"

namespace quorum::host {

namespace {

const JsonDocument<PartialFileError> kDocument("partial signature");

Bytes requireHex(const Json::Value& object, const char* key, std::size_t minSize, std::size_t maxSize) {
    Bytes value = kDocument.hex(object, key);
    if (value.size() < minSize || value.size() > maxSize)
        kDocument.fail(std::string("\"") + key + "\" has " + std::to_string(value.size()) + " bytes, expected " +
                       (minSize == maxSize ? std::to_string(minSize)
                                           : std::to_string(minSize) + ".." + std::to_string(maxSize)));
    return value;
}

}  // namespace

std::string PartialFile::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["scheme"] = "shoup-rsa";
    root["card_set_id"] = toHex(cardSetId);
    root["card_index"] = partial.index;
    root["card_id"] = toHex(cardId);
    root["digest_sha256"] = toHex(digest);
    root["partial"] = toHex(partial.value);
    Json::Value proof(Json::objectValue);
    proof["challenge"] = toHex(partial.challenge);
    proof["response"] = toHex(partial.response);
    root["proof"] = proof;
    root["usage_counter"] = static_cast<Json::UInt>(usageCount);
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "  ";
    return Json::writeString(writer, root) + "\n";
}

PartialFile PartialFile::fromJson(const std::string& text) {
    const Json::Value root = kDocument.parse(text);
    if (kDocument.string(root, "format") != kFormat)
        kDocument.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    const Json::Value& version = kDocument.require(root, "version");
    if (!version.isInt() || version.asInt() != kVersion)
        kDocument.fail("this program reads version " + std::to_string(kVersion) + " only");
    if (kDocument.string(root, "scheme") != "shoup-rsa")
        kDocument.fail("scheme is not \"shoup-rsa\"");
    constexpr std::size_t kMaxModulus = 512;
    PartialFile f;
    f.cardSetId = requireHex(root, "card_set_id", crypto::kCardSetIdSize, crypto::kCardSetIdSize);
    const Json::Value& index = kDocument.require(root, "card_index");
    if (!index.isInt() || index.asInt() < 1 || index.asInt() > crypto::shoup::kMaxPlayers)
        kDocument.fail("\"card_index\" is not a card index 1..16");
    f.partial.index = index.asInt();
    f.cardId = requireHex(root, "card_id", 16, 16);
    f.digest = requireHex(root, "digest_sha256", crypto::shoup::kDigestSize, crypto::shoup::kDigestSize);
    f.partial.value = requireHex(root, "partial", crypto::shoup::kMinTestModulusBits / 8, kMaxModulus);
    const Json::Value& proof = kDocument.require(root, "proof");
    f.partial.challenge = requireHex(proof, "challenge", crypto::shoup::kChallengeSize, crypto::shoup::kChallengeSize);
    const std::size_t responseSize = crypto::shoup::responseSize(f.partial.value.size());
    f.partial.response = requireHex(proof, "response", responseSize, responseSize);
    const Json::Value& counter = kDocument.require(root, "usage_counter");
    if (!counter.isUInt()) kDocument.fail("\"usage_counter\" is not a counter");
    f.usageCount = counter.asUInt();
    return f;
}

void PartialFile::save(const std::string& path) const {
    kDocument.save(path, toJson(), 0644);
}

PartialFile PartialFile::load(const std::string& path) {
    const std::string text = kDocument.load(path);
    try {
        return fromJson(text);
    } catch (const PartialFileError& e) {
        throw PartialFileError(path + ": " + e.what());
    }
}

}  // namespace quorum::host
