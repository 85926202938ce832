// How pcscd is configured for the simulator's readers, and the names it then gives them. vpcd
// serves two slots per reader.conf entry (ports CHANNELID and CHANNELID + 1); slot s listens on
// port 35963 + s. One pcscd takes several entries if their FRIENDLYNAMEs differ, but vpcd keeps
// its connections in static memory indexed by slot only, so entries that share one loaded driver
// overwrite each other's: every reader after the first loads its own copy of the driver file.
#pragma once

#include <cstdint>
#include <string>

namespace quorum::sim {

constexpr int kSlotsPerReader = 2;
constexpr const char* kVpcdDriver = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";

// The reader.conf.d entries for `readers` vpcd readers (2 x `readers` slots) from `firstPort`;
// reader r >= 1 loads `driverCopies`/libifdvpcd-r.so (see copyVpcdDriver).
std::string readerConf(int readers, std::uint16_t firstPort, const std::string& driverCopies);

// Copies `driver` to `folder`/libifdvpcd-r.so for r = 1 .. readers - 1 (the folder is created).
// Throws std::runtime_error naming the file that could not be read or written.
void copyVpcdDriver(int readers, const std::string& folder, const std::string& driver = kVpcdDriver);

// The name pcscd gives slot `slot` under readerConf(): "Virtual PCD 00 00", "Virtual PCD 00 01",
// then "Virtual PCD 1 00 00", "Virtual PCD 1 00 01", "Virtual PCD 2 00 00", ... (the first entry
// keeps the name of Debian's own vpcd configuration).
std::string readerName(int slot);

}  // namespace quorum::sim
