// libldns underneath host/dnssec: owning pointers for its objects, and the few operations the
// documents need - DNSKEY and RRSIG records from KSR/SKR fields, key tags, the RFC 4034 signing
// input, verification, presentation text. Internal to host/dnssec: no wire format is written here
// by hand, ldns builds and sorts it.
#pragma once

// ldns/common.h defines bool, true and false as macros unless stdbool.h came first.
// clang-format off
#include <stdbool.h>
#include <ldns/ldns.h>
// clang-format on
#if defined(bool) || defined(true)
#error "ldns made bool and true macros: <stdbool.h> must come before <ldns/ldns.h>"
#endif

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/dnssec/records.hpp"

namespace quorum::host::dnssec::ldns {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Rr = Owned<ldns_rr, ldns_rr_free>;  // frees the owner and every rdf too
using RrList = Owned<ldns_rr_list, ldns_rr_list_deep_free>;
using Rdf = Owned<ldns_rdf, ldns_rdf_deep_free>;
using Buffer = Owned<ldns_buffer, ldns_buffer_free>;
using KeyObject = Owned<ldns_key, ldns_key_deep_free>;

std::optional<Bytes> decodeBase64(const std::string& text);
std::string encodeBase64(const Bytes& data);

// A zone name with its final dot ("example" -> "example."; "." stays).
std::string absoluteName(const std::string& name);

// One record from its presentation text; DnssecError naming `what` and ldns's reason otherwise.
Rr rrFromText(const std::string& text, const std::string& what);
// "OWNER TTL IN DNSKEY flags protocol algorithm publickey" from a KSR/SKR key.
Rr dnskeyRecord(const std::string& owner, const Key& key);
// The DNSKEY RRset of `keys` under `owner`, in the keys' order (ldns sorts it when it signs).
RrList dnskeyRrset(const std::string& owner, const std::vector<Key>& keys);
// The RRSIG a KSR/SKR signature stands for, over `owner`'s DNSKEY RRset.
Rr rrsigRecord(const std::string& owner, const Signature& signature);

// An RRSIG over `rrset` without its signature (ldns_create_empty_rrsig): type covered, labels and
// original TTL from the RRset, the rest as given.
Rr emptyRrsig(const ldns_rr_list* rrset, const std::string& signer, std::uint8_t algorithm,
              std::uint16_t keyTag, Time inception, Time expiration);
// `emptyRrsig` with `signature` (DNSSEC form) as its last field.
Rr withSignature(const ldns_rr* emptyRrsig, const Bytes& signature);
// The fields of an RRSIG over a DNSKEY RRset, as a KSR/SKR Signature (keyIdentifier left empty).
Signature signatureFields(const ldns_rr* rrsig);

// RFC 4034 appendix B, over the key's RDATA.
std::uint16_t keyTag(const ldns_rr* dnskey);
// The key's size in bits as kskm counts it: RSA modulus bytes times 8, ECDSA/EdDSA curve size.
std::uint32_t keyBits(const ldns_rr* dnskey);
// An RSA DNSKEY's public exponent (RFC 3110), nullopt when the key does not decode as RSA.
std::optional<std::uint64_t> rsaExponent(const ldns_rr* dnskey);
// Whether the key field decodes as a public key of its algorithm.
bool publicKeyDecodes(const ldns_rr* dnskey);

// RFC 4034 3.1.8.1: the RRSIG RDATA without its signature, then the RRset in canonical form and
// order with the RRSIG's original TTL - what the signer signs.
Bytes signingInput(const ldns_rr_list* rrset, const ldns_rr* rrsig);
// ldns's verdict on `rrsig` over `rrset` with `dnskey`, times not looked at; LDNS_STATUS_OK when
// it verifies.
ldns_status verify(const ldns_rr_list* rrset, const ldns_rr* rrsig, const ldns_rr* dnskey);
std::string statusText(ldns_status status);

// One record in presentation format, one line, without ldns's comments or a final newline.
std::string presentation(const ldns_rr* rr);
// An rdf's presentation text ("20326", "." or base64).
std::string rdfText(const ldns_rdf* rdf);

// ldns's RRSIG time field: seconds since 1970 in 32 bits (RFC 4034 3.1.5); DnssecError for a time
// outside 1970-2106.
std::uint32_t rrsigTime(Time time);

}  // namespace quorum::host::dnssec::ldns
