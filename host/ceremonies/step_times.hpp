// Wall time per step of a ceremony, summed over repetitions (e.g. over the cards), in the order
// first seen: `ceremony sign --timings` and the end-to-end benchmark print them.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace quorum::host {

class StepTimes {
public:
    using Clock = std::chrono::steady_clock;

    // Runs `f`, adds its duration to `step` (also when it throws) and returns what it returns.
    template <typename F>
    auto time(const std::string& step, F&& f) {
        struct Add {
            StepTimes& times;
            const std::string& step;
            Clock::time_point start;
            ~Add() { times.add(step, std::chrono::duration<double, std::milli>(Clock::now() - start).count()); }
        } add{*this, step, Clock::now()};
        return f();
    }
    void add(const std::string& step, double ms);
    // Adds every step of `other` (timed before this one existed).
    void merge(const StepTimes& other) {
        for (const auto& [step, ms] : other.steps_) add(step, ms);
    }
    // "timing | step | ms" lines, then the total.
    void print(std::ostream& out) const;

private:
    std::vector<std::pair<std::string, double>> steps_;
};

}  // namespace quorum::host
