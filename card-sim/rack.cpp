#include "card-sim/rack.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "card-sim/data_folder.hpp"
#include "card-sim/reader_conf.hpp"
#include "protocol/lifecycle.hpp"

namespace quorum::sim {

namespace {

using Clock = VpcdSlot::Clock;
using std::chrono::milliseconds;

constexpr std::size_t kMaxRequestLine = 1024;
constexpr milliseconds kSeenTimeout(10000);
const char* const kRequests = "insert, remove, pull, list, readers, stop";

std::vector<std::string> error(const std::string& text) { return {"error " + text}; }

bool validName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '.' || name[0] == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

std::optional<unsigned> number(const std::string& text, unsigned max) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const unsigned long value = std::stoul(text);
    if (value > max) return std::nullopt;
    return static_cast<unsigned>(value);
}

std::optional<std::uint16_t> statusWord(const std::string& text) {
    if (text.size() != 4 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        return std::nullopt;
    return static_cast<std::uint16_t>(std::stoul(text, nullptr, 16));
}

// The value after option words[i]; nullopt when it is missing.
std::optional<std::string> valueOf(const std::vector<std::string>& words, std::size_t& i) {
    if (i + 1 >= words.size()) return std::nullopt;
    return words[++i];
}

sockaddr_un socketAddress(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        throw std::runtime_error("the rack's control socket " + path + " is a longer path than a Unix socket may have (" +
                                 std::to_string(sizeof address.sun_path - 1) + " bytes): choose a shorter rack folder");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

std::vector<std::string> splitWords(const std::string& line) {
    std::vector<std::string> words;
    std::size_t at = 0;
    while (at < line.size()) {
        const auto start = line.find_first_not_of(' ', at);
        if (start == std::string::npos) break;
        const auto end = line.find(' ', start);
        words.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
        at = end == std::string::npos ? line.size() : end;
    }
    return words;
}

}  // namespace

std::string answerLine(const std::string& text) {
    std::string line;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\n' && c != '\r') {
            line += c;
            continue;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        while (i + 1 < text.size() && (text[i + 1] == ' ' || text[i + 1] == '\n' || text[i + 1] == '\r')) ++i;
        if (i + 1 < text.size()) line += " / ";
    }
    return line;
}

namespace {

bool finalLine(const std::string& line) {
    return line == "ok" || line.rfind("ok ", 0) == 0 || line.rfind("error ", 0) == 0;
}

}  // namespace

std::string rackSocket(const std::string& folder) { return folder + "/rack.sock"; }

CardRack::CardRack(RackOptions options) : options_(std::move(options)) {
    for (int s = 0; s < options_.slots; ++s) {
        VpcdEndpoint endpoint = options_.firstSlot;
        endpoint.port = static_cast<std::uint16_t>(endpoint.port + s);
        slots_.push_back(std::make_unique<VpcdSlot>(s, endpoint, options_.retryInterval));
    }
    if (options_.folder.empty()) return;
    makeFolders(options_.folder);
    const std::string lockPath = options_.folder + "/rack.lock";
    folderLock_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (folderLock_ < 0) throw std::runtime_error("cannot open " + lockPath + ": " + std::strerror(errno));
    if (::flock(folderLock_, LOCK_EX | LOCK_NB) != 0) {
        ::close(folderLock_);
        throw std::runtime_error("another card-sim rack serves " + options_.folder + " (lock " + lockPath +
                                 " is held); use `card-sim ctl --rack " + options_.folder + "` to talk to it");
    }
    socketPath_ = rackSocket(options_.folder);
    const sockaddr_un address = socketAddress(socketPath_);
    ::unlink(socketPath_.c_str());  // a socket left by a rack that was killed: we hold the lock now
    listenFd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const mode_t oldMask = ::umask(0077);
    const bool bound = listenFd_ >= 0 &&
                       ::bind(listenFd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::umask(oldMask);
    if (!bound || ::chmod(socketPath_.c_str(), 0600) != 0 || ::listen(listenFd_, 16) != 0) {
        const std::string reason = std::strerror(errno);
        if (listenFd_ >= 0) ::close(listenFd_);
        ::close(folderLock_);
        throw std::runtime_error("cannot make the control socket " + socketPath_ + ": " + reason);
    }
}

CardRack::~CardRack() {
    while (!cards_.empty()) take(cards_.begin()->first);
    for (auto& client : clients_) ::close(client.fd);
    if (listenFd_ >= 0) {
        ::close(listenFd_);
        ::unlink(socketPath_.c_str());
    }
    if (folderLock_ >= 0) ::close(folderLock_);
}

void CardRack::rackLog(const std::string& line) const {
    if (!options_.quiet) std::cerr << "card-sim: " << line << std::endl;
}

void CardRack::cardLog(const std::string& name, const std::string& line) const {
    if (options_.folder.empty()) {
        rackLog(line);
        return;
    }
    rackLog(name + ": " + line);
    std::ofstream(options_.folder + "/" + name + ".log", std::ios::app) << line << "\n";
}

std::string CardRack::describeSlot(int slot) const {
    return "slot " + std::to_string(slot) + " (" + readerName(slot) + ", vpcd port " +
           std::to_string(slots_[static_cast<std::size_t>(slot)]->endpoint().port) + ")";
}

void CardRack::insertImage(const std::string& name, const std::string& image, SlotPlug plug) {
    auto card = std::make_unique<ImageCard>(image, options_.nvmCapacity);
    plug.card = card.get();
    slots_.front()->insert(std::move(plug));
    cards_[name] = Inserted{std::move(card), 0, false};
}

std::vector<std::string> CardRack::request(const std::vector<std::string>& words) { return dispatch(words, -1); }

std::vector<std::string> CardRack::dispatch(const std::vector<std::string>& words, int clientFd) {
    if (words.empty()) return error(std::string("empty request; the requests are ") + kRequests);
    const std::string& verb = words[0];
    if (verb == "remove") return remove(words);
    if (verb == "pull") return pull(words);
    if (verb == "list") return words.size() == 1 ? list() : error("list takes no arguments");
    if (verb == "readers") return words.size() == 1 ? readers() : error("readers takes no arguments");
    if (verb == "stop") {
        stopRequested_ = true;
        return {"ok the rack stops; every card is removed and its image saved"};
    }
    if (verb == "insert") return insert(words, clientFd);
    return error("unknown request \"" + verb + "\"; the requests are " + kRequests);
}

std::vector<std::string> CardRack::insert(const std::vector<std::string>& words, int clientFd) {
    std::vector<std::string> names;
    std::size_t i = 1;
    for (; i < words.size() && words[i].rfind("--", 0) != 0; ++i) names.push_back(words[i]);
    if (names.empty())
        return error("insert needs a card name: insert CARD... [--slot N] [--trace] [--pull-after N] "
                     "[--foreign SW] [--wait]");
    std::optional<int> firstSlot;
    std::optional<std::uint16_t> foreignSw;
    SlotPlug plug;
    plug.trace = options_.trace;
    bool wait = false;
    for (; i < words.size(); ++i) {
        const std::string& option = words[i];
        if (option == "--slot") {
            const auto value = valueOf(words, i);
            const auto n = value ? number(*value, static_cast<unsigned>(options_.slots - 1)) : std::nullopt;
            if (!n) return error("--slot needs a slot number from 0 to " + std::to_string(options_.slots - 1));
            firstSlot = static_cast<int>(*n);
        } else if (option == "--pull-after") {
            const auto value = valueOf(words, i);
            const auto n = value ? number(*value, 1000000000) : std::nullopt;
            if (!n || *n == 0) return error("--pull-after needs a number of command APDUs, at least 1");
            plug.pullAfterApdus = *n;
        } else if (option == "--foreign") {
            const auto value = valueOf(words, i);
            foreignSw = value ? statusWord(*value) : std::nullopt;
            if (!foreignSw) return error("--foreign needs the status word the card answers, 4 hex digits (e.g. 6A82)");
        } else if (option == "--trace") {
            plug.trace = true;
        } else if (option == "--wait") {
            wait = true;
        } else {
            return error("insert: unknown option \"" + option + "\" (a card name goes before the options)");
        }
    }

    // Every check before any card moves: a request inserts all its cards or none.
    std::vector<int> slots;
    std::set<std::string> seen;
    for (const auto& name : names) {
        if (!validName(name))
            return error("\"" + name + "\" is not a card name: letters, digits, '.', '_' and '-', at most 64, "
                         "not starting with '.' or '-'");
        if (!seen.insert(name).second) return error("card " + name + " is named twice");
        if (const auto found = cards_.find(name); found != cards_.end())
            return error("card " + name + " is already in " + describeSlot(found->second.slot) + "; remove it first");
        std::optional<int> slot;
        if (firstSlot) {
            // --slot N: the cards go into N, N + 1, ... in the order named.
            const int wanted = *firstSlot + static_cast<int>(slots.size());
            if (wanted >= options_.slots)
                return error("--slot " + std::to_string(*firstSlot) + " with " + std::to_string(names.size()) +
                             " cards needs slots up to " + std::to_string(*firstSlot + static_cast<int>(names.size()) - 1) +
                             "; the rack has slots 0 to " + std::to_string(options_.slots - 1));
            if (const auto other = cardIn(wanted))
                return error(describeSlot(wanted) + " holds card " + *other + "; remove it first or choose another slot");
            slot = wanted;
        } else {
            for (int s = 0; s < options_.slots && !slot; ++s)
                if (!slots_[static_cast<std::size_t>(s)]->occupied() &&
                    std::find(slots.begin(), slots.end(), s) == slots.end())
                    slot = s;
            if (!slot)
                return error("no free slot for card " + name + ": all " + std::to_string(options_.slots) +
                             " slots hold a card; remove one first (`list` shows them)");
        }
        slots.push_back(*slot);
    }

    std::vector<std::pair<std::string, Inserted>> ready;
    std::vector<std::string> lines;
    for (std::size_t c = 0; c < names.size(); ++c) {
        const std::string& name = names[c];
        Inserted inserted;
        inserted.slot = slots[c];
        std::string note;
        try {
            if (foreignSw) {
                inserted.card = std::make_unique<ForeignCard>(*foreignSw);
                inserted.foreign = true;
                note = ", a card of another application answering " +
                       toHex({static_cast<std::uint8_t>(*foreignSw >> 8), static_cast<std::uint8_t>(*foreignSw)});
            } else {
                auto card = std::make_unique<ImageCard>(imagePath(name), options_.nvmCapacity);
                note = card->existedOnDisk() ? "" : ", a new BLANK card (image " + imagePath(name) + " created)";
                inserted.card = std::move(card);
            }
        } catch (const std::exception& e) {
            // Cards this request made a moment ago go again: nothing of the request remains.
            std::vector<std::string> made;
            for (const auto& [madeName, madeCard] : ready)
                if (!madeCard.foreign && !static_cast<const ImageCard&>(*madeCard.card).existedOnDisk())
                    made.push_back(imagePath(madeName));
            ready.clear();
            for (const auto& path : made) {
                ::unlink(path.c_str());
                ::unlink((path + ".lock").c_str());
            }
            return error("cannot insert card " + name + ": " + e.what() +
                         (names.size() > 1 ? " (no card of this request was inserted)" : ""));
        }
        lines.push_back(name + " in " + describeSlot(inserted.slot) + note);
        ready.emplace_back(name, std::move(inserted));
    }
    for (auto& [name, inserted] : ready) {
        SlotPlug cardPlug = plug;
        cardPlug.card = inserted.card.get();
        cardPlug.log = [this, name = name](const std::string& line) { cardLog(name, line); };
        slots_[static_cast<std::size_t>(inserted.slot)]->insert(std::move(cardPlug));
        cards_[name] = std::move(inserted);
    }
    if (names.size() == 1)
        lines.back() = "ok " + lines.back();
    else
        lines.push_back("ok " + std::to_string(names.size()) + " cards inserted");
    if (!wait) return lines;
    waiters_.push_back({clientFd, names, Clock::now() + kSeenTimeout, lines});
    return {};
}

std::vector<std::string> CardRack::remove(const std::vector<std::string>& words) {
    if (words.size() < 2) return error("remove needs a card name: remove CARD...");
    for (std::size_t i = 1; i < words.size(); ++i)
        if (cards_.count(words[i]) == 0)
            return error("card " + words[i] + " is in no slot (`list` shows the cards)" +
                         (words.size() > 2 ? "; no card was removed" : ""));
    std::vector<std::string> lines;
    for (std::size_t i = 1; i < words.size(); ++i) {
        lines.push_back(words[i] + " removed from " + describeSlot(cards_.at(words[i]).slot));
        take(words[i]);
    }
    if (lines.size() == 1)
        lines.back() = "ok " + lines.back();
    else
        lines.push_back("ok " + std::to_string(lines.size()) + " cards removed");
    return lines;
}

std::vector<std::string> CardRack::pull(const std::vector<std::string>& words) {
    if (words.size() != 4 || words[2] != "--after")
        return error("pull needs a card and a count: pull CARD --after N");
    const auto found = cards_.find(words[1]);
    if (found == cards_.end()) return error("card " + words[1] + " is in no slot (`list` shows the cards)");
    const auto n = number(words[3], 1000000000);
    if (!n) return error("pull --after needs a number of command APDUs (0: the next one gets no answer)");
    slots_[static_cast<std::size_t>(found->second.slot)]->pullAfter(*n);
    return {"ok " + words[1] + " answers " + std::to_string(*n) +
            " more command APDUs, then is pulled in the middle of the next exchange"};
}

std::vector<std::string> CardRack::list() const {
    std::set<std::string> names;
    for (const auto& [name, inserted] : cards_) names.insert(name);
    if (DIR* dir = ::opendir(options_.folder.c_str())) {
        while (const dirent* entry = ::readdir(dir)) {
            const std::string file = entry->d_name;
            if (file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0 && validName(file.substr(0, file.size() - 5)))
                names.insert(file.substr(0, file.size() - 5));
        }
        ::closedir(dir);
    }
    std::vector<std::string> lines;
    for (const auto& name : names) {
        std::string line = name;
        const auto found = cards_.find(name);
        if (found == cards_.end()) {
            line += " slot=- state=out";
            try {
                const ImageSummary summary = summarizeImage(imagePath(name));
                line += " lifecycle=" + summary.lifecycle + " id=" + (summary.cardId.empty() ? "-" : toHex(summary.cardId));
            } catch (const std::exception& e) {
                line += " lifecycle=? id=? unreadable: " + std::string(e.what());
            }
        } else {
            const VpcdSlot& slot = *slots_[static_cast<std::size_t>(found->second.slot)];
            const char* state = !slot.connected() ? "waiting-for-vpcd" : slot.seen() ? "present" : "inserted";
            line += " slot=" + std::to_string(slot.index()) + " state=" + state;
            if (found->second.foreign) {
                line += " lifecycle=foreign id=-";
            } else {
                const auto& card = static_cast<const ImageCard&>(*found->second.card).card();
                line += " lifecycle=" + protocol::describeLifecycle(static_cast<std::uint8_t>(card.lifecycle())) +
                        " id=" + toHex(card.cardId());
            }
            line += " apdus=" + std::to_string(slot.apdusAnswered()) + " reader=" + readerName(slot.index());
        }
        lines.push_back(line);
    }
    lines.push_back("ok " + std::to_string(cards_.size()) + " of " + std::to_string(names.size()) +
                    " cards in " + std::to_string(options_.slots) + " slots");
    return lines;
}

std::vector<std::string> CardRack::readers() const {
    std::vector<std::string> lines;
    for (const auto& slot : slots_) {
        lines.push_back("slot=" + std::to_string(slot->index()) + " port=" + std::to_string(slot->endpoint().port) +
                        " card=" + cardIn(slot->index()).value_or("-") + " reader=" + readerName(slot->index()));
    }
    lines.push_back("ok " + std::to_string(options_.slots) + " slots");
    return lines;
}

std::optional<std::string> CardRack::cardIn(int slot) const {
    for (const auto& [name, inserted] : cards_)
        if (inserted.slot == slot) return name;
    return std::nullopt;
}

void CardRack::take(const std::string& name) {
    const auto found = cards_.find(name);
    if (found == cards_.end()) return;
    VpcdSlot& slot = *slots_[static_cast<std::size_t>(found->second.slot)];
    if (slot.occupied()) {
        slot.remove();
        cardLog(name, "card removed from " + describeSlot(found->second.slot));
    }
    cards_.erase(found);
}

void CardRack::acceptClient() {
    for (;;) {
        const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        clients_.push_back(Client{fd, {}, false});
    }
}

void CardRack::answer(int fd, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) text += answerLine(line) + "\n";
    // Answers are small and the client waits for them; one that does not read loses its answer.
    (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void CardRack::serveClient(Client& client) {
    char buffer[512];
    for (;;) {
        const ssize_t n = ::recv(client.fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            client.input.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            ::close(client.fd);
            client.fd = -1;
            return;
        }
        break;
    }
    while (!client.waiting) {
        const auto newline = client.input.find('\n');
        if (newline == std::string::npos) {
            if (client.input.size() > kMaxRequestLine) {
                answer(client.fd, error("request longer than " + std::to_string(kMaxRequestLine) + " bytes"));
                ::close(client.fd);
                client.fd = -1;
            }
            return;
        }
        std::string line = client.input.substr(0, newline);
        client.input.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto words = splitWords(line);
        const auto lines = dispatch(words, client.fd);
        if (lines.empty())
            client.waiting = true;
        else
            answer(client.fd, lines);
    }
}

void CardRack::settleWaiters(bool everything) {
    const auto now = Clock::now();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        std::optional<std::vector<std::string>> reply;
        std::vector<std::string> unseen;
        for (const auto& card : it->cards) {
            const auto found = cards_.find(card);
            if (found == cards_.end()) {
                reply = error("card " + card + " left its slot before pcscd saw it");
                break;
            }
            if (!slots_[static_cast<std::size_t>(found->second.slot)]->seen())
                unseen.push_back(card + " in " + describeSlot(found->second.slot));
        }
        if (!reply && unseen.empty()) reply = it->answer;
        if (!reply && everything) reply = error("the rack stops before pcscd saw card " + unseen.front());
        if (!reply && now >= it->deadline)
            reply = error("pcscd did not look at card " + unseen.front() +
                          " within 10 s (is pcscd running with the readers of `card-sim --reader-conf`?); the "
                          "cards stay inserted");
        if (!reply) {
            ++it;
            continue;
        }
        for (auto& client : clients_)
            if (client.fd == it->clientFd && client.fd >= 0) {
                answer(client.fd, *reply);
                client.waiting = false;
            }
        it = waiters_.erase(it);
    }
}

void CardRack::onSlotEvent(VpcdSlot& slot, VpcdSlot::Event event) {
    if (event == VpcdSlot::Event::Pulled)
        if (const auto name = cardIn(slot.index())) take(*name);
}

void CardRack::run(int stopFd, bool endWhenEmpty) {
    for (;;) {
        if (stopRequested_ || (endWhenEmpty && cards_.empty())) break;
        const auto now = Clock::now();
        int timeout = -1;
        for (auto& slot : slots_) {
            slot->tryConnect(now);
            onSlotEvent(*slot, slot->onTime(now, stopFd));
            const int due = slot->msUntilDue(now);
            if (due >= 0) timeout = timeout < 0 ? due : std::min(timeout, due);
        }
        for (const auto& waiter : waiters_) {
            const int due = static_cast<int>(
                std::max<long long>(0, std::chrono::duration_cast<milliseconds>(waiter.deadline - now).count()) + 1);
            timeout = timeout < 0 ? due : std::min(timeout, due);
        }
        std::vector<pollfd> fds{{stopFd, POLLIN, 0}};
        if (listenFd_ >= 0) fds.push_back({listenFd_, POLLIN, 0});
        const std::size_t firstClient = fds.size();
        for (const auto& client : clients_) fds.push_back({client.fd, POLLIN, 0});
        const std::size_t firstSlot = fds.size();
        std::vector<VpcdSlot*> polled;
        for (auto& slot : slots_)
            if (slot->connected()) {
                fds.push_back({slot->fd(), POLLIN, 0});
                polled.push_back(slot.get());
            }
        if (::poll(fds.data(), fds.size(), timeout) < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
        }
        if (fds[0].revents != 0) break;
        for (std::size_t i = 0; i < polled.size(); ++i) {
            if (fds[firstSlot + i].revents == 0) continue;
            VpcdSlot& slot = *polled[i];
            onSlotEvent(slot, slot.onReadable(stopFd));
        }
        for (std::size_t i = 0; i < clients_.size(); ++i)
            if (fds[firstClient + i].revents != 0) serveClient(clients_[i]);
        if (listenFd_ >= 0 && fds[1].revents != 0) acceptClient();
        settleWaiters(false);
        clients_.erase(std::remove_if(clients_.begin(), clients_.end(), [](const Client& c) { return c.fd < 0; }),
                       clients_.end());
    }
    settleWaiters(true);
    while (!cards_.empty()) take(cards_.begin()->first);
}

std::vector<std::string> askRack(const std::string& folder, const std::vector<std::string>& words,
                                 std::chrono::milliseconds connectTimeout) {
    std::string line;
    for (const auto& word : words) {
        if (word.empty() || word.find_first_of(" \n\r") != std::string::npos)
            throw std::invalid_argument("\"" + word + "\" cannot be sent to the rack: words may not be empty or hold "
                                        "spaces or line breaks");
        line += (line.empty() ? "" : " ") + word;
    }
    line += "\n";
    const std::string path = rackSocket(folder);
    const sockaddr_un address = socketAddress(path);
    const auto deadline = Clock::now() + connectTimeout;
    int fd = -1;
    for (;;) {
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) break;
        const int failure = errno;
        ::close(fd);
        if ((failure != ENOENT && failure != ECONNREFUSED) || Clock::now() >= deadline)
            throw std::runtime_error("no card-sim rack answers at " + path + " (" + std::strerror(failure) +
                                     "); start one with `card-sim --rack " + folder + "`");
        std::this_thread::sleep_for(milliseconds(20));
    }
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("the rack at " + path + " closed the connection");
        }
        sent += static_cast<std::size_t>(n);
    }
    std::vector<std::string> lines;
    std::string pending;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline;
        bool done = false;
        while ((newline = pending.find('\n')) != std::string::npos) {
            lines.push_back(pending.substr(0, newline));
            pending.erase(0, newline + 1);
            if (finalLine(lines.back())) done = true;
        }
        if (done) break;
    }
    ::close(fd);
    if (lines.empty() || !finalLine(lines.back()))
        throw std::runtime_error("the rack at " + path + " ended the connection without an answer");
    return lines;
}

}  // namespace quorum::sim
