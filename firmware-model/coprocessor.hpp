// What the card asks of its crypto hardware. Only operations a Java Card 3.0.x or a native
// secure element offers belong here, so the applet logic ports one-to-one (docs/porting.md).
#pragma once

#include <cstddef>
#include <cstdint>

namespace quorum::card {

class Coprocessor {
public:
    virtual ~Coprocessor() = default;
    // Fills `out` from the true random number generator.
    virtual void random(std::uint8_t* out, std::size_t size) = 0;
};

// Backed by OpenSSL (RAND_bytes); what card-sim and the tests use.
class OpensslCoprocessor : public Coprocessor {
public:
    void random(std::uint8_t* out, std::size_t size) override;
};

}  // namespace quorum::card
