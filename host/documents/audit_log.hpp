// The ceremony's audit log: append-only JSON lines, each entry hash-chained to the previous one
// and fsync'd before append() returns.
//
// One entry per line, one JSON object without whitespace, written by jsoncpp (indentation "",
// emitUTF8), which puts object members in byte order of their names. The keys of an entry
// therefore always come in this order:
//
//   {"details":{...},"event":"card-issued","format":"quorum-audit","prev":"<64 hex>",
//    "seq":1,"time":"2026-11-23T21:30:00Z","version":1}
//
// (on one line; members of "details", at any depth, likewise in byte order of their names).
//   - "seq" counts the entries from 1 and equals the entry's line number;
//   - "time" is UTC, to the second;
//   - "prev" is the SHA-256, as upper-case hex (toHex), of the previous line's exact bytes
//     without its newline, or 64 zeros in the first entry.
// The hash of an entry is the SHA-256 of its line without the newline; sha256sum gives the same
// value in lower case:  sed -n 'Np' audit.log | tr -d '\n' | sha256sum
// A line is only valid in exactly the form the writer gives, so the text is canonical.
//
// The chain shows any change to an entry that has a successor. Nothing inside the file can
// show a change to the last entry, or the removal of entries from the end: that takes the last
// hash from outside the file - read aloud as PGP words (host/pgp_words.hpp) and written down
// at the ceremony - passed to verifyAuditLog(path, expectedLastHash).
//
// No secrets in the log: the file is readable by its owner only (0600) but meant to be shown
// to auditors, so callers pass public data only (card serials, certificate and commitment
// fingerprints, names, counts, outcomes), never PINs, PUKs, passphrases, shares or keys. As a
// guard against mistakes, append() refuses details with a member (at any depth) named pin, puk,
// passphrase, secret, share or activation_key, compared without regard to ASCII case.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <string>
#include <vector>

#include "host/base/error.hpp"

namespace quorum::host {

// A log that cannot be read, is not an audit log, or whose chain is broken; or an append that
// failed. line() is the 1-based line the problem is at, 0 when it is not about one line.
class AuditLogError : public FatalError {
public:
    explicit AuditLogError(const std::string& message, std::uint64_t line = 0)
        : FatalError(message), line_(line) {}
    std::uint64_t line() const { return line_; }

private:
    std::uint64_t line_;
};

// The last line has no newline and is the start of an entry: an append was cut off by a full
// disk, a kill or a power cut, and every entry before it is intact. repairTornAuditLog() mends it.
// tornAt() is the byte offset where the torn line starts.
class AuditLogTornError : public AuditLogError {
public:
    AuditLogTornError(const std::string& message, std::uint64_t line, std::size_t tornAt)
        : AuditLogError(message, line), tornAt_(tornAt) {}
    std::size_t tornAt() const { return tornAt_; }

private:
    std::size_t tornAt_;
};

struct AuditVerification {
    std::uint64_t entries = 0;
    std::string lastHash;  // of the last entry; 64 zeros for an empty log
};

// Reads and checks the whole log; throws AuditLogError naming the first bad line: not JSON,
// not in canonical form, members missing, extra or of the wrong type, wrong format or version,
// seq not consecutive, time not parseable, prev not matching the previous line, or a last line
// without its newline - AuditLogTornError when that line is the start of an entry (an
// interrupted append), a plain AuditLogError when it is anything else. A file that is not a
// regular one, over 256 MiB, or a line over 64 KiB is refused too. When prev does not match, the line blamed is the
// one that was changed as far as the next line can tell: when line i+1 still vouches for line i
// (its prev is line i's hash), line i-1 was altered; when it does not, line i was (its prev).
// When line i is the last line, the file alone cannot tell, and the error names line i.
AuditVerification verifyAuditLog(const std::string& path);

// The same, and the last entry's hash must be `expectedLastHash`, recorded outside the file: as
// 64 hex digits or 32 PGP words, as parseFingerprint() reads them: otherwise the error names the last line (altered, or the log was cut or
// extended). An empty expectedLastHash means no such check.
AuditVerification verifyAuditLog(const std::string& path, const std::string& expectedLastHash);

// The checks of verifyAuditLog on a log's whole text `text`, read from `source` (named in errors);
// `expectedLastHash` as 64 upper-case hex digits, or empty.
AuditVerification verifyAuditLogText(const std::string& source, const std::string& text,
                                     const std::string& expectedLastHash = "");

// One entry, as read back.
struct AuditEntry {
    std::uint64_t seq = 0;
    std::string time;   // UTC, e.g. 2026-11-23T21:30:00Z
    std::string event;
    Json::Value details;
};

// Every entry of the log, after verifyAuditLog(path) found its chain intact.
std::vector<AuditEntry> readAuditLog(const std::string& path);

// The writer. Holds the file open with an exclusive flock(2) for its lifetime, so a second
// AuditLog on the same file - in this or another process - is refused rather than forking the
// chain.
class AuditLog {
public:
    // Creates the log (mode 0600, the folder fsync'd) or opens an existing one for appending,
    // after checking its chain as verifyAuditLog does. A broken log is refused with that
    // AuditLogError and left exactly as it is: never truncated, repaired or rewritten.
    static AuditLog open(const std::string& path);

    AuditLog(AuditLog&& other) noexcept;
    AuditLog& operator=(AuditLog&& other) noexcept;
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;
    ~AuditLog();

    // Appends one entry (the current UTC time; `details` an object, or null for {}) with one
    // O_APPEND write, fsyncs the file and returns the new entry's hash. Throws
    // std::invalid_argument for an empty event, details that are not an object, or a
    // deny-listed member name; AuditLogError when the file changed behind this writer's back or
    // the write or fsync failed - after which this writer refuses further appends (the file may
    // end in a partial line, which verification then reports).
    std::string append(const std::string& event, const Json::Value& details);

    const std::string& path() const { return path_; }
    // The hash of the last entry, 64 zeros while the log is empty.
    const std::string& lastHash() const { return lastHash_; }
    std::uint64_t entries() const { return entries_; }

private:
    AuditLog(std::string path, int fd, std::uint64_t size, AuditVerification state);

    std::string path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;  // the file size this writer expects
    std::uint64_t entries_ = 0;
    std::string lastHash_;
    bool failed_ = false;
};

// What repairTornAuditLog() did.
struct AuditRepair {
    std::uint64_t line = 0;        // the torn line's number, now the number of the repair's entry
    std::size_t tornBytes = 0;     // how many bytes were cut from the end
    std::string tornSha256;        // their SHA-256 (upper-case hex)
    std::string keptPath;          // the file they are kept in, next to the log
    std::string lastHash;          // the hash of the log's new last entry
};

// Mends a log whose only fault is a torn last line (AuditLogTornError), without hiding anything:
// the torn bytes are kept in LOG.torn-line-N-<first 16 hex of their SHA-256> (0600), then the log
// is replaced atomically by its intact entries followed by an "audit-repaired" entry (seq N)
// whose details record the torn line's number, the bytes' count and SHA-256 and the kept file.
// Any other fault is refused with its AuditLogError and the log is left as it is; a log with no
// fault is refused too. Holds the writer's lock while it works.
AuditRepair repairTornAuditLog(const std::string& path);

}  // namespace quorum::host
