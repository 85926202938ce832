// The JSON documents the project reads: manifest (final and draft), partial file, batch partial
// file, keygen and reshare journals, run transcript, card image, audit log. The first byte picks
// the kind, the rest is the file's text. Each reader either accepts the text or refuses it with
// its own error (anything else escaping is a finding); what it accepts writes back to a text it
// accepts again, which writes back the same.
#include <cstdint>
#include <string>

#include "firmware-model/image_file.hpp"
#include "fuzz/fuzz_input.hpp"
#include "host/documents/audit_log.hpp"
#include "host/documents/keygen_journal.hpp"
#include "host/documents/manifest.hpp"
#include "host/documents/partial_file.hpp"
#include "host/documents/reshare_journal.hpp"
#include "host/documents/transcript.hpp"

using namespace quorum;
using quorum::fuzz::FuzzInput;
using quorum::fuzz::violated;

namespace {

// Reads `text` with `read`; when it is accepted, its toJson() must be accepted and be stable.
template <typename Document, typename Error, typename Read>
void roundTrip(const std::string& text, Read read) {
    std::string written;
    try {
        written = read(text).toJson();
    } catch (const Error&) {
        return;
    }
    std::string again;
    try {
        again = read(written).toJson();
    } catch (const Error& e) {
        violated(std::string("a document it wrote is refused: ") + e.what());
    }
    if (again != written) violated("a document does not write back the same after a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const int kind = in.byte() % 9;
    const std::string text = in.restAsText();
    switch (kind) {
        case 0:
            roundTrip<host::Manifest, host::ManifestError>(text, [](const std::string& t) { return host::Manifest::fromJson(t); });
            break;
        case 1:
            roundTrip<host::Manifest, host::ManifestError>(text, [](const std::string& t) { return host::Manifest::fromJson(t, true); });
            break;
        case 2:
            roundTrip<host::PartialFile, host::PartialFileError>(text, host::PartialFile::fromJson);
            break;
        case 3:
            roundTrip<host::PartialBatchFile, host::PartialFileError>(text, host::PartialBatchFile::fromJson);
            break;
        case 4:
            roundTrip<host::KeygenJournal, host::KeygenJournalError>(text, host::KeygenJournal::fromJson);
            break;
        case 5:
            roundTrip<host::ReshareJournal, host::ReshareJournalError>(text, host::ReshareJournal::fromJson);
            break;
        case 6:
            roundTrip<host::Transcript, host::TranscriptError>(text, host::Transcript::fromJson);
            break;
        case 7:
            try {
                const card::NvmImage image = card::readImageText("image.json", text);
                if (card::readImageText("image.json", card::renderImage(image)) != image)
                    violated("a card image does not read back the same after a round trip");
            } catch (const card::ImageFileError&) {
            }
            break;
        default:
            try {
                host::verifyAuditLogText("audit.log", text);
            } catch (const host::AuditLogError&) {
            }
            break;
    }
    return 0;
}
