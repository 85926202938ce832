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

namespace {
std::string folderOf(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

void writeAll(int fd, const std::string& text, const std::string& path, const std::string& what) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw FileError("cannot write " + what + " " + path + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

void syncFolder(const std::string& path) {
    const int dir = ::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return;
    ::fsync(dir);
    ::close(dir);
}
}  // namespace

void replaceFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what) {
    const std::string temporary = path + ".tmp";
    ::unlink(temporary.c_str());  // left by a crash in the middle of an earlier replacement
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw FileError("cannot create " + what + " " + temporary + ": " + std::strerror(errno));
    try {
        writeAll(fd, text, path, what);
        if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)
            throw FileError("cannot fsync " + what + " " + path + ": " + std::strerror(errno));
    } catch (...) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw FileError("cannot replace " + what + " " + path + ": " + std::strerror(error));
    }
    syncFolder(path);
}

void destroyFile(const std::string& path, const std::string& what) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return;
        throw FileError("cannot open " + what + " " + path + " to destroy it: " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        const std::string zeros(static_cast<std::size_t>(st.st_size), '\0');
        try {
            writeAll(fd, zeros, path, what);
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::fsync(fd);
    }
    ::close(fd);
    if (::unlink(path.c_str()) != 0) throw FileError("cannot remove " + what + " " + path + ": " + std::strerror(errno));
    syncFolder(path);
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
