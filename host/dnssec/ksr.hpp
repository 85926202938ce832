// The Key Signing Request: what the root zone's ZSK operator sends to be signed (IANA's ksr.rnc,
// <KSR><Request>), as kskm reads it. The bundles are kept sorted by expiration, as kskm sorts them
// before every check that counts bundles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/dnssec/records.hpp"

namespace quorum::host::dnssec {

struct Ksr : KsrHeader {
    SignaturePolicy zskPolicy;    // <RequestPolicy><ZSK>
    std::vector<Bundle> bundles;  // <RequestBundle>s, sorted by expiration

    // Strict (see xml_tree.hpp); DocumentError "SOURCE line N: <Element>: what" otherwise.
    // `source` names the document in messages ("KSR ksr-root-2017-q2-0.xml").
    static Ksr fromXml(const std::string& text, const std::string& source = "KSR");
    // At most 10 MiB; DocumentError naming the file otherwise.
    static Ksr load(const std::string& path);

    // As the root zone's ZSK operator writes KSRs (kskm never writes one): no XML declaration,
    // two spaces per level, <KSR id domain serial>, bundle times without a zone, signature times
    // with "+00:00", keys and signatures in the order read, no final newline.
    std::string toXml() const;
};

}  // namespace quorum::host::dnssec
