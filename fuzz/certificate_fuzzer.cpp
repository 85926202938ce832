// The certificate checks: the card's (signed by its CA key, of the expected role, a card index in
// range) and the host's (verifyCertificate: chain, validity, role, card set). The input is a DER
// certificate. As given, it can never carry a valid signature of this run's CA (a fresh key), so
// the card's check must refuse it; re-signed by that CA, every extension and field the input
// holds reaches the checks behind the signature, and what the host accepts the card accepts too.
#include <openssl/err.h>
#include <openssl/x509.h>

#include <cstdint>

#include "crypto/certificate.hpp"
#include "crypto/ec.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace quorum;
using quorum::fuzz::violated;

namespace {

const crypto::CeremonyCa& ca() {
    static const crypto::CeremonyCa authority =
        crypto::CeremonyCa::create("fuzz ceremony CA", Bytes(16, 0x5E));
    return authority;
}

const crypto::CertRole kRoles[] = {crypto::CertRole::Ca, crypto::CertRole::Host, crypto::CertRole::Card};

// The certificate issued again by the CA (its name as issuer, its signature); nullopt when
// OpenSSL will not sign it (e.g. a key it cannot encode).
std::optional<crypto::Certificate> resigned(const crypto::Certificate& certificate) {
    X509* copy = X509_dup(certificate.get());
    if (copy == nullptr) return std::nullopt;
    std::optional<crypto::Certificate> result;
    if (X509_set_issuer_name(copy, X509_get_subject_name(ca().certificate().get())) == 1 &&
        X509_sign(copy, ca().key().get(), EVP_sha256()) > 0) {
        unsigned char* der = nullptr;
        const int length = i2d_X509(copy, &der);
        if (length > 0) {
            try {
                result = crypto::Certificate::fromDer(Bytes(der, der + length));
            } catch (const crypto::CertificateError&) {
            }
        }
        OPENSSL_free(der);
    }
    X509_free(copy);
    ERR_clear_error();
    return result;
}

void inspect(const crypto::Certificate& certificate) {
    try {
        certificate.info();
    } catch (const crypto::CertificateError&) {
    }
    try {
        certificate.publicKey();
    } catch (const crypto::CertificateError&) {
    }
    certificate.der();
    certificate.pem();
    certificate.sha256Fingerprint();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto caKey = ca().certificate().publicKey();
    std::optional<crypto::Certificate> certificate;
    try {
        certificate = crypto::Certificate::fromDer(Bytes(data, data + size));
    } catch (const crypto::CertificateError&) {
        return 0;
    }
    inspect(*certificate);
    for (const auto role : kRoles) {
        if (crypto::verifySignedWithRole(*certificate, caKey, role))
            violated("the card accepted a certificate its CA never signed");
    }
    const auto issued = resigned(*certificate);
    if (!issued) return 0;
    inspect(*issued);
    for (const auto role : kRoles) {
        const bool cardAccepts = crypto::verifySignedWithRole(*issued, caKey, role);
        bool hostAccepts = false;
        try {
            const auto info = crypto::verifyCertificate(*issued, ca().certificate(), role, ca().cardSetId());
            hostAccepts = true;
            if (info.role != role) violated("the host accepted a certificate of another role");
        } catch (const crypto::CertificateError&) {
        }
        if (hostAccepts && !cardAccepts) violated("the host accepts a certificate the card refuses");
    }
    return 0;
}
