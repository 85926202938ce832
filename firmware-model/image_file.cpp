#include "firmware-model/image_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <json/json.h>

#include "firmware-model/card_memory_check.hpp"
#include "platform/durable_file.hpp"
#include "platform/strict_json.hpp"

namespace quorum::card {
namespace {

constexpr const char* kFormat = "quorum-card-image";
constexpr int kVersion = 1;

// Digest over the fields in a canonical form, so a flipped byte anywhere in a value is caught.
std::string fieldsDigest(const NvmImage& image) {
    std::string canonical;
    for (const auto& [name, value] : image) {
        canonical += name;
        canonical += '=';
        canonical += toHex(value);
        canonical += '\n';
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdLen = 0;
    if (EVP_Digest(canonical.data(), canonical.size(), md, &mdLen, EVP_sha256(), nullptr) != 1)
        throw ImageFileError("SHA-256 of the card image failed");
    return toHex(md, mdLen);
}

NvmImage parseImage(const std::string& path, const std::string& text) {
    Json::Value root;
    try {
        root = platform::parseStrictJson(text);
    } catch (const platform::JsonError& e) {
        throw ImageFileError("card image " + path + " is " + e.what());
    }
    if (!root["format"].isString() || root["format"].asString() != kFormat)
        throw ImageFileError("card image " + path + " is not a quorum card image (\"format\" is not \"" +
                             kFormat + "\")");
    if (!root["version"].isInt() || root["version"].asInt() != kVersion)
        throw ImageFileError("card image " + path + " has format version " +
                             root["version"].toStyledString().substr(0, 16) +
                             "; this card-sim reads version " + std::to_string(kVersion));
    const Json::Value& fields = root["fields"];
    if (!fields.isObject())
        throw ImageFileError("card image " + path + " has no \"fields\" object");
    NvmImage image;
    for (const auto& name : fields.getMemberNames()) {
        if (!fields[name].isString())
            throw ImageFileError("card image " + path + ": field \"" + name + "\" is not a hex string");
        try {
            image[name] = fromHex(fields[name].asString());
        } catch (const std::invalid_argument& e) {
            throw ImageFileError("card image " + path + ": field \"" + name + "\": " + e.what());
        }
    }
    if (!root["sha256"].isString() || root["sha256"].asString() != fieldsDigest(image))
        throw ImageFileError("card image " + path +
                             " fails its integrity check (sha256 does not match the fields): "
                             "the file was altered or corrupted");
    return image;
}

// The most bytes an image of `capacity` bytes of memory can take: every byte as two hex digits,
// and room for the field names and the JSON around them.
std::size_t maxImageBytes(std::size_t capacity) { return 2 * capacity + 64 * 1024; }

}  // namespace

std::string renderImage(const NvmImage& image) {
    Json::Value root(Json::objectValue);
    root["format"] = kFormat;
    root["version"] = kVersion;
    Json::Value fields(Json::objectValue);
    for (const auto& [name, value] : image) fields[name] = toHex(value);
    root["fields"] = fields;
    root["sha256"] = fieldsDigest(image);
    Json::StreamWriterBuilder writer;
    writer["indentation"] = "  ";
    return Json::writeString(writer, root) + "\n";
}

ImageFileNvm::ImageFileNvm(std::string path, NvmImage image, bool existed, std::size_t capacity)
    : Nvm(std::move(image), capacity), path_(std::move(path)), existed_(existed) {}

ImageFileNvm ImageFileNvm::open(const std::string& path, std::size_t capacity) {
    std::string content;
    try {
        content = platform::readFileBounded(path, maxImageBytes(capacity), "card image");
    } catch (const platform::IoError& e) {
        if (e.error() == ENOENT) return ImageFileNvm(path, {}, false, capacity);
        throw ImageFileError(e.what());
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        secureZero(content.data(), content.size());
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        throw ImageFileError("card image " + path + " has mode " + mode +
                             ": it holds the card's PIN, PUK and keys and must be its owner's only. Treat what it "
                             "holds as seen by others; if that is acceptable (a test card), chmod 600 " + path);
    }
    NvmImage image;
    try {
        image = readImageText(path, content, capacity);
    } catch (...) {
        secureZero(content.data(), content.size());
        throw;
    }
    secureZero(content.data(), content.size());
    return ImageFileNvm(path, std::move(image), true, capacity);
}

NvmImage readImageText(const std::string& path, const std::string& text, std::size_t capacity) {
    NvmImage image = parseImage(path, text);
    try {
        checkCardMemory(image);
    } catch (const NvmError& e) {
        throw ImageFileError("card image " + path + ": " + e.what() +
                             " - no card could have written it; the image was altered or damaged");
    }
    if (Nvm::usage(image) > capacity)
        throw ImageFileError("card image " + path + " holds " + std::to_string(Nvm::usage(image)) +
                             " bytes, more than the card's memory capacity of " +
                             std::to_string(capacity));
    return image;
}

void ImageFileNvm::persist(const NvmImage& image) {
    std::string text = renderImage(image);
    struct Cleanse {  // the text holds the card's secrets in hex
        std::string& text;
        ~Cleanse() { secureZero(text.data(), text.size()); }
    } cleanse{text};
    try {
        platform::writeFileAtomically(path_, text, 0600, "card image", platform::Existing::Replace);
    } catch (const platform::IoError& e) {
        throw ImageFileError(e.what());
    }
    existed_ = true;
}

}  // namespace quorum::card
