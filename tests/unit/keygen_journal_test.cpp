// The keygen journal is signed by the ceremony CA at every save and checked before a resume uses
// it: any field changed, a signature removed, another ceremony's journal - all refused.
#include "host/documents/keygen_journal.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <system_error>

#include "tests/support/card_fixture.hpp"
#include "tests/support/shoup_keys.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
using host::KeygenJournal;
using host::KeygenJournalError;

namespace {

struct TempFile {
    TempFile() {
        std::string pattern = (std::filesystem::temp_directory_path() / "quorum-journal-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
        folder = pattern;
        path = folder + "/keygen-journal.json";
    }
    ~TempFile() { std::filesystem::remove_all(folder); }
    std::string folder;
    std::string path;
};

KeygenJournal sample() {
    const auto& ca = test::TestCeremony::instance().ca;
    KeygenJournal journal;
    journal.manifestPath = "/srv/ceremony/set.json";
    journal.draft = test::thresholdManifest(ca, test::shoup_keys::small3of7().publicKey);
    journal.draft.caSignature.clear();
    journal.scheme = journal.draft.scheme;
    journal.keyType = journal.draft.signingKey.type;
    journal.pinPolicy = fromHex("060808080303");
    journal.holders.assign(static_cast<std::size_t>(journal.draft.n), "");
    journal.holders[0] = "Alice";
    journal.started = KeygenJournal::Started{2, Bytes(16, 0x22)};
    journal.sealedShares = host::sealShares(ca, {{3, Bytes(32, 0x33)}});
    return journal;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("keygen journal: signed at every save, checked against the ceremony's CA") {
    const auto& ca = test::TestCeremony::instance().ca;
    TempFile file;
    KeygenJournal journal = sample();
    journal.save(file.path, ca);
    const KeygenJournal read = KeygenJournal::load(file.path);
    CHECK_NOTHROW(read.authenticate(ca.certificate(), file.path));
    CHECK(read.toJson() == journal.toJson());

    // Saved again after a step: signed again.
    journal.started.reset();
    journal.save(file.path, ca);
    CHECK_NOTHROW(KeygenJournal::load(file.path).authenticate(ca.certificate(), file.path));

    // Another ceremony's CA does not vouch for it.
    const std::string otherCa = test::thrownMessage<KeygenJournalError>(
        [&] { KeygenJournal::load(file.path).authenticate(test::TestCeremony::other().ca.certificate(), file.path); });
    CHECK(otherCa.find("fails its check against the ceremony's CA certificate") != std::string::npos);
}

TEST_CASE("keygen journal: a changed field or a removed signature is refused before anything uses it") {
    const auto& ca = test::TestCeremony::instance().ca;
    TempFile file;
    KeygenJournal journal = sample();
    journal.save(file.path, ca);
    const std::string text = journal.toJson();
    const std::string sig = toHex(journal.caSignature);

    const std::vector<std::pair<std::string, std::string>> edits = {
        {"\"/srv/ceremony/set.json\"", "\"/tmp/elsewhere.json\""},  // where the manifest goes
        {"\"Alice\"", "\"Mallory\""},                              // a holder
        {"\"060808080303\"", "\"040404040303\""},                  // the PIN policy
        {"\"card_id\" : \"" + std::string(32, '2'), "\"card_id\" : \"" + std::string(32, '4')},  // card being issued
    };
    for (const auto& edit : edits) {
        const std::string& from = edit.first;
        const std::string& to = edit.second;
        CAPTURE(from);
        const std::string altered = replaced(text, from, to);
        const KeygenJournal read = KeygenJournal::fromJson(altered);  // well-formed still
        const std::string refused =
            test::thrownMessage<KeygenJournalError>([&] { read.authenticate(ca.certificate(), file.path); });
        CHECK(refused.find(file.path + " fails its check against the ceremony's CA certificate") !=
              std::string::npos);
    }

    KeygenJournal unsignedJournal = KeygenJournal::fromJson(text);
    unsignedJournal.caSignature.clear();
    const std::string refused = test::thrownMessage<KeygenJournalError>(
        [&] { unsignedJournal.authenticate(ca.certificate(), file.path); });
    CHECK(refused.find("is not signed by the ceremony's CA") != std::string::npos);
    CHECK(text.find(sig) != std::string::npos);
}
