#include "card-sim/reader_conf.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace quorum::sim {

namespace {
std::string friendlyName(int reader) {
    return reader == 0 ? "Virtual PCD" : "Virtual PCD " + std::to_string(reader);
}
std::string driverCopy(const std::string& folder, int reader) {
    return folder + "/libifdvpcd-" + std::to_string(reader) + ".so";
}
}  // namespace

std::string readerConf(int readers, std::uint16_t firstPort, const std::string& driverCopies) {
    std::string text;
    for (int r = 0; r < readers; ++r) {
        char channel[16];
        std::snprintf(channel, sizeof channel, "0x%04X", static_cast<unsigned>(firstPort + kSlotsPerReader * r));
        text += "FRIENDLYNAME \"" + friendlyName(r) + "\"\n";
        text += "DEVICENAME   /dev/null:" + std::string(channel) + "\n";
        text += "LIBPATH      " + (r == 0 ? std::string(kVpcdDriver) : driverCopy(driverCopies, r)) + "\n";
        text += "CHANNELID    " + std::string(channel) + "\n\n";
    }
    return text;
}

void copyVpcdDriver(int readers, const std::string& folder, const std::string& driver) {
    if (readers < 2) return;
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) throw std::runtime_error("cannot create folder " + folder + ": " + error.message());
    for (int r = 1; r < readers; ++r) {
        std::filesystem::copy_file(driver, driverCopy(folder, r), std::filesystem::copy_options::overwrite_existing,
                                   error);
        if (error)
            throw std::runtime_error("cannot copy the vpcd driver " + driver + " to " + driverCopy(folder, r) + ": " +
                                     error.message() + " (is vsmartcard-vpcd installed?)");
    }
}

std::string readerName(int slot) {
    return friendlyName(slot / kSlotsPerReader) + (slot % kSlotsPerReader == 0 ? " 00 00" : " 00 01");
}

}  // namespace quorum::sim
