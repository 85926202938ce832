#include "host/dnssec/skr.hpp"

#include <algorithm>

#include "host/base/file_io.hpp"
#include "host/dnssec/record_xml.hpp"

namespace quorum::host::dnssec {

Skr Skr::fromXml(const std::string& text, const std::string& source) {
    const xml::Tree tree = xml::Tree::parse(text, source);
    const xml::Element root = tree.root();
    Skr skr;
    static_cast<KsrHeader&>(skr) = xml::readHeader(root);

    xml::Children top(root);
    const xml::Element response = top.one("Response");
    top.done();
    response.allowAttributes({});
    xml::Children parts(response);
    const xml::Element policy = parts.one("ResponsePolicy");
    policy.allowAttributes({});
    xml::Children policyParts(policy);
    skr.kskPolicy = xml::readSignaturePolicy(policyParts.one("KSK"));
    skr.zskPolicy = xml::readSignaturePolicy(policyParts.one("ZSK"));
    policyParts.done();
    for (const xml::Element& bundle : parts.many("ResponseBundle"))
        skr.bundles.push_back(xml::readBundle(bundle, false));
    parts.done();
    return skr;
}

Skr Skr::load(const std::string& path) {
    return fromXml(xml::readDocumentFile(path, "SKR"), "SKR " + path);
}

std::string Skr::toXml(KeyOrder order) const {
    xml::Writer out(4);
    out.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.open(xml::headerTag(*this));
    out.open("<Response>");
    out.open("<ResponsePolicy>");
    xml::writeSignaturePolicy(out, "KSK", kskPolicy);
    xml::writeSignaturePolicy(out, "ZSK", zskPolicy);
    out.close("ResponsePolicy");
    for (const Bundle& bundle : bundles) {
        out.open("<ResponseBundle id=\"" + bundle.id + "\">");
        out.leaf("Inception", formatTime(bundle.inception));
        out.leaf("Expiration", formatTime(bundle.expiration));
        std::vector<Key> keys = bundle.keys;
        if (order == KeyOrder::ByKeyTag)
            std::stable_sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
                return a.keyTag != b.keyTag ? a.keyTag < b.keyTag
                                            : a.keyIdentifier < b.keyIdentifier;
            });
        for (const Key& key : keys) xml::writeKey(out, key);
        for (const Signature& signature : bundle.signatures) xml::writeSignature(out, signature);
        out.close("ResponseBundle");
    }
    out.close("Response");
    out.close("KSR");
    return out.text();
}

void Skr::save(const std::string& path) const {
    writeNewFile(path, toXml(), 0644, "SKR");
}

}  // namespace quorum::host::dnssec
