// run: a ceremony script (host/cli/script_file.hpp) run step by step in front of the people in the
// room. Every step is parsed by its own command's parser before the first one runs; each is
// confirmed at the terminal (or not, with --yes, which the transcript says), runs exactly as the
// standalone command would, and shows its screen as usual while the screen is also kept for the
// transcript (host/documents/transcript.hpp) that the witnesses sign, written after every step.
#include <filesystem>
#include <iostream>
#include <memory>
#include <streambuf>

#include "crypto/primitives.hpp"
#include "host/base/file_io.hpp"
#include "host/ceremonies/ceremony_context.hpp"
#include "host/ceremonies/console.hpp"
#include "host/ceremonies/output_room.hpp"
#include "host/cli/commands.hpp"
#include "host/cli/script_file.hpp"
#include "host/documents/pgp_words.hpp"
#include "host/documents/transcript.hpp"

namespace quorum::host::cli {

namespace {

// A stream's output goes to its screen as before and is also appended to `captured`, in the order
// written (nothing is buffered here). Secrets never pass: PINs are typed at /dev/tty, not here.
class ScreenTee : public std::streambuf {
public:
    ScreenTee(std::ostream& stream, std::string& captured)
        : stream_(stream), screen_(stream.rdbuf()), captured_(captured) {
        stream_.rdbuf(this);
    }
    ~ScreenTee() override { stream_.rdbuf(screen_); }
    ScreenTee(const ScreenTee&) = delete;
    ScreenTee& operator=(const ScreenTee&) = delete;

protected:
    // A screen that cannot be written to does not stop the record: the result is always success.
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        captured_ += traits_type::to_char_type(c);
        screen_->sputc(traits_type::to_char_type(c));
        return c;
    }
    std::streamsize xsputn(const char* text, std::streamsize size) override {
        captured_.append(text, static_cast<std::size_t>(size));
        screen_->sputn(text, size);
        return size;
    }
    int sync() override { return screen_->pubsync(); }

private:
    std::ostream& stream_;
    std::streambuf* screen_;
    std::string& captured_;
};

// std::cout and std::cerr kept in `captured` while a step runs.
class StepScreen {
public:
    explicit StepScreen(std::string& captured) : out_(std::cout, captured), errors_(std::cerr, captured) {}
    ~StepScreen() { std::cout.flush(); }

private:
    ScreenTee out_;
    ScreenTee errors_;
};

// A step parsed by the command line parser of its subcommand, the way main() parses a command
// line, and ready to run.
struct ParsedStep {
    std::unique_ptr<CLI::App> app = std::make_unique<CLI::App>("ceremony script step", "ceremony");
    Commands commands;
};

std::unique_ptr<ParsedStep> parseStep(const std::string& scriptPath, const ScriptStep& step) {
    auto parsed = std::make_unique<ParsedStep>();
    parsed->app->require_subcommand(1);
    addCeremonyCommands(*parsed->app, parsed->commands);
    addDocumentCommands(*parsed->app, parsed->commands);
    std::vector<std::string> reversed(step.words.rbegin(), step.words.rend());  // as CLI11 wants them
    const std::string where = scriptPath + " line " + std::to_string(step.line) + ": " + step.words.front() + ": ";
    try {
        parsed->app->parse(reversed);
    } catch (const CLI::Success&) {
        throw UsageError(where + "--help is not a step (`ceremony " + step.words.front() + " --help` shows the options)");
    } catch (const CLI::ParseError& e) {
        throw UsageError(where + e.what());
    }
    return parsed;
}

struct RunOptions {
    std::string script;
    std::string transcriptPrefix;
    bool yes = false;
};

// PREFIX.txt and PREFIX.json: UsageError, before anything happens, when either exists already or
// their folder does not.
void checkTranscriptPrefix(const std::string& prefix) {
    const std::filesystem::path path(prefix);
    if (path.filename().empty())
        throw UsageError("--transcript " + prefix + " names a folder: give PREFIX of the files PREFIX.txt and PREFIX.json");
    const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error))
        throw UsageError("--transcript " + prefix + ": the folder " + folder.string() + " does not exist");
    refuseExisting(prefix + ".txt", "transcript");
    refuseExisting(prefix + ".json", "transcript");
}

// Refuses, before the first step, a transcript that would not fit: PREFIX.txt and PREFIX.json,
// each with every step's screen (16 KiB a step, generously), twice while the new one replaces
// the old. Each step checks the room for its own outputs when it starts, as it does alone.
void requireRoomForTranscript(const std::string& prefix, std::size_t steps) {
    const std::uint64_t transcript = 8 * 1024 + static_cast<std::uint64_t>(steps) * 16 * 1024;
    requireRoom({{platform::folderOf(prefix), 4 * transcript, "the transcript"}});
}

void saveTranscript(const std::string& prefix, const Transcript& transcript) {
    replaceFile(prefix + ".json", transcript.toJson(), 0644, "transcript");
    replaceFile(prefix + ".txt", transcript.toText(), 0644, "transcript");
}

void showPlan(const RunOptions& options, const Transcript& transcript) {
    std::cout << "Ceremony script " << options.script
              << (transcript.title.empty() ? "" : " (" + transcript.title + ")") << "\n  its SHA-256: "
              << toHex(transcript.scriptSha256)
              << "\n  read aloud: " << pgpWordLines(transcript.scriptSha256, std::string(14, ' ')) << "\n"
              << "Transcript: " << options.transcriptPrefix << ".txt and " << options.transcriptPrefix
              << ".json, written after every step.\n"
              << transcript.steps.size() << " steps:\n";
    for (const TranscriptStep& step : transcript.steps) std::cout << "  " << transcript.heading(step) << "\n";
    std::cout << (options.yes ? "The steps run one after another without asking (confirmed beforehand: --yes).\n"
                              : "Each step is confirmed at the terminal before it runs.\n")
              << std::flush;
}

// Runs `step` as its command would run alone, its screen kept in `record`. Returns the exit
// code the program would end with.
int runStep(const RunOptions& options, const Transcript& transcript, ParsedStep& step, TranscriptStep& record) {
    std::cout << "\n" << transcript.heading(record) << std::endl;
    record.started = utcNow();
    try {
        throwIfInterrupted();
        if (!options.yes && !Console::current()->confirm("Run step " + std::to_string(record.number) + "?")) {
            record.outcome = StepOutcome::Stopped;
            record.error = "the administrator answered no: the step did not run";
            std::cout << "Stopped before step " << record.number << ": the administrator answered no." << std::endl;
        } else {
            int code = 0;
            {
                const StepScreen screen(record.output);
                code = step.commands.runParsed();
            }
            record.outcome = code == 0 ? StepOutcome::Done : StepOutcome::Failed;
            if (code != 0) record.error = "the step ended with exit code " + std::to_string(code);
        }
    } catch (const std::exception&) {
        const Failure failure = describeFailure(std::current_exception());
        std::cerr << "error: " << failure.message << std::endl;
        record.outcome = failure.exitCode == kExitInterrupted ? StepOutcome::Stopped : StepOutcome::Failed;
        record.error = failure.message;
        record.ended = utcNow();
        return failure.exitCode;
    }
    record.ended = utcNow();
    return record.outcome == StepOutcome::Done ? 0 : kExitFailure;
}

int runScript(const RunOptions& options) {
    checkTranscriptPrefix(options.transcriptPrefix);  // before anything else
    const std::string text = readWholeFile(options.script, "ceremony script");
    const Script script = parseScript(options.script, text);
    std::vector<std::unique_ptr<ParsedStep>> steps;
    for (const ScriptStep& step : script.steps) steps.push_back(parseStep(options.script, step));
    requireConfirmation(options.yes, "each step of the script before it runs");
    requireRoomForTranscript(options.transcriptPrefix, steps.size());

    Transcript transcript;
    transcript.title = script.title;
    transcript.scriptPath = options.script;
    transcript.scriptSha256 = crypto::sha256(Bytes(text.begin(), text.end()));
    transcript.started = utcNow();
    transcript.confirmedByYes = options.yes;
    for (const ScriptStep& step : script.steps) {
        TranscriptStep record;
        record.number = static_cast<int>(transcript.steps.size()) + 1;
        record.command = step.text;
        transcript.steps.push_back(std::move(record));
    }
    showPlan(options, transcript);
    saveTranscript(options.transcriptPrefix, transcript);

    int exitCode = 0;
    for (std::size_t i = 0; i < steps.size() && exitCode == 0; ++i) {
        TranscriptStep& record = transcript.steps[i];
        exitCode = runStep(options, transcript, *steps[i], record);
        record.fingerprints = fingerprintLines(record.output);
        if (const std::string hash = lastAuditHash(record.output); !hash.empty()) transcript.lastAuditHash = hash;
        if (exitCode != 0)
            transcript.outcome = record.outcome == StepOutcome::Stopped ? RunOutcome::Stopped : RunOutcome::Failed;
        else if (i + 1 == steps.size())
            transcript.outcome = RunOutcome::Done;
        if (transcript.outcome != RunOutcome::InProgress) transcript.ended = utcNow();
        saveTranscript(options.transcriptPrefix, transcript);
    }

    std::cout << "\n";
    if (exitCode == 0) std::cout << "Done: " << steps.size() << " of " << steps.size() << " steps.";
    for (const TranscriptStep& step : transcript.steps) {
        if (step.outcome == StepOutcome::Done || step.outcome == StepOutcome::NotRun) continue;
        std::cout << "Step " << step.number << " " << outcomeName(step.outcome);
        if (step.number < static_cast<int>(transcript.steps.size()))
            std::cout << "; the steps after it were not run";
        std::cout << ".";
    }
    std::cout << "\nTranscript for the witnesses to sign: " << options.transcriptPrefix << ".txt (and "
              << options.transcriptPrefix << ".json)" << std::endl;
    return exitCode;
}

}  // namespace

void addScriptCommands(CLI::App& app, Commands& commands) {
    auto options = std::make_shared<RunOptions>();
    auto* run = app.add_subcommand(
        "run",
        "Run a ceremony script: each step (keygen, sign, partial-sign, combine, ksr-sign, sign-rrset, dnskey, cards or "
        "audit-verify, one per line, with its "
        "arguments as on the command line) checked first, then confirmed at the terminal and run, with a transcript of "
        "everything shown for the witnesses to sign");
    run->add_option("script", options->script, "The ceremony script (format: README, host/cli/script_file.hpp)")
        ->required();
    run->add_option("--transcript", options->transcriptPrefix,
                    "Write the transcript to PREFIX.txt (for people) and PREFIX.json (new files), after every step")
        ->required();
    run->add_flag("--yes", options->yes,
                  "Do not ask to confirm each step at the terminal (rehearsals, tests); the transcript says so");
    commands.add(run, [options] { return runScript(*options); });
}

}  // namespace quorum::host::cli
