// The HSM layer against SoftHSM2: keys generated inside, wrapped under an activation key,
// unwrapped into session objects that sign what OpenSSL verifies, and never readable in clear.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/primitives.hpp"
#include "host/hsm/pkcs11.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using namespace quorum::host;
using test::contains;
using test::thrownMessage;

namespace {

const std::string kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";
const std::string kTokenLabel = "quorum-test";

Bytes bytesOf(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes soPin() { return bytesOf("so-pin-4711"); }
Bytes userPin() { return bytesOf("user-pin-0815"); }

// A folder of our own under the temporary directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "quorum-hsm-test-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// One SoftHSM per process (PKCS#11 initialisation is process-wide), with one token initialised
// in a token store of its own. Built by the first test that needs it, torn down at exit.
struct SoftHsm {
    TempDir folder;  // declared first: removed after the module is finalised
    std::unique_ptr<Pkcs11Module> module;
    CK_SLOT_ID slot = 0;

    SoftHsm() {
        SoftHsmSetup::writeConfig(folder.path());
        const std::string config = folder.path() + "/softhsm2.conf";
        if (setenv("SOFTHSM2_CONF", config.c_str(), 1) != 0)
            throw std::system_error(errno, std::generic_category(), "setenv SOFTHSM2_CONF");
        module = std::make_unique<Pkcs11Module>(kSoftHsmModule);
        const auto fresh = module->findUninitializedSlot();
        if (!fresh) throw std::runtime_error("SoftHSM offers no uninitialised token");
        module->initToken(*fresh, kTokenLabel, soPin(), userPin());
        const auto found = module->findSlotByTokenLabel(kTokenLabel);
        if (!found) throw std::runtime_error("token " + kTokenLabel + " not found after init");
        slot = *found;
    }

    static SoftHsm& instance() {
        static SoftHsm hsm;
        return hsm;
    }
};

// An HsmSession on the test token, logged in as the user.
std::unique_ptr<HsmSession> userSession() {
    SoftHsm& hsm = SoftHsm::instance();
    auto session = std::make_unique<HsmSession>(*hsm.module, hsm.slot);
    session->login(userPin());
    return session;
}

// EVP_DigestVerify with SHA-256 against a SubjectPublicKeyInfo, as `openssl dgst -verify` does.
bool opensslVerifies(const Bytes& publicKeyDer, const Bytes& message, const Bytes& signature) {
    const unsigned char* in = publicKeyDer.data();
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        d2i_PUBKEY(nullptr, &in, static_cast<long>(publicKeyDer.size())), EVP_PKEY_free);
    REQUIRE(key != nullptr);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
    REQUIRE(EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1);
    return EVP_DigestVerify(context.get(), signature.data(), signature.size(), message.data(),
                            message.size()) == 1;
}

bool containsRun(const Bytes& haystack, const Bytes& needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

// The CK_RV C_GetAttributeValue gives for one attribute of `object` (value discarded).
CK_RV readAttribute(const HsmSession& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE query{type, nullptr, 0};
    return session.functions()->C_GetAttributeValue(session.handle(), object, &query, 1);
}

CK_BBOOL boolAttribute(const HsmSession& session, CK_OBJECT_HANDLE object,
                       CK_ATTRIBUTE_TYPE type) {
    CK_BBOOL value = 0xAA;  // neither CK_TRUE nor CK_FALSE, so an unread value shows
    CK_ATTRIBUTE query{type, &value, sizeof value};
    REQUIRE(session.functions()->C_GetAttributeValue(session.handle(), object, &query, 1) ==
            CKR_OK);
    return value;
}

// Every session object (CKA_TOKEN false) the session can see.
std::vector<CK_OBJECT_HANDLE> sessionObjects(const HsmSession& session) {
    CK_FUNCTION_LIST* f = session.functions();
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE query{CKA_TOKEN, &no, sizeof no};
    REQUIRE(f->C_FindObjectsInit(session.handle(), &query, 1) == CKR_OK);
    std::vector<CK_OBJECT_HANDLE> found(64);
    CK_ULONG count = 0;
    const CK_RV rv = f->C_FindObjects(session.handle(), found.data(), found.size(), &count);
    REQUIRE(f->C_FindObjectsFinal(session.handle()) == CKR_OK);
    REQUIRE(rv == CKR_OK);
    found.resize(count);
    return found;
}

// Key generation and activation as the ceremony does them, in two sessions: generate, wrap,
// keep only the blob and the public key; later import the activation key, unwrap, sign.
void generateWrapUnwrapSign(SigningKeyType type) {
    const Bytes activationKey = crypto::randomBytes(32);
    Bytes wrapped;
    Bytes publicKeyDer;
    {
        auto session = userSession();
        const GeneratedKey key = session->generateSigningKey(type);
        publicKeyDer = key.publicKeyDer;
        const CK_OBJECT_HANDLE wrappingKey = session->importAesKey(activationKey);
        wrapped = session->wrapKey(wrappingKey, key.privateKey);
        session->destroy(key.privateKey);
        session->destroy(wrappingKey);
    }
    REQUIRE(wrapped.size() > 0);
    CHECK(wrapped.size() % 8 == 0);  // RFC 5649 output is whole 64-bit blocks
    if (type != SigningKeyType::P256) {
        // The PKCS#8 plaintext holds the modulus; the tail of it must not show in the blob.
        const Bytes modulusTail(publicKeyDer.end() - 37, publicKeyDer.end() - 5);
        CHECK_FALSE(containsRun(wrapped, modulusTail));
    }

    auto session = userSession();
    const CK_OBJECT_HANDLE otherKey = session->importAesKey(crypto::randomBytes(32));
    CHECK_THROWS_AS(session->unwrapSigningKey(otherKey, wrapped, type), HsmError);

    const CK_OBJECT_HANDLE wrappingKey = session->importAesKey(activationKey);
    const CK_OBJECT_HANDLE signingKey = session->unwrapSigningKey(wrappingKey, wrapped, type);
    const Bytes message = bytesOf("hello");
    const Bytes signature = session->signSha256(signingKey, message, type);
    CHECK(opensslVerifies(publicKeyDer, message, signature));
    CHECK_FALSE(opensslVerifies(publicKeyDer, bytesOf("hellO"), signature));
    session->destroy(signingKey);
    session->destroy(wrappingKey);
    session->destroy(otherKey);
    CHECK(sessionObjects(*session).empty());
}

}  // namespace

TEST_CASE("hsm: an RSA-2048 key wrapped under the activation key unwraps and signs") {
    generateWrapUnwrapSign(SigningKeyType::Rsa2048);
}

// RSA-3072 generation takes 0.3-0.9 s in SoftHSM here; RSA-4096 (1-3 s) is left out.
TEST_CASE("hsm: an RSA-3072 key wrapped under the activation key unwraps and signs") {
    generateWrapUnwrapSign(SigningKeyType::Rsa3072);
}

TEST_CASE("hsm: a P-256 key wrapped under the activation key unwraps and signs DER ECDSA") {
    generateWrapUnwrapSign(SigningKeyType::P256);
}

TEST_CASE("hsm: private keys are never readable in clear; the unwrapped key stays in session") {
    auto session = userSession();
    const CK_OBJECT_HANDLE wrappingKey = session->importAesKey(crypto::randomBytes(32));
    CHECK(readAttribute(*session, wrappingKey, CKA_VALUE) == CKR_ATTRIBUTE_SENSITIVE);
    const CK_OBJECT_HANDLE otherAes = session->importAesKey(crypto::randomBytes(32));
    CHECK_THROWS_AS(session->wrapKey(otherAes, wrappingKey), HsmError);  // not extractable

    SUBCASE("RSA-2048") {
        const GeneratedKey key = session->generateSigningKey(SigningKeyType::Rsa2048);
        CHECK(readAttribute(*session, key.privateKey, CKA_PRIVATE_EXPONENT) ==
              CKR_ATTRIBUTE_SENSITIVE);
        CHECK(readAttribute(*session, key.privateKey, CKA_PRIME_1) == CKR_ATTRIBUTE_SENSITIVE);
        CHECK(boolAttribute(*session, key.privateKey, CKA_TOKEN) == CK_FALSE);
        CHECK(boolAttribute(*session, key.privateKey, CKA_EXTRACTABLE) == CK_TRUE);
        const Bytes wrapped = session->wrapKey(wrappingKey, key.privateKey);
        const CK_OBJECT_HANDLE unwrapped =
            session->unwrapSigningKey(wrappingKey, wrapped, SigningKeyType::Rsa2048);
        CHECK(readAttribute(*session, unwrapped, CKA_PRIVATE_EXPONENT) ==
              CKR_ATTRIBUTE_SENSITIVE);
        CHECK(boolAttribute(*session, unwrapped, CKA_TOKEN) == CK_FALSE);
        CHECK(boolAttribute(*session, unwrapped, CKA_SENSITIVE) == CK_TRUE);
        CHECK(boolAttribute(*session, unwrapped, CKA_EXTRACTABLE) == CK_FALSE);
        try {
            session->wrapKey(wrappingKey, unwrapped);
            FAIL("an unwrapped key could be wrapped again");
        } catch (const HsmError& e) {
            CHECK(e.rv() == CKR_KEY_UNEXTRACTABLE);
        }
    }
    SUBCASE("P-256") {
        const GeneratedKey key = session->generateSigningKey(SigningKeyType::P256);
        CHECK(readAttribute(*session, key.privateKey, CKA_VALUE) == CKR_ATTRIBUTE_SENSITIVE);
        CHECK(boolAttribute(*session, key.privateKey, CKA_TOKEN) == CK_FALSE);
        const Bytes wrapped = session->wrapKey(wrappingKey, key.privateKey);
        const CK_OBJECT_HANDLE unwrapped =
            session->unwrapSigningKey(wrappingKey, wrapped, SigningKeyType::P256);
        CHECK(readAttribute(*session, unwrapped, CKA_VALUE) == CKR_ATTRIBUTE_SENSITIVE);
        CHECK(boolAttribute(*session, unwrapped, CKA_TOKEN) == CK_FALSE);
        CHECK(boolAttribute(*session, unwrapped, CKA_EXTRACTABLE) == CK_FALSE);
        CHECK_THROWS_AS(session->wrapKey(wrappingKey, unwrapped), HsmError);
    }
}

TEST_CASE("hsm: session objects are gone once their session closes") {
    // The login state belongs to the token: `observer` logs in, `maker` shares that state and
    // never logs out itself, so only C_CloseSession can remove its objects (C_Logout would
    // destroy every private session object on its own, PKCS#11 2.40 5.6.9).
    SoftHsm& hsm = SoftHsm::instance();
    HsmSession observer(*hsm.module, hsm.slot);
    observer.login(userPin());
    std::vector<CK_OBJECT_HANDLE> made;
    {
        HsmSession maker(*hsm.module, hsm.slot);
        const GeneratedKey key = maker.generateSigningKey(SigningKeyType::P256);
        const CK_OBJECT_HANDLE wrappingKey = maker.importAesKey(crypto::randomBytes(32));
        const Bytes wrapped = maker.wrapKey(wrappingKey, key.privateKey);
        const CK_OBJECT_HANDLE unwrapped =
            maker.unwrapSigningKey(wrappingKey, wrapped, SigningKeyType::P256);
        made = {key.privateKey, wrappingKey, unwrapped};
        std::sort(made.begin(), made.end());
        std::vector<CK_OBJECT_HANDLE> found = sessionObjects(observer);
        std::sort(found.begin(), found.end());
        CHECK(found == made);  // the search does see them while their session lives
    }
    CHECK(sessionObjects(observer).empty());
    for (const CK_OBJECT_HANDLE object : made)
        CHECK(readAttribute(observer, object, CKA_CLASS) == CKR_OBJECT_HANDLE_INVALID);
    observer.logout();

    auto fresh = userSession();
    CHECK(sessionObjects(*fresh).empty());
}

TEST_CASE("hsm: a wrong user PIN is CKR_PIN_INCORRECT and the right one still works") {
    SoftHsm& hsm = SoftHsm::instance();
    HsmSession session(*hsm.module, hsm.slot);
    const std::string message =
        thrownMessage<HsmError>([&] { session.login(bytesOf("not-the-pin")); });
    CHECK(contains(message, "C_Login: CKR_PIN_INCORRECT (0x000000A0)"));
    try {
        session.login(bytesOf("user-pin-0816"));
        FAIL("a wrong PIN logged in");
    } catch (const HsmError& e) {
        CHECK(e.rv() == CKR_PIN_INCORRECT);
    }
    CHECK_NOTHROW(session.login(userPin()));
}

TEST_CASE("hsm: a module that cannot be loaded is named in the error") {
    const std::string missing = "/nonexistent/quorum/libno-such-pkcs11.so";
    const std::string message =
        thrownMessage<ModuleLoadError>([&] { Pkcs11Module module(missing); });
    CHECK(contains(message, "cannot load PKCS#11 module '" + missing + "'"));
    CHECK(contains(message, "No such file or directory"));

    TempDir folder;  // a file that exists but is no shared object
    SoftHsmSetup::writeConfig(folder.path());
    const std::string notElf = folder.path() + "/softhsm2.conf";
    CHECK(contains(thrownMessage<ModuleLoadError>([&] { Pkcs11Module module(notElf); }),
                   "'" + notElf + "'"));
}

TEST_CASE("hsm: the token is found by its label, and HsmError names the call and the code") {
    SoftHsm& hsm = SoftHsm::instance();
    CHECK(hsm.module->findSlotByTokenLabel(kTokenLabel) == hsm.slot);
    CHECK_FALSE(hsm.module->findSlotByTokenLabel("quorum-tes").has_value());
    CHECK(hsm.module->findUninitializedSlot().has_value());  // SoftHSM keeps a fresh one

    CHECK(std::string(HsmError("C_Login", CKR_PIN_INCORRECT).what()) ==
          "C_Login: CKR_PIN_INCORRECT (0x000000A0)");
    CHECK(HsmError("C_Sign", CKR_KEY_FUNCTION_NOT_PERMITTED).rv() ==
          CKR_KEY_FUNCTION_NOT_PERMITTED);
    CHECK(ckrName(CKR_WRAPPED_KEY_INVALID) == "CKR_WRAPPED_KEY_INVALID");
    CHECK(ckrName(0x0ABCUL) == "CKR_0x00000ABC");
    CHECK(ckrName(CKR_VENDOR_DEFINED | 0x17UL) == "CKR_VENDOR_DEFINED+0x00000017");
}
