// What the crypto/ sources share about OpenSSL: owning pointers for its objects and turning its
// error queue into a CryptoError. Internal to crypto/.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>

#include <memory>
#include <string>

namespace quorum::crypto::ossl {

template <typename T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
// A unique_ptr that frees an OpenSSL object with its own free function.
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

inline void freeBio(BIO* b) { BIO_free(b); }  // BIO_free returns int
using Bio = Owned<BIO, freeBio>;

// Throws CryptoError: `what`, then the newest reason OpenSSL queued, if any; the queue is
// emptied so a later operation does not report a stale reason.
[[noreturn]] void fail(const std::string& what);

// BIGNUMs are cleared when freed, whatever they hold.
using Bn = Owned<BIGNUM, BN_clear_free>;
using BnCtx = Owned<BN_CTX, BN_CTX_free>;

// A BIGNUM for a secret: on the secure heap, cleared when freed, constant-time where OpenSSL
// offers it. Failures throw CryptoError naming `op`.
Bn secretBn(const std::string& op);
// A BIGNUM for a public value, set to `value`.
Bn publicBn(const std::string& op, BN_ULONG value = 0);

}  // namespace quorum::crypto::ossl
