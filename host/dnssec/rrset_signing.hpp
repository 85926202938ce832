// Signing any zone's DNSKEY RRset with the KSK (`ceremony sign-rrset`): the RRset as zone-file
// text in, the RRSIG in presentation format out, verified with libldns before it is given.
#pragma once

#include <string>

#include "apdu/bytes.hpp"
#include "host/dnssec/ksk_key.hpp"
#include "host/dnssec/skr_signing.hpp"

namespace quorum::host::dnssec {

// What the KSK signs for `zone`'s DNSKEY RRset. `dnskeyRrset` is zone-file text (ldns reads it:
// one record per line or in parentheses, comments, $ORIGIN and $TTL; relative names are under
// `zone`; a record without TTL and without $TTL gets ldns's 3600). Every record must be a DNSKEY of
// `zone`, class IN, all with one TTL (the RRSIG's original TTL), and the KSK must be one of them.
// DnssecError naming what is wrong otherwise, or when expiration is not after inception.
SigningInput signRrsetInput(const std::string& zone, const std::string& dnskeyRrset, Time inception,
                            Time expiration, const KskKey& ksk);

// The RRSIG with `signature` (as Hsm::signSha256 gives it) in presentation format, one line
// ("zone. TTL IN RRSIG DNSKEY 8 1 3600 20250101000000 ..."), for the same arguments as
// signRrsetInput; SignatureError when it does not verify with the KSK over the RRset.
std::string signedRrsetRrsig(const std::string& zone, const std::string& dnskeyRrset,
                             Time inception, Time expiration, const KskKey& ksk,
                             const Bytes& signature);

}  // namespace quorum::host::dnssec
