// IANA's root-anchors.xml (RFC 9718, which obsoletes RFC 7958): the trust-anchor document that
// publishes the KSK as a DS digest, with the newer PublicKey and Flags elements.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/dnssec/ksk_key.hpp"

namespace quorum::host::dnssec {

struct TrustAnchorKey {
    KskKey key;  // KeyDigest id = key.label(), KeyTag, Algorithm, SHA-256 Digest
    Time validFrom;
    std::optional<Time> validUntil;
    bool withPublicKey =
        true;  // RFC 9718's PublicKey and Flags; false gives RFC 7958 as kskm writes it
};

constexpr const char* kRootAnchorsSource = "http://data.iana.org/root-anchors/root-anchors.xml";

// The document as kskm's TrustAnchor.to_xml_doc writes it - no indentation, KeyDigests sorted by
// validFrom, times "...+00:00", no newline after </TrustAnchor> - with PublicKey and Flags after
// Digest where asked for. DnssecError for an id or source that cannot stand in an attribute.
std::string trustAnchorXml(const std::string& id, const std::vector<TrustAnchorKey>& keys,
                           const std::string& zone = ".",
                           const std::string& source = kRootAnchorsSource);

}  // namespace quorum::host::dnssec
