// What a card's persistent memory may hold: a card image whose digest was recomputed over
// impossible contents (a PIN try counter of 255, a PIN policy with min > max, an empty PIN, a
// 10-byte share, a private key of 0, a CA key off the curve) is refused by field name before a
// card is made of it.
#pragma once

#include "firmware-model/nvm.hpp"

namespace quorum::card {

// Throws NvmError "field \"pin_tries\" is 255, more than the 3 tries of the card's PIN policy"
// for the first field whose value no card could have written, or for a PERSONALIZED or
// OPERATIONAL card missing what its PIN needs. Fields the card does not know are left alone.
void checkCardMemory(const NvmImage& image);

}  // namespace quorum::card
