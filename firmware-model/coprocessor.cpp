#include "firmware-model/coprocessor.hpp"

#include <openssl/rand.h>

#include <climits>
#include <stdexcept>

namespace quorum::card {

void OpensslCoprocessor::random(std::uint8_t* out, std::size_t size) {
    if (size > INT_MAX || RAND_bytes(out, static_cast<int>(size)) != 1)
        throw std::runtime_error("the random number generator failed");
}

}  // namespace quorum::card
