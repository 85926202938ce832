// A ceremony script, as `ceremony run SCRIPT` reads it: the steps of a ceremony in the order the
// people in the room will follow them, one per line.
//
//   # Comments (lines whose first character that is not a space is #) and blank lines are ignored.
//   title: KSK ceremony 2027-Q1, card set A
//   sign --ceremony /srv/c --manifest /srv/c/set.json --in ksr.xml --out ksr.sig
//   audit-verify --log /srv/c/audit.log
//
// An optional `title: TEXT` comes before the first step. A step is the name of a `ceremony`
// subcommand - keygen, sign, partial-sign, combine, ksr-sign, sign-rrset, dnskey, cards or
// audit-verify - and its arguments exactly as
// that command takes them, in words as a shell would split them, in part: spaces and tabs
// separate words; double quotes group words ("a b" is one word, "" an empty one); a backslash
// makes the next character plain, inside double quotes too (\" \\ \#). Nothing else is special:
// no variables, no globs, no comment after a step (a # there is a plain character); a single
// quote is refused, so that a shell habit does not silently split a word.
#pragma once

#include <string>
#include <vector>

namespace quorum::host::cli {

struct ScriptStep {
    int line = 0;                    // in the script, from 1
    std::string text;                // the line as written, without the spaces around it
    std::vector<std::string> words;  // the subcommand's name first
};

struct Script {
    std::string title;
    std::vector<ScriptStep> steps;
};

// The steps of the script `text` read from `path`. UsageError "PATH line N: ..." naming the first
// line that is not a step a script may have, or "PATH has no steps".
Script parseScript(const std::string& path, const std::string& text);

}  // namespace quorum::host::cli
