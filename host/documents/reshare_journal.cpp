#include "host/documents/reshare_journal.hpp"

#include <json/json.h>

#include "host/base/file_io.hpp"
#include "host/documents/document_signature.hpp"
#include "host/documents/json_document.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

namespace {

const JsonDocument<ReshareJournalError> kDocument("reshare journal");
constexpr const char* kSignatureLabel = "quorum-reshare-journal signature v1";

std::string unsignedText(const ReshareJournal& journal) {
    ReshareJournal copy = journal;
    copy.caSignature.clear();
    return copy.toJson();
}

Json::Value indexList(const std::set<int>& indexes) {
    Json::Value list(Json::arrayValue);
    for (const int index : indexes) list.append(index);
    return list;
}

std::set<int> readIndexes(const Json::Value& root, const char* key) {
    const Json::Value& list = kDocument.require(root, key);
    if (!list.isArray()) kDocument.fail(std::string("\"") + key + "\" is not a list");
    std::set<int> indexes;
    for (const auto& value : list) {
        if (!value.isInt() || value.asInt() < 1 || value.asInt() > crypto::kFeldmanMaxShares)
            kDocument.fail(std::string("\"") + key + "\" lists something that is not a card index");
        if (!indexes.insert(value.asInt()).second)
            kDocument.fail(std::string("\"") + key + "\" lists card " +
                           std::to_string(value.asInt()) + " twice");
    }
    return indexes;
}

std::uint8_t cardIndex(const Json::Value& object, const char* key, const std::string& where) {
    const int index = kDocument.integer(object, key, where);
    if (index < 1 || index > crypto::kFeldmanMaxShares)
        kDocument.fail(where + "\"" + key + "\" is not a card index (1.." +
                       std::to_string(crypto::kFeldmanMaxShares) + ")");
    return static_cast<std::uint8_t>(index);
}

}  // namespace

const crypto::reshare::Redistribution* ReshareJournal::from(int index) const {
    for (const auto& r : redistributions)
        if (r.from == index) return &r;
    return nullptr;
}

std::string ReshareJournal::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["old_manifest"] = oldManifestPath;
    root["old_manifest_sha256"] = toHex(oldManifestSha256);
    root["new_manifest"] = newManifestPath;
    root["k"] = k;
    root["n"] = n;
    root["role"] = role;
    root["retire_old"] = retireOld;
    root["context"] = toHex(context);
    Json::Value list(Json::arrayValue);
    for (const auto& r : redistributions) {
        Json::Value entry(Json::objectValue);
        entry["from"] = r.from;
        entry["commitments"] = toHex(r.commitments.encode());
        Json::Value sealed(Json::arrayValue);
        for (const auto& box : r.sealed) {
            Json::Value b(Json::objectValue);
            b["to"] = box.to;
            b["ephemeral"] = toHex(box.ephemeral);
            b["box"] = toHex(box.box);
            sealed.append(b);
        }
        entry["sealed"] = sealed;
        list.append(entry);
    }
    root["redistributions"] = list;
    root["filled"] = indexList(filled);
    if (!newManifestSha256.empty()) root["new_manifest_sha256"] = toHex(newManifestSha256);
    root["retired"] = indexList(retired);
    if (!caSignature.empty()) root["ca_signature"] = toHex(caSignature);
    return jsonText(root);
}

ReshareJournal ReshareJournal::fromJson(const std::string& text) {
    const Json::Value root = kDocument.parse(text);
    if (kDocument.string(root, "format") != kFormat)
        kDocument.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    if (kDocument.integer(root, "version") != kVersion)
        kDocument.fail("version " + std::to_string(kDocument.integer(root, "version")) +
                       " is not supported");
    ReshareJournal journal;
    journal.oldManifestPath = kDocument.string(root, "old_manifest");
    journal.oldManifestSha256 = kDocument.hex(root, "old_manifest_sha256");
    journal.newManifestPath = kDocument.string(root, "new_manifest");
    journal.k = kDocument.integer(root, "k");
    journal.n = kDocument.integer(root, "n");
    if (journal.k < 1 || journal.k > journal.n || journal.n > crypto::kFeldmanMaxShares)
        kDocument.fail("k = " + std::to_string(journal.k) + ", n = " + std::to_string(journal.n) +
                       " is not a card set");
    journal.role = kDocument.string(root, "role");
    if (!ManifestLineage::validRole(journal.role))
        kDocument.fail("\"role\" \"" + journal.role + "\" is not a role");
    const Json::Value& retire = kDocument.require(root, "retire_old");
    if (!retire.isBool()) kDocument.fail("\"retire_old\" is not true or false");
    journal.retireOld = retire.asBool();
    journal.context = kDocument.hex(root, "context");
    const Json::Value& list = kDocument.require(root, "redistributions");
    if (!list.isArray()) kDocument.fail("\"redistributions\" is not a list");
    for (Json::ArrayIndex i = 0; i < list.size(); ++i) {
        const std::string where = "redistributions[" + std::to_string(i) + "]: ";
        crypto::reshare::Redistribution r;
        r.from = cardIndex(list[i], "from", where);
        if (journal.from(r.from) != nullptr)
            kDocument.fail(where + "card " + std::to_string(r.from) + " twice");
        try {
            r.commitments =
                crypto::FeldmanCommitments::decode(kDocument.hex(list[i], "commitments", where));
        } catch (const crypto::FeldmanError& e) {
            kDocument.fail(where + "\"commitments\": " + e.what());
        }
        const Json::Value& sealed = kDocument.require(list[i], "sealed", where);
        if (!sealed.isArray()) kDocument.fail(where + "\"sealed\" is not a list");
        for (const auto& box : sealed) {
            crypto::reshare::Sealed s;
            s.from = r.from;
            s.to = cardIndex(box, "to", where + "sealed: ");
            s.ephemeral = kDocument.hex(box, "ephemeral", where + "sealed: ");
            s.box = kDocument.hex(box, "box", where + "sealed: ");
            r.sealed.push_back(std::move(s));
        }
        journal.redistributions.push_back(std::move(r));
    }
    journal.filled = readIndexes(root, "filled");
    if (root.isMember("new_manifest_sha256"))
        journal.newManifestSha256 = kDocument.hex(root, "new_manifest_sha256");
    journal.retired = readIndexes(root, "retired");
    if (root.isMember("ca_signature")) journal.caSignature = kDocument.hex(root, "ca_signature");
    return journal;
}

void ReshareJournal::save(const std::string& path, const crypto::CeremonyCa& ca) {
    caSignature = signDocumentText(kSignatureLabel, unsignedText(*this), ca);
    try {
        replaceFile(path, toJson(), 0600, "reshare journal");
    } catch (const FileError& e) {
        throw ReshareJournalError(e.what());
    }
}

void ReshareJournal::authenticate(const crypto::Certificate& ca, const std::string& path) const {
    requireDocumentSignature<ReshareJournalError>(kSignatureLabel, unsignedText(*this), caSignature, ca, path);
}

ReshareJournal ReshareJournal::load(const std::string& path) {
    const std::string text = kDocument.load(path);
    try {
        return fromJson(text);
    } catch (const ReshareJournalError& e) {
        throw ReshareJournalError(path + ": " + e.what());
    }
}

}  // namespace quorum::host
