// Full disks and kills (issue 15, failures 1-3): every kind of file the programs write, on a tiny
// tmpfs that fills up and under kill -9 at every system call of a write, leaves the old complete
// file or the new complete one, never a torn or empty one, and no temporary file; a key
// generation whose manifest cannot be written keeps everything in its journal and finishes on
// --resume; an audit log torn by an interrupted append is recognised and repaired in the open;
// every ceremony (keygen, sign, ksr-sign, partial-sign, retire, reshare, combine, sign-rrset,
// hsm-import, run) refuses before its first card when a disk it writes to has not the room.
//
// The tmpfs mounts are made in this process's own mount namespace (scripts/in-private-pcscd runs
// the system tests in one); a test that cannot mount fails, it is not skipped.
#include <doctest/doctest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "firmware-model/image_file.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/keygen_journal.hpp"
#include "tests/support/thrown.hpp"
#include "tests/system/room.hpp"

using namespace quorum;
using namespace quorum::test;

namespace {

// A tmpfs of `size` on FOLDER/NAME, in this process's own mount namespace, unmounted at the end.
class TinyDisk {
public:
    TinyDisk(const TempFolder& folder, const std::string& name, const std::string& size)
        : path_(folder.file(name)) {
        requirePrivateNamespace();  // scripts/in-private-pcscd: a mount namespace of the tests' own too
        std::error_code mineError, initError;
        const auto mine = std::filesystem::read_symlink("/proc/self/ns/mnt", mineError);
        const auto init = std::filesystem::read_symlink("/proc/1/ns/mnt", initError);
        REQUIRE_MESSAGE((mineError || initError || mine != init),
                        "a tiny disk is mounted only in a private mount namespace: run the system tests with "
                        "scripts/in-private-pcscd");
        REQUIRE(::mkdir(path_.c_str(), 0700) == 0);
        REQUIRE_MESSAGE(::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
                                ("size=" + size + ",mode=0700").c_str()) == 0,
                        "cannot mount a tmpfs on " << path_ << ": " << std::strerror(errno));
    }
    ~TinyDisk() { ::umount2(path_.c_str(), MNT_DETACH); }
    TinyDisk(const TinyDisk&) = delete;
    TinyDisk& operator=(const TinyDisk&) = delete;

    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

    // Fills every byte left with a file of its own (the other programs of a busy machine).
    void fill() {
        const int fd = ::open(file(".filler").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        const std::string block(4096, 'x');
        while (::write(fd, block.data(), block.size()) > 0) {
        }
        const std::string byte(1, 'x');
        while (::write(fd, byte.data(), 1) > 0) {
        }
        ::close(fd);
    }
    void free() { REQUIRE(::unlink(file(".filler").c_str()) == 0); }

    // The names in the disk's folder, but the filler.
    std::set<std::string> names() const {
        std::set<std::string> result;
        for (const auto& entry : std::filesystem::directory_iterator(path_))
            if (entry.path().filename() != ".filler") result.insert(entry.path().filename().string());
        return result;
    }

private:
    std::string path_;
};

void writeText(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

std::string largeText(char c) { return std::string(64 * 1024, c) + "\n"; }

}  // namespace

TEST_CASE("full disk: each kind of file fails naming the file and what to do, leaving the old one and no temporary") {
    TempFolder folder;
    TinyDisk disk(folder, "disk", "256k");

    // A file that must be new (manifest, partial signature, key, trust anchor, SKR of ksr-sign),
    // a file replaced in place (keygen and reshare journals, transcript, signature, SKR) and an
    // output the user named: the write that does not fit leaves nothing or the old file whole.
    struct Kind {
        const char* what;
        std::function<void(const std::string& path, const std::string& text)> write;
        bool replaces;
    };
    const std::vector<Kind> kinds{
        {"manifest", [](auto& p, auto& t) { host::writeNewFile(p, t, 0644, "manifest"); }, false},
        {"partial signature", [](auto& p, auto& t) { host::writeNewFile(p, t, 0644, "partial signature"); }, false},
        {"host key", [](auto& p, auto& t) { host::writeNewFile(p, t, 0600, "host key"); }, false},
        {"keygen journal", [](auto& p, auto& t) { host::replaceFile(p, t, 0600, "keygen journal"); }, true},
        {"transcript", [](auto& p, auto& t) { host::replaceFile(p, t, 0644, "transcript"); }, true},
        {"SKR", [](auto& p, auto& t) { host::replaceFile(p, t, 0644, "SKR"); }, true},
        {"signature", [](auto& p, auto& t) { host::writeOutput(p, Bytes(t.begin(), t.end()), "signature"); }, true},
    };
    for (const Kind& kind : kinds) {
        CAPTURE(kind.what);
        const std::string path = disk.file("file");
        const std::string old = "the old " + std::string(kind.what) + "\n";
        if (kind.replaces) writeText(path, old);
        disk.fill();
        const std::string message =
            thrownMessage<host::FileError>([&] { kind.write(path, largeText('n')); });
        CHECK(contains(message, kind.what + std::string(" ") + path));
        CHECK(contains(message, "free some space"));
        if (kind.replaces)
            CHECK(readFile(path) == old);
        else
            CHECK(!std::filesystem::exists(path));
        CHECK(disk.names() == (kind.replaces ? std::set<std::string>{"file"} : std::set<std::string>{}));
        disk.free();
        kind.write(path + ".2", "fits now\n");  // once there is room again, it works
        CHECK(readFile(path + ".2") == "fits now\n");
        std::filesystem::remove(path);
        std::filesystem::remove(path + ".2");
    }

    // The audit log: the entry is refused before a byte of it is written, the log stays whole
    // and the next append, once there is room, chains on.
    {
        const std::string path = disk.file("audit.log");
        auto log = host::AuditLog::open(path);
        log.append("first", Json::Value());
        const std::string before = readFile(path);
        disk.fill();
        Json::Value large(Json::objectValue);
        large["text"] = std::string(16 * 1024, 'a');
        const std::string message = thrownMessage<host::AuditLogError>([&] { log.append("second", large); });
        CHECK(contains(message, "cannot append to the audit log " + path));
        CHECK(contains(message, "the log is as it was"));
        CHECK(readFile(path) == before);
        CHECK(host::verifyAuditLog(path).entries == 1);
        disk.free();
        log.append("second", large);
        CHECK(host::verifyAuditLog(path).entries == 2);
        CHECK(disk.names() == std::set<std::string>{"audit.log"});
        std::filesystem::remove(path);
    }

    // A card image (failure 3): the card's write fails, the image on disk is the old one, and
    // no .tmp is left behind.
    {
        const std::string path = disk.file("card.json");
        {
            auto nvm = card::ImageFileNvm::open(path);
            nvm.write("pin", Bytes{1, 2, 3, 4, 5, 6});
        }
        const std::string before = readFile(path);
        disk.fill();
        auto nvm = card::ImageFileNvm::open(path);
        const std::string message = thrownMessage<card::ImageFileError>(
            [&] { nvm.write("large", Bytes(8 * 1024, 0x55)); });
        CHECK(contains(message, "card image " + path));
        CHECK(readFile(path) == before);
        CHECK(disk.names() == std::set<std::string>{"card.json"});
        disk.free();
    }
}

TEST_CASE("kill -9 at every system call of a write leaves the old or the new file, whole") {
    TempFolder folder;
    const std::string writer = builtProgram("file_writer");
    REQUIRE(runCommand("command -v strace").exitCode == 0);
    // The system calls a write makes that change something on disk: the kill comes as each is
    // entered (before it acts), at its first, second, ... call, until the writer finishes. (Not
    // openat: the dynamic loader and the sanitizers make dozens, and a kill as the unnamed file is
    // opened leaves what a kill before the write leaves - the old file alone.)
    const std::vector<std::string> calls{"fallocate", "write",  "fchmod", "fsync",    "linkat",
                                         "link",      "rename", "unlink", "ftruncate"};
    const std::string newText(20000, 'N');  // one shell word
    const std::string oldText(10000, 'O');
    const std::vector<std::string> kinds{"new", "replace", "append", "image"};
    for (const std::string& kind : kinds) {
        int runs = 0;
        for (const std::string& call : calls) {
            for (int when = 1;; ++when) {
                CAPTURE(kind);
                CAPTURE(call);
                CAPTURE(when);
                const std::string dir = folder.file(kind + "-" + call + "-" + std::to_string(when));
                REQUIRE(std::filesystem::create_directory(dir));
                const std::string path = dir + "/file";
                std::string before;
                if (kind == "replace") writeText(path, oldText);
                if (kind == "append") {
                    REQUIRE(runCommand(writer + " append " + path + " first").exitCode == 0);
                }
                if (kind == "image") {
                    REQUIRE(runCommand(writer + " image " + path + " old").exitCode == 0);
                }
                if (std::filesystem::exists(path)) before = readFile(path);
                const std::string text = kind == "append" ? "second" : kind == "image" ? "new" : newText;
                // (LeakSanitizer cannot work under ptrace: in a sanitizer build it is off for the writer.)
                const auto result = runCommand("ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e inject=" + call +
                                               ":signal=KILL:when=" + std::to_string(when) + " " + writer + " " +
                                               kind + " " + path + " " + text);
                ++runs;
                std::set<std::string> left;
                for (const auto& entry : std::filesystem::directory_iterator(dir))
                    left.insert(entry.path().filename().string());
                const bool killed = result.exitCode == 128 + SIGKILL;  // as the shell reports it
                INFO(result.output.substr(0, 2000));
                REQUIRE((killed || result.exitCode == 0));
                // What is there: the file, old or new and whole - and after a kill between the link
                // of the new file's temporary name and the rename, that complete new file as
                // file.tmp, which the next write removes.
                if (kind == "new") {
                    CHECK((left.empty() || left == std::set<std::string>{"file"}));
                    if (left.count("file")) CHECK((readFile(path) == newText));
                } else {
                    REQUIRE(left.count("file") == 1);
                    const std::string now = readFile(path);
                    if (kind == "append") {
                        CHECK(host::verifyAuditLog(path).entries == (now == before ? 1U : 2U));
                    } else if (kind == "image") {
                        const auto nvm = card::ImageFileNvm::open(path);
                        const auto value = nvm.read("value");
                        REQUIRE(value);
                        CHECK((*value == Bytes{'o', 'l', 'd'} || *value == Bytes{'n', 'e', 'w'}));
                    } else {
                        CHECK((now == before || now == newText));
                    }
                    CHECK(left.size() <= 2);
                    if (left.size() == 2) {
                        REQUIRE(left.count("file.tmp") == 1);
                        CHECK(killed);
                        if (kind == "replace") CHECK((readFile(path + ".tmp") == newText));
                        // The next write takes it away.
                        REQUIRE(runCommand(writer + " " + (kind == "append" ? "append" : kind) + " " + path + " " +
                                           (kind == "append" ? "third" : "again"))
                                    .exitCode == 0);
                        CHECK(!std::filesystem::exists(path + ".tmp"));
                    }
                }
                if (!killed) break;  // this call is made fewer than `when` times: every one was tried
            }
        }
        CAPTURE(kind);
        CHECK(runs > static_cast<int>(calls.size()));  // some call was killed for real
    }
}

TEST_CASE("keygen on a disk that fills up before the manifest is written: nothing is lost, --resume finishes") {
    Room room;
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string dir = room.createCeremony("full");
    const std::string manifest = disk.file("set.json");
    std::vector<std::string> secrets;
    for (int i = 1; i <= 2; ++i) {
        secrets.push_back(CardSet::pin(i));
        secrets.push_back(CardSet::puk(i));
    }
    const std::string pins = room.secrets("full-pins", secrets);
    {
        LiveCeremony keygen(room,
                            {"keygen", "--ceremony", dir, "--manifest", manifest, "-k", "2", "-n", "2",
                             "--no-pin-change", "--pin-file", pins, "--passphrase-file", room.passphraseFile(),
                             "--card-timeout", "30"},
                            "full-keygen");
        keygen.waitFor("Insert BLANK card 1 of 2");
        keygen.offer("full-card1", "Card 1 of 2 issued");
        disk.fill();  // another program takes the rest of the manifest's disk
        keygen.waitFor("Insert BLANK card 2 of 2");
        keygen.offer("full-card2", "Card 2 of 2 issued");
        CHECK(keygen.exitCode() != 0);
        const std::string screen = keygen.screen();
        INFO(screen);
        CHECK(contains(screen, "cannot write the manifest " + manifest));
        CHECK(contains(screen, "free some space"));
        CHECK(contains(screen, "Nothing issued is lost"));
        CHECK(contains(screen, "ceremony keygen --resume --ceremony " + dir));
    }
    CHECK(disk.names().empty());  // no empty set.json, no temporary file
    disk.free();
    const auto resumed = room.ceremony("keygen --resume --ceremony " + dir + " --passphrase-file " +
                                       room.passphraseFile() + " --pin-file " + pins + " --card-timeout 30");
    INFO(resumed.output);
    REQUIRE(resumed.exitCode == 0);
    CHECK(contains(resumed.output, "Key generation done"));
    CHECK(disk.names() == std::set<std::string>{"set.json"});
    const auto publicKey = room.ceremony("public-key --ceremony " + dir + " --manifest " + manifest);
    CHECK(publicKey.exitCode == 0);
    CHECK(contains(publicKey.output, "BEGIN PUBLIC KEY"));
    CHECK(contains(readFile(manifest), "\"wrapped_key\""));
}

TEST_CASE("keygen refuses before any card when the manifest's disk cannot hold what it will write") {
    Room room;
    TinyDisk disk(room.folder(), "disk", "16k");
    const std::string dir = room.createCeremony("small");
    const auto result = room.ceremony("keygen --ceremony " + dir + " --manifest " + disk.file("set.json") +
                                      " -k 3 -n 7 --passphrase-file " + room.passphraseFile() + " --pin-file " +
                                      room.secrets("small-pins", {"123456"}));
    INFO(result.output);
    CHECK(result.exitCode != 0);
    CHECK(contains(result.output, "not enough space for the manifest in " + disk.path()));
    CHECK(!contains(result.output, "Insert BLANK card"));
    CHECK(disk.names().empty());
}

TEST_CASE("audit log torn by an interrupted append: named as such, repaired in the open, never hiding an edit") {
    Room room;
    const std::string dir = room.createCeremony("torn");
    const std::string log = dir + "/audit.log";
    const std::string intact = readFile(log);
    const auto entries = host::verifyAuditLog(log).entries;
    const std::string torn = "{\"details\":{\"card_id\":\"0102";  // a write cut off by a full disk or a kill
    writeText(log, intact + torn);

    const auto verify = room.ceremony("audit-verify --log " + log);
    CHECK(verify.exitCode != 0);
    CHECK(contains(verify.output, "line " + std::to_string(entries + 1) + ": truncated: an append was cut off"));
    CHECK(contains(verify.output, "ceremony audit-repair --log " + log));
    // Every later ceremony is refused until the repair, with the same words.
    const auto refused = room.ceremony("host-issue --ceremony " + dir + " --name other --out " +
                                       room.file("other") + " --passphrase-file " + room.passphraseFile());
    CHECK(refused.exitCode != 0);
    CHECK(contains(refused.output, "audit-repair"));

    const auto repaired = room.ceremony("audit-repair --log " + log);
    INFO(repaired.output);
    REQUIRE(repaired.exitCode == 0);
    const auto after = host::readAuditLog(log);
    REQUIRE(after.size() == entries + 1);
    CHECK(after.back().event == "audit-repaired");
    CHECK(after.back().details["torn_line"].asUInt64() == entries + 1);
    CHECK(after.back().details["torn_bytes"].asUInt64() == torn.size());
    const std::string kept = dir + "/" + after.back().details["kept_in"].asString();
    CHECK(readFile(kept) == torn);  // the cut bytes are kept, not destroyed
    CHECK(readFile(log).substr(0, intact.size()) == intact);
    CHECK(contains(repaired.output, after.back().details["torn_sha256"].asString()));
    CHECK(room.ceremony("audit-verify --log " + log).exitCode == 0);
    const auto issued = room.ceremony("host-issue --ceremony " + dir + " --name other --out " + room.file("other2") +
                                      " --passphrase-file " + room.passphraseFile());
    INFO(issued.output);
    CHECK(issued.exitCode == 0);

    // Anything else at the end is not a torn append: refused, and the log left as it is.
    const std::string edited = readFile(log) + "an edit\n" + "{\"details\"";
    writeText(log, edited);
    CHECK(room.ceremony("audit-repair --log " + log).exitCode != 0);
    CHECK(readFile(log) == edited);
    writeText(log, intact + "xyz");
    const auto notTorn = room.ceremony("audit-repair --log " + log);
    CHECK(notTorn.exitCode != 0);
    CHECK(contains(notTorn.output, "cannot be repaired"));
    CHECK(readFile(log) == intact + "xyz");
}

namespace {

// What a ceremony on `set` refused before any card must leave as it was: the audit log (no
// start, no card step: no PIN was used), the manifest.
class UntouchedSet {
public:
    explicit UntouchedSet(const CardSet& set)
        : set_(set), log_(readFile(set.ceremonyDir + "/audit.log")), manifest_(readFile(set.manifest)) {}
    void check(Room& room) const {
        CHECK(readFile(set_.ceremonyDir + "/audit.log") == log_);
        CHECK(readFile(set_.manifest) == manifest_);
        const auto verified = room.ceremony("audit-verify --log " + set_.ceremonyDir + "/audit.log");
        INFO(verified.output);
        CHECK(verified.exitCode == 0);
    }

private:
    const CardSet& set_;
    std::string log_;
    std::string manifest_;
};

// A ceremony run with its cards in their slots and their PINs at hand, refused for want of room
// for `what` on `disk` before any card was asked for.
void checkRefusedForRoom(const CommandResult& result, const std::string& what, const std::string& folder) {
    INFO(result.output);
    CHECK(result.exitCode != 0);
    CHECK(contains(result.output, "not enough space for " + what + " in " + folder));
    CHECK(contains(result.output, "bytes are needed"));
    CHECK(contains(result.output, "Free some space (or choose another folder)"));
    CHECK(!contains(result.output, "Insert"));
    CHECK(!contains(result.output, "PIN"));
}

const std::string kIana = QUORUM_SOURCE_DIR "/tests/data/iana/";

}  // namespace

TEST_CASE("sign and ksr-sign (shamir) refuse before any card when the output's disk is full") {
    Room room;
    const CardSet set = makeCardSet(room, "room", 2, 2);
    room.insertTogether(set.card(1), set.card(2));  // the cards are there, their PINs at hand
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string message = room.file("message.txt");
    writeText(message, "to be signed\n");
    const std::string pins = room.secrets("room-pins", {CardSet::pin(1), CardSet::pin(2)});
    const UntouchedSet untouched(set);
    disk.fill();

    const auto sign = room.unattended("sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest +
                                      " --in " + message + " --out " + disk.file("message.sig") +
                                      " --card-timeout 5 --pin-file " + pins);
    checkRefusedForRoom(sign, "the signature", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());

    const auto ksr = room.unattended("ksr-sign --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest +
                                     " --ksr " + kIana + "ksr-root-2017-q2-0.xml --at 2017-03-15T12:00:00 --out " +
                                     disk.file("skr.xml") + " --card-timeout 5 --pin-file " + pins);
    checkRefusedForRoom(ksr, "the SKR", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());
}

TEST_CASE("partial-sign (a message, a KSR) refuses before the card when the partial's disk is full") {
    Room room;
    const CardSet set = makeCardSet(room, "thr", 2, 2, "shoup");
    room.insertTogether(set.card(1), set.card(2));  // the cards are there, their PINs at hand
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string message = room.file("message.txt");
    writeText(message, "to be signed\n");
    const std::string pin = room.secrets("thr-pin", {CardSet::pin(1)});
    const UntouchedSet untouched(set);
    disk.fill();

    const auto partial = room.unattended("partial-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                                         set.manifest + " --in " + message + " --out " + disk.file("partial.json") +
                                         " --card-timeout 5 --pin-file " + pin);
    checkRefusedForRoom(partial, "the partial signature", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());

    const auto batch = room.unattended("partial-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                                       set.manifest + " --ksr " + kIana +
                                       "ksr-root-2017-q2-0.xml --at 2017-03-15T12:00:00 --out " +
                                       disk.file("partials.json") + " --card-timeout 5 --pin-file " + pin);
    checkRefusedForRoom(batch, "the partial signatures", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());
}

TEST_CASE("retire refuses before any card when the manifest's disk cannot take it marked retired") {
    Room room;
    const CardSet set = makeCardSet(room, "old", 2, 2);
    room.insertTogether(set.card(1), set.card(2));  // without the check, card 1 would be erased first
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string manifest = disk.file("set.json");
    writeText(manifest, readFile(set.manifest));
    const UntouchedSet untouched(set);
    disk.fill();

    const auto retire = room.unattended("retire --ceremony " + set.ceremonyDir + " --manifest " + manifest +
                                        " --passphrase-file " + room.passphraseFile() + " --card-timeout 5");
    checkRefusedForRoom(retire, "the manifest marked retired", disk.path());
    untouched.check(room);
    CHECK(readFile(manifest) == readFile(set.manifest));
    CHECK(disk.names() == std::set<std::string>{"set.json"});
}

namespace {

// `set` with its ceremony folder copied to `folder` (on a tiny disk): the same CA, host and
// audit log, so its manifest is the set's there too.
CardSet withCeremonyIn(const CardSet& set, const std::string& folder) {
    std::filesystem::copy(set.ceremonyDir, folder, std::filesystem::copy_options::recursive);
    CardSet moved = set;
    moved.ceremonyDir = folder;
    return moved;
}

}  // namespace

TEST_CASE("reshare refuses before any card when the disk of its new manifest, journals or old manifest is full") {
    Room room;
    const CardSet set = makeCardSet(room, "old", 2, 2);
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string pins = room.secrets("old-pins", {CardSet::pin(1), CardSet::puk(1), CardSet::pin(2),
                                                       CardSet::puk(2), CardSet::pin(1), CardSet::pin(2)});
    // The first card asked for would be the first new one, BLANK: none is needed to see it is not.
    const auto reshare = [&](const CardSet& from, const std::string& oldManifest, const std::string& newManifest) {
        return room.unattended("reshare --keep-old --ceremony " + from.ceremonyDir + " --manifest " + oldManifest +
                               " --new-manifest " + newManifest + " -k 2 -n 2 --no-pin-change --pin-file " + pins +
                               " --passphrase-file " + room.passphraseFile() + " --card-timeout 5");
    };
    const UntouchedSet untouched(set);

    disk.fill();
    checkRefusedForRoom(reshare(set, set.manifest, disk.file("new.json")), "the new manifest", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());
    disk.free();

    // The journals and the audit log: the ceremony's folder on the tiny disk.
    const CardSet moved = withCeremonyIn(set, disk.file("ceremony"));
    const UntouchedSet movedUntouched(moved);
    disk.fill();
    checkRefusedForRoom(reshare(moved, moved.manifest, room.file("new.json")),
                        "the reshare journals and the audit log", moved.ceremonyDir);
    movedUntouched.check(room);
    CHECK(disk.names() == std::set<std::string>{"ceremony"});
    CHECK(!std::filesystem::exists(moved.ceremonyDir + "/reshare-journal.json"));
    CHECK(!std::filesystem::exists(room.file("new.json")));
    disk.free();
    std::filesystem::remove_all(moved.ceremonyDir);

    // The old manifest, rewritten marked superseded once the new one is written.
    const std::string oldManifest = disk.file("old.json");
    writeText(oldManifest, readFile(set.manifest));
    disk.fill();
    checkRefusedForRoom(reshare(set, oldManifest, room.file("new.json")), "the old manifest marked superseded",
                        disk.path());
    untouched.check(room);
    CHECK(readFile(oldManifest) == readFile(set.manifest));
    CHECK(disk.names() == std::set<std::string>{"old.json"});
    CHECK(!std::filesystem::exists(room.file("new.json")));
}

TEST_CASE("reshare --resume refuses before any card when the new manifest's disk is full, and finishes once there is room") {
    Room room;
    const CardSet old = makeCardSet(room, "old", 2, 3);
    TinyDisk disk(room.folder(), "disk", "64k");
    const CardSet renewed{old.ceremonyDir, disk.file("renewed.json"), "new", 2, 2};
    const std::string journal = old.ceremonyDir + "/reshare-journal.json";
    reshareStoppedAfterOneOldCard(room, old, renewed);
    REQUIRE(std::filesystem::exists(journal));
    const std::string journalText = readFile(journal);
    const UntouchedSet untouched(old);

    // The new manifest's disk filled while the ceremony waited: --resume refuses before the
    // first card, the journals keep the issued cards and the share given.
    disk.fill();
    const auto resume = "reshare --resume --ceremony " + old.ceremonyDir + " --pin-file " +
                        room.secrets("refused-pins", {CardSet::pin(1)}) +
                        " --passphrase-file " + room.passphraseFile() + " --card-timeout 5";
    checkRefusedForRoom(room.unattended(resume), "the new manifest", disk.path());
    untouched.check(room);
    CHECK(readFile(journal) == journalText);
    CHECK(disk.names().empty());
    disk.free();

    resumeReshareStoppedAfterOneOldCard(room, old, renewed);
    CHECK(!std::filesystem::exists(journal));
    CHECK(disk.names() == std::set<std::string>{"renewed.json"});
    const auto verified = room.ceremony("audit-verify --log " + old.ceremonyDir + "/audit.log");
    INFO(verified.output);
    CHECK(verified.exitCode == 0);
}

TEST_CASE("combine and ksr-combine (shoup) refuse when the output's disk is full, and combine once there is room") {
    Room room;
    const CardSet set = makeCardSet(room, "thr", 2, 2, "shoup");
    const std::string message = room.file("message.txt");
    writeText(message, "to be signed\n");
    const std::string ksr = kIana + "ksr-root-2017-q2-0.xml --at 2017-03-15T12:00:00";  // and when it is signed
    // Each holder's partial signatures, of the message and of the KSR's bundles.
    for (int i = 1; i <= 2; ++i) {
        room.insert(set.card(i));
        const std::string pin = room.secrets("thr-pin-" + std::to_string(i), {CardSet::pin(i)});
        for (const std::string& what : {"--in " + message + " --out " + room.file("partial-" + std::to_string(i)),
                                        "--ksr " + ksr + " --out " + room.file("partials-" + std::to_string(i))}) {
            const auto made = room.unattended("partial-sign --yes --ceremony " + set.ceremonyDir + " --manifest " +
                                              set.manifest + " " + what + ".json --card-timeout 5 --pin-file " + pin);
            INFO(made.output);
            REQUIRE(made.exitCode == 0);
        }
        room.pull(set.card(i));
    }
    TinyDisk disk(room.folder(), "disk", "128k");
    const std::string combine = "combine --ceremony " + set.ceremonyDir + " --manifest " + set.manifest +
                                " --audit-log " + set.ceremonyDir + "/audit.log ";
    const auto combineMessage = [&] {
        return room.ceremony(combine + "--in " + message + " --out " + disk.file("message.sig") + " " +
                             room.file("partial-1.json") + " " + room.file("partial-2.json"));
    };
    const auto combineKsr = [&] {
        return room.ceremony(combine + "--ksr " + ksr + " --out " + disk.file("skr.xml") + " " +
                             room.file("partials-1.json") + " " + room.file("partials-2.json"));
    };
    const UntouchedSet untouched(set);
    disk.fill();

    checkRefusedForRoom(combineMessage(), "the signature", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());
    checkRefusedForRoom(combineKsr(), "the SKR", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());

    disk.free();
    const auto skr = combineKsr();
    INFO(skr.output);
    CHECK(skr.exitCode == 0);
    CHECK(contains(skr.output, "SKR written: " + disk.file("skr.xml")));
    const auto signature = combineMessage();
    INFO(signature.output);
    CHECK(signature.exitCode == 0);
    CHECK(disk.names() == std::set<std::string>{"message.sig", "skr.xml"});
}

TEST_CASE("sign-rrset refuses before any card when the RRSIG's disk is full, and signs once there is room") {
    Room room;
    const CardSet set = makeCardSet(room, "zone", 2, 2);
    room.insertTogether(set.card(1), set.card(2));  // the cards are there, their PINs at hand
    TinyDisk disk(room.folder(), "disk", "64k");
    const std::string zone = "example.test.";
    const std::string rrset = room.file("dnskeys.txt");  // the KSK alone
    REQUIRE(room.ceremony("dnskey --ceremony " + set.ceremonyDir + " --manifest " + set.manifest + " --zone " + zone +
                          " | grep -P '\\sDNSKEY\\s' > " + rrset)
                .exitCode == 0);
    const std::string pins = room.secrets("zone-pins", {CardSet::pin(1), CardSet::pin(2)});
    const auto signRrset = [&] {
        return room.unattended("sign-rrset --yes --ceremony " + set.ceremonyDir + " --manifest " + set.manifest +
                               " --zone " + zone + " --rrset " + rrset +
                               " --inception 2027-01-01T00:00:00 --expiration 2027-01-21T00:00:00 --out " +
                               disk.file("rrsig.txt") + " --card-timeout 5 --pin-file " + pins);
    };
    const UntouchedSet untouched(set);
    disk.fill();

    checkRefusedForRoom(signRrset(), "the RRSIG", disk.path());
    untouched.check(room);
    CHECK(disk.names().empty());

    disk.free();
    const auto signedRrset = signRrset();
    INFO(signedRrset.output);
    CHECK(signedRrset.exitCode == 0);
    CHECK(contains(readFile(disk.file("rrsig.txt")), "RRSIG\tDNSKEY 8 2 "));
}

TEST_CASE("hsm-import refuses before any card when the ceremony folder's disk cannot take its audit log") {
    Room room;
    const CardSet set = makeCardSet(room, "mover", 2, 2);
    room.insertTogether(set.card(1), set.card(2));  // the cards are there, their PINs at hand
    TinyDisk disk(room.folder(), "disk", "256k");
    const CardSet moved = withCeremonyIn(set, disk.file("ceremony"));
    // Another HSM: a SoftHSM2 token of its own store, which the ceremony finds through SOFTHSM2_CONF.
    const std::string store = room.file("other-hsm");
    std::filesystem::create_directories(store + "/tokens");
    writeText(store + "/softhsm2.conf", "directories.tokendir = " + store + "/tokens\nobjectstore.backend = file\n");
    const std::string environment = "SOFTHSM2_CONF=" + store + "/softhsm2.conf ";
    REQUIRE(runCommand(environment + "softhsm2-util --init-token --free --label other --so-pin 87654321 --pin 24681357")
                .exitCode == 0);
    const std::string tokenPin = room.secrets("token-pin", {"24681357"});
    const std::string pins = room.secrets("mover-pins", {CardSet::pin(1), CardSet::pin(2)});
    const auto hsmImport = [&] {
        return runCommand(environment + "setsid -w " + builtProgram("ceremony") + " " +
                          room.withHostPassphrase("hsm-import --ceremony " + moved.ceremonyDir + " --manifest " +
                                                  moved.manifest +
                                                  " --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --token-label "
                                                  "other --token-pin-file " +
                                                  tokenPin + " --label KSK-2027 --card-timeout 5 --pin-file " + pins) +
                          " </dev/null");
    };
    const UntouchedSet untouched(moved);
    disk.fill();

    checkRefusedForRoom(hsmImport(), "the audit log", moved.ceremonyDir);
    untouched.check(room);
    CHECK(disk.names() == std::set<std::string>{"ceremony"});

    disk.free();
    const auto imported = hsmImport();
    INFO(imported.output);
    CHECK(imported.exitCode == 0);
    CHECK(contains(imported.output, "Imported: \"KSK-2027\" in HSM token \"other\"."));
}

TEST_CASE("run refuses before its first step when the transcript's disk is full, and runs once there is room") {
    Room room;
    const std::string dir = room.createCeremony("c");
    const std::string log = dir + "/audit.log";
    const std::string logBefore = readFile(log);
    const std::string script = room.file("check.script");
    writeText(script, "audit-verify --log " + log + "\n");
    TinyDisk disk(room.folder(), "disk", "256k");
    const std::string run = "run " + script + " --transcript " + disk.file("transcript") + " --yes";
    disk.fill();

    const auto refused = room.ceremony(run);
    checkRefusedForRoom(refused, "the transcript", disk.path());
    CHECK(!contains(refused.output, "chain intact"));  // the step did not run
    CHECK(readFile(log) == logBefore);
    CHECK(disk.names().empty());

    disk.free();
    const auto ran = room.ceremony(run);
    INFO(ran.output);
    CHECK(ran.exitCode == 0);
    CHECK(contains(ran.output, "Done: 1 of 1 steps."));
    CHECK(disk.names() == std::set<std::string>{"transcript.json", "transcript.txt"});
}

TEST_CASE("host-issue refused by the audit log (altered, locked) leaves no key and no certificate behind") {
    Room room;
    const std::string dir = room.createCeremony("issuer");
    const std::string log = dir + "/audit.log";
    const auto hostIssue = [&](const std::string& prefix) {
        return room.ceremony("host-issue --ceremony " + dir + " --name other --out " + prefix +
                             " --passphrase-file " + room.passphraseFile());
    };
    REQUIRE(hostIssue(room.file("first")).exitCode == 0);  // a second entry, which chains to the first
    const std::string intact = readFile(log);
    const auto leftNothing = [&](const std::string& prefix) {
        CHECK(!std::filesystem::exists(prefix + "-key.pem"));
        CHECK(!std::filesystem::exists(prefix + ".pem"));
    };

    // An entry altered after it was written: the log's own words, and nothing written.
    const std::string::size_type at = intact.find("ceremony host");
    REQUIRE(at != std::string::npos);
    std::string altered = intact;
    altered.replace(at, 8, "Ceremony");
    writeText(log, altered);
    const auto refused = hostIssue(room.file("altered"));
    INFO(refused.output);
    CHECK(refused.exitCode != 0);
    CHECK(contains(refused.output, "audit.log: line 2"));
    CHECK(contains(refused.output, "was altered"));
    leftNothing(room.file("altered"));
    CHECK(readFile(log) == altered);

    // The log held by another ceremony: refused the same way.
    writeText(log, intact);
    {
        const int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
        const auto locked = hostIssue(room.file("locked"));
        INFO(locked.output);
        CHECK(locked.exitCode != 0);
        CHECK(contains(locked.output, "is open for writing elsewhere"));
        leftNothing(room.file("locked"));
        ::close(fd);
    }

    // A certificate already at the prefix: the key is not written either.
    writeText(room.file("taken.pem"), "someone else's\n");
    const auto taken = hostIssue(room.file("taken"));
    INFO(taken.output);
    CHECK(taken.exitCode != 0);
    CHECK(contains(taken.output, room.file("taken.pem")));
    CHECK(!std::filesystem::exists(room.file("taken-key.pem")));
    CHECK(readFile(room.file("taken.pem")) == "someone else's\n");
    CHECK(readFile(log) == intact);

    const auto issued = hostIssue(room.file("other"));
    INFO(issued.output);
    CHECK(issued.exitCode == 0);
    CHECK(std::filesystem::exists(room.file("other-key.pem")));
    CHECK(std::filesystem::exists(room.file("other.pem")));
}

TEST_CASE("ca-create refuses before writing a key: a ceremony there, a full disk, an audit log it cannot append to") {
    Room room;
    const auto caCreate = [&](const std::string& dir) {
        return room.ceremony("ca-create --ceremony " + dir + " --passphrase-file " + room.passphraseFile());
    };
    const auto keysIn = [](const std::string& dir) {
        std::set<std::string> found;
        for (const char* name : {"ca-key.pem", "ca.pem", "host-key.pem", "host.pem"})
            if (std::filesystem::exists(dir + "/" + name)) found.insert(name);
        return found;
    };

    // A full disk: refused before the passphrases are read, nothing left, not even the folder.
    {
        TinyDisk disk(room.folder(), "disk", "64k");
        disk.fill();
        const auto full = caCreate(disk.file("c"));
        checkRefusedForRoom(full, "the ceremony's CA, host credentials and audit log", disk.path());
        CHECK(disk.names().empty());
        disk.free();
        const auto made = caCreate(disk.file("c"));
        INFO(made.output);
        CHECK(made.exitCode == 0);
        CHECK(keysIn(disk.file("c")).size() == 4);
    }

    // An audit log in the folder that is altered, or open for writing elsewhere: no key written.
    const std::string dir = room.file("logged");
    REQUIRE(std::filesystem::create_directory(dir));
    const std::string log = dir + "/audit.log";
    {
        auto prepared = host::AuditLog::open(log);
        prepared.append("folder-prepared", Json::Value());
        prepared.append("folder-checked", Json::Value());  // a successor, whose hash chain finds the edit
    }
    const std::string intact = readFile(log);
    {
        const int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
        const auto locked = caCreate(dir);
        INFO(locked.output);
        CHECK(locked.exitCode != 0);
        CHECK(contains(locked.output, "is open for writing elsewhere"));
        CHECK(keysIn(dir).empty());
        ::close(fd);
    }
    std::string altered = intact;
    const std::string::size_type at = altered.find("folder-prepared");
    REQUIRE(at != std::string::npos);
    altered.replace(at, 6, "Folder");
    writeText(log, altered);
    const auto refused = caCreate(dir);
    INFO(refused.output);
    CHECK(refused.exitCode != 0);
    CHECK(contains(refused.output, "was altered"));
    CHECK(keysIn(dir).empty());
    CHECK(readFile(log) == altered);

    writeText(log, intact);
    const auto made = caCreate(dir);
    INFO(made.output);
    REQUIRE(made.exitCode == 0);
    CHECK(keysIn(dir).size() == 4);
    CHECK(host::verifyAuditLog(log).entries == 3);

    // A ceremony there already: refused naming its CA key, which is left as it was.
    const std::string key = readFile(dir + "/ca-key.pem");
    const auto again = caCreate(dir);
    INFO(again.output);
    CHECK(again.exitCode != 0);
    CHECK(contains(again.output, "the CA key " + dir + "/ca-key.pem exists"));
    CHECK(readFile(dir + "/ca-key.pem") == key);
    CHECK(host::verifyAuditLog(log).entries == 3);

    // A parent folder that does not exist: named, nothing made.
    const auto nowhere = caCreate(room.file("missing/c"));
    INFO(nowhere.output);
    CHECK(nowhere.exitCode != 0);
    CHECK(contains(nowhere.output, "the folder " + room.file("missing") + " does not exist"));
    CHECK(!std::filesystem::exists(room.file("missing")));
}

TEST_CASE("pin change and issue-card refuse before the card when the audit log's disk is full") {
    Room room;
    const CardSet set = makeCardSet(room, "pin", 2, 2);
    TinyDisk disk(room.folder(), "disk", "256k");
    const CardSet moved = withCeremonyIn(set, disk.file("ceremony"));
    const UntouchedSet untouched(moved);
    room.insert(set.card(1));  // the card is there, its PIN at hand
    const std::string fresh = "7654321";
    const auto change = [&] {
        return room.unattended("pin change --ceremony " + moved.ceremonyDir + " --pin-fd 0",
                               {CardSet::pin(1), fresh});
    };

    // A PIN changed on the card that the log cannot record: refused before the card is asked.
    disk.fill();
    checkRefusedForRoom(change(), "the audit log", moved.ceremonyDir);
    untouched.check(room);
    CHECK(disk.names() == std::set<std::string>{"ceremony"});

    // A BLANK card issued that the log cannot record: the same.
    CHECK(room.pull(set.card(1)) == 0);
    room.insert("blank");
    const std::string blankImage = readFile(room.image("blank"));
    const auto issue = room.unattended("issue-card --ceremony " + moved.ceremonyDir +
                                           " --index 3 --pin-fd 0 --passphrase-file " +
                                           room.passphraseFile(),
                                       {"333333", "33333333"});
    checkRefusedForRoom(issue, "the audit log", moved.ceremonyDir);
    untouched.check(room);
    CHECK(room.pull("blank") == 0);
    CHECK(readFile(room.image("blank")) == blankImage);

    // With room again, the old PIN is still the one, and the change is recorded.
    disk.free();
    room.insert(set.card(1));
    const auto changed = change();
    INFO(changed.output);
    CHECK(changed.exitCode == 0);
    CHECK(contains(readFile(moved.ceremonyDir + "/audit.log"), "\"pin-changed\""));
}
