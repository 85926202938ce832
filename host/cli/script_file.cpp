#include "host/cli/script_file.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include "host/base/error.hpp"

namespace quorum::host::cli {

namespace {

// What a script may run: the ceremonies, the set's DNSKEY and card history, and the check of the
// audit log. Not the commands that set a ceremony up or look at readers, and not `run` itself.
constexpr std::array<const char*, 9> kStepNames{"keygen",     "sign",   "partial-sign", "combine", "ksr-sign",
                                                "sign-rrset", "dnskey", "cards",        "audit-verify"};

std::string withoutSpacesAround(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The words of a step line (see script_file.hpp); std::invalid_argument saying what is wrong.
std::vector<std::string> splitWords(const std::string& line) {
    std::vector<std::string> words;
    std::string word;
    bool inWord = false;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            if (i + 1 == line.size()) throw std::invalid_argument("a backslash ends the line: it has nothing to escape");
            word += line[++i];
            inWord = true;
        } else if (c == '"') {
            quoted = !quoted;
            inWord = true;
        } else if (quoted) {
            word += c;
        } else if (c == '\'') {
            throw std::invalid_argument("a single quote: scripts group words with double quotes only (write \\' for "
                                        "the character itself)");
        } else if (c == ' ' || c == '\t') {
            if (inWord) words.push_back(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (quoted) throw std::invalid_argument("a double quote is not closed");
    if (inWord) words.push_back(word);
    return words;
}

std::string stepNames() {
    std::string names;
    for (const char* name : kStepNames) names += (names.empty() ? "" : ", ") + std::string(name);
    return names;
}

}  // namespace

Script parseScript(const std::string& path, const std::string& text) {
    Script script;
    std::istringstream in(text);
    int number = 0;
    for (std::string raw; std::getline(in, raw);) {
        ++number;
        const std::string line = withoutSpacesAround(raw);
        if (line.empty() || line[0] == '#') continue;
        const std::string where = path + " line " + std::to_string(number) + ": ";
        if (line.rfind("title:", 0) == 0) {
            if (!script.steps.empty() || !script.title.empty())
                throw UsageError(where + "the title comes once, before the first step");
            script.title = withoutSpacesAround(line.substr(6));
            if (script.title.empty()) throw UsageError(where + "the title is empty");
            continue;
        }
        ScriptStep step{number, line, {}};
        try {
            step.words = splitWords(line);
        } catch (const std::invalid_argument& e) {
            throw UsageError(where + e.what());
        }
        const std::string& name = step.words.front();
        if (std::find(kStepNames.begin(), kStepNames.end(), name) == kStepNames.end())
            throw UsageError(where + "\"" + name + "\" cannot be a step of a script (the steps: " + stepNames() + ")");
        script.steps.push_back(std::move(step));
    }
    if (script.steps.empty()) throw UsageError(path + " has no steps");
    return script;
}

}  // namespace quorum::host::cli
