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

constexpr std::size_t kMaxModulus = 512;

// The proof's response, whose size follows from the partial's (`partialSize`, the modulus size).
// When they disagree, the message names the partial first: the response is what a changed
// partial's length gives away.
Bytes requireResponse(const Json::Value& proof, std::size_t partialSize, const char* partialField) {
    using crypto::shoup::responseSize;
    Bytes response = requireHex(proof, "response", responseSize(crypto::shoup::kMinTestModulusBits / 8),
                                responseSize(kMaxModulus));
    if (response.size() != responseSize(partialSize))
        kDocument.fail(std::string("\"") + partialField + "\" has " + std::to_string(partialSize) +
                       " bytes, but the proof's \"response\" has " + std::to_string(response.size()) +
                       " bytes, that of a partial of " + std::to_string(response.size() - responseSize(0)) +
                       " bytes: they do not belong together (the partial or the response was changed)");
    return response;
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
    return jsonText(root);
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
    f.partial.response = requireResponse(proof, f.partial.value.size(), "partial");
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

namespace {
Json::Value hexList(const std::vector<Bytes>& values) {
    Json::Value list(Json::arrayValue);
    for (const auto& value : values) list.append(toHex(value));
    return list;
}

std::vector<Bytes> requireHexList(const Json::Value& object, const char* key, std::size_t count, std::size_t minSize,
                                  std::size_t maxSize) {
    const Json::Value& list = kDocument.require(object, key);
    if (!list.isArray() || list.size() != count)
        kDocument.fail(std::string("\"") + key + "\" must list " + std::to_string(count) + " values");
    std::vector<Bytes> values;
    for (Json::ArrayIndex i = 0; i < list.size(); ++i) {
        Json::Value one(Json::objectValue);
        one["value"] = list[i];
        try {
            values.push_back(requireHex(one, "value", minSize, maxSize));
        } catch (const PartialFileError& e) {
            kDocument.fail(std::string(key) + "[" + std::to_string(i) + "]: " + e.what());
        }
    }
    return values;
}
}  // namespace

std::string PartialBatchFile::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["scheme"] = "shoup-rsa";
    root["card_set_id"] = toHex(cardSetId);
    root["card_index"] = cardIndex;
    root["card_id"] = toHex(cardId);
    root["subject"] = subject;
    root["subject_sha256"] = toHex(subjectDigest);
    root["digests_sha256"] = hexList(digests);
    root["partials"] = hexList(batch.values);
    Json::Value proof(Json::objectValue);
    proof["challenge"] = toHex(batch.challenge);
    proof["response"] = toHex(batch.response);
    root["proof"] = proof;
    root["usage_counter"] = static_cast<Json::UInt>(usageCount);
    return jsonText(root);
}

PartialBatchFile PartialBatchFile::fromJson(const std::string& text) {
    const Json::Value root = kDocument.parse(text);
    if (kDocument.string(root, "format") != kFormat) kDocument.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    const Json::Value& version = kDocument.require(root, "version");
    if (!version.isInt() || version.asInt() != kVersion)
        kDocument.fail("this program reads version " + std::to_string(kVersion) + " only");
    if (kDocument.string(root, "scheme") != "shoup-rsa") kDocument.fail("scheme is not \"shoup-rsa\"");
    PartialBatchFile f;
    f.cardSetId = requireHex(root, "card_set_id", crypto::kCardSetIdSize, crypto::kCardSetIdSize);
    const Json::Value& index = kDocument.require(root, "card_index");
    if (!index.isInt() || index.asInt() < 1 || index.asInt() > crypto::shoup::kMaxPlayers)
        kDocument.fail("\"card_index\" is not a card index 1..16");
    f.cardIndex = index.asInt();
    f.cardId = requireHex(root, "card_id", 16, 16);
    f.subject = kDocument.string(root, "subject");
    if (f.subject.size() > 200) kDocument.fail("\"subject\" is longer than 200 characters");
    f.subjectDigest = requireHex(root, "subject_sha256", 32, 32);
    const Json::Value& digests = kDocument.require(root, "digests_sha256");
    if (!digests.isArray() || digests.size() < crypto::shoup::kMinBatch || digests.size() > crypto::shoup::kMaxBatch)
        kDocument.fail("\"digests_sha256\" must list " + std::to_string(crypto::shoup::kMinBatch) + " to " +
                       std::to_string(crypto::shoup::kMaxBatch) + " digests");
    f.digests = requireHexList(root, "digests_sha256", digests.size(), 32, 32);
    f.batch.values = requireHexList(root, "partials", f.digests.size(), crypto::shoup::kMinTestModulusBits / 8, kMaxModulus);
    for (const auto& value : f.batch.values)
        if (value.size() != f.batch.values.front().size()) kDocument.fail("the partials are not all of one size");
    const Json::Value& proof = kDocument.require(root, "proof");
    f.batch.challenge = requireHex(proof, "challenge", crypto::shoup::kChallengeSize, crypto::shoup::kChallengeSize);
    f.batch.response = requireResponse(proof, f.batch.values.front().size(), "partials");
    const Json::Value& counter = kDocument.require(root, "usage_counter");
    if (!counter.isUInt()) kDocument.fail("\"usage_counter\" is not a counter");
    f.usageCount = counter.asUInt();
    return f;
}

void PartialBatchFile::save(const std::string& path) const { kDocument.save(path, toJson(), 0644); }

PartialBatchFile PartialBatchFile::load(const std::string& path) {
    const std::string text = kDocument.load(path);
    try {
        return fromJson(text);
    } catch (const PartialFileError& e) {
        throw PartialFileError(path + ": " + e.what());
    }
}

}  // namespace quorum::host
