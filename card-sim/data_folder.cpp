#include "card-sim/data_folder.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace quorum::sim {

std::string dataFolder() {
    if (const char* explicitDir = std::getenv("QUORUM_DATA_DIR"); explicitDir && *explicitDir)
        return explicitDir;
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
        return std::string(xdg) + "/quorum-cards";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.local/share/quorum-cards";
    throw std::runtime_error("no data folder: set QUORUM_DATA_DIR (HOME is not set)");
}

void makeFolders(const std::string& path) {
    for (std::size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/') continue;
        const std::string prefix = path.substr(0, pos);
        if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
            throw std::runtime_error("cannot create folder " + prefix + ": " + std::strerror(errno));
    }
}

}  // namespace quorum::sim
