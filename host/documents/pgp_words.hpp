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

// The words of `data` in lines of 8 (a SHA-256 is 4 lines), every line after the first starting
// with `indent`: for reading aloud and writing down.
std::string pgpWordLines(const Bytes& data, const std::string& indent);

// A fingerprint as people wrote it down: `size` bytes as hex (either case; spaces and colons
// ignored) or as `size` PGP words (either case, any spacing). Tolerant of case and spacing,
// never of a word: a word that is not in the list, a word of the wrong list for its place (a
// word dropped or repeated before it) or a wrong count is refused. Throws std::invalid_argument
// saying what was wrong and where.
Bytes parseFingerprint(const std::string& text, std::size_t size);

}  // namespace quorum::host
