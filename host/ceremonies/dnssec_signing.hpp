// DNSSEC ceremonies: a root-zone Key Signing Request signed into a Signed Key Response, in both
// schemes, in one room (`ceremony ksr-sign`) or at the holders' sites (`ceremony partial-sign
// --ksr` and `ceremony combine --ksr`), and any zone's DNSKEY RRset signed into an RRSIG
// (`ceremony sign-rrset`). host/dnssec does the DNS and XML work (libldns, libxml2) and checks the
// KSR as IANA's signer does; this file puts the cards around it.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "host/ceremonies/requests.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/dnssec/ksk_key.hpp"
#include "host/dnssec/ksr.hpp"
#include "host/dnssec/policy.hpp"
#include "host/dnssec/skr.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::host {

// What a KSR is checked with: the policy (kskm's defaults unless a file), the previous SKR, the
// time "now" stands for, and the label the KSK gets in the SKR.
struct KsrOptions {
    std::string ksrPath;
    std::string policyPath;       // empty: kskm's defaults
    std::string previousSkrPath;  // empty: none
    std::string at;               // empty: now; else a time as KSRs write them (UTC)
    std::string kskLabel;         // empty: "KSK-<key tag>"
};

struct KsrSignRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    KsrOptions ksr;
    std::string outputPath;  // the SKR (new)
    CardSource cards;
    HsmConfig hsm;
    bool confirmed = false;  // --yes
    bool timings = false;
};

// A KSR, loaded and found acceptable before anybody is asked for anything.
struct CheckedKsr {
    Manifest manifest;
    dnssec::Policy policy;
    dnssec::Ksr ksr;
    Bytes ksrBytes;
    std::optional<dnssec::Skr> previous;
    dnssec::KskKey ksk;
};

// Loads and checks everything a KSR signing needs, in kskm's order (host/dnssec/ksr_validation):
// the manifest (loaded and authenticated), the policy, the previous SKR, the KSR, then the KSK
// against them. Throws the named error of the first rule broken.
CheckedKsr checkKsr(Manifest manifest, const KsrOptions& options);

// Everything checkable before the first PIN (the KSR, the ceremony, the output, the
// confirmation); the KSR as read and checked.
CheckedKsr checkKsrSignRequest(const KsrSignRequest& request);
void runKsrSign(const KsrSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out);

// One holder's partial signatures of every bundle of a KSR (threshold RSA sets), written as a
// PartialBatchFile at the holder's site.
struct KsrPartialSignRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    KsrOptions ksr;
    std::string outputPath;
    CardSource cards;
    bool confirmed = false;
};
CheckedKsr checkKsrPartialSignRequest(const KsrPartialSignRequest& request);
void runKsrPartialSign(const KsrPartialSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out);

// The SKR from k holders' partial signature files: every batch proof checked against the
// manifest, a bad or foreign file named and skipped.
struct KsrCombineRequest {
    std::string manifestPath;
    std::string caPath;       // the ceremony's CA certificate (--ca), or
    std::string ceremonyDir;  // the ceremony's folder (--ceremony): what the manifest is checked against
    KsrOptions ksr;
    std::vector<std::string> partialPaths;
    std::string outputPath;
    std::string auditLogPath;  // optional
};
void runKsrCombine(const KsrCombineRequest& request, std::ostream& out);

// Any zone's DNSKEY RRset (zone-file text) signed by the set's key into an RRSIG in presentation
// format.
struct RrsetSignRequest {
    std::string ceremonyDir;
    std::string manifestPath;
    std::string zone;
    std::string rrsetPath;
    std::string inception;
    std::string expiration;
    std::string outputPath;
    CardSource cards;
    HsmConfig hsm;
    bool confirmed = false;
};
Manifest checkRrsetSignRequest(const RrsetSignRequest& request);
void runSignRrset(const RrsetSignRequest& request, SecretReader& pins, const std::string& hostPassphrase, std::ostream& out);

// The KSK of a card set as a DNSKEY (its key tag, DS and root-anchors entry come from it).
dnssec::KskKey kskOf(const Manifest& manifest, const std::string& label = "");

}  // namespace quorum::host
