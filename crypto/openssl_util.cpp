#include "crypto/openssl_util.hpp"

#include <openssl/err.h>

#include <array>

#include "crypto/primitives.hpp"

namespace quorum::crypto::ossl {

void fail(const std::string& what) {
    std::string message = what;
    const unsigned long code = ERR_peek_last_error();
    if (code != 0) {
        std::array<char, 256> reason{};
        ERR_error_string_n(code, reason.data(), reason.size());
        message += " (";
        message += reason.data();
        message += ")";
    }
    ERR_clear_error();
    throw CryptoError(message);
}

}  // namespace quorum::crypto::ossl
