#include "host/dnssec/policy.hpp"

#include <json/json.h>

#include <set>
#include <stdexcept>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/records.hpp"
#include "host/dnssec/xml_tree.hpp"
#include "host/documents/json_document.hpp"

namespace quorum::host::dnssec {
namespace {

using Document = JsonDocument<DocumentError>;

// One object of the policy, read key by key; done() refuses the keys nobody asked for.
class Section {
public:
    Section(const Document& document, const Json::Value& object, std::string where)
        : document_(document), object_(object), where_(std::move(where)) {
        if (!object_.isObject()) document_.fail(where_ + " is not an object");
    }

    void boolean(const char* key, bool& out) {
        if (const Json::Value* v = take(key)) {
            if (!v->isBool()) fail(key, "is not true or false");
            out = v->asBool();
        }
    }
    void integer(const char* key, int& out, int min, int max) {
        if (const Json::Value* v = take(key)) out = checkedInt(key, *v, min, max);
    }
    void duration(const char* key, Duration& out) {
        if (const Json::Value* v = take(key)) {
            if (!v->isString()) fail(key, "is not an ISO 8601 duration string such as \"P21D\"");
            try {
                out = parseDuration(v->asString());
            } catch (const std::invalid_argument& e) {
                fail(key, e.what());
            }
        }
    }
    void strings(const char* key, std::vector<std::string>& out) {
        if (const Json::Value* v = take(key)) {
            if (!v->isArray()) fail(key, "is not a list of strings");
            out.clear();
            for (const Json::Value& item : *v) {
                if (!item.isString()) fail(key, "is not a list of strings");
                out.push_back(item.asString());
            }
        }
    }
    template <typename T>
    void numbers(const char* key, std::vector<T>& out, std::int64_t min, std::int64_t max) {
        if (const Json::Value* v = take(key)) {
            if (!v->isArray()) fail(key, "is not a list of numbers");
            out.clear();
            for (const Json::Value& item : *v) {
                if (!item.isIntegral()) fail(key, "is not a list of numbers");
                const std::int64_t n = item.asInt64();
                if (n < min || n > max)
                    fail(key, "holds " + std::to_string(n) + ", outside " + std::to_string(min) +
                                  ".." + std::to_string(max));
                out.push_back(static_cast<T>(n));
            }
        }
    }
    void algorithms(const char* key, std::vector<std::uint8_t>& out) {
        std::vector<std::string> names;
        strings(key, names);
        if (!object_.isMember(key)) return;
        out.clear();
        for (const std::string& name : names) {
            const auto number = algorithmNumber(name);
            if (!number)
                fail(key, "holds \"" + name + "\", not a DNSSEC algorithm name such as RSASHA256");
            out.push_back(*number);
        }
    }
    // A section inside this one, or a null value when it is absent.
    const Json::Value* section(const char* key) { return take(key); }

    void done() const {
        for (const std::string& name : object_.getMemberNames())
            if (!taken_.count(name)) document_.fail(where_ + ": unknown key \"" + name + "\"");
    }

    [[noreturn]] void fail(const char* key, const std::string& message) const {
        document_.fail(where_ + ": \"" + key + "\" " + message);
    }

private:
    const Json::Value* take(const char* key) {
        taken_.insert(key);
        return object_.isMember(key) ? &object_[key] : nullptr;
    }
    int checkedInt(const char* key, const Json::Value& v, int min, int max) const {
        if (!v.isInt()) fail(key, "is not a whole number");
        const int n = v.asInt();
        if (n < min || n > max)
            fail(key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
        return n;
    }

    const Document& document_;
    const Json::Value& object_;
    std::string where_;
    std::set<std::string> taken_;
};

// Every field of a section with its JSON key (kskm's name) and range: the one list that reading
// (Section) and writing (Writer) both walk, with P a policy or a const one.
template <typename Fields, typename P>
void requestFields(Fields& f, P& p) {
    f.strings("acceptable_domains", p.acceptableDomains);
    f.integer("num_bundles", p.numBundles, 1, 1000);
    f.boolean("validate_signatures", p.validateSignatures);
    f.boolean("keys_match_zsk_policy", p.keysMatchZskPolicy);
    f.boolean("rsa_exponent_match_zsk_policy", p.rsaExponentMatchZskPolicy);
    f.boolean("enable_unsupported_ecdsa", p.enableUnsupportedEcdsa);
    f.boolean("enable_unsupported_edwards_dsa", p.enableUnsupportedEdwardsDsa);
    f.boolean("check_cycle_length", p.checkCycleLength);
    f.duration("min_cycle_inception_length", p.minCycleInceptionLength);
    f.duration("max_cycle_inception_length", p.maxCycleInceptionLength);
    f.duration("min_bundle_interval", p.minBundleInterval);
    f.duration("max_bundle_interval", p.maxBundleInterval);
    f.boolean("check_bundle_overlap", p.checkBundleOverlap);
    f.boolean("signature_algorithms_match_zsk_policy", p.signatureAlgorithmsMatchZskPolicy);
    f.algorithms("approved_algorithms", p.approvedAlgorithms);
    f.numbers("rsa_approved_exponents", p.rsaApprovedExponents, 1, INT64_MAX);
    f.numbers("rsa_approved_key_sizes", p.rsaApprovedKeySizes, 1, 65535);
    f.boolean("signature_validity_match_zsk_policy", p.signatureValidityMatchZskPolicy);
    f.boolean("check_keys_match_ksk_operator_policy", p.checkKeysMatchKskOperatorPolicy);
    f.numbers("num_keys_per_bundle", p.numKeysPerBundle, 0, 1000);
    f.integer("num_different_keys_in_all_bundles", p.numDifferentKeysInAllBundles, 1, 1000);
    f.boolean("signature_check_expire_horizon", p.signatureCheckExpireHorizon);
    f.integer("signature_horizon_days", p.signatureHorizonDays, 1, 36500);
    f.boolean("check_bundle_intervals", p.checkBundleIntervals);
    f.boolean("check_chain_keys", p.checkChainKeys);
    f.boolean("check_chain_keys_in_hsm", p.checkChainKeysInHsm);
    f.boolean("check_chain_overlap", p.checkChainOverlap);
    f.boolean("check_keys_publish_safety", p.checkKeysPublishSafety);
    f.boolean("check_keys_retire_safety", p.checkKeysRetireSafety);
}

template <typename Fields, typename P>
void responseFields(Fields& f, P& p) {
    f.integer("num_bundles", p.numBundles, 1, 1000);
    f.boolean("validate_signatures", p.validateSignatures);
}

template <typename Fields, typename P>
void kskFields(Fields& f, P& p) {
    f.duration("publish_safety", p.publishSafety);
    f.duration("retire_safety", p.retireSafety);
    f.duration("max_signature_validity", p.maxSignatureValidity);
    f.duration("min_signature_validity", p.minSignatureValidity);
    f.duration("max_validity_overlap", p.maxValidityOverlap);
    f.duration("min_validity_overlap", p.minValidityOverlap);
    f.boolean("require_zsk_algorithm", p.requireZskAlgorithm);
}

// The other side of Section: a policy's fields into a JSON object.
class Writer {
public:
    explicit Writer(Json::Value& object) : object_(object) {}
    void boolean(const char* key, bool value) { object_[key] = value; }
    void integer(const char* key, int value, int, int) { object_[key] = value; }
    void duration(const char* key, Duration value) { object_[key] = formatDuration(value); }
    void strings(const char* key, const std::vector<std::string>& values) {
        Json::Value array(Json::arrayValue);
        for (const std::string& v : values) array.append(v);
        object_[key] = array;
    }
    template <typename T>
    void numbers(const char* key, const std::vector<T>& values, std::int64_t, std::int64_t) {
        Json::Value array(Json::arrayValue);
        for (const T& v : values) array.append(Json::Value(static_cast<Json::Int64>(v)));
        object_[key] = array;
    }
    void algorithms(const char* key, const std::vector<std::uint8_t>& values) {
        std::vector<std::string> names;
        for (std::uint8_t algorithm : values) names.push_back(algorithmName(algorithm));
        strings(key, names);
    }

private:
    Json::Value& object_;
};

}  // namespace

std::string Policy::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    Writer requestOut(root["request"]);
    requestFields(requestOut, request);
    Writer responseOut(root["response"]);
    responseFields(responseOut, response);
    Writer kskOut(root["ksk"]);
    kskFields(kskOut, ksk);
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "  ";
    return Json::writeString(writer, root) + "\n";
}

Policy Policy::fromJson(const std::string& text, const std::string& source) {
    const Document document(source);
    const Json::Value root = document.parse(text);
    if (!root.isObject()) document.fail("not a JSON object");
    if (document.string(root, "format") != kFormat)
        document.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    if (document.integer(root, "version") != kVersion)
        document.fail("\"version\" " + std::to_string(document.integer(root, "version")) +
                      " is not " + std::to_string(kVersion) + ", the one this program reads");
    Policy policy;
    Section top(document, root, "the policy");
    top.section("format");
    top.section("version");
    if (const Json::Value* v = top.section("request")) {
        Section in(document, *v, "request");
        requestFields(in, policy.request);
        in.done();
    }
    if (const Json::Value* v = top.section("response")) {
        Section in(document, *v, "response");
        responseFields(in, policy.response);
        in.done();
    }
    if (const Json::Value* v = top.section("ksk")) {
        Section in(document, *v, "ksk");
        kskFields(in, policy.ksk);
        in.done();
    }
    top.done();
    return policy;
}

Policy Policy::load(const std::string& path) {
    return fromJson(xml::readDocumentFile(path, "policy"), "policy " + path);
}

}  // namespace quorum::host::dnssec
