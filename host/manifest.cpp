#include "host/manifest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <json/json.h>

#include "crypto/certificate.hpp"
#include "host/file_io.hpp"

namespace quorum::host {

namespace {

const Json::Value& require(const Json::Value& object, const char* key, const std::string& where) {
    if (!object.isObject() || !object.isMember(key))
        throw ManifestError("manifest: " + where + "\"" + key + "\" is missing");
    return object[key];
}

std::string requireString(const Json::Value& object, const char* key, const std::string& where = "") {
    const Json::Value& v = require(object, key, where);
    if (!v.isString()) throw ManifestError("manifest: " + where + "\"" + key + "\" is not a string");
    return v.asString();
}

Bytes requireHex(const Json::Value& object, const char* key, const std::string& where = "") {
    const std::string text = requireString(object, key, where);
    try {
        return fromHex(text);
    } catch (const std::invalid_argument& e) {
        throw ManifestError("manifest: " + where + "\"" + key + "\" is not hex: " + e.what());
    }
}

int requireInt(const Json::Value& object, const char* key, const std::string& where = "") {
    const Json::Value& v = require(object, key, where);
    if (!v.isInt()) throw ManifestError("manifest: " + where + "\"" + key + "\" is not an integer");
    return v.asInt();
}

}  // namespace

std::string Manifest::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["card_set_id"] = toHex(cardSetId);
    root["scheme"] = scheme;
    root["k"] = k;
    root["n"] = n;
    root["ca_certificate"] = caCertificatePem;
    Json::Value list(Json::arrayValue);
    for (const auto& card : cards) {
        Json::Value c(Json::objectValue);
        c["index"] = card.index;
        c["card_id"] = toHex(card.cardId);
        c["certificate"] = card.certificatePem;
        list.append(c);
    }
    root["cards"] = list;
    root["commitments"] = toHex(commitments.encode());
    root["commitments_sha256"] = toHex(commitments.digest());
    Json::Value key(Json::objectValue);
    key["type"] = signingKey.type;
    key["public_key"] = signingKey.publicKeyPem;
    key["wrapped_key"] = toHex(signingKey.wrappedKey);
    key["wrap_mechanism"] = signingKey.wrapMechanism;
    root["signing_key"] = key;
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "  ";
    return Json::writeString(writer, root) + "\n";
}

Manifest Manifest::fromJson(const std::string& text) {
    Json::CharReaderBuilder builder;
    builder["strictRoot"] = true;
    builder["rejectDupKeys"] = true;
    Json::Value root;
    std::string errors;
    std::istringstream in(text);
    if (!Json::parseFromStream(builder, in, &root, &errors))
        throw ManifestError("manifest: not valid JSON: " + errors);
    if (requireString(root, "format") != kFormat)
        throw ManifestError(std::string("manifest: \"format\" is not \"") + kFormat + "\"");
    if (requireInt(root, "version") != kVersion)
        throw ManifestError("manifest: version " + std::to_string(requireInt(root, "version")) +
                            " is not supported (this program reads version " + std::to_string(kVersion) + ")");
    Manifest m;
    m.cardSetId = requireHex(root, "card_set_id");
    if (m.cardSetId.size() != crypto::kCardSetIdSize)
        throw ManifestError("manifest: \"card_set_id\" is not 16 bytes");
    m.scheme = requireString(root, "scheme");
    if (m.scheme != kSchemeShamir) throw ManifestError("manifest: scheme \"" + m.scheme + "\" is not supported");
    m.k = requireInt(root, "k");
    m.n = requireInt(root, "n");
    if (m.k < 1 || m.k > m.n || m.n > crypto::kFeldmanMaxShares)
        throw ManifestError("manifest: k = " + std::to_string(m.k) + ", n = " + std::to_string(m.n) +
                            " (need 1 <= k <= n <= 255)");
    m.caCertificatePem = requireString(root, "ca_certificate");
    crypto::Certificate ca = [&] {
        try {
            return crypto::Certificate::fromPem(m.caCertificatePem);
        } catch (const std::exception& e) {
            throw ManifestError(std::string("manifest: \"ca_certificate\": ") + e.what());
        }
    }();
    try {
        m.commitments = crypto::FeldmanCommitments::decode(requireHex(root, "commitments"));
    } catch (const crypto::FeldmanError& e) {
        throw ManifestError(std::string("manifest: \"commitments\": ") + e.what());
    }
    if (static_cast<int>(m.commitments.threshold()) != m.k)
        throw ManifestError("manifest: the commitments are for " + std::to_string(m.commitments.threshold()) +
                            " shares, but k is " + std::to_string(m.k));
    if (requireHex(root, "commitments_sha256") != m.commitments.digest())
        throw ManifestError("manifest: \"commitments_sha256\" does not match \"commitments\"");

    const Json::Value& cards = require(root, "cards", "");
    if (!cards.isArray() || static_cast<int>(cards.size()) != m.n)
        throw ManifestError("manifest: \"cards\" must list the " + std::to_string(m.n) + " cards");
    std::set<int> seen;
    for (Json::ArrayIndex i = 0; i < cards.size(); ++i) {
        const std::string where = "cards[" + std::to_string(i) + "]: ";
        ManifestCard card;
        card.index = requireInt(cards[i], "index", where);
        card.cardId = requireHex(cards[i], "card_id", where);
        card.certificatePem = requireString(cards[i], "certificate", where);
        if (card.index < 1 || card.index > m.n || !seen.insert(card.index).second)
            throw ManifestError("manifest: " + where + "index " + std::to_string(card.index) +
                                " is outside 1.." + std::to_string(m.n) + " or listed twice");
        try {
            const auto info = crypto::verifyCertificate(crypto::Certificate::fromPem(card.certificatePem), ca,
                                                        crypto::CertRole::Card, m.cardSetId);
            if (info.cardIndex != card.index)
                throw ManifestError("the certificate is for card " + std::to_string(info.cardIndex.value_or(0)));
        } catch (const std::exception& e) {
            throw ManifestError("manifest: " + where + "card " + std::to_string(card.index) + ": " + e.what());
        }
        m.cards.push_back(std::move(card));
    }
    const Json::Value& key = require(root, "signing_key", "");
    m.signingKey.type = requireString(key, "type", "signing_key: ");
    m.signingKey.publicKeyPem = requireString(key, "public_key", "signing_key: ");
    m.signingKey.wrappedKey = requireHex(key, "wrapped_key", "signing_key: ");
    m.signingKey.wrapMechanism = requireString(key, "wrap_mechanism", "signing_key: ");
    if (m.signingKey.wrapMechanism != "CKM_AES_KEY_WRAP_PAD")
        throw ManifestError("manifest: signing_key: wrap mechanism \"" + m.signingKey.wrapMechanism +
                            "\" is not supported");
    return m;
}

void Manifest::save(const std::string& path) const {
    try {
        writeNewFile(path, toJson(), 0644, "manifest");  // public on purpose
    } catch (const std::runtime_error& e) {
        throw ManifestError(e.what());
    }
}

Manifest Manifest::load(const std::string& path) {
    std::string text;
    try {
        text = readWholeFile(path, "manifest");
    } catch (const std::runtime_error& e) {
        throw ManifestError(e.what());
    }
    try {
        return fromJson(text);
    } catch (const ManifestError& e) {
        throw ManifestError(path + ": " + e.what());
    }
}

}  // namespace quorum::host
