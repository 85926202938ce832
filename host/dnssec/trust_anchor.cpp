#include "host/dnssec/trust_anchor.hpp"

#include <algorithm>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ldns_objects.hpp"
#include "host/dnssec/xml_tree.hpp"

namespace quorum::host::dnssec {

std::string trustAnchorXml(const std::string& id, const std::vector<TrustAnchorKey>& keys,
                           const std::string& zone, const std::string& source) {
    if (!xml::isToken(id))
        throw DnssecError("trust anchor: the id \"" + id + "\" cannot stand in an XML attribute");
    if (!xml::isToken(source))
        throw DnssecError("trust anchor: the source \"" + source +
                          "\" cannot stand in an XML attribute");
    if (!xml::isToken(zone)) throw DnssecError("trust anchor: \"" + zone + "\" is not a zone name");
    std::vector<const TrustAnchorKey*> sorted;
    for (const TrustAnchorKey& key : keys) sorted.push_back(&key);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const TrustAnchorKey* a, const TrustAnchorKey* b) {
                         return a->validFrom < b->validFrom;
                     });
    std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    xml += "<TrustAnchor id=\"" + id + "\" source=\"" + source + "\">\n";
    xml += "<Zone>" + ldns::absoluteName(zone) + "</Zone>\n";
    for (const TrustAnchorKey* entry : sorted) {
        const KskKey& key = entry->key;
        xml += "<KeyDigest id=\"" + key.label() + "\" validFrom=\"" + formatTime(entry->validFrom) +
               "\"";
        if (entry->validUntil) xml += " validUntil=\"" + formatTime(*entry->validUntil) + "\"";
        xml += ">\n";
        xml += "<KeyTag>" + std::to_string(key.keyTag()) + "</KeyTag>\n";
        xml += "<Algorithm>" + std::to_string(key.algorithm()) + "</Algorithm>\n";
        xml += "<DigestType>2</DigestType>\n";
        xml += "<Digest>" + key.dsDigestHex(zone) + "</Digest>\n";
        if (entry->withPublicKey) {
            xml += "<PublicKey>" + key.publicKeyBase64() + "</PublicKey>\n";
            xml += "<Flags>" + std::to_string(key.flags()) + "</Flags>\n";
        }
        xml += "</KeyDigest>\n";
    }
    xml += "</TrustAnchor>";
    return xml;
}

}  // namespace quorum::host::dnssec
