#include "conformance/report.hpp"

#include <iomanip>
#include <sstream>

#include <json/value.h>

#include "host/base/file_io.hpp"
#include "host/documents/json_document.hpp"

namespace quorum::conformance {

namespace {

const char* word(Outcome outcome) {
    switch (outcome) {
        case Outcome::Pass: return "PASS";
        case Outcome::Fail: return "FAIL";
        case Outcome::Skip: return "SKIP";
    }
    return "?";
}

std::string xmlEscaped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

Tally tally(const std::vector<CaseResult>& results) {
    Tally t;
    for (const auto& r : results) {
        if (r.outcome == Outcome::Pass) ++t.passed;
        else if (r.outcome == Outcome::Fail) ++t.failed;
        else ++t.skipped;
    }
    return t;
}

void printResult(std::ostream& out, const CaseResult& r) {
    out << word(r.outcome) << "  " << std::left << std::setw(28) << r.id << " " << r.title
        << "  [docs/apdu-spec.md" << r.section << "]\n";
    if (!r.reason.empty()) out << "      " << (r.outcome == Outcome::Fail ? "" : "not run: ") << r.reason << "\n";
}

void printSummary(std::ostream& out, const std::vector<CaseResult>& results) {
    const Tally t = tally(results);
    out << "\n" << t.passed << " passed, " << t.failed << " failed, " << t.skipped << " skipped (of "
        << results.size() << " cases)\n";
    if (t.failed > 0) out << "NOT CONFORMANT: the failed cases above name the spec section each breaks.\n";
    else if (t.skipped > 0)
        out << "No case failed, but " << t.skipped
            << " did not run: they are not passes (see each one's reason; --require-all makes them fail the run).\n";
    else out << "CONFORMANT in every case.\n";
}

void writeJunit(const std::string& path, const RunInfo& info, const std::vector<CaseResult>& results) {
    const Tally t = tally(results);
    double total = 0;
    for (const auto& r : results) total += r.seconds;
    std::ostringstream xml;
    xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<testsuite name=\"quorum-conformance\" tests=\"" << results.size() << "\" failures=\"" << t.failed
        << "\" errors=\"0\" skipped=\"" << t.skipped << "\" time=\"" << total << "\">\n"
        << "  <properties>\n"
        << "    <property name=\"reader\" value=\"" << xmlEscaped(info.reader) << "\"/>\n"
        << "    <property name=\"card\" value=\"" << xmlEscaped(info.cardId) << "\"/>\n"
        << "    <property name=\"mode\" value=\"" << xmlEscaped(info.mode) << "\"/>\n"
        << "  </properties>\n";
    for (const auto& r : results) {
        const std::string group = r.id.substr(0, r.id.find('.'));
        xml << "  <testcase classname=\"" << xmlEscaped(group) << "\" name=\"" << xmlEscaped(r.id) << "\" time=\""
            << r.seconds << "\"";
        if (r.outcome == Outcome::Pass) {
            xml << "/>\n";
            continue;
        }
        xml << ">\n";
        if (r.outcome == Outcome::Fail)
            xml << "    <failure message=\"" << xmlEscaped(r.reason) << "\">docs/apdu-spec.md" << xmlEscaped(r.section)
                << ": " << xmlEscaped(r.title) << "</failure>\n";
        else xml << "    <skipped message=\"" << xmlEscaped(r.reason) << "\"/>\n";
        xml << "  </testcase>\n";
    }
    xml << "</testsuite>\n";
    host::replaceFile(path, xml.str(), 0644, "JUnit report");
}

void writeJson(const std::string& path, const RunInfo& info, const std::vector<CaseResult>& results) {
    Json::Value root(Json::objectValue);
    root["format"] = "quorum-conformance-report/1";
    root["reader"] = info.reader;
    root["card_id"] = info.cardId;
    root["card_state"] = info.cardState;
    root["mode"] = info.mode;
    const Tally t = tally(results);
    root["passed"] = t.passed;
    root["failed"] = t.failed;
    root["skipped"] = t.skipped;
    Json::Value cases(Json::arrayValue);
    for (const auto& r : results) {
        Json::Value c(Json::objectValue);
        c["id"] = r.id;
        c["section"] = "docs/apdu-spec.md" + r.section;
        c["title"] = r.title;
        c["outcome"] = word(r.outcome);
        if (!r.reason.empty()) c["reason"] = r.reason;
        c["seconds"] = r.seconds;
        cases.append(c);
    }
    root["cases"] = cases;
    host::replaceFile(path, host::jsonText(root), 0644, "JSON report");
}

}  // namespace quorum::conformance
