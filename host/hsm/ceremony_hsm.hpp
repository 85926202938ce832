// The HSM of a ceremony: which PKCS#11 module and token, and a logged-in session on it. By default
// the SoftHSM2 module with a token of the ceremony's own in CEREMONY/hsm (created on first use;
// its user PIN kept in CEREMONY/hsm/user-pin, mode 0600), never the system's. Any other token -
// of another module, or another token of SoftHSM2 (its store is the one SOFTHSM2_CONF names) -
// is given by its label and a file with its user PIN, and is never initialised here.
#pragma once

#include <memory>
#include <string>

#include "host/hsm/pkcs11.hpp"

namespace quorum::host {

struct HsmConfig {
    std::string modulePath = "/usr/lib/softhsm/libsofthsm2.so";
    std::string tokenLabel = "quorum";
    std::string userPinFile;  // empty: the ceremony's own SoftHSM2 token
};

class CeremonyHsm {
public:
    // Loads the module, finds (or, for the ceremony's own token, creates) the token and logs in.
    // The user PIN file must be private (mode 600); without one the module must be SoftHSM2's.
    // FatalError (HsmError, ModuleLoadError, FileError, UsageError) naming what failed.
    CeremonyHsm(const HsmConfig& config, const std::string& ceremonyDir);
    HsmSession& session() { return *session_; }

private:
    std::unique_ptr<Pkcs11Module> module_;
    std::unique_ptr<HsmSession> session_;
};

}  // namespace quorum::host
