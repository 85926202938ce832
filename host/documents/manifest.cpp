#include "host/documents/manifest.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include <json/json.h>

#include "crypto/certificate.hpp"
#include "host/documents/json_document.hpp"

namespace quorum::host {

namespace {

const JsonDocument<ManifestError> kDocument("manifest");

const Json::Value& require(const Json::Value& object, const char* key, const std::string& where) {
    return kDocument.require(object, key, where);
}
std::string requireString(const Json::Value& object, const char* key, const std::string& where = "") {
    return kDocument.string(object, key, where);
}
Bytes requireHex(const Json::Value& object, const char* key, const std::string& where = "") {
    return kDocument.hex(object, key, where);
}
int requireInt(const Json::Value& object, const char* key, const std::string& where = "") {
    return kDocument.integer(object, key, where);
}

void readThresholdKey(const Json::Value& root, Manifest& m) {
    const Json::Value& rsa = require(root, "threshold_rsa", "");
    const std::string where = "threshold_rsa: ";
    const Json::Value& exponent = require(rsa, "public_exponent", where);
    if (!exponent.isUInt() || exponent.asUInt() != crypto::shoup::kPublicExponent)
        throw ManifestError("manifest: threshold_rsa: \"public_exponent\" must be 65537");
    m.rsaKey.k = m.k;
    m.rsaKey.n = m.n;
    m.rsaKey.modulus = requireHex(rsa, "modulus", where);
    m.rsaKey.v = requireHex(rsa, "v", where);
    const Json::Value& keys = require(rsa, "verification_keys", where);
    if (!keys.isArray() || static_cast<int>(keys.size()) != m.n)
        throw ManifestError("manifest: threshold_rsa: \"verification_keys\" must list " + std::to_string(m.n) +
                            " values (v_1..v_n)");
    for (Json::ArrayIndex i = 0; i < keys.size(); ++i) {
        if (!keys[i].isString())
            throw ManifestError("manifest: threshold_rsa: verification_keys[" + std::to_string(i) + "] is not a string");
        try {
            m.rsaKey.verificationKeys.push_back(fromHex(keys[i].asString()));
        } catch (const std::invalid_argument&) {
            throw ManifestError("manifest: threshold_rsa: verification_keys[" + std::to_string(i) + "] is not hex");
        }
    }
    try {
        m.rsaKey.check();
    } catch (const crypto::shoup::ShoupError& e) {
        throw ManifestError(std::string("manifest: threshold_rsa: ") + e.what());
    }
    if (requireInt(rsa, "modulus_bits", where) != m.rsaKey.modulusBits())
        throw ManifestError("manifest: threshold_rsa: \"modulus_bits\" does not match the modulus");
}

}  // namespace

void checkHolderName(const std::string& name) {
    constexpr std::size_t kMaxHolderName = 100;
    if (name.empty() || name.size() > kMaxHolderName)
        throw ManifestError("a holder's name has 1 to " + std::to_string(kMaxHolderName) + " characters, not " +
                            std::to_string(name.size()));
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7F) throw ManifestError("a holder's name cannot contain control characters: \"" + name + "\"");
}

std::string ManifestCard::describe() const {
    std::string text = "card " + std::to_string(index) + " (";
    if (!holder.empty()) text += holder + ", ";
    return text + "id " + toHex(cardId).substr(0, 8) + "...)";
}

const ManifestCard* Manifest::card(int index) const {
    for (const auto& listed : cards)
        if (listed.index == index) return &listed;
    return nullptr;
}

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
        if (!card.holder.empty()) c["holder"] = card.holder;
        list.append(c);
    }
    root["cards"] = list;
    Json::Value key(Json::objectValue);
    key["type"] = signingKey.type;
    key["public_key"] = signingKey.publicKeyPem;
    if (shoup()) {
        Json::Value rsa(Json::objectValue);
        rsa["modulus_bits"] = rsaKey.modulusBits();
        rsa["public_exponent"] = static_cast<Json::UInt>(crypto::shoup::kPublicExponent);
        rsa["modulus"] = toHex(rsaKey.modulus);
        rsa["v"] = toHex(rsaKey.v);
        Json::Value keys(Json::arrayValue);
        for (const auto& vi : rsaKey.verificationKeys) keys.append(toHex(vi));
        rsa["verification_keys"] = keys;
        root["threshold_rsa"] = rsa;
    } else {
        if (!commitments.points.empty()) {  // a reshare's draft has none until the old cards gave theirs
            root["commitments"] = toHex(commitments.encode());
            root["commitments_sha256"] = toHex(commitments.digest());
        }
        key["wrapped_key"] = toHex(signingKey.wrappedKey);
        key["wrap_mechanism"] = signingKey.wrapMechanism;
    }
    root["signing_key"] = key;
    Json::Value set(Json::objectValue);
    set["role"] = lineage.role;
    set["generation"] = lineage.generation;
    if (!lineage.parentSha256.empty()) set["parent_sha256"] = toHex(lineage.parentSha256);
    if (!lineage.current()) {
        set["superseded_by_sha256"] = toHex(lineage.supersededBySha256);
        set["superseded_by"] = lineage.supersededBy;
    }
    if (lineage.retired) set["retired"] = true;
    root["set"] = set;
    if (!caSignature.empty()) root["ca_signature"] = toHex(caSignature);
    return jsonText(root);
}

bool ManifestLineage::validRole(const std::string& role) {
    return role == kOperational || role == kRecovery || role == kTransport;
}

Manifest Manifest::fromJson(const std::string& text, bool draft) {
    const Json::Value root = kDocument.parse(text);
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
    if (m.scheme != kSchemeShamir && m.scheme != kSchemeShoup)
        throw ManifestError("manifest: scheme \"" + m.scheme + "\" is not supported (\"" + kSchemeShamir +
                            "\" or \"" + kSchemeShoup + "\")");
    m.k = requireInt(root, "k");
    m.n = requireInt(root, "n");
    const int maxCards = m.shoup() ? crypto::shoup::kMaxPlayers : crypto::kFeldmanMaxShares;
    if (m.k < 1 || m.k > m.n || m.n > maxCards)
        throw ManifestError("manifest: k = " + std::to_string(m.k) + ", n = " + std::to_string(m.n) +
                            " (need 1 <= k <= n <= " + std::to_string(maxCards) + ")");
    m.caCertificatePem = requireString(root, "ca_certificate");
    crypto::Certificate ca = [&] {
        try {
            return crypto::Certificate::fromPem(m.caCertificatePem);
        } catch (const std::exception& e) {
            throw ManifestError(std::string("manifest: \"ca_certificate\": ") + e.what());
        }
    }();
    if (m.shoup()) {
        readThresholdKey(root, m);
    } else if (draft && !root.isMember("commitments")) {
        // A reshare's draft: the commitments come from the old cards, after the new cards' issuance.
    } else {
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
    }

    const Json::Value& cards = require(root, "cards", "");
    if (!cards.isArray() || static_cast<int>(cards.size()) > m.n || (!draft && static_cast<int>(cards.size()) != m.n))
        throw ManifestError("manifest: \"cards\" must list the " + std::to_string(m.n) + " cards");
    std::set<int> seen;
    for (Json::ArrayIndex i = 0; i < cards.size(); ++i) {
        const std::string where = "cards[" + std::to_string(i) + "]: ";
        ManifestCard card;
        card.index = requireInt(cards[i], "index", where);
        card.cardId = requireHex(cards[i], "card_id", where);
        card.certificatePem = requireString(cards[i], "certificate", where);
        if (cards[i].isMember("holder")) {
            card.holder = requireString(cards[i], "holder", where);
            try {
                checkHolderName(card.holder);
            } catch (const ManifestError& e) {
                throw ManifestError("manifest: " + where + "\"holder\": " + e.what());
            }
        }
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
    if (root.isMember("set")) {
        const Json::Value& set = root["set"];
        const std::string where = "set: ";
        m.lineage.role = requireString(set, "role", where);
        if (!ManifestLineage::validRole(m.lineage.role))
            throw ManifestError("manifest: set: role \"" + m.lineage.role +
                                "\" is not operational, recovery or transport");
        m.lineage.generation = requireInt(set, "generation", where);
        if (m.lineage.generation < 1) throw ManifestError("manifest: set: generation must be 1 or more");
        if (set.isMember("parent_sha256")) m.lineage.parentSha256 = requireHex(set, "parent_sha256", where);
        if ((m.lineage.generation == 1) != m.lineage.parentSha256.empty())
            throw ManifestError("manifest: set: generation 1 has no parent, a later one has one");
        if (set.isMember("superseded_by_sha256")) {
            m.lineage.supersededBySha256 = requireHex(set, "superseded_by_sha256", where);
            m.lineage.supersededBy = requireString(set, "superseded_by", where);
        }
        if (set.isMember("retired")) {
            if (!set["retired"].isBool()) throw ManifestError("manifest: set: \"retired\" is not true or false");
            m.lineage.retired = set["retired"].asBool();
        }
        for (const auto& size : {m.lineage.parentSha256.size(), m.lineage.supersededBySha256.size()})
            if (size != 0 && size != 32) throw ManifestError("manifest: set: a SHA-256 has 32 bytes");
    }
    if (root.isMember("ca_signature")) m.caSignature = requireHex(root, "ca_signature");
    const Json::Value& key = require(root, "signing_key", "");
    m.signingKey.type = requireString(key, "type", "signing_key: ");
    m.signingKey.publicKeyPem = requireString(key, "public_key", "signing_key: ");
    if (m.shoup()) {
        const std::string expectedType = "rsa" + std::to_string(m.rsaKey.modulusBits());
        if (m.signingKey.type != expectedType)
            throw ManifestError("manifest: signing_key: type \"" + m.signingKey.type + "\" but the threshold key is " +
                                expectedType);
        if (m.signingKey.publicKeyPem != m.rsaKey.toPem())
            throw ManifestError("manifest: signing_key: \"public_key\" is not the threshold key's (N, e)");
        return m;
    }
    m.signingKey.wrappedKey = requireHex(key, "wrapped_key", "signing_key: ");
    m.signingKey.wrapMechanism = requireString(key, "wrap_mechanism", "signing_key: ");
    if (m.signingKey.wrapMechanism != "CKM_AES_KEY_WRAP_PAD")
        throw ManifestError("manifest: signing_key: wrap mechanism \"" + m.signingKey.wrapMechanism +
                            "\" is not supported");
    return m;
}

void Manifest::save(const std::string& path) const {
    kDocument.save(path, toJson(), 0644);  // public on purpose
}

Manifest Manifest::load(const std::string& path) {
    const std::string text = kDocument.load(path);
    try {
        return fromJson(text);
    } catch (const ManifestError& e) {
        throw ManifestError(path + ": " + e.what());
    }
}

}  // namespace quorum::host
