#include "host/documents/keygen_journal.hpp"

#include <json/json.h>

#include <sstream>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/document_signature.hpp"
#include "host/documents/json_document.hpp"

namespace quorum::host {

namespace {

const JsonDocument<KeygenJournalError> kDocument("keygen journal");

// The sealing key and its context: bound to the CA's key and card set.
Bytes sealingKey(const crypto::CeremonyCa& ca) {
    const std::string label = "quorum keygen journal v1";
    Bytes info(label.begin(), label.end());
    const Bytes& set = ca.cardSetId();
    info.insert(info.end(), set.begin(), set.end());
    return crypto::hkdfSha256(ca.key().scalar(), info, 32);
}

constexpr const char* kSignatureLabel = "quorum-keygen-journal signature v1";

// The journal as toJson() writes it without its signature: every field in a fixed layout, so the
// text read need not be laid out the same way.
std::string unsignedText(const KeygenJournal& journal) {
    KeygenJournal copy = journal;
    copy.caSignature.clear();
    return copy.toJson();
}

}  // namespace

std::vector<int> KeygenJournal::remaining() const {
    std::vector<int> indexes;
    for (int index = 1; index <= draft.n; ++index)
        if (draft.card(index) == nullptr) indexes.push_back(index);
    return indexes;
}

std::string KeygenJournal::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["manifest"] = manifestPath;
    root["scheme"] = scheme;
    root["key_type"] = keyType;
    root["pin_policy"] = toHex(pinPolicy);
    Json::Value names(Json::arrayValue);
    for (const auto& holder : holders) names.append(holder);
    root["holders"] = names;
    Json::Value parsedDraft;
    Json::CharReaderBuilder reader;
    std::string errors;
    const std::string draftText = draft.toJson();
    std::istringstream in(draftText);
    Json::parseFromStream(reader, in, &parsedDraft, &errors);
    root["draft"] = parsedDraft;
    if (started) {
        Json::Value s(Json::objectValue);
        s["index"] = started->index;
        s["card_id"] = toHex(started->cardId);
        root["started"] = s;
    }
    root["sealed_shares"] = toHex(sealedShares);
    if (!caSignature.empty()) root["ca_signature"] = toHex(caSignature);
    return jsonText(root);
}

KeygenJournal KeygenJournal::fromJson(const std::string& text) {
    const Json::Value root = kDocument.parse(text);
    if (kDocument.string(root, "format") != kFormat) kDocument.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    if (kDocument.integer(root, "version") != kVersion)
        kDocument.fail("version " + std::to_string(kDocument.integer(root, "version")) + " is not supported");
    KeygenJournal journal;
    journal.manifestPath = kDocument.string(root, "manifest");
    journal.scheme = kDocument.string(root, "scheme");
    journal.keyType = kDocument.string(root, "key_type");
    journal.pinPolicy = kDocument.hex(root, "pin_policy");
    const Json::Value& draft = kDocument.require(root, "draft");
    try {
        Json::StreamWriterBuilder writer;
        journal.draft = Manifest::fromJson(Json::writeString(writer, draft), true);
    } catch (const ManifestError& e) {
        kDocument.fail(std::string("\"draft\": ") + e.what());
    }
    const Json::Value& names = kDocument.require(root, "holders");
    if (!names.isArray() || static_cast<int>(names.size()) != journal.draft.n)
        kDocument.fail("\"holders\" must list " + std::to_string(journal.draft.n) + " names");
    for (const auto& name : names) {
        if (!name.isString()) kDocument.fail("\"holders\" lists something that is not a string");
        journal.holders.push_back(name.asString());
    }
    if (root.isMember("started")) {
        const Json::Value& s = root["started"];
        journal.started = Started{kDocument.integer(s, "index", "started: "), kDocument.hex(s, "card_id", "started: ")};
    }
    journal.sealedShares = kDocument.hex(root, "sealed_shares");
    if (root.isMember("ca_signature")) journal.caSignature = kDocument.hex(root, "ca_signature");
    return journal;
}

void KeygenJournal::save(const std::string& path, const crypto::CeremonyCa& ca) {
    caSignature = signDocumentText(kSignatureLabel, unsignedText(*this), ca);
    try {
        replaceFile(path, toJson(), 0600, "keygen journal");
    } catch (const FileError& e) {
        throw KeygenJournalError(e.what());
    }
}

void KeygenJournal::authenticate(const crypto::Certificate& ca, const std::string& path) const {
    requireDocumentSignature<KeygenJournalError>(kSignatureLabel, unsignedText(*this), caSignature, ca, path);
}

KeygenJournal KeygenJournal::load(const std::string& path) {
    const std::string text = kDocument.load(path);
    try {
        return fromJson(text);
    } catch (const KeygenJournalError& e) {
        throw KeygenJournalError(path + ": " + e.what());
    }
}

Bytes sealShares(const crypto::CeremonyCa& ca, const std::map<int, Bytes>& shares) {
    Json::Value list(Json::objectValue);
    for (const auto& [index, value] : shares) list[std::to_string(index)] = toHex(value);
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "";
    std::string text = Json::writeString(writer, list);
    const Bytes plaintext(text.begin(), text.end());
    secureZero(text.data(), text.size());
    return crypto::aesGcmSeal(sealingKey(ca), plaintext, ca.cardSetId());
}

std::map<int, Bytes> openShares(const crypto::CeremonyCa& ca, const Bytes& sealed) {
    Bytes plaintext;
    try {
        plaintext = crypto::aesGcmOpen(sealingKey(ca), sealed, ca.cardSetId());
    } catch (const crypto::CryptoError&) {
        throw KeygenJournalError(
            "keygen journal: its sealed shares do not open with this ceremony's CA key (another CA, or altered)");
    }
    std::string text(plaintext.begin(), plaintext.end());
    Json::Value list;
    try {
        list = kDocument.parse(text);
    } catch (const KeygenJournalError&) {
        secureZero(text.data(), text.size());
        throw;
    }
    secureZero(text.data(), text.size());
    std::map<int, Bytes> shares;
    for (const auto& key : list.getMemberNames()) {
        std::string hex = list[key].asString();
        shares[std::stoi(key)] = fromHex(hex);
        secureZero(hex.data(), hex.size());
        list[key] = "";
    }
    return shares;
}

}  // namespace quorum::host
