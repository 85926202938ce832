// quorum-conformance: runs the cases of docs/apdu-spec.md against whatever card is in a PC/SC
// reader - the card model in a virtual reader, or a port on a Java Card or secure element - and
// says, case by case, where the card keeps to the spec and where it does not.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apdu/status.hpp"
#include "conformance/cases.hpp"
#include "conformance/report.hpp"
#include "conformance/test_values.hpp"
#include "host/base/file_io.hpp"
#include "host/card/card_link.hpp"
#include "host/ceremonies/ceremony_files.hpp"
#include "host/ceremonies/secret_input.hpp"
#include "host/documents/json_document.hpp"
#include "host/pcsc/channel.hpp"
#include "host/pcsc/context.hpp"
#include "host/pcsc/errors.hpp"
#include "protocol/commands.hpp"
#include "protocol/fci.hpp"
#include "protocol/identifiers.hpp"

namespace {

using namespace quorum;
using namespace quorum::conformance;

constexpr const char* kVectorFormat = "quorum-conformance-vector/1";

struct Options {
    std::string reader;
    std::string ceremony;
    std::string passphraseFile;
    std::string hostPassphraseFile;
    std::string state = "blank";
    std::string scheme = "shamir";
    bool allowDestructive = false;
    bool retire = false;
    std::string testCard;
    std::string junit;
    std::string json;
    std::string record;
    std::string replay;
    int index = 1;
    bool requireAll = false;
};

class UsageProblem : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One vector file: a case's steps.
struct Vector {
    std::string file;
    Case meta;
    std::vector<Step> steps;
};

using VectorDocument = host::JsonDocument<UsageProblem>;

std::vector<Vector> readVectors(const std::string& folder) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
        if (entry.path().extension() == ".json" && entry.path().filename() != "test-values.json")
            files.push_back(entry.path().string());
    if (ec) throw UsageProblem("cannot read the vector folder " + folder + ": " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw UsageProblem("no vector files (NNN-case.json) in " + folder);
    std::vector<Vector> vectors;
    for (const auto& file : files) {
        const VectorDocument document("vector " + file);
        const Json::Value root = document.parse(host::readWholeFile(file, "vector"));
        if (document.string(root, "format") != kVectorFormat)
            document.fail(std::string("\"format\" is not ") + kVectorFormat);
        Vector v{file, {document.string(root, "case"), document.string(root, "section"), document.string(root, "title"),
                        root.get("destructive", false).asBool(), {}},
                 {}};
        try {
            for (const auto& step : document.require(root, "steps")) v.steps.push_back(Step::fromJson(step));
        } catch (const PatternError& e) {
            document.fail(e.what());
        }
        vectors.push_back(std::move(v));
    }
    return vectors;
}

void writeVector(const std::string& folder, std::size_t number, const Case& c, const std::vector<Step>& steps) {
    Json::Value root(Json::objectValue);
    root["format"] = kVectorFormat;
    root["case"] = c.id;
    root["section"] = c.section;
    root["title"] = c.title;
    root["destructive"] = c.destructive;
    Json::Value list(Json::arrayValue);
    for (const auto& step : steps) list.append(step.toJson());
    root["steps"] = list;
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%03zu-", number);
    host::replaceFile(folder + "/" + prefix + c.id + ".json", host::jsonText(root), 0644, "vector");
}

// What the card says about itself before anything runs (not part of any case or vector).
struct Preflight {
    protocol::Fci fci;
    bool hasCertificate = false;
};

Preflight preflight(host::PcscCard& card) {
    host::PcscChannel raw(card);
    host::CardLink link(raw);
    const auto selected = link.transmit(protocol::command::select());
    if (!selected.ok() && selected.sw != apdu::sw::kSelectedFileTerminated)
        throw UsageProblem("the card in " + card.reader() + " does not select the quorum application (" +
                           apdu::sw::name(selected.sw) + "): is the applet installed?");
    Preflight p;
    try {
        p.fci = protocol::Fci::decode(selected.data);
    } catch (const std::exception& e) {
        throw UsageProblem(std::string("the card's FCI cannot be read, so no case can run: ") + e.what());
    }
    p.hasCertificate = link.transmit(protocol::command::getData(protocol::tag::kCertificateStore)).ok();
    link.transmit(protocol::command::select());  // leaves no pending answer behind
    return p;
}

void checkState(const Options& o, const Preflight& p) {
    const std::string actual = p.fci.lifecycleName();
    const bool blank = p.fci.is(protocol::Lifecycle::Blank) && !p.hasCertificate;
    if (o.state == "blank" && !blank)
        throw UsageProblem("--state blank, but the card is " + actual +
                           (p.hasCertificate ? " with a certificate (issued already)" : "") +
                           ": the full run needs a card fresh from the factory; for this card give --state " +
                           (p.fci.is(protocol::Lifecycle::Operational) ? "operational" : "issued"));
    if (o.state == "issued" && !p.fci.is(protocol::Lifecycle::Personalized) && !p.fci.is(protocol::Lifecycle::Blank))
        throw UsageProblem("--state issued, but the card is " + actual);
    if (o.state == "operational" && !p.fci.is(protocol::Lifecycle::Operational))
        throw UsageProblem("--state operational, but the card is " + actual);
}

void checkDestructive(const Options& o, const Preflight& p, bool anyDestructive) {
    if (!o.allowDestructive || !anyDestructive) return;
    const std::string id = toHex(p.fci.cardId);
    std::string named = o.testCard;
    std::transform(named.begin(), named.end(), named.begin(), ::toupper);
    if (named.empty())
        throw UsageProblem("--allow-destructive blocks the card's PIN and terminates (or retires) it for good: say which card is a "
                           "test card with --test-card CARDID (the card in this reader has id " + id + ")");
    if (named != id)
        throw UsageProblem("--test-card " + o.testCard + " names another card: the card in " + o.reader + " has id " + id +
                           "; nothing was run");
}

int run(const Options& o) {
    if (!o.record.empty() && !o.replay.empty()) throw UsageProblem("--record and --replay exclude each other");
    if (o.scheme != "shamir" && o.scheme != "shoup" && o.scheme != "reshare")
        throw UsageProblem("--scheme is shamir, shoup or reshare");
    if (o.retire && !o.allowDestructive) throw UsageProblem("--retire ends the card: it needs --allow-destructive --test-card CARDID");

    const host::CeremonyFiles files(o.ceremony);
    const host::FolderTrust trust = [&] {
        if (o.hostPassphraseFile.empty())
            throw UsageProblem("--host-passphrase-file: the test ceremony's host key opens the SCP11a sessions");
        const Bytes secret = host::SecretReader::fromFile(o.hostPassphraseFile, "host passphrase")->next("");
        std::string passphrase(secret.begin(), secret.end());
        try {
            host::FolderTrust loaded(files, passphrase);
            secureZero(passphrase.data(), passphrase.size());
            return loaded;
        } catch (...) {
            secureZero(passphrase.data(), passphrase.size());
            throw;
        }
    }();
    std::optional<crypto::CeremonyCa> ca;
    if (!o.passphraseFile.empty()) {
        std::string passphrase = host::readWholeFile(o.passphraseFile, "passphrase file");
        while (!passphrase.empty() && (passphrase.back() == '\n' || passphrase.back() == '\r')) passphrase.pop_back();
        ca.emplace(files.loadCa(passphrase));
        secureZero(passphrase.data(), passphrase.size());
    }

    std::vector<Vector> vectors;
    if (!o.replay.empty()) vectors = readVectors(o.replay);

    host::PcscContext context;
    const auto readers = context.listReaders();
    if (std::find(readers.begin(), readers.end(), o.reader) == readers.end()) {
        std::string known;
        for (const auto& r : readers) known += "\n  " + r;
        throw UsageProblem("no reader \"" + o.reader + "\"; the readers are:" + (known.empty() ? " none" : known));
    }
    host::PcscCard card(context, o.reader, host::ShareMode::Exclusive);
    const Preflight p = preflight(card);
    if (o.replay.empty()) checkState(o, p);
    else if (!(p.fci.is(protocol::Lifecycle::Blank) && !p.hasCertificate))
        throw UsageProblem("the vectors start from a BLANK card without a certificate; this card is " + p.fci.lifecycleName());
    const bool anyDestructive = o.replay.empty() ? true
                                                 : std::any_of(vectors.begin(), vectors.end(),
                                                               [](const Vector& v) { return v.meta.destructive; });
    checkDestructive(o, p, anyDestructive);
    const bool blank = p.fci.is(protocol::Lifecycle::Blank) && !p.hasCertificate;
    if (blank && !ca)
        throw UsageProblem("a BLANK card is issued by the ceremony's CA: give its passphrase with --passphrase-file");

    Values testValues = o.replay.empty() ? makeTestValues()
                                         : testValuesFrom(VectorDocument("test values").parse(
                                               host::readWholeFile(o.replay + "/test-values.json", "test values")));
    Values values = testValues;
    for (auto& [name, value] : ceremonyValues(trust.ca, trust.host)) values[name] = value;

    const HostSide hostSide{trust.host, ca ? &*ca : nullptr, o.index};
    Conversation conversation(card, hostSide, values);
    CardProgress progress;
    progress.startedBlank = blank;
    progress.answersGetData = !(p.fci.is(protocol::Lifecycle::Personalized) && p.fci.pinPolicy &&
                                p.fci.pinPolicy->changeBeforeUse);
    progress.destructiveAllowed = o.allowDestructive;
    progress.scheme = o.scheme;
    progress.retire = o.retire;

    const RunInfo info{o.reader, toHex(p.fci.cardId), p.fci.lifecycleName(),
                       o.replay.empty() ? "cases (" + o.scheme + ")" : "replay of " + o.replay};
    std::cout << "quorum-conformance: card " << info.cardId << " (" << info.cardState << ") in " << o.reader << ", "
              << info.mode << "\n\n";

    std::vector<CaseResult> results;
    std::vector<std::pair<const Case*, std::vector<Step>>> recorded;
    auto runOne = [&](const Case& c, const std::function<void(CaseContext&)>& body) {
        CaseResult r{c.id, c.section, c.title, Outcome::Pass, {}, 0};
        const auto start = std::chrono::steady_clock::now();
        CaseContext ctx(conversation, progress);
        try {
            if (c.destructive && !o.allowDestructive)
                throw CaseSkipped("destructive: runs only with --allow-destructive --test-card CARDID");
            body(ctx);
        } catch (const CaseSkipped& e) {
            r.outcome = Outcome::Skip;
            r.reason = e.what();
        } catch (const StepFailure& e) {
            r.outcome = Outcome::Fail;
            r.reason = e.what();
        } catch (const host::Error& e) {
            r.outcome = Outcome::Fail;
            r.reason = e.what();
        }
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        auto steps = conversation.takeSteps();
        if (r.outcome == Outcome::Pass) recorded.emplace_back(&c, std::move(steps));
        printResult(std::cout, r);
        results.push_back(std::move(r));
    };
    if (o.replay.empty()) {
        for (const auto& c : allCases()) runOne(c, c.body);
    } else {
        for (const auto& v : vectors)
            runOne(v.meta, [&](CaseContext&) {
                for (const auto& step : v.steps) conversation.run(step);
            });
    }
    printSummary(std::cout, results);

    if (!o.junit.empty()) writeJunit(o.junit, info, results);
    if (!o.json.empty()) writeJson(o.json, info, results);
    const Tally t = tally(results);
    if (!o.record.empty()) {
        if (t.failed > 0) {
            std::cout << "vectors not written to " << o.record << ": they are recorded only from a run without failures\n";
        } else {
            std::filesystem::create_directories(o.record);
            std::size_t number = 0;
            for (const auto& [c, steps] : recorded) writeVector(o.record, ++number, *c, steps);
            host::replaceFile(o.record + "/test-values.json", host::jsonText(testValuesJson(testValues)), 0644,
                              "test values");
            std::cout << recorded.size() << " vectors written to " << o.record << "\n";
        }
    }
    if (t.failed > 0) return 1;
    if (o.requireAll && t.skipped > 0) return 3;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"quorum-conformance: the cases of docs/apdu-spec.md against the card in a PC/SC reader",
                 "quorum-conformance"};
    Options o;
    app.add_option("--reader", o.reader, "The PC/SC reader holding the card (ceremony readers lists them)")->required();
    app.add_option("--ceremony", o.ceremony, "A test ceremony's folder (ceremony ca-create): its CA and host credentials")
        ->required();
    app.add_option("--passphrase-file", o.passphraseFile, "The CA key's passphrase: needed to issue a BLANK card");
    app.add_option("--host-passphrase-file", o.hostPassphraseFile,
                   "The passphrase of the test ceremony's host key (file mode 600)")
        ->required();
    app.add_option("--state", o.state, "The state the card is in: blank (every case), issued or operational")
        ->check(CLI::IsMember({"blank", "issued", "operational"}));
    app.add_option("--scheme", o.scheme,
                   "Which test share a BLANK card gets: shamir (PUT DATA, GET SHARE), shoup (PARTIAL SIGN) or reshare "
                   "(RESHARE IN, GET SHARE)")
        ->check(CLI::IsMember({"shamir", "shoup", "reshare"}));
    app.add_flag("--allow-destructive", o.allowDestructive, "Also block the PIN, terminate and wipe (needs --test-card)");
    app.add_flag("--retire", o.retire, "End the destructive cases with RETIRE instead of terminating the card");
    app.add_option("--test-card", o.testCard, "The id (32 hex digits) of the card, confirming it is a test card");
    app.add_option("--index", o.index, "The card index the CA certifies a BLANK card with")->check(CLI::Range(1, 255));
    app.add_option("--junit", o.junit, "Write a JUnit XML report here");
    app.add_option("--json", o.json, "Write a JSON report here");
    app.add_option("--record", o.record, "Write every case's conversation as vector files into this folder");
    app.add_option("--replay", o.replay, "Run the vector files of this folder instead of the cases");
    app.add_flag("--require-all", o.requireAll, "Exit 3 when a case did not run");
    CLI11_PARSE(app, argc, argv);
    try {
        return run(o);
    } catch (const UsageProblem& e) {
        std::cerr << "quorum-conformance: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "quorum-conformance: " << e.what() << "\n";
        return 2;
    }
}
