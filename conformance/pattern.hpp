// The little language of the conformance vectors: command templates and response patterns over
// named values (docs/porting.md, "The vectors", for people porting the card).
//
//   template  "00 A4 04 00 0B {aid} 00"     hex bytes; {name} the bytes of a known value,
//                                           {name[a:b]} bytes a..b-1 of it
//   pattern   "6F .. 84 0B {aid} A5 .. {card_id:16} {*} 90 00"
//             adds  ..         any one byte
//                   {name:N}   N bytes: bound to `name` the first time, compared with it after
//                   {!name:N}  N bytes bound to `name` anew (a value the card replaces)
//                   {name}     a known value: exactly its bytes; an unknown one: what is left
//                   {*}        whatever is left (at most one open-ended item per pattern)
//                   A | B      either pattern
//
// Patterns stay honest: every byte a card must get right is either written out or bound to a
// name that later steps compare with; only values that are random by nature are left open.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::conformance {

// Values known by name: some given before the run (test values, the ceremony's certificates),
// the others bound by patterns as the card answers.
using Values = std::map<std::string, Bytes>;

// A template or pattern that cannot be read, or that names a value nobody gave.
class PatternError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The bytes of `text` with every {name} filled in from `values`.
Bytes fill(const std::string& text, const Values& values);

// Empty when `actual` fits `pattern`, binding its new names in `values`; otherwise what does not
// fit, in words ("byte 3 is 01, expected 07"), and `values` is left as it was.
std::string mismatch(const std::string& pattern, const Bytes& actual, Values& values);

}  // namespace quorum::conformance
