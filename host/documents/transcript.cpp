#include "host/documents/transcript.hpp"

#include <cctype>
#include <initializer_list>
#include <ctime>
#include <sstream>

#include <json/json.h>

#include "host/documents/json_document.hpp"
#include "host/documents/pgp_words.hpp"

namespace quorum::host {

namespace {

const JsonDocument<TranscriptError> kDocument("transcript");

constexpr std::size_t kSha256Hex = 64;

template <typename Outcome>
Outcome outcomeNamed(const std::string& name, std::initializer_list<Outcome> outcomes, const std::string& where) {
    for (Outcome outcome : outcomes)
        if (name == outcomeName(outcome)) return outcome;
    kDocument.fail(where + "\"outcome\" \"" + name + "\" is not an outcome");
}

std::vector<std::string> stringList(const Json::Value& object, const char* key, const std::string& where) {
    const Json::Value& list = kDocument.require(object, key, where);
    if (!list.isArray()) kDocument.fail(where + "\"" + key + "\" is not a list");
    std::vector<std::string> strings;
    for (const Json::Value& item : list) {
        if (!item.isString()) kDocument.fail(where + "\"" + key + "\" holds something that is not a string");
        strings.push_back(item.asString());
    }
    return strings;
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// Where a run of `length` hex digits (and no more) starts in `text` at or after `from`.
std::size_t findHexRun(const std::string& text, std::size_t length, std::size_t from = 0) {
    std::size_t run = 0;
    for (std::size_t i = from; i <= text.size(); ++i) {
        if (i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i]))) {
            ++run;
            continue;
        }
        if (run == length) return i - run;
        run = 0;
    }
    return std::string::npos;
}

// A continuation of the PGP words that start at `column` on the line before: as many spaces, then
// words.
bool continuesWords(const std::string& line, std::size_t column) {
    if (column == 0 || line.size() <= column || line[column] == ' ') return false;
    return line.find_first_not_of(' ') == column;
}

std::string runSummary(const Transcript& t) {
    for (const TranscriptStep& step : t.steps) {
        if (step.outcome == StepOutcome::Done) continue;
        const std::string at = " at step " + std::to_string(step.number) + " of " + std::to_string(t.steps.size());
        switch (t.outcome) {
            case RunOutcome::Failed: return "failed" + at;
            case RunOutcome::Stopped: return "stopped" + at;
            case RunOutcome::InProgress:
                return "in progress: this transcript was written before step " + std::to_string(step.number) +
                       " ended; if the run is not going on any more, it ended there without finishing";
            case RunOutcome::Done: break;
        }
    }
    const std::string count = std::to_string(t.steps.size());
    return std::string(outcomeName(t.outcome)) + " (" + count + " of " + count + " steps done)";
}

}  // namespace

const char* outcomeName(StepOutcome outcome) {
    switch (outcome) {
        case StepOutcome::NotRun: return "not run";
        case StepOutcome::Done: return "done";
        case StepOutcome::Failed: return "failed";
        case StepOutcome::Stopped: return "stopped";
    }
    return "?";
}

const char* outcomeName(RunOutcome outcome) {
    switch (outcome) {
        case RunOutcome::InProgress: return "in progress";
        case RunOutcome::Done: return "done";
        case RunOutcome::Failed: return "failed";
        case RunOutcome::Stopped: return "stopped";
    }
    return "?";
}

std::string Transcript::toJson() const {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    root["title"] = title;
    Json::Value script(Json::objectValue);
    script["path"] = scriptPath;
    script["sha256"] = toHex(scriptSha256);
    root["script"] = script;
    root["started"] = started;
    root["ended"] = ended;
    root["outcome"] = outcomeName(outcome);
    root["confirmed_by"] = confirmedByYes ? "--yes" : "typed";
    root["last_audit_hash"] = lastAuditHash;
    Json::Value list(Json::arrayValue);
    for (const TranscriptStep& step : steps) {
        Json::Value s(Json::objectValue);
        s["number"] = step.number;
        s["command"] = step.command;
        s["started"] = step.started;
        s["ended"] = step.ended;
        s["outcome"] = outcomeName(step.outcome);
        if (!step.error.empty()) s["error"] = step.error;
        Json::Value fingerprints(Json::arrayValue);
        for (const std::string& line : step.fingerprints) fingerprints.append(line);
        s["fingerprints"] = fingerprints;
        s["output"] = step.output;
        list.append(s);
    }
    root["steps"] = list;
    return jsonText(root);
}

Transcript Transcript::fromJson(const std::string& text) {
    const Json::Value root = kDocument.parse(text);
    if (kDocument.string(root, "format") != kFormat) kDocument.fail(std::string("\"format\" is not \"") + kFormat + "\"");
    if (kDocument.integer(root, "version") != kVersion)
        kDocument.fail("this program reads version " + std::to_string(kVersion) + " only");
    Transcript t;
    t.title = kDocument.string(root, "title");
    const Json::Value& script = kDocument.require(root, "script");
    t.scriptPath = kDocument.string(script, "path", "script: ");
    t.scriptSha256 = kDocument.hex(script, "sha256", "script: ");
    t.started = kDocument.string(root, "started");
    t.ended = kDocument.string(root, "ended");
    t.outcome = outcomeNamed(kDocument.string(root, "outcome"),
                             {RunOutcome::InProgress, RunOutcome::Done, RunOutcome::Failed, RunOutcome::Stopped}, "");
    const std::string confirmedBy = kDocument.string(root, "confirmed_by");
    if (confirmedBy != "typed" && confirmedBy != "--yes") kDocument.fail("\"confirmed_by\" is not \"typed\" or \"--yes\"");
    t.confirmedByYes = confirmedBy == "--yes";
    t.lastAuditHash = kDocument.string(root, "last_audit_hash");
    const Json::Value& steps = kDocument.require(root, "steps");
    if (!steps.isArray()) kDocument.fail("\"steps\" is not a list");
    for (Json::ArrayIndex i = 0; i < steps.size(); ++i) {
        const std::string where = "steps[" + std::to_string(i) + "]: ";
        const Json::Value& s = steps[i];
        TranscriptStep step;
        step.number = kDocument.integer(s, "number", where);
        step.command = kDocument.string(s, "command", where);
        step.started = kDocument.string(s, "started", where);
        step.ended = kDocument.string(s, "ended", where);
        step.outcome = outcomeNamed(kDocument.string(s, "outcome", where),
                                    {StepOutcome::NotRun, StepOutcome::Done, StepOutcome::Failed, StepOutcome::Stopped},
                                    where);
        if (s.isMember("error")) step.error = kDocument.string(s, "error", where);
        step.fingerprints = stringList(s, "fingerprints", where);
        step.output = kDocument.string(s, "output", where);
        t.steps.push_back(std::move(step));
    }
    return t;
}

std::string Transcript::toText() const {
    std::ostringstream text;
    text << "CEREMONY TRANSCRIPT" << (title.empty() ? "" : ": " + title) << "\n\n"
         << "Script:   " << scriptPath << "\n  SHA-256: " << toHex(scriptSha256)
         << "\n  read aloud: " << pgpWordLines(scriptSha256, std::string(14, ' ')) << "\n"
         << "Started:  " << started << " (UTC)\n"
         << "Each step confirmed: "
         << (confirmedByYes ? "beforehand, with --yes (nobody typed a confirmation)" : "typed at the terminal before it ran")
         << "\n"
         << "Steps:    " << steps.size() << "\n";
    for (const TranscriptStep& step : steps) {
        text << "\n" << heading(step) << "\n";
        if (!step.started.empty()) text << "  started " << step.started << ", ended " << step.ended << "\n";
        text << "  outcome: " << outcomeName(step.outcome) << "\n";
        if (!step.error.empty()) text << "  error: " << step.error << "\n";
        if (!step.fingerprints.empty()) {
            text << "  fingerprints shown:\n";
            for (const std::string& line : step.fingerprints) text << "    " << line << "\n";
        }
        if (step.outcome == StepOutcome::NotRun && step.output.empty()) continue;
        text << "  ---- what the step showed on the screen ----\n";
        for (const std::string& line : linesOf(step.output)) text << "  | " << line << "\n";
        text << "  ---- end of step " << step.number << " ----\n";
    }
    text << "\nEnded:    " << (ended.empty() ? "(not yet)" : ended + " (UTC)") << "\n"
         << "Outcome:  " << runSummary(*this) << "\n";
    if (lastAuditHash.size() == kSha256Hex)
        text << "Last audit log hash shown: " << lastAuditHash
             << "\n  read aloud: " << pgpWordLines(fromHex(lastAuditHash), std::string(14, ' ')) << "\n";
    else
        text << "No step showed an audit log hash.\n";
    text << "\nWitnesses: we saw the steps above run as this transcript shows.\n\n";
    for (int i = 0; i < 3; ++i) text << "  Name: ________________________  Signature: ________________________\n\n";
    return text.str();
}

std::string Transcript::heading(const TranscriptStep& step) const {
    return "Step " + std::to_string(step.number) + " of " + std::to_string(steps.size()) + ": " + step.command;
}

std::vector<std::string> fingerprintLines(const std::string& output) {
    const std::vector<std::string> lines = linesOf(output);
    std::vector<std::string> found;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const auto aloud = line.find("read aloud");
        if (aloud != std::string::npos) {
            const auto colon = line.find(':', aloud);
            const std::size_t column = colon == std::string::npos ? 0 : line.find_first_not_of(' ', colon + 1);
            std::string words = trimmed(line);
            while (i + 1 < lines.size() && continuesWords(lines[i + 1], column)) words += " " + trimmed(lines[++i]);
            found.push_back(words);
        } else if (line.find("SHA-256") != std::string::npos && findHexRun(line, kSha256Hex) != std::string::npos) {
            found.push_back(trimmed(line));
        }
    }
    return found;
}

std::string lastAuditHash(const std::string& output) {
    static const std::string kLabel = "last entry SHA-256";
    std::string hash;
    for (auto at = output.find(kLabel); at != std::string::npos; at = output.find(kLabel, at + 1)) {
        std::size_t start = at + kLabel.size();
        if (start < output.size() && output[start] == ':') ++start;
        while (start < output.size() && output[start] == ' ') ++start;
        if (findHexRun(output, kSha256Hex, start) == start) hash = output.substr(start, kSha256Hex);
    }
    return hash;
}

std::string utcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    char text[32] = "";
    if (::gmtime_r(&now, &utc) == nullptr || std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        throw FatalError("cannot tell the time in UTC");
    return text;
}

}  // namespace quorum::host
