#include "host/dnssec/record_xml.hpp"

#include <stdexcept>

namespace quorum::host::dnssec::xml {
namespace {

Time timeText(const Element& element) {
    try {
        return parseTime(element.text());
    } catch (const std::invalid_argument& e) {
        element.fail(e.what());
    }
}

Duration durationText(const Element& element) {
    try {
        return parseDuration(element.text());
    } catch (const std::invalid_argument& e) {
        element.fail(e.what());
    }
}

std::uint8_t algorithmText(const Element& element, const std::string& text) {
    const auto algorithm = static_cast<std::uint8_t>(number(element, text, 255));
    if (!knownAlgorithm(algorithm)) element.fail(text + " is not a DNSSEC algorithm kskm knows");
    return algorithm;
}

AlgorithmPolicy readAlgorithmPolicy(const Element& element) {
    element.allowAttributes({"algorithm"});
    AlgorithmPolicy policy;
    policy.algorithm = algorithmText(element, element.requiredAttribute("algorithm"));
    Children children(element);
    const char* family = isRsa(policy.algorithm)     ? "RSA"
                         : isEcdsa(policy.algorithm) ? "ECDSA"
                         : isEddsa(policy.algorithm) ? "EdDSA"
                                                     : nullptr;
    if (!family)
        element.fail("Unhandled SignaturePolicy algorithm: " + algorithmName(policy.algorithm));
    const Element parameters = children.one(family);
    children.done();
    if (!parameters.children().empty() || !parameters.text().empty())
        parameters.fail("must be empty");
    if (isRsa(policy.algorithm)) {
        parameters.allowAttributes({"size", "exponent"});
        policy.size = static_cast<std::uint32_t>(
            number(parameters, parameters.requiredAttribute("size"), 65535));
        policy.exponent = number(parameters, parameters.requiredAttribute("exponent"), UINT64_MAX);
    } else {
        parameters.allowAttributes({"size"});
        policy.size = static_cast<std::uint32_t>(
            number(parameters, parameters.requiredAttribute("size"), 65535));
        policy.exponent = 0;
    }
    return policy;
}

std::string algorithmPolicyTag(const AlgorithmPolicy& policy) {
    const std::string size = "size=\"" + std::to_string(policy.size) + "\"";
    if (isRsa(policy.algorithm))
        return "<RSA " + size + " exponent=\"" + std::to_string(policy.exponent) + "\"/>";
    if (isEcdsa(policy.algorithm)) return "<ECDSA " + size + "/>";
    return "<EdDSA " + size + "/>";
}

}  // namespace

KsrHeader readHeader(const Element& root) {
    if (root.name() != "KSR") root.fail("the root element must be <KSR>");
    root.allowAttributes({"id", "domain", "serial", "timestamp"});
    KsrHeader header;
    header.id = token(root, root.requiredAttribute("id"), "id");
    header.domain = token(root, root.requiredAttribute("domain"), "domain");
    header.serial = number(root, root.requiredAttribute("serial"), INT64_MAX);
    if (auto timestamp = root.attribute("timestamp")) {
        try {
            header.timestamp = parseTime(*timestamp);
        } catch (const std::invalid_argument& e) {
            root.fail(std::string("timestamp: ") + e.what());
        }
    }
    return header;
}

Key readKey(const Element& element) {
    element.allowAttributes({"keyIdentifier", "keyTag"});
    Key key;
    key.keyIdentifier = token(element, element.requiredAttribute("keyIdentifier"), "keyIdentifier");
    key.keyTag =
        static_cast<std::uint16_t>(number(element, element.requiredAttribute("keyTag"), 65535));
    Children children(element);
    key.ttl = static_cast<std::uint32_t>(numberText(children.one("TTL"), UINT32_MAX));
    const Element flags = children.one("Flags");
    key.flags = static_cast<std::uint16_t>(numberText(flags, 65535));
    if (key.flags != kFlagsZone && key.flags != (kFlagsZone | kFlagsSep) &&
        key.flags != (kFlagsZone | kFlagsSep | kFlagsRevoke))
        flags.fail("Unsupported DNSSEC key flags combination " + std::to_string(key.flags));
    key.protocol = static_cast<std::uint8_t>(numberText(children.one("Protocol"), 255));
    const Element algorithm = children.one("Algorithm");
    key.algorithm = algorithmText(algorithm, algorithm.text());
    key.publicKey = base64Text(children.one("PublicKey"));
    children.done();
    return key;
}

Signature readSignature(const Element& element) {
    element.allowAttributes({"keyIdentifier"});
    Signature signature;
    signature.keyIdentifier =
        token(element, element.requiredAttribute("keyIdentifier"), "keyIdentifier");
    Children children(element);
    signature.ttl = static_cast<std::uint32_t>(numberText(children.one("TTL"), UINT32_MAX));
    const Element typeCovered = children.one("TypeCovered");
    signature.typeCovered = typeCovered.text();
    if (signature.typeCovered != "DNSKEY")
        typeCovered.fail("only DNSKEY is supported, not " + signature.typeCovered);
    const Element algorithm = children.one("Algorithm");
    signature.algorithm = algorithmText(algorithm, algorithm.text());
    signature.labels = static_cast<std::uint8_t>(numberText(children.one("Labels"), 255));
    signature.originalTtl =
        static_cast<std::uint32_t>(numberText(children.one("OriginalTTL"), UINT32_MAX));
    signature.expiration = timeText(children.one("SignatureExpiration"));
    signature.inception = timeText(children.one("SignatureInception"));
    signature.keyTag = static_cast<std::uint16_t>(numberText(children.one("KeyTag"), 65535));
    const Element signersName = children.one("SignersName");
    signature.signersName = signersName.text();
    if (signature.signersName != ".")
        signersName.fail("only \".\" is supported, not " + signature.signersName);
    signature.signatureData = base64Text(children.one("SignatureData"));
    children.done();
    return signature;
}

SignaturePolicy readSignaturePolicy(const Element& element) {
    element.allowAttributes({});
    SignaturePolicy policy;
    Children children(element);
    policy.publishSafety = durationText(children.one("PublishSafety"));
    policy.retireSafety = durationText(children.one("RetireSafety"));
    policy.maxSignatureValidity = durationText(children.one("MaxSignatureValidity"));
    policy.minSignatureValidity = durationText(children.one("MinSignatureValidity"));
    policy.maxValidityOverlap = durationText(children.one("MaxValidityOverlap"));
    policy.minValidityOverlap = durationText(children.one("MinValidityOverlap"));
    const auto algorithms = children.many("SignatureAlgorithm");
    if (algorithms.empty()) element.fail("the element <SignatureAlgorithm> is missing");
    for (const Element& algorithm : algorithms)
        policy.algorithms.push_back(readAlgorithmPolicy(algorithm));
    children.done();
    return policy;
}

Bundle readBundle(const Element& element, bool request) {
    element.allowAttributes({"id"});
    Bundle bundle;
    bundle.id = token(element, element.requiredAttribute("id"), "bundle id");
    Children children(element);
    bundle.inception = timeText(children.one("Inception"));
    bundle.expiration = timeText(children.one("Expiration"));
    if (request) {
        for (const Element& signer : children.many("Signer")) {
            signer.allowAttributes({"keyIdentifier"});
            if (!signer.children().empty() || !signer.text().empty()) signer.fail("must be empty");
            bundle.signers.push_back(
                token(signer, signer.requiredAttribute("keyIdentifier"), "keyIdentifier"));
        }
    }
    for (const Element& key : children.many("Key")) bundle.keys.push_back(readKey(key));
    for (const Element& signature : children.many("Signature"))
        bundle.signatures.push_back(readSignature(signature));
    children.done();
    if (bundle.keys.empty()) element.fail("Bundle " + bundle.id + " missing mandatory Key");
    if (bundle.signatures.empty())
        element.fail("Bundle " + bundle.id + " missing mandatory Signature");
    return bundle;
}

std::string headerTag(const KsrHeader& header) {
    std::string tag = "<KSR id=\"" + header.id + "\" domain=\"" + header.domain + "\" serial=\"" +
                      std::to_string(header.serial) + "\"";
    if (header.timestamp) tag += " timestamp=\"" + formatTime(*header.timestamp) + "\"";
    return tag + ">";
}

void writeSignaturePolicy(Writer& out, const char* name, const SignaturePolicy& policy) {
    out.open(std::string("<") + name + ">");
    out.leaf("PublishSafety", formatDuration(policy.publishSafety));
    out.leaf("RetireSafety", formatDuration(policy.retireSafety));
    out.leaf("MaxSignatureValidity", formatDuration(policy.maxSignatureValidity));
    out.leaf("MinSignatureValidity", formatDuration(policy.minSignatureValidity));
    out.leaf("MaxValidityOverlap", formatDuration(policy.maxValidityOverlap));
    out.leaf("MinValidityOverlap", formatDuration(policy.minValidityOverlap));
    for (const AlgorithmPolicy& algorithm : policy.algorithms) {
        out.open("<SignatureAlgorithm algorithm=\"" + std::to_string(algorithm.algorithm) + "\">");
        out.line(algorithmPolicyTag(algorithm));
        out.close("SignatureAlgorithm");
    }
    out.close(name);
}

void writeKey(Writer& out, const Key& key) {
    out.open("<Key keyIdentifier=\"" + key.keyIdentifier + "\" keyTag=\"" +
             std::to_string(key.keyTag) + "\">");
    out.leaf("TTL", std::to_string(key.ttl));
    out.leaf("Flags", std::to_string(key.flags));
    out.leaf("Protocol", std::to_string(key.protocol));
    out.leaf("Algorithm", std::to_string(key.algorithm));
    out.leaf("PublicKey", key.publicKey);
    out.close("Key");
}

void writeSignature(Writer& out, const Signature& signature) {
    out.open("<Signature keyIdentifier=\"" + signature.keyIdentifier + "\">");
    out.leaf("TTL", std::to_string(signature.ttl));
    out.leaf("TypeCovered", signature.typeCovered);
    out.leaf("Algorithm", std::to_string(signature.algorithm));
    out.leaf("Labels", std::to_string(signature.labels));
    out.leaf("OriginalTTL", std::to_string(signature.originalTtl));
    out.leaf("SignatureExpiration", formatTime(signature.expiration));
    out.leaf("SignatureInception", formatTime(signature.inception));
    out.leaf("KeyTag", std::to_string(signature.keyTag));
    out.leaf("SignersName", signature.signersName);
    out.leaf("SignatureData", signature.signatureData);
    out.close("Signature");
}

}  // namespace quorum::host::dnssec::xml
