// RAII over a PKCS#11 module (SoftHSM2 in tests and for the project's own HSM): the loaded
// module, a logged-in session, and the few operations the Shamir activation needs. The signing
// key is generated inside the HSM, leaves it only wrapped under the activation key
// (AES key wrap with padding, RFC 5649), and at activation comes back as a session object that is
// used to sign and destroyed. Non-copyable; destructors release quietly (noexcept).
#pragma once

#include <p11-kit/pkcs11.h>

// p11-kit's pkcs11.h (compatibility mode) leaves these lower-case macros defined; they would
// silently rename any identifier of that name in every file that includes this header (OpenSSL's
// evp.h has an `iv_len` parameter). The struct members they map to keep their PKCS#11 names.
#undef aad_len
#undef aad_ptr
#undef counter_bits
#undef data_params
#undef hash_alg
#undef iv_bits
#undef iv_len
#undef iv_ptr
#undef public_data
#undef public_data_len
#undef s_len
#undef shared_data
#undef shared_data_len
#undef source_data
#undef source_data_len
#undef string_data
#undef string_data_len
#undef tag_bits

// PKCS#11 3.0's name for RFC 5649 (p11-kit 0.24's header predates it).
#ifndef CKM_AES_KEY_WRAP_KWP
#define CKM_AES_KEY_WRAP_KWP 0x0000210BUL
#endif

#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "apdu/bytes.hpp"
#include "host/base/error.hpp"
#include "host/hsm/hsm.hpp"

namespace quorum::host {

// A PKCS#11 call failed; what() is "C_Xxx: CKR_NAME (0x...)".
class HsmError : public FatalError {
public:
    HsmError(const std::string& operation, CK_RV rv);
    CK_RV rv() const noexcept { return rv_; }
    const std::string& operation() const noexcept { return operation_; }

private:
    std::string operation_;
    CK_RV rv_;
};

// The module could not be loaded (dlopen or dlsym failed); what() names the path and dlerror().
class ModuleLoadError : public FatalError {
public:
    using FatalError::FatalError;
};

// "CKR_PIN_INCORRECT" for 0xA0; "CKR_0x..." for a code outside the table.
std::string ckrName(CK_RV rv);

// SoftHSM2's configuration for a token store of our own.
struct SoftHsmSetup {
    // Writes folder/softhsm2.conf (tokendir folder/tokens, file backend, log level ERROR) and
    // creates folder/tokens. SoftHSM reads the file named by SOFTHSM2_CONF when the module is
    // initialised: set SOFTHSM2_CONF=folder/softhsm2.conf in the environment BEFORE constructing
    // the Pkcs11Module. Throws FileError naming the file or folder it could not write.
    static void writeConfig(const std::string& folder);
};

class Pkcs11Module {
public:
    // dlopen + C_GetFunctionList + C_Initialize(CKF_OS_LOCKING_OK); ModuleLoadError names `path`.
    // One instance per module per process: a second gets CKR_CRYPTOKI_ALREADY_INITIALIZED.
    explicit Pkcs11Module(const std::string& path);
    // C_Finalize + dlclose.
    ~Pkcs11Module();
    Pkcs11Module(const Pkcs11Module&) = delete;
    Pkcs11Module& operator=(const Pkcs11Module&) = delete;

    // The module's function list, for calls this class does not wrap.
    CK_FUNCTION_LIST* functions() const noexcept { return functions_; }
    const std::string& path() const noexcept { return path_; }

    // The first slot with a token that is not initialised yet (SoftHSM always offers one).
    std::optional<CK_SLOT_ID> findUninitializedSlot() const;
    // The slot whose token label is `label` (labels are compared without their blank padding).
    std::optional<CK_SLOT_ID> findSlotByTokenLabel(const std::string& label) const;
    // C_InitToken, then C_InitPIN as SO; label of at most 32 bytes. Find it again by label after.
    void initToken(CK_SLOT_ID slot, const std::string& label, const Bytes& soPin,
                   const Bytes& userPin) const;
    // The module's manufacturer as C_GetInfo names it ("SoftHSM" for SoftHSM2), without padding.
    std::string manufacturer() const;

private:
    std::string path_;
    void* library_ = nullptr;
    CK_FUNCTION_LIST* functions_ = nullptr;
};

static_assert(std::is_same<HsmHandle, CK_OBJECT_HANDLE>::value, "HsmHandle is CK_OBJECT_HANDLE");

// An RW session on one slot. Session objects die with the session that made them. The login
// state belongs to the token, not the session, and C_Logout destroys every private session
// object of the process on that token (PKCS#11 2.40 5.6.9): keep one HsmSession per token.
class HsmSession : public Hsm {
public:
    // C_OpenSession(CKF_SERIAL_SESSION | CKF_RW_SESSION). `module` must outlive the session.
    HsmSession(const Pkcs11Module& module, CK_SLOT_ID slot);
    // C_Logout if this session logged in, then C_CloseSession; its session objects are gone.
    ~HsmSession() override;
    HsmSession(const HsmSession&) = delete;
    HsmSession& operator=(const HsmSession&) = delete;

    // C_Login as the normal user; HsmError with CKR_PIN_INCORRECT for a wrong PIN.
    void login(const Bytes& userPin);
    // C_Logout (destroying the private session objects) if this session logged in.
    void logout();

    // A session key pair; the private key signs, is sensitive, extractable only wrapped.
    GeneratedKey generateSigningKey(SigningKeyType type) override;
    // A 32-byte AES key as a session object that can wrap and unwrap but never be extracted.
    CK_OBJECT_HANDLE importAesKey(const Bytes& key32) override;
    // C_WrapKey with AES key wrap with padding (RFC 5649, keyWrapMechanism()): `key` encrypted
    // under `wrappingKey`.
    Bytes wrapKey(CK_OBJECT_HANDLE wrappingKey, CK_OBJECT_HANDLE key) override;
    // Session private key (sensitive, unextractable, signs); HsmError for a wrong wrapping key.
    CK_OBJECT_HANDLE unwrapSigningKey(CK_OBJECT_HANDLE wrappingKey, const Bytes& wrapped,
                                      SigningKeyType type) override;
    // SHA-256 signature of `message`: PKCS#1 v1.5 for RSA, DER ECDSA-Sig-Value for P-256.
    Bytes signSha256(CK_OBJECT_HANDLE key, const Bytes& message, SigningKeyType type) override;
    // C_DestroyObject.
    void destroy(CK_OBJECT_HANDLE object) override;

    // Whether the token offers `mechanism` for `purpose` (CKF_SIGN, CKF_UNWRAP, ...).
    bool offers(CK_MECHANISM_TYPE mechanism, CK_FLAGS purpose) const;
    // AES key wrap with padding as RFC 5649 defines it: CKM_AES_KEY_WRAP_KWP, PKCS#11 3.0's
    // unambiguous name, where the token offers it; else CKM_AES_KEY_WRAP_PAD, which SoftHSM2
    // implements as RFC 5649 (not every vendor's CKM_AES_KEY_WRAP_PAD does).
    CK_MECHANISM_TYPE keyWrapMechanism() const;

    CK_SESSION_HANDLE handle() const noexcept { return session_; }
    CK_FUNCTION_LIST* functions() const noexcept { return functions_; }

private:
    CK_FUNCTION_LIST* functions_;
    CK_SLOT_ID slot_;
    CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
    bool loggedIn_ = false;
};

}  // namespace quorum::host
