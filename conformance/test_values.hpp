// What the conformance program gives the card it tests: PINs, a PUK and shares that are test
// values of a test card only (never a real holder's), and the ceremony's public certificates.
#pragma once

#include <string>

#include <json/value.h>

#include "conformance/pattern.hpp"
#include "crypto/certificate.hpp"
#include "host/card/secure_channel.hpp"

namespace quorum::conformance {

// Fixed test PINs and PUKs (written in docs/porting.md), a fresh Feldman 2-of-3 deal and a fresh
// 512-bit 2-of-3 threshold RSA key (safe primes of 256 bits: a second or so), whose share 1 the
// card gets, and digests to sign; the keys of three new test cards and a context, for the
// re-sharing cases.
Values makeTestValues();

// The ceremony's own: {aid}, {ca_point}, {ca_certificate}, {host_certificate}, {not_a_point}.
Values ceremonyValues(const crypto::Certificate& ca, const host::HostCredentials& host);

// test-values.json of a vector folder: every value by name, in hex, with a warning that they are
// a test card's.
Json::Value testValuesJson(const Values& values);
// The values of such a file; PatternError naming what is wrong.
Values testValuesFrom(const Json::Value& json);

}  // namespace quorum::conformance
