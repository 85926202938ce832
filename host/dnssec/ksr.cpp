#include "host/dnssec/ksr.hpp"

#include <algorithm>
#include <stdexcept>

#include "host/dnssec/record_xml.hpp"

namespace quorum::host::dnssec {

Ksr Ksr::fromXml(const std::string& text, const std::string& source) {
    const xml::Tree tree = xml::Tree::parse(text, source);
    const xml::Element root = tree.root();
    Ksr ksr;
    static_cast<KsrHeader&>(ksr) = xml::readHeader(root);

    xml::Children top(root);
    const xml::Element request = top.one("Request");
    top.done();
    request.allowAttributes({"timestamp"});
    // ksr.rnc puts the timestamp here, kskm reads it from <KSR>: either is taken.
    if (auto timestamp = request.attribute("timestamp"); timestamp && !ksr.timestamp) {
        try {
            ksr.timestamp = parseTime(*timestamp);
        } catch (const std::invalid_argument& e) {
            request.fail(std::string("timestamp: ") + e.what());
        }
    }
    xml::Children parts(request);
    const xml::Element policy = parts.one("RequestPolicy");
    policy.allowAttributes({});
    xml::Children policyParts(policy);
    ksr.zskPolicy = xml::readSignaturePolicy(policyParts.one("ZSK"));
    policyParts.done();
    for (const xml::Element& bundle : parts.many("RequestBundle"))
        ksr.bundles.push_back(xml::readBundle(bundle, true));
    parts.done();
    std::stable_sort(ksr.bundles.begin(), ksr.bundles.end(),
                     [](const Bundle& a, const Bundle& b) { return a.expiration < b.expiration; });
    return ksr;
}

Ksr Ksr::load(const std::string& path) {
    return fromXml(xml::readDocumentFile(path, "KSR"), "KSR " + path);
}

std::string Ksr::toXml() const {
    xml::Writer out(2);
    out.open(xml::headerTag(*this));
    out.open("<Request>");
    out.open("<RequestPolicy>");
    xml::writeSignaturePolicy(out, "ZSK", zskPolicy);
    out.close("RequestPolicy");
    for (const Bundle& bundle : bundles) {
        out.open("<RequestBundle id=\"" + bundle.id + "\">");
        out.leaf("Inception", formatTimeWithoutZone(bundle.inception));
        out.leaf("Expiration", formatTimeWithoutZone(bundle.expiration));
        for (const std::string& signer : bundle.signers)
            out.line("<Signer keyIdentifier=\"" + signer + "\"/>");
        for (const Key& key : bundle.keys) xml::writeKey(out, key);
        for (const Signature& signature : bundle.signatures) xml::writeSignature(out, signature);
        out.close("RequestBundle");
    }
    out.close("Request");
    out.close("KSR");
    std::string text = out.text();
    text.pop_back();  // the ZSK operator's files end right after </KSR>
    return text;
}

}  // namespace quorum::host::dnssec
