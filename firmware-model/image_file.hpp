// The card image file: an Nvm backing kept as a JSON document, replaced crash-safely.
#pragma once

#include <stdexcept>
#include <string>

#include "firmware-model/nvm.hpp"

namespace quorum::card {

// Raised when an image file exists but cannot be used; the file is left untouched.
class ImageFileError : public NvmError {
public:
    using NvmError::NvmError;
};

class ImageFileNvm : public Nvm {
public:
    // Loads `path`, or starts empty when it does not exist (it is created on the first write).
    // Throws ImageFileError naming the path and what is wrong with a file that is unreadable, not a
    // regular file, larger than such a memory can make, readable by others than its owner (it
    // holds the PIN and keys: chmod 600), not strict JSON, of another format or version, whose
    // fields are malformed, or whose contents no card could have written (checkCardMemory).
    static ImageFileNvm open(const std::string& path, std::size_t capacity = kDefaultNvmCapacity);

    const std::string& path() const { return path_; }
    bool existedOnDisk() const { return existed_; }

protected:
    // Replaces the image atomically (platform/durable_file.hpp): a crash, a kill or a full disk
    // at any instant leaves the old or the new image, and no temporary file.
    void persist(const NvmImage& image) override;

private:
    ImageFileNvm(std::string path, NvmImage image, bool existed, std::size_t capacity);
    std::string path_;
    bool existed_;
};

// The fields of an image file's text `text` (read from `path`, named in errors), after every check
// ImageFileNvm::open makes of the contents: strict JSON, format and version, hex fields, digest,
// contents a card could have written, within `capacity`. Throws ImageFileError otherwise.
NvmImage readImageText(const std::string& path, const std::string& text,
                       std::size_t capacity = kDefaultNvmCapacity);

// The JSON text of an image (stable field order, hex values), as persist() writes it.
std::string renderImage(const NvmImage& image);

}  // namespace quorum::card
