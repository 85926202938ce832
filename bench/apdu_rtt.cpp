// apdu_rtt: median SCardTransmit round trip of one APDU, for several readers measured in
// interleaved rounds (so drift in machine load hits every reader alike). The last reader given
// is the baseline that ratios are computed against.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apdu/bytes.hpp"
#include "host/pcsc/context.hpp"

using namespace quorum;

namespace {
struct Target {
    std::string reader;
    std::string label;
    std::unique_ptr<host::PcscCard> card;
    std::vector<double> micros;
};

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[index];
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Median PC/SC APDU round trip per reader; ratios against the last reader"};
    std::vector<std::string> specs;
    int iterations = 2000;
    int warmup = 100;
    std::string apduHex = "00A404000BF051554F52554D4341524400";
    app.add_option("targets", specs, "READER=LABEL, baseline last")->required();
    app.add_option("-n,--iterations", iterations, "Round trips per reader")->capture_default_str();
    app.add_option("--warmup", warmup, "Unmeasured round trips first")->capture_default_str();
    app.add_option("--apdu", apduHex, "Command APDU (hex)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        const Bytes apdu = fromHex(apduHex);
        host::PcscContext context;
        std::vector<Target> targets;
        for (const auto& spec : specs) {
            const auto eq = spec.find('=');
            Target t;
            t.reader = spec.substr(0, eq);
            t.label = eq == std::string::npos ? t.reader : spec.substr(eq + 1);
            t.card = std::make_unique<host::PcscCard>(context, t.reader);
            targets.push_back(std::move(t));
        }
        for (auto& t : targets)
            for (int i = 0; i < warmup; ++i) t.card->transmit(apdu);
        for (int i = 0; i < iterations; ++i) {
            for (auto& t : targets) {
                const auto start = std::chrono::steady_clock::now();
                const Bytes r = t.card->transmit(apdu);
                const auto end = std::chrono::steady_clock::now();
                if (r.size() < 2) throw std::runtime_error(t.label + " gave an empty response");
                t.micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
            }
        }
        const double baseline = percentile(targets.back().micros, 0.5);
        std::printf("| card | APDU round trip, median (us) | p10 | p90 | ratio to %s |\n",
                    targets.back().label.c_str());
        std::printf("|---|---:|---:|---:|---:|\n");
        for (const auto& t : targets) {
            const double median = percentile(t.micros, 0.5);
            std::printf("| %s | %.1f | %.1f | %.1f | %.2fx |\n", t.label.c_str(), median,
                        percentile(t.micros, 0.1), percentile(t.micros, 0.9), median / baseline);
        }
        std::printf("\n%d round trips per card (after %d warm-up), interleaved; APDU %s\n",
                    iterations, warmup, apduHex.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "apdu_rtt: error: " << e.what() << "\n";
        return 1;
    }
}
