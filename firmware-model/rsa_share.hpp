// The card's threshold RSA share (PUT DATA 00 CB) and the computation of PARTIAL SIGN, as the
// card does it with its coprocessor (docs/apdu-spec.md; the batch: docs/batch-proof.md). Public
// so that a benchmark can time exactly the card's work.
#pragma once

#include <vector>

#include "apdu/bytes.hpp"
#include "firmware-model/coprocessor.hpp"
#include "protocol/shares.hpp"

namespace quorum::card {

// x_i, c and z for the SHA-256 `digest` (32 bytes): the partial signature and its proof, with a
// fresh r from the coprocessor's random number generator. `key` is the record of PUT DATA 00 CB.
protocol::PartialSignature computePartialSignature(Coprocessor& coprocessor, const protocol::RsaShareRecord& key,
                                                   const Bytes& digest);

// x_{i,1..m}, c and z for 2..16 SHA-256 `digests`: the partial signatures and one proof for all of
// them, with a fresh r, as crypto/shoup's partialSignBatch computes them.
protocol::PartialSignatureBatch computePartialSignatureBatch(Coprocessor& coprocessor,
                                                             const protocol::RsaShareRecord& key,
                                                             const std::vector<Bytes>& digests);

}  // namespace quorum::card
