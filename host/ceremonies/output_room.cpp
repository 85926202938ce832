#include "host/ceremonies/output_room.hpp"

#include <utility>

#include "host/base/error.hpp"

namespace quorum::host {

std::uint64_t auditRoom(int cards) {
    return (4 * static_cast<std::uint64_t>(cards) + 8) * kAuditEntryRoom;
}

std::uint64_t signatureRoom(const Manifest& manifest) {
    if (manifest.shoup()) return manifest.rsaKey.modulusSize() + kFileSlack;
    const std::string& type = manifest.signingKey.type;
    const std::uint64_t bytes = type == "rsa2048" ? 256 : type == "rsa3072" ? 384 : type == "p256" ? 72 : 512;
    return bytes + kFileSlack;
}

std::uint64_t partialFileRoom(const Manifest& manifest, std::size_t messages) {
    // In hex: each message's digest and partial, and the proof (about three moduli).
    const std::uint64_t modulus = manifest.rsaKey.modulusSize();
    return 2 * (static_cast<std::uint64_t>(messages) * (modulus + 64) + 4 * modulus) + kFileSlack;
}

std::uint64_t skrRoom(std::size_t ksrBytes) {
    return 2 * static_cast<std::uint64_t>(ksrBytes) + 16 * 1024;
}

std::uint64_t manifestRoom(int cards) {
    return 16 * 1024 + static_cast<std::uint64_t>(cards) * 4 * 1024;
}

void requireRoom(const std::vector<platform::SpaceNeed>& needs) {
    try {
        platform::requireFreeSpace(needs);
    } catch (const platform::IoError& e) {
        throw FileError(e.what());
    }
}

void requireRoom(platform::SpaceNeed output, const std::string& auditLogPath) {
    std::vector<platform::SpaceNeed> needs{std::move(output)};
    if (!auditLogPath.empty()) needs.push_back({platform::folderOf(auditLogPath), kAuditEntryRoom, "the audit log"});
    requireRoom(needs);
}

}  // namespace quorum::host
