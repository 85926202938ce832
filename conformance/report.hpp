// The conformance program's results: a report for people, JUnit XML for CI, JSON for tools.
// A skipped case is never a pass: each outcome is counted on its own.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace quorum::conformance {

enum class Outcome { Pass, Fail, Skip };

struct CaseResult {
    std::string id;
    std::string section;  // docs/apdu-spec.md's heading anchor
    std::string title;
    Outcome outcome = Outcome::Skip;
    std::string reason;   // Fail: the step and what did not fit; Skip: what it would need
    double seconds = 0;
};

// What the report's header says about the run.
struct RunInfo {
    std::string reader;
    std::string cardId;     // hex
    std::string cardState;  // at the start
    std::string mode;       // "cases" or "replay of DIR"
};

struct Tally {
    int passed = 0, failed = 0, skipped = 0;
};
Tally tally(const std::vector<CaseResult>& results);

// One line per case as it finishes: "PASS  iso.cases-short  ... (#transport)".
void printResult(std::ostream& out, const CaseResult& result);
// The totals and what they mean.
void printSummary(std::ostream& out, const std::vector<CaseResult>& results);

// Throws host::FileError naming the file when it cannot be written.
void writeJunit(const std::string& path, const RunInfo& info, const std::vector<CaseResult>& results);
void writeJson(const std::string& path, const RunInfo& info, const std::vector<CaseResult>& results);

}  // namespace quorum::conformance
