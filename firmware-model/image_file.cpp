#include "firmware-model/image_file.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <json/json.h>

namespace quorum::card {
namespace {

constexpr const char* kFormat = "quorum-card-image";
constexpr int kVersion = 1;

std::string errnoText() { return std::strerror(errno); }

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
    Json::CharReaderBuilder builder;
    builder["strictRoot"] = true;
    builder["rejectDupKeys"] = true;
    Json::Value root;
    std::string errors;
    std::istringstream in(text);
    if (!Json::parseFromStream(builder, in, &root, &errors))
        throw ImageFileError("card image " + path + " is not valid JSON (truncated or corrupted?): " +
                             errors);
    if (!root.isObject() || root.get("format", "").asString() != kFormat)
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

std::string parentFolder(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

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
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return ImageFileNvm(path, {}, false, capacity);
        throw ImageFileError("cannot read card image " + path + ": " + errnoText());
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ImageFileError("cannot read card image " + path + ": " + errnoText());
    std::string content = text.str();
    NvmImage image;
    try {
        image = parseImage(path, content);
    } catch (...) {
        secureZero(content.data(), content.size());
        throw;
    }
    secureZero(content.data(), content.size());
    if (usage(image) > capacity)
        throw ImageFileError("card image " + path + " holds " + std::to_string(usage(image)) +
                             " bytes, more than the card's memory capacity of " +
                             std::to_string(capacity));
    return ImageFileNvm(path, std::move(image), true, capacity);
}

void ImageFileNvm::persist(const NvmImage& image) {
    std::string text = renderImage(image);
    struct Cleanse {  // the text holds the card's secrets in hex
        std::string& text;
        ~Cleanse() { secureZero(text.data(), text.size()); }
    } cleanse{text};
    const std::string temp = path_ + ".tmp";
    {
        FdCloser file{::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
        if (file.fd < 0) throw ImageFileError("cannot create " + temp + ": " + errnoText());
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t n = ::write(file.fd, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) throw ImageFileError("cannot write " + temp + ": " + errnoText());
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(file.fd) != 0) throw ImageFileError("cannot fsync " + temp + ": " + errnoText());
    }
    if (::rename(temp.c_str(), path_.c_str()) != 0)
        throw ImageFileError("cannot replace card image " + path_ + ": " + errnoText());
    FdCloser folder{::open(parentFolder(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (folder.fd < 0 || ::fsync(folder.fd) != 0)
        throw ImageFileError("cannot fsync the folder of " + path_ + ": " + errnoText());
    existed_ = true;
}

}  // namespace quorum::card
