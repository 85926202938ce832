#include "fuzz/fuzz_input.hpp"

#include <cstdio>
#include <cstdlib>

namespace quorum::fuzz {

void violated(const std::string& what) {
    std::fprintf(stderr, "property violated: %s\n", what.c_str());
    std::abort();
}

}  // namespace quorum::fuzz
