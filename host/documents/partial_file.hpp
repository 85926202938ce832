// A partial signature made at a key holder's site, as a self-describing JSON document that can
// travel by any means to whoever combines: nothing in it is secret, and a partial that was
// altered on the way fails its proof.
//
//   {
//     "format": "quorum-partial-signature", "version": 1, "scheme": "shoup-rsa",
//     "card_set_id": hex, "card_index": i, "card_id": hex,
//     "digest_sha256": hex (the message's SHA-256),
//     "partial": hex (x_i), "proof": {"challenge": hex (c), "response": hex (z)},
//     "usage_counter": the card's usage counter after this signature
//   }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "crypto/shoup.hpp"
#include "host/base/error.hpp"

namespace quorum::host {

// A partial signature file that cannot be used; the message names the field and the problem.
class PartialFileError : public FatalError {
public:
    using FatalError::FatalError;
};

struct PartialFile {
    static constexpr const char* kFormat = "quorum-partial-signature";
    static constexpr int kVersion = 1;

    Bytes cardSetId;
    Bytes cardId;
    Bytes digest;                     // SHA-256 of the message, 32 bytes
    crypto::shoup::Partial partial;   // index = the card's index in its set
    std::uint32_t usageCount = 0;

    std::string toJson() const;
    // Strict: every field present, of the right type and shape (hex, sizes, index 1..16).
    static PartialFile fromJson(const std::string& text);
    // A new file, mode 0644, fsynced; never over an existing one.
    void save(const std::string& path) const;
    // Errors name the file.
    static PartialFile load(const std::string& path);
};

// One card's partial signatures of several messages (a KSR's bundles) with one batch proof
// (docs/batch-proof.md), made at its holder's site like a PartialFile:
//
//   {
//     "format": "quorum-partial-signatures", "version": 1, "scheme": "shoup-rsa",
//     "card_set_id": hex, "card_index": i, "card_id": hex,
//     "subject": what was signed (e.g. "KSR 4fe9bb10-..."), "subject_sha256": hex (of its file),
//     "digests_sha256": [hex, ...] (2..16, in signing order),
//     "partials": [hex, ...] (x_{i,j}, one per digest),
//     "proof": {"challenge": hex, "response": hex}, "usage_counter": n
//   }
struct PartialBatchFile {
    static constexpr const char* kFormat = "quorum-partial-signatures";
    static constexpr int kVersion = 1;

    Bytes cardSetId;
    Bytes cardId;
    int cardIndex = 0;
    std::string subject;
    Bytes subjectDigest;
    std::vector<Bytes> digests;
    crypto::shoup::BatchPartial batch;
    std::uint32_t usageCount = 0;

    std::string toJson() const;
    // Strict, as PartialFile::fromJson.
    static PartialBatchFile fromJson(const std::string& text);
    void save(const std::string& path) const;
    static PartialBatchFile load(const std::string& path);
};

}  // namespace quorum::host
