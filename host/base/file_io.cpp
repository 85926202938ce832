#include "host/base/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "host/base/error.hpp"
#include "platform/durable_file.hpp"

namespace quorum::host {

namespace {

void writeAll(int fd, const std::string& text, const std::string& path, const std::string& what) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw FileError("cannot write " + what + " " + path + ": " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
    }
}

void write(const std::string& path, const std::string& text, mode_t mode, const std::string& what,
           platform::Existing existing) {
    try {
        platform::writeFileAtomically(path, text, mode, what, existing);
    } catch (const platform::IoError& e) {
        throw FileError(e.what());
    }
}

}  // namespace

std::string readWholeFile(const std::string& path, const std::string& what, std::size_t maxBytes) {
    try {
        return platform::readFileBounded(path, maxBytes, what);
    } catch (const platform::IoError& e) {
        throw FileError(e.what());
    }
}

void writeNewFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what) {
    write(path, text, mode, what, platform::Existing::Refuse);
}

void replaceFile(const std::string& path, const std::string& text, mode_t mode, const std::string& what) {
    write(path, text, mode, what, platform::Existing::Replace);
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
    ::unlink((path + ".tmp").c_str());  // a complete copy a kill may have left between link and rename
    const int folder = ::open(platform::folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder >= 0) {
        ::fsync(folder);
        ::close(folder);
    }
}

void refuseExisting(const std::string& path, const std::string& what) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
        throw UsageError("the " + what + " " + path + " exists already: choose another name");
}

void removeQuietly(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
}

void writeOutput(const std::string& path, const Bytes& data, const std::string& what) {
    replaceFile(path, std::string(data.begin(), data.end()), 0644, what);
}

}  // namespace quorum::host
