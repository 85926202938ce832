#include "host/documents/audit_log.hpp"

#include <fcntl.h>
#include <json/json.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/pgp_words.hpp"
#include "platform/durable_file.hpp"
#include "platform/strict_json.hpp"

namespace quorum::host {

namespace {

constexpr const char* kFormat = "quorum-audit";
constexpr int kVersion = 1;
constexpr std::size_t kHashHexSize = 64;
const std::string kZeroHash(kHashHexSize, '0');
// Bounds on what is read: years of ceremonies fit many times over.
constexpr std::size_t kMaxLogBytes = 256 * 1024 * 1024;
constexpr std::size_t kMaxLineBytes = 64 * 1024;
// How every entry the writer makes begins (members in byte order: "details" first).
const std::string kEntryStart = "{\"details\":{";

// The members of an entry, in the (byte) order jsoncpp writes them.
constexpr std::array<const char*, 7> kMembers = {"details", "event", "format", "prev",
                                                 "seq",     "time",  "version"};

// Member names refused anywhere in details (compared in ASCII lower case).
constexpr std::array<const char*, 6> kDeniedNames = {"pin",    "puk",   "passphrase",
                                                     "secret", "share", "activation_key"};

std::string errnoText() {
    return std::strerror(errno);
}

struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
};

std::string parentFolder(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string hashOf(const std::string& line) {
    return toHex(crypto::sha256(Bytes(line.begin(), line.end())));
}

std::string asciiLower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

bool isUpperHex(const std::string& text) {
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
    return true;
}

std::string formatTime(std::time_t when) {
    std::tm utc{};
    if (::gmtime_r(&when, &utc) == nullptr) throw AuditLogError("cannot convert the time to UTC");
    char text[32];
    if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) != 20)
        throw AuditLogError("cannot format the time");
    return text;
}

// True for exactly YYYY-MM-DDTHH:MM:SSZ naming a real second (no 30 February, no 24:00:00).
bool isUtcTime(const std::string& text) {
    if (text.size() != 20) return false;
    static const char kPattern[] = "dddd-dd-ddTdd:dd:ddZ";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (kPattern[i] == 'd' ? !(text[i] >= '0' && text[i] <= '9') : text[i] != kPattern[i])
            return false;
    }
    const auto number = [&](std::size_t at, std::size_t digits) {
        int value = 0;
        for (std::size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
        return value;
    };
    std::tm fields{};
    fields.tm_year = number(0, 4) - 1900;
    fields.tm_mon = number(5, 2) - 1;
    fields.tm_mday = number(8, 2);
    fields.tm_hour = number(11, 2);
    fields.tm_min = number(14, 2);
    fields.tm_sec = number(17, 2);
    std::tm normalised = fields;
    const std::time_t when = ::timegm(&normalised);
    std::tm back{};
    if (::gmtime_r(&when, &back) == nullptr) return false;
    return back.tm_year == fields.tm_year && back.tm_mon == fields.tm_mon &&
           back.tm_mday == fields.tm_mday && back.tm_hour == fields.tm_hour &&
           back.tm_min == fields.tm_min && back.tm_sec == fields.tm_sec;
}

std::string oneLine(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\t') c = ' ';
    while (!text.empty() && text.back() == ' ') text.pop_back();
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    return text;
}

// Reads and writes entries in the one canonical form.
class Codec {
public:
    Codec() {
        writerBuilder_["indentation"] = "";
        writerBuilder_["emitUTF8"] = true;
        writerBuilder_["commentStyle"] = "None";
    }

    std::string write(const Json::Value& value) const {
        return Json::writeString(writerBuilder_, value);
    }

    // What is wrong with `line` as entry number `seq`, or nothing; sets `prev` when nothing is.
    std::optional<std::string> problem(const std::string& line, std::uint64_t seq,
                                       std::string& prev) const {
        if (line.size() > kMaxLineBytes)
            return "longer than the " + std::to_string(kMaxLineBytes) + " bytes an entry may have";
        Json::Value entry;
        try {
            entry = platform::parseStrictJson(line);
        } catch (const platform::JsonError& e) {
            return "not JSON: " + oneLine(e.what());
        }
        for (const char* name : kMembers)
            if (!entry.isMember(name)) return "no \"" + std::string(name) + "\" member";
        if (entry.size() != kMembers.size()) {
            for (const auto& name : entry.getMemberNames()) {
                bool known = false;
                for (const char* member : kMembers) known = known || name == member;
                if (!known) return "unexpected member \"" + name + "\"";
            }
        }
        const Json::Value& format = entry["format"];
        if (!format.isString() || format.asString() != kFormat)
            return "\"format\" is not \"" + std::string(kFormat) + "\" (not a quorum audit log)";
        const Json::Value& version = entry["version"];
        if (!(version.type() == Json::intValue || version.type() == Json::uintValue) ||
            !version.isInt() || version.asInt() != kVersion)
            return "\"version\" is " + write(version) + "; this program reads version " +
                   std::to_string(kVersion);
        const Json::Value& seqValue = entry["seq"];
        if (!(seqValue.type() == Json::intValue || seqValue.type() == Json::uintValue) ||
            !seqValue.isUInt64())
            return "\"seq\" is not a whole number: " + write(seqValue);
        if (seqValue.asUInt64() != seq)
            return "\"seq\" is " + std::to_string(seqValue.asUInt64()) + " where entry " +
                   std::to_string(seq) + " belongs (entries removed, inserted or reordered?)";
        const Json::Value& time = entry["time"];
        if (!time.isString() || !isUtcTime(time.asString()))
            return "\"time\" " + write(time) + " is not a UTC time like 2026-11-23T21:30:00Z";
        const Json::Value& event = entry["event"];
        if (!event.isString() || event.asString().empty())
            return std::string("\"event\" is not a non-empty string");
        if (!entry["details"].isObject()) return std::string("\"details\" is not an object");
        const Json::Value& prevValue = entry["prev"];
        if (!prevValue.isString() || prevValue.asString().size() != kHashHexSize ||
            !isUpperHex(prevValue.asString()))
            return "\"prev\" is not 64 upper-case hex digits: " + write(prevValue);
        if (write(entry) != line)
            return std::string(
                "not in the canonical form the log is written in (spacing, escapes, member order "
                "or a "
                "number's form changed)");
        prev = prevValue.asString();
        return std::nullopt;
    }

    // The line of entry `seq` (without its newline), chained to `prev`, at the current UTC time.
    std::string entryLine(std::uint64_t seq, const std::string& prev, const std::string& event,
                          const Json::Value& details) const {
        Json::Value entry(Json::objectValue);
        entry["format"] = kFormat;
        entry["version"] = kVersion;
        entry["seq"] = Json::Value(static_cast<Json::UInt64>(seq));
        entry["time"] = formatTime(std::time(nullptr));
        entry["event"] = event;
        entry["details"] = details.isNull() ? Json::Value(Json::objectValue) : details;
        entry["prev"] = prev;
        const std::string line = write(entry);
        std::string checkedPrev;
        if (const auto what = problem(line, seq, checkedPrev))  // e.g. a NaN in details
            throw std::invalid_argument("this audit log entry would not read back as written: " + *what);
        return line;
    }

private:
    Json::StreamWriterBuilder writerBuilder_;
};

// Whether `fragment`, the last line of a log without its newline, is what an interrupted append
// leaves: the start of an entry as the writer makes them (any length of it, up to a whole entry
// whose newline did not make it), possibly followed by the zeros a power cut can leave.
bool looksTorn(const std::string& fragment) {
    const auto zeros = fragment.find_last_not_of('\0');
    const std::string written = zeros == std::string::npos ? "" : fragment.substr(0, zeros + 1);
    if (written.size() > kMaxLineBytes) return false;
    const std::size_t compared = std::min(written.size(), kEntryStart.size());
    return written.compare(0, compared, kEntryStart, 0, compared) == 0;
}

// The last line (number `line`) has no newline: an interrupted append, or something else.
[[noreturn]] void tornTail(const std::string& path, const std::string& text, std::uint64_t line,
                           const std::string& fragment) {
    const std::string where = path + ": line " + std::to_string(line) + ": ";
    if (!looksTorn(fragment))
        throw AuditLogError(where + "truncated or altered: the last line has no newline and is not the start of an "
                                    "entry as the program writes it; the log cannot be repaired, only examined",
                            line);
    throw AuditLogTornError(
        where + "truncated: an append was cut off (a full disk, a kill or a power cut) and left " +
            std::to_string(fragment.size()) + " bytes without a newline; the " + std::to_string(line - 1) +
            " entries before it are intact. Once the disk has room, `ceremony audit-repair --log " + path +
            "` moves those bytes aside into a kept file and records that in the log",
        line, text.size() - fragment.size());
}

// Checks the whole text of a log; `expectedLastHash` upper-case hex or empty.
AuditVerification verifyText(const std::string& path, const std::string& text,
                             const std::string& expectedLastHash) {
    const auto fail = [&](std::uint64_t line, const std::string& what) {
        throw AuditLogError(path + ": line " + std::to_string(line) + ": " + what, line);
    };
    std::vector<std::string> lines;
    for (std::size_t start = 0; start < text.size();) {
        const auto end = text.find('\n', start);
        if (end == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    const bool truncated = !text.empty() && text.back() != '\n';
    const std::size_t count = lines.size();
    const Codec codec;
    std::vector<std::string> hashes(count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t number = i + 1;
        if (i + 1 == count && truncated) tornTail(path, text, number, lines[i]);
        std::string prev;
        if (const auto problem = codec.problem(lines[i], number, prev)) fail(number, *problem);
        hashes[i] = hashOf(lines[i]);
        const std::string& expectedPrev = i == 0 ? kZeroHash : hashes[i - 1];
        if (prev == expectedPrev) continue;
        if (i == 0) fail(number, "\"prev\" is not 64 zeros, as the first entry's is");
        // Line i (0-based) and line i-1 do not chain. Which one changed? Ask whoever vouches for
        // line i: the next line's prev, or for the last line the hash recorded outside the file.
        std::optional<bool> vouched;
        if (i + 1 < count && !(i + 2 == count && truncated)) {
            std::string nextPrev;
            if (!codec.problem(lines[i + 1], number + 1, nextPrev)) vouched = nextPrev == hashes[i];
        } else if (i + 1 == count && !expectedLastHash.empty()) {
            vouched = hashes[i] == expectedLastHash;
        }
        const std::string voucher =
            i + 1 < count ? "line " + std::to_string(number + 1) : "the expected last hash";
        if (vouched == true)
            fail(number - 1, "altered after it was written: its SHA-256 is " + hashes[i - 1] +
                                 ", but line " + std::to_string(number) + ", which " + voucher +
                                 " confirms, records " + prev);
        if (vouched == false)
            fail(number, "altered after it was written: its \"prev\" " + prev +
                             " is not the SHA-256 " + hashes[i - 1] + " of line " +
                             std::to_string(number - 1) + ", and " + voucher +
                             " does not confirm this line either");
        fail(number, "\"prev\" " + prev + " is not the SHA-256 " + hashes[i - 1] + " of line " +
                         std::to_string(number - 1) + ": that line was altered, or this one was");
    }
    AuditVerification result;
    result.entries = count;
    result.lastHash = count == 0 ? kZeroHash : hashes.back();
    if (!expectedLastHash.empty() && result.lastHash != expectedLastHash) {
        if (count == 0)
            throw AuditLogError(path + ": the log is empty, but the expected last hash is " +
                                expectedLastHash + " (entries removed?)");
        fail(count, "its SHA-256 " + result.lastHash + " is not the expected last hash " +
                        expectedLastHash +
                        ": this line was altered, or entries were added or removed at the end");
    }
    return result;
}

// The whole content of the open file `fd`, from offset 0, within kMaxLogBytes.
std::string readAll(int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw AuditLogError("cannot stat the audit log " + path + ": " + errnoText());
    if (!S_ISREG(st.st_mode)) throw AuditLogError("the audit log " + path + " is not a regular file");
    std::string text;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(text.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw AuditLogError("cannot read the audit log " + path + ": " + errnoText());
        if (n == 0) return text;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxLogBytes)
            throw AuditLogError("the audit log " + path + " has more than " + std::to_string(kMaxLogBytes) +
                                " bytes, the most this program reads");
    }
}

void fsyncFolder(const std::string& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw AuditLogError("cannot open " + folder + " to fsync it: " + errnoText());
    const bool synced = ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    errno = savedErrno;
    if (!synced) throw AuditLogError("cannot fsync " + folder + ": " + errnoText());
}

void refuseSecrets(const Json::Value& value, const std::string& where) {
    if (value.isObject()) {
        for (const auto& name : value.getMemberNames()) {
            const std::string lower = asciiLower(name);
            for (const char* denied : kDeniedNames)
                if (lower == denied)
                    throw std::invalid_argument("the audit log takes public data only: " + where +
                                                " has a member \"" + name + "\"");
            refuseSecrets(value[name], where + "." + name);
        }
    } else if (value.isArray()) {
        for (Json::ArrayIndex i = 0; i < value.size(); ++i)
            refuseSecrets(value[i], where + "[" + std::to_string(i) + "]");
    }
}

}  // namespace

AuditVerification verifyAuditLogText(const std::string& source, const std::string& text,
                                     const std::string& expectedLastHash) {
    return verifyText(source, text, expectedLastHash);
}

AuditVerification verifyAuditLog(const std::string& path) {
    return verifyAuditLog(path, "");
}

AuditVerification verifyAuditLog(const std::string& path, const std::string& expectedLastHash) {
    std::string expected;
    if (expectedLastHash.find_first_not_of(" \t\n") != std::string::npos) {
        try {
            expected = toHex(parseFingerprint(expectedLastHash, kHashHexSize / 2));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("the last hash of an audit log as written down: ") + e.what());
        }
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw AuditLogError("cannot open the audit log " + path + ": " + errnoText());
    FdCloser closer{fd};
    return verifyText(path, readAll(fd, path), expected);
}

std::vector<AuditEntry> readAuditLog(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw AuditLogError("cannot open the audit log " + path + ": " + errnoText());
    FdCloser closer{fd};
    const std::string text = readAll(fd, path);
    verifyText(path, text, "");
    Json::CharReaderBuilder builder;
    const std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    std::vector<AuditEntry> entries;
    for (std::size_t start = 0; start < text.size();) {
        const auto end = text.find('\n', start);
        Json::Value entry;
        std::string errors;
        reader->parse(text.data() + start, text.data() + end, &entry, &errors);  // verified above
        entries.push_back({entry["seq"].asUInt64(), entry["time"].asString(), entry["event"].asString(),
                           entry["details"]});
        start = end + 1;
    }
    return entries;
}

AuditLog::AuditLog(std::string path, int fd, std::uint64_t size, AuditVerification state)
    : path_(std::move(path)),
      fd_(fd),
      size_(size),
      entries_(state.entries),
      lastHash_(std::move(state.lastHash)) {}

AuditLog::AuditLog(AuditLog&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      entries_(other.entries_),
      lastHash_(std::move(other.lastHash_)),
      failed_(other.failed_) {}

AuditLog& AuditLog::operator=(AuditLog&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = other.size_;
        entries_ = other.entries_;
        lastHash_ = std::move(other.lastHash_);
        failed_ = other.failed_;
    }
    return *this;
}

AuditLog::~AuditLog() {
    if (fd_ >= 0) ::close(fd_);  // also releases the flock
}

AuditLog AuditLog::open(const std::string& path) {
    bool created = false;
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            created = true;
        else if (errno == EEXIST)  // created by someone else in between
            fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) throw AuditLogError("cannot open the audit log " + path + ": " + errnoText());
    FdCloser closer{fd};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw AuditLogError("the audit log " + path + " is open for writing elsewhere" +
                            (errno == EWOULDBLOCK ? "" : std::string(": ") + errnoText()));
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw AuditLogError("cannot stat the audit log " + path + ": " + errnoText());
    if (!S_ISREG(st.st_mode))
        throw AuditLogError("the audit log " + path + " is not a regular file");
    if (created) {
        if (::fsync(fd) != 0)
            throw AuditLogError("cannot fsync the audit log " + path + ": " + errnoText());
        fsyncFolder(parentFolder(path));
    }
    const std::string text = readAll(fd, path);
    AuditVerification state = verifyText(path, text, "");
    return AuditLog(path, closer.release(), text.size(), std::move(state));
}

std::string AuditLog::append(const std::string& event, const Json::Value& details) {
    if (fd_ < 0) throw AuditLogError("the audit log writer was moved from");
    if (failed_)
        throw AuditLogError("an earlier append to the audit log " + path_ +
                            " failed; open it again to check what it holds");
    if (event.empty()) throw std::invalid_argument("an audit log event needs a name");
    if (!details.isNull() && !details.isObject())
        throw std::invalid_argument("audit log details are a JSON object (or null for none)");
    refuseSecrets(details, "details");

    std::string line = Codec().entryLine(entries_ + 1, lastHash_, event, details);
    const std::string hash = hashOf(line);
    line += '\n';

    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        throw AuditLogError("cannot stat the audit log " + path_ + ": " + errnoText());
    if (static_cast<std::uint64_t>(st.st_size) != size_) {
        failed_ = true;
        throw AuditLogError("the audit log " + path_ + " changed behind its writer's back (" +
                            std::to_string(st.st_size) + " bytes where " + std::to_string(size_) +
                            " were expected); not appending");
    }
    // The room for the line first, so that a full disk refuses it before a byte is written.
    const int reserved = ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(size_),
                                     static_cast<off_t>(line.size()));
    if (reserved != 0 && errno != EOPNOTSUPP && errno != ENOSYS)
        throw AuditLogError("cannot append to the audit log " + path_ + ": " + errnoText() +
                            platform::fullDiskAdvice(errno, path_) + "; the entry was not written and the log is as it was");
    std::size_t done = 0;
    while (done < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = n == 0 ? ENOSPC : errno;
            // Take back the part of the line that was written, so the log ends with its last
            // whole entry; if even that fails, the torn line is found and repaired later.
            if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 || ::fsync(fd_) != 0) failed_ = true;
            throw AuditLogError("cannot append to the audit log " + path_ + ": " + std::strerror(error) +
                                platform::fullDiskAdvice(error, path_) +
                                (failed_ ? "; the log may end in a torn line (ceremony audit-repair)"
                                         : "; the entry was not written and the log is as it was"));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) {
        failed_ = true;
        throw AuditLogError("cannot fsync the audit log " + path_ + ": " + errnoText());
    }
    size_ += line.size();
    entries_ += 1;
    lastHash_ = hash;
    return hash;
}

AuditRepair repairTornAuditLog(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw AuditLogError("cannot open the audit log " + path + ": " + errnoText());
    FdCloser closer{fd};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
        throw AuditLogError("the audit log " + path + " is open for writing elsewhere; repair it when no ceremony runs");
    const std::string text = readAll(fd, path);
    std::size_t tornAt = 0;
    std::uint64_t tornLine = 0;
    try {
        verifyText(path, text, "");
        throw AuditLogError("the audit log " + path + " has no torn last line: nothing to repair");
    } catch (const AuditLogTornError& e) {
        tornAt = e.tornAt();
        tornLine = e.line();
    }
    const std::string fragment = text.substr(tornAt);
    const std::string intact = text.substr(0, tornAt);
    const AuditVerification before = verifyText(path, intact, "");

    AuditRepair repair;
    repair.line = tornLine;
    repair.tornBytes = fragment.size();
    repair.tornSha256 = hashOf(fragment);
    repair.keptPath = path + ".torn-line-" + std::to_string(tornLine) + "-" + repair.tornSha256.substr(0, 16);
    // First the cut bytes are kept (a repair stopped half-way and run again finds them there),
    // then the log is replaced, in one atomic step, by its intact entries and the entry saying so.
    try {
        writeNewFile(repair.keptPath, fragment, 0600, "torn end of the audit log");
    } catch (const FileError&) {
        std::string kept;
        try {
            kept = readWholeFile(repair.keptPath, "torn end of the audit log", kMaxLineBytes * 2);
        } catch (const FileError&) {
        }
        if (kept != fragment) throw;
    }
    Json::Value entry(Json::objectValue);
    entry["torn_line"] = Json::Value(static_cast<Json::UInt64>(tornLine));
    entry["torn_bytes"] = Json::Value(static_cast<Json::UInt64>(fragment.size()));
    entry["torn_sha256"] = repair.tornSha256;
    entry["kept_in"] = repair.keptPath.substr(repair.keptPath.rfind('/') + 1);  // npos + 1: the whole name
    const std::string line = Codec().entryLine(before.entries + 1, before.lastHash, "audit-repaired", entry);
    try {
        replaceFile(path, intact + line + "\n", 0600, "audit log");
    } catch (const FileError& e) {
        throw AuditLogError(e.what());
    }
    repair.lastHash = hashOf(line);
    return repair;
}

}  // namespace quorum::host
