// The Signed Key Response: the KSK operator's answer to a KSR (IANA's ksr.rnc, <KSR><Response>),
// read as kskm reads it and written byte for byte as kskm's skr_to_xml writes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/dnssec/records.hpp"

namespace quorum::host::dnssec {

// How toXml orders each bundle's keys: by key tag (then identifier) as kskm has since 2019, or as
// read (older files, e.g. IANA's skr-root-2018-q1-0-d_to_e.xml, were written before kskm sorted).
enum class KeyOrder { ByKeyTag, AsRead };

struct Skr : KsrHeader {          // the KSR's id, serial and domain, echoed
    SignaturePolicy kskPolicy;    // <ResponsePolicy><KSK>
    SignaturePolicy zskPolicy;    // <ResponsePolicy><ZSK>: the KSR's, echoed
    std::vector<Bundle> bundles;  // <ResponseBundle>s, in document order (kskm does not sort them)

    // Strict (see xml_tree.hpp); DocumentError "SOURCE line N: <Element>: what" otherwise.
    static Skr fromXml(const std::string& text, const std::string& source = "SKR");
    // At most 10 MiB; DocumentError naming the file otherwise.
    static Skr load(const std::string& path);

    // As kskm writes it: the XML declaration, <KSR id domain serial>, four spaces per level,
    // every time as "...+00:00", durations as kskm formats them, keys ordered by `order`,
    // signatures in the order held, LF line ends, one final newline.
    std::string toXml(KeyOrder order = KeyOrder::ByKeyTag) const;
    // A new file (never over an existing one), mode 0644, fsynced; FileError otherwise.
    void save(const std::string& path) const;
};

}  // namespace quorum::host::dnssec
