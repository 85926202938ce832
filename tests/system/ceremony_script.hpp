// Driving a `ceremony` process the way people do: wait for its prompts, insert a card (start
// card-sim on its image), remove it once the ceremony is done with it.
#pragma once

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/system/harness.hpp"

namespace quorum::test {

// Writes `text` to `path` with file mode `mode` (PIN and passphrase files must be 600); returns
// the path.
inline std::string writeFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
}

// Waits until `log` holds `text` at least `count` times, failing if `program` exits first or
// `timeout` passes.
inline void waitForOutput(ChildProcess& program, const std::string& log, const std::string& text, int count = 1,
                          std::chrono::seconds timeout = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const std::string content = readFile(log);
        int found = 0;
        for (std::size_t at = content.find(text); at != std::string::npos; at = content.find(text, at + 1)) ++found;
        if (found >= count) return;
        if (!program.running()) FAIL("the ceremony ended before printing \"" << text << "\":\n" << content);
        if (std::chrono::steady_clock::now() > deadline)
            FAIL("no \"" << text << "\" within " << timeout.count() << " s:\n" << content);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

// Inserts the card held in `image` (card-sim start) until `untilText` appears `count` times in
// `log`, then removes it.
inline void insertCard(ChildProcess& ceremony, const std::string& log, const std::string& image,
                       const std::string& untilText, int count, const TempFolder& folder,
                       std::vector<std::string> cardSimArgs = {}) {
    CardSim sim(image, folder.file("card-sim.log"), kVpcdPort0, std::move(cardSimArgs));
    waitForOutput(ceremony, log, untilText, count);
    CHECK(sim.stop(SIGTERM) == 0);
    waitForCard(kReader0, false);
}

}  // namespace quorum::test
