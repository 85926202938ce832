#include "host/hsm/ceremony_hsm.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"

namespace quorum::host {

CeremonyHsm::CeremonyHsm(const HsmConfig& config, const std::string& ceremonyDir) {
    Bytes userPin;
    if (config.userPinFile.empty()) {
        const std::string folder = ceremonyDir + "/hsm";
        const bool fresh = ::mkdir(folder.c_str(), 0700) == 0;
        if (fresh) SoftHsmSetup::writeConfig(folder);
        ::setenv("SOFTHSM2_CONF", (folder + "/softhsm2.conf").c_str(), 1);
        module_ = std::make_unique<Pkcs11Module>(config.modulePath);
        const std::string pinPath = folder + "/user-pin";
        if (!module_->findSlotByTokenLabel(config.tokenLabel)) {
            const auto slot = module_->findUninitializedSlot();
            if (!slot) throw FatalError("the HSM offers no free slot for the ceremony's token");
            userPin = Bytes(16);
            const Bytes random = crypto::randomBytes(16);
            for (std::size_t i = 0; i < 16; ++i) userPin[i] = static_cast<std::uint8_t>('a' + random[i] % 26);
            module_->initToken(*slot, config.tokenLabel, crypto::randomBytes(16), userPin);
            writeNewFile(pinPath, std::string(userPin.begin(), userPin.end()), 0600, "HSM user PIN");
        }
        std::string text = readWholeFile(pinPath, "HSM user PIN");
        userPin.assign(text.begin(), text.end());
        secureZero(text.data(), text.size());
    } else {
        module_ = std::make_unique<Pkcs11Module>(config.modulePath);
        std::string text = readWholeFile(config.userPinFile, "HSM user PIN file");
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        userPin.assign(text.begin(), text.end());
        secureZero(text.data(), text.size());
    }
    const auto slot = module_->findSlotByTokenLabel(config.tokenLabel);
    if (!slot) throw FatalError("no HSM token labelled \"" + config.tokenLabel + "\" in " + config.modulePath);
    session_ = std::make_unique<HsmSession>(*module_, *slot);
    session_->login(userPin);
}

}  // namespace quorum::host
