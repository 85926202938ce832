// The elements KSRs and SKRs share (Key, Signature, a ZSK/KSK signature policy, a bundle, the
// KSR root's attributes), read strictly and written line by line. Internal to host/dnssec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "host/dnssec/records.hpp"
#include "host/dnssec/xml_tree.hpp"

namespace quorum::host::dnssec::xml {

// The attributes of the root element <KSR id domain serial [timestamp]>.
KsrHeader readHeader(const Element& root);

Key readKey(const Element& element);
Signature readSignature(const Element& element);
SignaturePolicy readSignaturePolicy(const Element& element);
// A <RequestBundle> (which may name Signers) or a <ResponseBundle>.
Bundle readBundle(const Element& element, bool request);

// "<KSR id=".." domain=".." serial="..">" (and timestamp after serial when there is one).
std::string headerTag(const KsrHeader& header);
void writeSignaturePolicy(Writer& out, const char* name, const SignaturePolicy& policy);
void writeKey(Writer& out, const Key& key);
void writeSignature(Writer& out, const Signature& signature);

}  // namespace quorum::host::dnssec::xml
