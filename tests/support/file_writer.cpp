// One write of one kind, as the programs make it, for the system test that kills a writer at
// every system call (tests/system/durable_files_test.cpp):
//   file_writer new PATH TEXT        a new file (writeNewFile: manifests, partials, keys, SKRs)
//   file_writer replace PATH TEXT    a replacement (replaceFile: journals, transcripts, outputs)
//   file_writer append LOG EVENT     one audit log entry
//   file_writer image PATH VALUE     one field of a card image (card-sim's persistent memory)
// Exit 0 when the write was made, 1 with the error on stderr otherwise.
#include <iostream>
#include <string>

#include "apdu/bytes.hpp"
#include "firmware-model/image_file.hpp"
#include "host/base/file_io.hpp"
#include "host/documents/audit_log.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: file_writer new|replace|append|image PATH TEXT\n";
        return 2;
    }
    const std::string kind = argv[1];
    const std::string path = argv[2];
    const std::string text = argv[3];
    try {
        if (kind == "new") {
            quorum::host::writeNewFile(path, text, 0644, "test file");
        } else if (kind == "replace") {
            quorum::host::replaceFile(path, text, 0644, "test file");
        } else if (kind == "append") {
            quorum::host::AuditLog::open(path).append(text, Json::Value());
        } else if (kind == "image") {
            auto nvm = quorum::card::ImageFileNvm::open(path);
            nvm.write("value", quorum::Bytes(text.begin(), text.end()));
        } else {
            std::cerr << "unknown kind " << kind << "\n";
            return 2;
        }
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
