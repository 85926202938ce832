#include "host/dnssec/records.hpp"

#include <utility>

namespace quorum::host::dnssec {
namespace {

// kskm's AlgorithmDNSSEC names.
constexpr std::pair<std::uint8_t, const char*> kAlgorithms[] = {
    {1, "RSAMD5"},
    {3, "DSA"},
    {5, "RSASHA1"},
    {6, "DSA_NSEC3_SHA1"},
    {7, "RSASHA1_NSEC3_SHA1"},
    {8, "RSASHA256"},
    {10, "RSASHA512"},
    {12, "ECC_GOST"},
    {13, "ECDSAP256SHA256"},
    {14, "ECDSAP384SHA384"},
    {15, "ED25519"},
    {16, "ED448"},
};

}  // namespace

std::string algorithmName(std::uint8_t algorithm) {
    for (const auto& [number, name] : kAlgorithms)
        if (number == algorithm) return name;
    return "algorithm " + std::to_string(algorithm);
}

std::optional<std::uint8_t> algorithmNumber(const std::string& name) {
    for (const auto& [number, known] : kAlgorithms)
        if (name == known) return number;
    return std::nullopt;
}

bool knownAlgorithm(std::uint8_t algorithm) {
    return algorithmNumber(algorithmName(algorithm)).has_value();
}

bool isRsa(std::uint8_t algorithm) {
    return algorithm == 1 || algorithm == 5 || algorithm == 7 || algorithm == 8 || algorithm == 10;
}
bool isEcdsa(std::uint8_t algorithm) {
    return algorithm == 13 || algorithm == 14;
}
bool isEddsa(std::uint8_t algorithm) {
    return algorithm == 15 || algorithm == 16;
}

bool Key::operator==(const Key& other) const {
    return keyIdentifier == other.keyIdentifier && keyTag == other.keyTag && ttl == other.ttl &&
           flags == other.flags && protocol == other.protocol && algorithm == other.algorithm &&
           publicKey == other.publicKey;
}

std::string Key::describe() const {
    return std::to_string(keyTag) + "/" + keyIdentifier;
}

bool AlgorithmPolicy::operator==(const AlgorithmPolicy& other) const {
    return algorithm == other.algorithm && size == other.size &&
           (!isRsa(algorithm) || exponent == other.exponent);
}

std::string Bundle::describe() const {
    return "id=" + id.substr(0, 8) + " " + formatTimeWithoutZone(inception).substr(0, 10) + "->" +
           formatTimeWithoutZone(expiration).substr(0, 10);
}

}  // namespace quorum::host::dnssec
