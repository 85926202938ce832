#include "host/dnssec/ldns_objects.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <ctime>

#include "host/dnssec/errors.hpp"

namespace quorum::host::dnssec::ldns {
namespace {

struct FreeString {
    void operator()(char* p) const noexcept { std::free(p); }
};
using String = std::unique_ptr<char, FreeString>;

std::string withoutWhiteSpace(const std::string& text) {
    std::string compact;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
    return compact;
}

// The 14-digit YYYYMMDDHHMMSS form of an RRSIG time in presentation format.
std::string rrsigTimeText(Time time) {
    const std::time_t seconds = static_cast<std::time_t>(rrsigTime(time));
    std::tm parts{};
    ::gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &parts);
    return text;
}

const ldns_rdf* publicKeyField(const ldns_rr* dnskey) {
    return ldns_rr_rdf(dnskey, 3);
}

}  // namespace

std::optional<Bytes> decodeBase64(const std::string& text) {
    ldns_rdf* rdf = nullptr;
    if (ldns_str2rdf_b64(&rdf, withoutWhiteSpace(text).c_str()) != LDNS_STATUS_OK || !rdf)
        return std::nullopt;
    Rdf owned(rdf);
    const auto* data = ldns_rdf_data(rdf);
    return Bytes(data, data + ldns_rdf_size(rdf));
}

std::string encodeBase64(const Bytes& data) {
    Rdf rdf(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, data.size(), data.data()));
    if (!rdf) throw DnssecError("ldns: cannot hold " + std::to_string(data.size()) + " bytes");
    return rdfText(rdf.get());
}

std::string absoluteName(const std::string& name) {
    if (name.empty() || name.back() == '.') return name;
    return name + ".";
}

Rr rrFromText(const std::string& text, const std::string& what) {
    ldns_rr* rr = nullptr;
    const ldns_status status = ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr);
    if (status != LDNS_STATUS_OK || !rr) {
        if (rr) ldns_rr_free(rr);
        throw DnssecError(what + " is not a DNS record ldns accepts: " + statusText(status));
    }
    return Rr(rr);
}

Rr dnskeyRecord(const std::string& owner, const Key& key) {
    return rrFromText(owner + " " + std::to_string(key.ttl) + " IN DNSKEY " +
                          std::to_string(key.flags) + " " + std::to_string(key.protocol) + " " +
                          std::to_string(key.algorithm) + " " + withoutWhiteSpace(key.publicKey),
                      "the key " + key.describe());
}

RrList dnskeyRrset(const std::string& owner, const std::vector<Key>& keys) {
    RrList list(ldns_rr_list_new());
    if (!list) throw DnssecError("ldns: out of memory");
    for (const Key& key : keys) {
        Rr rr = dnskeyRecord(owner, key);
        if (!ldns_rr_list_push_rr(list.get(), rr.get())) throw DnssecError("ldns: out of memory");
        rr.release();
    }
    return list;
}

Rr rrsigRecord(const std::string& owner, const Signature& signature) {
    if (signature.typeCovered != "DNSKEY")
        throw DnssecError("a signature covers " + signature.typeCovered + ", not DNSKEY");
    return rrFromText(
        owner + " " + std::to_string(signature.ttl) + " IN RRSIG DNSKEY " +
            std::to_string(signature.algorithm) + " " + std::to_string(signature.labels) + " " +
            std::to_string(signature.originalTtl) + " " + rrsigTimeText(signature.expiration) +
            " " + rrsigTimeText(signature.inception) + " " + std::to_string(signature.keyTag) +
            " " + signature.signersName + " " + withoutWhiteSpace(signature.signatureData),
        "the signature by " + signature.keyIdentifier);
}

Rr emptyRrsig(const ldns_rr_list* rrset, const std::string& signer, std::uint8_t algorithm,
              std::uint16_t keyTag, Time inception, Time expiration) {
    if (ldns_rr_list_rr_count(rrset) == 0) throw DnssecError("ldns: no records to sign");
    KeyObject key(ldns_key_new());
    Rdf owner(ldns_dname_new_frm_str(signer.c_str()));
    if (!key || !owner) throw DnssecError("ldns: \"" + signer + "\" is not a domain name");
    ldns_key_set_algorithm(key.get(), static_cast<ldns_signing_algorithm>(algorithm));
    ldns_key_set_keytag(key.get(), keyTag);
    ldns_key_set_inception(key.get(), rrsigTime(inception));
    ldns_key_set_expiration(key.get(), rrsigTime(expiration));
    ldns_key_set_pubkey_owner(key.get(), owner.release());
    Rr rrsig(ldns_create_empty_rrsig(rrset, key.get()));
    if (!rrsig) throw DnssecError("ldns: cannot make an RRSIG");
    return rrsig;
}

Rr withSignature(const ldns_rr* emptyRrsig, const Bytes& signature) {
    // ldns_create_empty_rrsig leaves the signature's slot empty (NULL), which ldns_rr_clone and
    // ldns_rr_rrsig_set_sig do not fill: the record is built again, field by field.
    Rr rrsig(ldns_rr_new());
    if (!rrsig || signature.empty())
        throw DnssecError("ldns: cannot put the signature into the RRSIG");
    ldns_rr_set_owner(rrsig.get(), ldns_rdf_clone(ldns_rr_owner(emptyRrsig)));
    ldns_rr_set_ttl(rrsig.get(), ldns_rr_ttl(emptyRrsig));
    ldns_rr_set_class(rrsig.get(), ldns_rr_get_class(emptyRrsig));
    ldns_rr_set_type(rrsig.get(), LDNS_RR_TYPE_RRSIG);
    for (std::size_t i = 0; i < 8; ++i) {
        const ldns_rdf* field = ldns_rr_rdf(emptyRrsig, i);
        if (!field || !ldns_rr_push_rdf(rrsig.get(), ldns_rdf_clone(field)))
            throw DnssecError("ldns: cannot put the signature into the RRSIG");
    }
    Rdf data(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_B64, signature.size(), signature.data()));
    if (!data || !ldns_rr_push_rdf(rrsig.get(), data.get()))
        throw DnssecError("ldns: cannot put the signature into the RRSIG");
    data.release();
    return rrsig;
}

Signature signatureFields(const ldns_rr* rrsig) {
    Signature fields;
    fields.ttl = ldns_rr_ttl(rrsig);
    fields.typeCovered = "DNSKEY";
    fields.algorithm = ldns_rdf2native_int8(ldns_rr_rrsig_algorithm(rrsig));
    fields.labels = ldns_rdf2native_int8(ldns_rr_rrsig_labels(rrsig));
    fields.originalTtl = ldns_rdf2native_int32(ldns_rr_rrsig_origttl(rrsig));
    fields.expiration = timeFromPosix(ldns_rdf2native_int32(ldns_rr_rrsig_expiration(rrsig)));
    fields.inception = timeFromPosix(ldns_rdf2native_int32(ldns_rr_rrsig_inception(rrsig)));
    fields.keyTag = ldns_rdf2native_int16(ldns_rr_rrsig_keytag(rrsig));
    fields.signersName = rdfText(ldns_rr_rrsig_signame(rrsig));
    return fields;
}

std::uint16_t keyTag(const ldns_rr* dnskey) {
    return ldns_calc_keytag(dnskey);
}

std::uint32_t keyBits(const ldns_rr* dnskey) {
    if (!publicKeyDecodes(dnskey)) return 0;
    const ldns_rdf* field = publicKeyField(dnskey);
    return static_cast<std::uint32_t>(ldns_rr_dnskey_key_size_raw(
        ldns_rdf_data(field), ldns_rdf_size(field),
        static_cast<ldns_algorithm>(ldns_rdf2native_int8(ldns_rr_rdf(dnskey, 2)))));
}

std::optional<std::uint64_t> rsaExponent(const ldns_rr* dnskey) {
    const ldns_rdf* field = publicKeyField(dnskey);
    if (!field || !isRsa(ldns_rdf2native_int8(ldns_rr_rdf(dnskey, 2)))) return std::nullopt;
        // ldns 1.8 hands an RSA DNSKEY out only as OpenSSL's RSA, whose accessors OpenSSL 3
        // deprecates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    RSA* rsa = ldns_key_buf2rsa_raw(ldns_rdf_data(field), ldns_rdf_size(field));
    if (!rsa) return std::nullopt;
    const BIGNUM* n = nullptr;
    const BIGNUM* e = nullptr;
    RSA_get0_key(rsa, &n, &e, nullptr);
    std::optional<std::uint64_t> exponent;
    if (n && e && BN_num_bits(e) <= 64) {
        const BN_ULONG word = BN_get_word(e);
        exponent = static_cast<std::uint64_t>(word);
    }
    RSA_free(rsa);
#pragma GCC diagnostic pop
    return exponent;
}

bool publicKeyDecodes(const ldns_rr* dnskey) {
    const ldns_rdf* field = publicKeyField(dnskey);
    if (!field) return false;
    const std::uint8_t algorithm = ldns_rdf2native_int8(ldns_rr_rdf(dnskey, 2));
    if (isRsa(algorithm)) return rsaExponent(dnskey).has_value();
    if (isEcdsa(algorithm)) {
        EVP_PKEY* key = ldns_ecdsa2pkey_raw(ldns_rdf_data(field), ldns_rdf_size(field), algorithm);
        EVP_PKEY_free(key);
        return key != nullptr;
    }
    if (algorithm == 15) {
        EVP_PKEY* key = ldns_ed255192pkey_raw(ldns_rdf_data(field), ldns_rdf_size(field));
        EVP_PKEY_free(key);
        return key != nullptr;
    }
    if (algorithm == 16) {
        EVP_PKEY* key = ldns_ed4482pkey_raw(ldns_rdf_data(field), ldns_rdf_size(field));
        EVP_PKEY_free(key);
        return key != nullptr;
    }
    return false;
}

Bytes signingInput(const ldns_rr_list* rrset, const ldns_rr* rrsig) {
    RrList canonical(ldns_rr_list_clone(rrset));
    if (!canonical) throw DnssecError("ldns: out of memory");
    const std::uint32_t originalTtl = ldns_rdf2native_int32(ldns_rr_rrsig_origttl(rrsig));
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(canonical.get()); ++i)
        ldns_rr_set_ttl(ldns_rr_list_rr(canonical.get(), i), originalTtl);
    ldns_rr_list2canonical(canonical.get());
    ldns_rr_list_sort(canonical.get());
    Buffer buffer(ldns_buffer_new(LDNS_MAX_PACKETLEN));
    if (!buffer || ldns_rrsig2buffer_wire(buffer.get(), rrsig) != LDNS_STATUS_OK ||
        ldns_rr_list2buffer_wire(buffer.get(), canonical.get()) != LDNS_STATUS_OK)
        throw DnssecError("ldns: cannot build the signing input");
    const auto* data = ldns_buffer_begin(buffer.get());
    return Bytes(data, data + ldns_buffer_position(buffer.get()));
}

ldns_status verify(const ldns_rr_list* rrset, const ldns_rr* rrsig, const ldns_rr* dnskey) {
    RrList keys(ldns_rr_list_new());
    Rr key(ldns_rr_clone(dnskey));
    if (!keys || !key || !ldns_rr_list_push_rr(keys.get(), key.get())) return LDNS_STATUS_MEM_ERR;
    key.release();
    return ldns_verify_rrsig_keylist_notime(rrset, rrsig, keys.get(), nullptr);
}

std::string statusText(ldns_status status) {
    return ldns_get_errorstr_by_id(status);
}

std::string presentation(const ldns_rr* rr) {
    String text(ldns_rr2str_fmt(ldns_output_format_nocomments, rr));
    if (!text) throw DnssecError("ldns: cannot print a record");
    std::string line = text.get();
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    return line;
}

std::string rdfText(const ldns_rdf* rdf) {
    String text(ldns_rdf2str(rdf));
    if (!text) throw DnssecError("ldns: cannot print a field");
    return text.get();
}

std::uint32_t rrsigTime(Time time) {
    const std::int64_t seconds = posixSeconds(time);
    if (seconds <= 0 || seconds > 0xFFFFFFFFLL)
        throw DnssecError("the time " + formatTime(time) + " does not fit an RRSIG (1970 to 2106)");
    return static_cast<std::uint32_t>(seconds);
}

}  // namespace quorum::host::dnssec::ldns
