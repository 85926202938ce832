#include "host/ceremonies/step_times.hpp"

namespace quorum::host {

void StepTimes::add(const std::string& step, double ms) {
    for (auto& [name, total] : steps_)
        if (name == step) {
            total += ms;
            return;
        }
    steps_.emplace_back(step, ms);
}

void StepTimes::print(std::ostream& out) const {
    double sum = 0;
    for (const auto& [name, ms] : steps_) sum += ms;
    out << "timing | step | ms\n";
    for (const auto& [name, ms] : steps_) out << "timing | " << name << " | " << ms << "\n";
    out << "timing | total (without waiting for people) | " << sum << std::endl;
}

}  // namespace quorum::host
