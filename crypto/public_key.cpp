#include "crypto/public_key.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/openssl_util.hpp"
#include "crypto/primitives.hpp"

namespace quorum::crypto {

namespace {
using Key = ossl::Owned<EVP_PKEY, EVP_PKEY_free>;
using MdContext = ossl::Owned<EVP_MD_CTX, EVP_MD_CTX_free>;
}  // namespace

std::string publicKeyPemFromDer(const Bytes& der) {
    const unsigned char* p = der.data();
    Key key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
    if (!key) throw CryptoError("a public key OpenSSL cannot read (not a DER SubjectPublicKeyInfo)");
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) throw CryptoError("cannot write a public key as PEM");
    char* text = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &text);
    return std::string(text, static_cast<std::size_t>(size));
}

bool verifySha256Signature(const std::string& publicKeyPem, const Bytes& message, const Bytes& signature) {
    ossl::Bio bio(BIO_new_mem_buf(publicKeyPem.data(), static_cast<int>(publicKeyPem.size())));
    if (!bio) return false;
    Key key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return false;
    MdContext ctx(EVP_MD_CTX_new());
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

}  // namespace quorum::crypto
