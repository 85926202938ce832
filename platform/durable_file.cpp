#include "platform/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

namespace quorum::platform {

namespace {

[[noreturn]] void fail(const std::string& doing, const std::string& what, const std::string& path, int error) {
    throw IoError("cannot " + doing + " the " + what + " " + path + ": " + std::strerror(error) +
                      fullDiskAdvice(error, path),
                  error);
}

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

void writeAll(int fd, const std::string& text, const std::string& path, const std::string& what) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("write", what, path, n == 0 ? ENOSPC : errno);
        done += static_cast<std::size_t>(n);
    }
}

// Makes the file's content durable before it gets a name: space is reserved first (tmpfs and
// ext4 refuse at once when the disk is full, rather than after part of the text).
void fill(int fd, const std::string& text, mode_t mode, const std::string& path, const std::string& what) {
    if (!text.empty()) {
        const int reserved = ::posix_fallocate(fd, 0, static_cast<off_t>(text.size()));
        if (reserved != 0 && reserved != EOPNOTSUPP && reserved != EINVAL) fail("write", what, path, reserved);
    }
    writeAll(fd, text, path, what);
    if (::fchmod(fd, mode) != 0) fail("set the mode of", what, path, errno);
    if (::fsync(fd) != 0) fail("fsync", what, path, errno);
}

void syncFolder(const std::string& path, const std::string& what) {
    Fd folder(::open(folderOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0 || ::fsync(folder.get()) != 0) fail("fsync the folder of", what, path, errno);
}

// Gives the written temporary file its final name; `temporary` is its name (linked already).
void publish(const std::string& temporary, const std::string& path, const std::string& what, Existing existing) {
    if (existing == Existing::Replace) {
        if (::rename(temporary.c_str(), path.c_str()) != 0) {
            const int error = errno;
            ::unlink(temporary.c_str());
            fail("replace", what, path, error);
        }
        return;
    }
    const int linked = ::link(temporary.c_str(), path.c_str());
    const int error = errno;
    ::unlink(temporary.c_str());
    if (linked != 0) {
        if (error == EEXIST)
            throw IoError("cannot create the " + what + " " + path + ": it exists already; nothing is overwritten",
                          EEXIST);
        fail("create", what, path, error);
    }
}

// The write through an unnamed file; false when the filesystem (or a missing /proc) offers none.
bool writeUnnamed(const std::string& path, const std::string& text, mode_t mode, const std::string& what,
                  Existing existing) {
    Fd fd(::open(folderOf(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
    if (fd.get() < 0) {
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return false;
        fail("create", what, path, errno);
    }
    fill(fd.get(), text, mode, path, what);  // a failure here leaves nothing: the file has no name
    const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
    if (existing == Existing::Refuse) {
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return true;
        if (errno == EEXIST)
            throw IoError("cannot create the " + what + " " + path + ": it exists already; nothing is overwritten",
                          EEXIST);
        if (errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0) return false;
        fail("create", what, path, errno);
    }
    const std::string temporary = path + ".tmp";
    ::unlink(temporary.c_str());  // complete but stale: left by a kill between link and rename
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0) {
        if (errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0) return false;
        fail("create", what, path, errno);
    }
    fd.reset();
    publish(temporary, path, what, existing);
    return true;
}

void writeNamed(const std::string& path, const std::string& text, mode_t mode, const std::string& what,
                Existing existing) {
    const std::string temporary = path + ".tmp";
    ::unlink(temporary.c_str());
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0) fail("create", what, path, errno);
    try {
        fill(fd.get(), text, mode, path, what);
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    fd.reset();
    publish(temporary, path, what, existing);
}

}  // namespace

std::string folderOf(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string fullDiskAdvice(int error, const std::string& path) {
    if (error != ENOSPC && error != EDQUOT) return "";
    std::string free;
    try {
        free = ", " + std::to_string(freeBytes(folderOf(path))) + " bytes free there";
    } catch (const IoError&) {
    }
    return " (the disk of " + folderOf(path) + " is full" + free + ": free some space and run the command again)";
}

void writeFileAtomically(const std::string& path, const std::string& text, mode_t mode, const std::string& what,
                         Existing existing) {
    if (!writeUnnamed(path, text, mode, what, existing)) writeNamed(path, text, mode, what, existing);
    syncFolder(path, what);
}

std::string readFileBounded(const std::string& path, std::size_t maxBytes, const std::string& what) {
    // O_NONBLOCK: a FIFO is refused below instead of waiting for a writer.
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (fd.get() < 0) fail("read", what, path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("read", what, path, errno);
    if (!S_ISREG(st.st_mode))
        throw IoError("cannot read the " + what + " " + path + ": it is not a regular file (" +
                          (S_ISDIR(st.st_mode) ? "a folder" : "a device, FIFO or socket") + ")",
                      0);
    const auto tooLarge = [&] {
        return IoError("cannot read the " + what + " " + path + ": it has more than " + std::to_string(maxBytes) +
                           " bytes, the most a " + what + " may have",
                       0);
    };
    const std::size_t size = static_cast<std::size_t>(st.st_size);
    if (size > maxBytes) throw tooLarge();
    std::string text(size + 1, '\0');  // one more byte shows a file that grew
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::read(fd.get(), &text[done], text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("read", what, path, errno);
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
    }
    if (done > size) {
        if (done > maxBytes) throw tooLarge();
        throw IoError("cannot read the " + what + " " + path + ": it grew while it was read; try again", 0);
    }
    text.resize(done);
    return text;
}

std::uint64_t freeBytes(const std::string& folder) {
    struct statvfs fs {};
    if (::statvfs(folder.c_str(), &fs) != 0)
        throw IoError("cannot tell the free space of " + folder + ": " + std::strerror(errno), errno);
    return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

void requireFreeSpace(const std::vector<SpaceNeed>& needs) {
    struct Device {
        std::uint64_t bytes = 0;
        std::string folders;
        std::string whats;
        std::string folder;
    };
    std::map<dev_t, Device> devices;
    for (const SpaceNeed& need : needs) {
        struct stat st {};
        if (::stat(need.folder.c_str(), &st) != 0)
            throw IoError("cannot find the folder " + need.folder + " for " + need.what + ": " + std::strerror(errno),
                          errno);
        Device& device = devices[st.st_dev];
        device.bytes += need.bytes;
        device.whats += (device.whats.empty() ? "" : " and ") + need.what;
        if (device.folder.empty()) device.folder = need.folder;
    }
    for (const auto& [id, device] : devices) {
        const std::uint64_t available = freeBytes(device.folder);
        if (available < device.bytes)
            throw IoError("not enough space for " + device.whats + " in " + device.folder + ": about " +
                              std::to_string(device.bytes) + " bytes are needed, " + std::to_string(available) +
                              " are free. Free some space (or choose another folder) and run the command again; "
                              "nothing was done",
                          ENOSPC);
    }
}

}  // namespace quorum::platform
