// Room for what a ceremony writes after cards were used (issue 15): estimated generously, and
// required before the first card is asked for, so a full disk never wastes the holders' shares.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/documents/manifest.hpp"
#include "platform/durable_file.hpp"

namespace quorum::host {

// What one file takes on disk beyond its bytes: a filesystem block, rounded up.
constexpr std::uint64_t kFileSlack = 4 * 1024;
// One audit log entry, generously (most are a few hundred bytes; a refusal's reason is longer).
constexpr std::uint64_t kAuditEntryRoom = 4 * 1024;

// The audit log's entries of a ceremony on `cards` cards: its start, input and end, and for each
// card what may be recorded of it (a wrong PIN, a refusal, what it gave, pcscd lost and back).
std::uint64_t auditRoom(int cards);
// A signature by the set's key: its key's size (a P-256 DER signature: 72 bytes), and a block.
std::uint64_t signatureRoom(const Manifest& manifest);
// A partial signature file of `messages` messages by a card of the threshold set `manifest`.
std::uint64_t partialFileRoom(const Manifest& manifest, std::size_t messages);
// An SKR answering a KSR of `ksrBytes` bytes: its bundles' keys again, with the KSK's signatures.
std::uint64_t skrRoom(std::size_t ksrBytes);
// A manifest of `cards` cards (a 4096-bit threshold set's keys and every card's certificate).
std::uint64_t manifestRoom(int cards);

// Refuses (FileError), before anything is asked of anybody, when the folders of `needs` have not
// the room they need, added up per filesystem: names the folder, what needs the room, the bytes
// needed and free, and to free space or choose another folder.
void requireRoom(const std::vector<platform::SpaceNeed>& needs);
// The same for a command that runs no ceremony (combine): its output, and one entry in the audit
// log at `auditLogPath` when one is given.
void requireRoom(platform::SpaceNeed output, const std::string& auditLogPath);

}  // namespace quorum::host
