// The PGP word list (Juola & Zimmermann, 1995): bytes as words that people can read aloud and
// compare, e.g. an audit log's last hash or a certificate's fingerprint at a ceremony.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::host {

// The word for `value` at byte position `position` (0-based): the "even" list of two-syllable
// words at even positions, the "odd" list of three-syllable words at odd ones, so a dropped,
// repeated or swapped word changes the rhythm a listener hears.
const char* pgpWord(std::uint8_t value, std::size_t position);

// One word per byte of `data`, separated by single spaces; "" for no bytes.
std::string pgpWords(const Bytes& data);

}  // namespace quorum::host
