#include "host/dnssec/ksk_key.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ldns_objects.hpp"
#include "host/dnssec/xml_tree.hpp"

namespace quorum::host::dnssec {
namespace {

using Pkey = ldns::Owned<EVP_PKEY, EVP_PKEY_free>;
using EcdsaSig = ldns::Owned<ECDSA_SIG, ECDSA_SIG_free>;

Pkey readPublicKey(const std::string& pem) {
    ldns::Owned<BIO, BIO_free_all> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw DnssecError("KSK: out of memory");
    Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        throw DnssecError("KSK: the public key is not a PEM SubjectPublicKeyInfo OpenSSL can read");
    return key;
}

bool isP256(EVP_PKEY* key) {
    char group[64] = {};
    std::size_t length = 0;
    return EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &length) == 1 &&
           std::string(group) == "prime256v1";
}

}  // namespace

KskKey KskKey::fromPublicKeyPem(const std::string& pem, const std::string& label) {
    Pkey key = readPublicKey(pem);
    ldns_signing_algorithm algorithm;
    if (EVP_PKEY_is_a(key.get(), "RSA"))
        algorithm = LDNS_SIGN_RSASHA256;
    else if (isP256(key.get()))
        algorithm = LDNS_SIGN_ECDSAP256SHA256;
    else
        throw DnssecError(
            "KSK: only RSA keys (DNSSEC algorithm 8) and P-256 keys (algorithm 13) can be a KSK");
    // ldns encodes the public key field (RFC 3110 for RSA, RFC 6605 x || y for P-256).
    ldns::KeyObject ldnsKey(ldns_key_new());
    if (!ldnsKey) throw DnssecError("ldns: out of memory");
    ldns_key_set_algorithm(ldnsKey.get(), algorithm);
    ldns_key_set_flags(ldnsKey.get(), kFlagsZone | kFlagsSep);
    ldns_key_set_evp_key(ldnsKey.get(), key.release());
    ldns::Rr dnskey(ldns_key2rr(ldnsKey.get()));
    if (!dnskey || !ldns_rr_rdf(dnskey.get(), 3))
        throw DnssecError("ldns: cannot make a DNSKEY of the KSK");
    return fromDnskey(kFlagsZone | kFlagsSep, static_cast<std::uint8_t>(algorithm),
                      ldns::rdfText(ldns_rr_rdf(dnskey.get(), 3)), label);
}

KskKey KskKey::fromDnskey(std::uint16_t flags, std::uint8_t algorithm,
                          const std::string& publicKeyBase64, const std::string& label) {
    if (!xml::isToken(label))
        throw DnssecError("KSK: the label \"" + label +
                          "\" must be 1 to 1024 printable ASCII characters without white space, <, "
                          ">, & or quotes");
    const auto bytes = ldns::decodeBase64(publicKeyBase64);
    if (!bytes || bytes->empty())
        throw DnssecError("KSK " + label + ": the public key is not base64");
    KskKey ksk;
    ksk.label_ = label;
    ksk.flags_ = flags;
    ksk.algorithm_ = algorithm;
    ksk.publicKey_ = ldns::encodeBase64(*bytes);
    const ldns::Rr dnskey = ldns::dnskeyRecord(".", ksk.asKey());
    if (!ldns::publicKeyDecodes(dnskey.get()))
        throw DnssecError("KSK " + label + ": the public key is not a " + algorithmName(algorithm) +
                          " key");
    ksk.keyTag_ = ldns::keyTag(dnskey.get());
    ksk.bits_ = ldns::keyBits(dnskey.get());
    ksk.exponent_ = ldns::rsaExponent(dnskey.get()).value_or(0);
    return ksk;
}

Key KskKey::asKey() const {
    Key key;
    key.keyIdentifier = label_;
    key.keyTag = keyTag_;
    key.ttl = kRootDnskeyTtl;
    key.flags = flags_;
    key.protocol = 3;
    key.algorithm = algorithm_;
    key.publicKey = publicKey_;
    return key;
}

std::string KskKey::dnskeyRecord(const std::string& zone, std::uint32_t ttl) const {
    Key key = asKey();
    key.ttl = ttl;
    return ldns::presentation(ldns::dnskeyRecord(ldns::absoluteName(zone), key).get());
}

std::string KskKey::dsRecord(const std::string& zone) const {
    const ldns::Rr dnskey = ldns::dnskeyRecord(ldns::absoluteName(zone), asKey());
    const ldns::Rr ds(ldns_key_rr2ds(dnskey.get(), LDNS_SHA256));
    if (!ds) throw DnssecError("ldns: cannot make the DS of the KSK");
    return ldns::presentation(ds.get());
}

std::string KskKey::dsDigestHex(const std::string& zone) const {
    const ldns::Rr dnskey = ldns::dnskeyRecord(ldns::absoluteName(zone), asKey());
    const ldns::Rr ds(ldns_key_rr2ds(dnskey.get(), LDNS_SHA256));
    if (!ds || !ldns_rr_rdf(ds.get(), 3)) throw DnssecError("ldns: cannot make the DS of the KSK");
    const ldns_rdf* digest = ldns_rr_rdf(ds.get(), 3);
    return toHex(ldns_rdf_data(digest), ldns_rdf_size(digest));
}

Bytes ecdsaP256SignatureFromDer(const Bytes& der) {
    const unsigned char* p = der.data();
    EcdsaSig signature(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!signature || p != der.data() + der.size())
        throw DnssecError("the ECDSA signature is not a DER ECDSA-Sig-Value");
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(signature.get(), &r, &s);
    Bytes raw(64);
    if (BN_bn2binpad(r, raw.data(), 32) != 32 || BN_bn2binpad(s, raw.data() + 32, 32) != 32)
        throw DnssecError("the ECDSA signature's r or s is longer than P-256 allows");
    return raw;
}

}  // namespace quorum::host::dnssec
