#include "host/hsm/ceremony_hsm.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"

namespace quorum::host {

namespace {

// The user PIN in `path` (`name`: how the message names the file) without its line end. Like
// every secrets file, it must be its owner's only: checked on the open file, so what is read is
// what was checked.
Bytes readTokenPin(const std::string& path, const std::string& name) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw FileError("cannot read the HSM user PIN file " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        throw UsageError(name + " " + path + " is readable by others; make it private first (chmod 600)");
    }
    Bytes pin;
    std::uint8_t chunk[256];
    ssize_t got = 0;
    while ((got = ::read(fd, chunk, sizeof chunk)) > 0) pin.insert(pin.end(), chunk, chunk + got);
    const int readError = errno;
    secureZero(chunk, sizeof chunk);
    ::close(fd);
    if (got < 0)
        throw FileError("cannot read the HSM user PIN file " + path + ": " +
                        std::strerror(readError));
    while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) pin.pop_back();
    return pin;
}

}  // namespace

CeremonyHsm::CeremonyHsm(const HsmConfig& config, const std::string& ceremonyDir) {
    Bytes userPin;
    if (config.userPinFile.empty()) {
        const std::string folder = ceremonyDir + "/hsm";
        const bool fresh = ::mkdir(folder.c_str(), 0700) == 0;
        if (fresh) SoftHsmSetup::writeConfig(folder);
        ::setenv("SOFTHSM2_CONF", (folder + "/softhsm2.conf").c_str(), 1);
        module_ = std::make_unique<Pkcs11Module>(config.modulePath);
        // Never initialise a token of somebody else's HSM because a PIN file was forgotten.
        const std::string maker = module_->manufacturer();
        if (maker != "SoftHSM")
            throw UsageError(
                "without --token-pin-file the HSM is the ceremony's own SoftHSM2 token in " +
                folder + ", but " + config.modulePath + " is a module of \"" + maker +
                "\": give --token-label and --token-pin-file of its token");
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
        // The ceremony's own PIN file is held to the rule of every PIN file: mode 600.
        userPin = readTokenPin(pinPath, "the ceremony's HSM user PIN file");
    } else {
        module_ = std::make_unique<Pkcs11Module>(config.modulePath);
        userPin = readTokenPin(config.userPinFile, "--token-pin-file");
    }
    const auto slot = module_->findSlotByTokenLabel(config.tokenLabel);
    if (!slot) throw FatalError("no HSM token labelled \"" + config.tokenLabel + "\" in " + config.modulePath);
    session_ = std::make_unique<HsmSession>(*module_, *slot);
    session_->login(userPin);
}

}  // namespace quorum::host
