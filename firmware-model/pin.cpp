#include "firmware-model/pin.hpp"

#include <openssl/crypto.h>

namespace quorum::card {

bool secretsEqual(const std::uint8_t* a, const std::uint8_t* b, std::size_t size) {
    return CRYPTO_memcmp(a, b, size) == 0;
}

}  // namespace quorum::card
