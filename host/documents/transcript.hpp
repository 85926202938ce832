// The transcript of a scripted ceremony (`ceremony run`): which script ran, each step's command
// line, when it ran, everything it showed the people in the room and how it ended - for the
// witnesses to read, compare with what they saw, and sign. One document, two renderings:
// PREFIX.txt for people, PREFIX.json for programs:
//
//   {
//     "format": "quorum-ceremony-transcript", "version": 1,
//     "title": "KSK ceremony 2027-Q1" (or ""), "script": {"path": "...", "sha256": hex},
//     "started": "2027-01-12T03:00:00Z", "ended": UTC time ("" while the run goes on),
//     "outcome": "in progress" | "done" | "failed" | "stopped",
//     "confirmed_by": "typed" | "--yes", "last_audit_hash": hex (or "" when no step showed one),
//     "steps": [{"number": 1, "command": "sign --ceremony ...", "started": UTC time or "",
//                "ended": UTC time or "", "outcome": "done" | "failed" | "stopped" | "not run",
//                "error": "..." (only when there was one), "fingerprints": ["..."], "output": "..."}]
//   }
//
// Times are UTC, ISO 8601 to the second. A step is "stopped" when Ctrl-C (or a signal) ended it
// or the administrator answered "no" before it; a run is "in progress" in a transcript written
// while it went on (after each step), so one left "in progress" ended without finishing.
#pragma once

#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "host/base/error.hpp"

namespace quorum::host {

// A transcript that cannot be read back; the message names the field and the problem.
class TranscriptError : public FatalError {
public:
    using FatalError::FatalError;
};

enum class StepOutcome { NotRun, Done, Failed, Stopped };
enum class RunOutcome { InProgress, Done, Failed, Stopped };
// "not run", "done", "failed", "stopped"; "in progress" for a run.
const char* outcomeName(StepOutcome outcome);
const char* outcomeName(RunOutcome outcome);

struct TranscriptStep {
    int number = 0;
    std::string command;  // the step's line of the script
    std::string started;
    std::string ended;
    StepOutcome outcome = StepOutcome::NotRun;
    std::string error;
    std::vector<std::string> fingerprints;  // fingerprintLines(output)
    std::string output;                     // what the step showed on the screen
};

struct Transcript {
    static constexpr const char* kFormat = "quorum-ceremony-transcript";
    static constexpr int kVersion = 1;

    std::string title;
    std::string scriptPath;
    Bytes scriptSha256;
    std::string started;
    std::string ended;
    RunOutcome outcome = RunOutcome::InProgress;
    bool confirmedByYes = false;  // --yes: nobody typed a confirmation
    std::string lastAuditHash;
    std::vector<TranscriptStep> steps;

    std::string toJson() const;
    // Strict: every field present and of its type, outcomes and times as written.
    static Transcript fromJson(const std::string& text);
    // For people: the header, each step with its screen output, the end, lines for the witnesses.
    std::string toText() const;
    // "Step N of M: COMMAND", as the screen and the transcript name a step.
    std::string heading(const TranscriptStep& step) const;
};

// The lines of a step's screen output that show what people were asked to compare: each line
// with a SHA-256 in hex, and each "read aloud" line with its indented continuation lines (the
// rest of its PGP words), joined into one line. Trimmed, in screen order.
std::vector<std::string> fingerprintLines(const std::string& output);

// The hash in the last "last entry SHA-256 HEX" (or "last entry SHA-256: HEX") line of `output`,
// as it shows; "" when there is none.
std::string lastAuditHash(const std::string& output);

// The current time as a transcript writes it: 2027-01-12T03:00:00Z.
std::string utcNow();

}  // namespace quorum::host
