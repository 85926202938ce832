#include "host/base/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "host/base/error.hpp"

namespace quorum::host {

std::string readWholeFile(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileError("cannot read the " + what + " " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeNewFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        throw FileError("cannot create " + what + " " + path + ": " + std::strerror(errno) +
                                 (errno == EEXIST ? " (it exists already; nothing is overwritten)" : ""));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            throw FileError("cannot write " + what + " " + path + ": " + std::strerror(error));
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!synced) throw FileError("cannot fsync " + what + " " + path + ": " + std::strerror(error));
}

void refuseExisting(const std::string& path, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        throw UsageError("the " + what + " " + path + " exists already: choose another name");
}

void writeOutput(const std::string& path, const Bytes& data, const std::string& what) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw FileError("cannot write " + what + " " + path);
}

}  // namespace quorum::host
