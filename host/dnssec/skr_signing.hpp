// Signing a KSR into an SKR with one KSK, as kskm does with its "normal" schema: in every bundle
// the KSK is published (flags 257, TTL 172800) next to the bundle's ZSKs and signs the DNSKEY
// RRset with the bundle's inception and expiration.
//
// The ceremony: signingInputs() gives one message per bundle; each is signed with SHA-256 by the
// KSK (RSASSA-PKCS1-v1_5 for algorithm 8, ECDSA P-256 for 13) in the HSM or by threshold RSA;
// assembleSkr() puts the signatures into their RRSIGs, verifies every one, and gives the SKR.
#pragma once

#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/dnssec/ksk_key.hpp"
#include "host/dnssec/ksr.hpp"
#include "host/dnssec/policy.hpp"
#include "host/dnssec/skr.hpp"

namespace quorum::host::dnssec {

// What the KSK signs for one RRset, and the RRSIG the signature goes into.
struct SigningInput {
    std::string bundleId;  // the KSR bundle; empty for an RRset outside an SKR
    Signature rrsig;       // the RRSIG's fields, signatureData empty
    Bytes data;            // RFC 4034 3.1.8.1: RRSIG RDATA without the signature, then the
                           // canonical RRset (ldns builds both); the KSK signs SHA-256 of it
};

// The SKR `ksk` will make of `ksr`, its signatures without data: each bundle's keys (the ZSKs
// with TTL 172800, and the KSK), the RRSIG fields, the ResponsePolicy (KSK: the durations of
// policy.ksk and the algorithms of every key in the SKR; ZSK: the KSR's). For checks before the
// cards come (validateSigning) and to show what will be signed.
Skr draftSkr(const Ksr& ksr, const KskKey& ksk, const Policy& policy);

// One input per bundle, in the KSR's bundle order (sorted by expiration). DnssecError for a KSK
// other than algorithm 8 or 13, or times that do not fit an RRSIG.
std::vector<SigningInput> signingInputs(const Ksr& ksr, const KskKey& ksk);

// The SKR with `signatures` (one per signing input, in that order, as Hsm::signSha256 gives them:
// the RSA signature, or for P-256 the DER ECDSA-Sig-Value, converted here to r || s). Every RRSIG
// is verified with libldns against the KSK before the SKR is returned: SignatureError naming the
// bundle otherwise; DnssecError when the count is not one per bundle.
Skr assembleSkr(const Ksr& ksr, const KskKey& ksk, const std::vector<Bytes>& signatures,
                const Policy& policy);

// What `signature` signs in `bundle` (the same RFC 4034 input, from the signature's own fields and
// all of the bundle's keys): to show or hash what a ZSK or KSK signed.
Bytes signedData(const Bundle& bundle, const Signature& signature);

// A signature as DNSSEC carries it: an RSA signature as it is, a P-256 DER signature as r || s.
Bytes dnssecSignature(const KskKey& ksk, const Bytes& signature);

}  // namespace quorum::host::dnssec
