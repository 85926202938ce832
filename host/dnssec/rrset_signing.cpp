#include "host/dnssec/rrset_signing.hpp"

#include <cstdio>

#include "host/dnssec/errors.hpp"
#include "host/dnssec/ldns_objects.hpp"

namespace quorum::host::dnssec {
namespace {

struct CloseFile {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// The records of `text`, read as a zone file under `zone`.
ldns::RrList readRecords(const std::string& zone, const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw DnssecError("the DNSKEY RRset is empty");
    std::unique_ptr<std::FILE, CloseFile> in(
        ::fmemopen(const_cast<char*>(text.data()), text.size(), "r"));
    ldns::RrList records(ldns_rr_list_new());
    if (!in || !records) throw DnssecError("cannot read the DNSKEY RRset: out of memory");
    ldns_rdf* origin = ldns_dname_new_frm_str(zone.c_str());
    if (!origin) throw DnssecError("\"" + zone + "\" is not a domain name");
    ldns::Rdf ownedOrigin(origin);
    ldns_rdf* previous = nullptr;
    std::uint32_t defaultTtl = LDNS_DEFAULT_TTL;
    int line = 0;  // ldns counts the lines it has read: after a record, the number of its last line
    while (!std::feof(in.get())) {
        ldns_rr* rr = nullptr;
        origin = ownedOrigin.release();
        const ldns_status status =
            ldns_rr_new_frm_fp_l(&rr, in.get(), &defaultTtl, &origin, &previous, &line);
        ownedOrigin.reset(origin);
        if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
            status == LDNS_STATUS_SYNTAX_ORIGIN)
            continue;
        if (status != LDNS_STATUS_OK || !rr) {
            if (rr) ldns_rr_free(rr);
            if (previous) ldns_rdf_deep_free(previous);
            throw DnssecError("the DNSKEY RRset, line " + std::to_string(line) + ": " +
                              ldns::statusText(status));
        }
        ldns_rr_list_push_rr(records.get(), rr);
    }
    if (previous) ldns_rdf_deep_free(previous);
    return records;
}

struct PreparedRrset {
    ldns::RrList rrset;
    ldns::Rr emptyRrsig;
    SigningInput input;
};

PreparedRrset prepare(const std::string& zoneName, const std::string& text, Time inception,
                      Time expiration, const KskKey& ksk) {
    if (ksk.algorithm() != kAlgorithmRsaSha256 && ksk.algorithm() != kAlgorithmEcdsaP256Sha256)
        throw DnssecError("KSK " + ksk.label() + ": only algorithms 8 and 13 can sign");
    if (expiration <= inception)
        throw DnssecError("the signature's expiration (" + formatTime(expiration) +
                          ") is not after its inception (" + formatTime(inception) + ")");
    const std::string zone = ldns::absoluteName(zoneName);
    PreparedRrset prepared;
    prepared.rrset = readRecords(zone, text);
    const ldns::Rdf owner(ldns_dname_new_frm_str(zone.c_str()));
    const ldns::Rr kskRecord = ldns::dnskeyRecord(zone, ksk.asKey());
    bool kskPresent = false;
    const std::size_t count = ldns_rr_list_rr_count(prepared.rrset.get());
    for (std::size_t i = 0; i < count; ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(prepared.rrset.get(), i);
        const std::string which = "the record \"" + ldns::presentation(rr) + "\"";
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY)
            throw DnssecError(which + " is not a DNSKEY");
        if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
            throw DnssecError(which + " is not of class IN");
        if (ldns_dname_compare(ldns_rr_owner(rr), owner.get()) != 0)
            throw DnssecError(which + " is not owned by " + zone);
        if (ldns_rr_ttl(rr) != ldns_rr_ttl(ldns_rr_list_rr(prepared.rrset.get(), 0)))
            throw DnssecError(which +
                              " has another TTL than the first record: an RRset has one TTL");
        kskPresent =
            kskPresent || ldns_rr_compare(rr, kskRecord.get()) == 0;  // RDATA compared, TTL not
    }
    if (!kskPresent)
        throw DnssecError("the KSK (" + ksk.dnskeyRecord(zone) + ", key tag " +
                          std::to_string(ksk.keyTag()) + ") is not in the DNSKEY RRset");
    prepared.emptyRrsig = ldns::emptyRrsig(prepared.rrset.get(), zone, ksk.algorithm(),
                                           ksk.keyTag(), inception, expiration);
    prepared.input.rrsig = ldns::signatureFields(prepared.emptyRrsig.get());
    prepared.input.rrsig.keyIdentifier = ksk.label();
    prepared.input.data = ldns::signingInput(prepared.rrset.get(), prepared.emptyRrsig.get());
    return prepared;
}

}  // namespace

SigningInput signRrsetInput(const std::string& zone, const std::string& dnskeyRrset, Time inception,
                            Time expiration, const KskKey& ksk) {
    return prepare(zone, dnskeyRrset, inception, expiration, ksk).input;
}

std::string signedRrsetRrsig(const std::string& zone, const std::string& dnskeyRrset,
                             Time inception, Time expiration, const KskKey& ksk,
                             const Bytes& signature) {
    const PreparedRrset prepared = prepare(zone, dnskeyRrset, inception, expiration, ksk);
    ldns::Rr rrsig;
    try {
        rrsig = ldns::withSignature(prepared.emptyRrsig.get(), dnssecSignature(ksk, signature));
    } catch (const DnssecError& e) {
        throw SignatureError("", std::string("the RRSIG over the DNSKEY RRset: ") + e.what());
    }
    const ldns::Rr dnskey = ldns::dnskeyRecord(ldns::absoluteName(zone), ksk.asKey());
    const ldns_status status = ldns::verify(prepared.rrset.get(), rrsig.get(), dnskey.get());
    if (status != LDNS_STATUS_OK)
        throw SignatureError("", "the KSK's signature over the DNSKEY RRset does not verify: " +
                                     ldns::statusText(status));
    return ldns::presentation(rrsig.get());
}

}  // namespace quorum::host::dnssec
