// What the card asks of its crypto hardware. Only operations a Java Card 3.0.x or a native
// secure element offers belong here, so the applet logic ports one-to-one (docs/porting.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "apdu/bytes.hpp"

namespace quorum::card {

class Coprocessor {
public:
    virtual ~Coprocessor() = default;
    // Fills `out` from the true random number generator.
    virtual void random(std::uint8_t* out, std::size_t size) = 0;

    // A raw RSA private-key operation without CRT ("RSA NOPAD" with a modulus and a private
    // exponent): base^exponent mod modulus, in constant time with respect to the exponent. All
    // big-endian; the modulus odd, base below it, the exponent at most modulus.size() + 64
    // bytes (an engine limited to modulus-sized exponents splits the longer ones, see
    // docs/porting.md). The result has exactly modulus.size() bytes.
    virtual Bytes rsaNonCrt(const Bytes& modulus, const Bytes& exponent, const Bytes& base) = 0;

    // a * b + c as an unsigned big-endian integer of exactly `size` bytes (the long multiplication
    // most secure-element crypto libraries offer; a few lines of applet code otherwise). Throws
    // std::invalid_argument when the result does not fit.
    virtual Bytes multiplyAdd(const Bytes& a, const Bytes& b, const Bytes& c, std::size_t size) = 0;
};

// Backed by OpenSSL (RAND_bytes, BN_mod_exp_mont_consttime); what card-sim and the tests use.
class OpensslCoprocessor : public Coprocessor {
public:
    void random(std::uint8_t* out, std::size_t size) override;
    Bytes rsaNonCrt(const Bytes& modulus, const Bytes& exponent, const Bytes& base) override;
    Bytes multiplyAdd(const Bytes& a, const Bytes& b, const Bytes& c, std::size_t size) override;
};

}  // namespace quorum::card
