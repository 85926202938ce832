#include "host/ceremonies/requests.hpp"

#include "crypto/shoup.hpp"
#include "host/base/file_io.hpp"

namespace quorum::host {

const char* schemeName(Scheme scheme) { return scheme == Scheme::Shoup ? "shoup" : "shamir"; }

Scheme parseScheme(const std::string& name) {
    for (auto scheme : {Scheme::Shamir, Scheme::Shoup})
        if (name == schemeName(scheme)) return scheme;
    throw UsageError("scheme \"" + name + "\": use shamir or shoup");
}

const char* keyTypeName(SigningKeyType type) {
    switch (type) {
        case SigningKeyType::Rsa2048: return "rsa2048";
        case SigningKeyType::Rsa3072: return "rsa3072";
        case SigningKeyType::Rsa4096: return "rsa4096";
        case SigningKeyType::P256: return "p256";
    }
    return "unknown";
}

SigningKeyType parseKeyType(const std::string& name) {
    for (auto type : {SigningKeyType::Rsa2048, SigningKeyType::Rsa3072, SigningKeyType::Rsa4096, SigningKeyType::P256})
        if (name == keyTypeName(type)) return type;
    throw UsageError("key type \"" + name + "\": use rsa2048, rsa3072, rsa4096 or p256");
}

void checkKeygenRequest(const KeygenRequest& request) {
    if (request.k < 1 || request.k > request.n)
        throw UsageError("-k " + std::to_string(request.k) + " -n " + std::to_string(request.n) + ": need 1 <= k <= n");
    if (request.scheme == Scheme::Shoup) {
        if (request.keyType == SigningKeyType::P256)
            throw UsageError("the threshold RSA scheme makes RSA keys: use --key-type rsa2048, rsa3072 or rsa4096");
        if (request.n > crypto::shoup::kMaxPlayers)
            throw UsageError("the threshold RSA scheme allows at most " + std::to_string(crypto::shoup::kMaxPlayers) +
                             " cards (n = " + std::to_string(request.n) + ")");
    }
    if (const std::string wrong = request.policy.problem(); !wrong.empty()) throw UsageError("PIN policy: " + wrong);
    refuseExisting(request.manifestPath, "manifest");
}

}  // namespace quorum::host
