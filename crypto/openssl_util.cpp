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

Bn secretBn(const std::string& op) {
    Bn bn(BN_secure_new());
    if (!bn) fail(op + ": BN_secure_new failed");
    BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
    return bn;
}

Bn publicBn(const std::string& op, BN_ULONG value) {
    Bn bn(BN_new());
    if (!bn) fail(op + ": BN_new failed");
    if (BN_set_word(bn.get(), value) != 1) fail(op + ": BN_set_word failed");
    return bn;
}

}  // namespace quorum::crypto::ossl
