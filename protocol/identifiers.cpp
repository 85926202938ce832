#include "protocol/identifiers.hpp"

namespace quorum::protocol {

const Bytes kApplicationId = {0xF0, 'Q', 'U', 'O', 'R', 'U', 'M', 'C', 'A', 'R', 'D'};

}  // namespace quorum::protocol
