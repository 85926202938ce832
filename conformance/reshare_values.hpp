// What the re-sharing cases send and check (docs/apdu-spec.md, RESHARE OUT and RESHARE IN). The
// host plays the cards that are not in the reader: three new cards of test keys that the card
// under test redistributes to, and the old cards of the test Feldman deal that redistribute to
// the card under test. Their requests need the CA (certificates) and the card's own certificate,
// so they are made during the run, by host actions of the steps that send them.
#pragma once

#include "conformance/pattern.hpp"
#include "crypto/certificate.hpp"

namespace quorum::conformance {

// Host action "certify-new-cards": the CA certifies the test new cards {new_card_keys} as cards
// 1, 2 and 3 of its set, and RESHARE OUT's data is made from their certificates:
//   {reshare_out_request}   k' 2, context {reshare_context}, cards 1, 2, 3
//   {reshare_out_k0}        the same with k' 0
//   {reshare_out_k4}        the same with k' 4 (more than n' = 3)
//   {reshare_out_host}      card 2's certificate replaced by {host_certificate}
//   {reshare_out_twice}     card 1's certificate twice (cards 1, 1, 3)
//   {reshare_out_foreign}   card 2 certified by another CA of the same name and card set
//   {reshare_out_forged}    card 2's certificate with its signature altered
void addNewCardRequests(Values& values, const crypto::CeremonyCa& ca);

// Host action "redistribute-to-card": old cards of the test deal ({test_shares},
// {test_commitments}) redistribute, k' 2, to the card of {card_certificate} (its index j and key)
// and one other new card; RESHARE IN's data for the card:
//   {reshare_in_request}        from old cards 2 and 3; {reshare_in_digest} the digest of C'
//   {reshare_in_request_13}     from old cards 1 and 3 (a new polynomial); {reshare_in_digest_13},
//                               and {reshare_commitments_13} the commitments C' (the card keeps this share)
//   {reshare_in_bad_box}        2 and 3, the card's box from 3 altered             (9C 03)
//   {reshare_in_bad_subshare}   2 and 3, 3 seals a sub-share off its commitments   (9D 03)
//   {reshare_in_no_box}         2 without a box for the card, then 3               (9C 02)
//   {reshare_in_other_context}  2 and 3, redistributed for another context         (9C 02)
//   {reshare_in_mixed_k}        2 (k' 2) and 3 with k' 3                            (6A 80)
//   {reshare_in_twice}          old card 2 twice                                   (6A 80)
// and {card_index}, the card's index j. Made once per run: a later step that names the action
// finds them made (the card's share must stay the one they made).
void addRedistributionsToCard(Values& values);

// Check "reshare-out": RESHARE OUT's answer {reshare_out_record} is the redistribution of the
// card's own share (D_i0 == sum_l i^l C_l for the deal the card's share belongs to, and i its
// index), with k' 2 and one box for each of the new cards 1, 2, 3 in that order, each of which
// opens with that card's key to a sub-share that matches D_i. Throws StepFailure saying what
// does not hold.
void checkReshareOut(const Values& values);

// Check "reshare-in-kept", after the card stored the share of {reshare_in_request_13}: its
// commitments C' become {kept_commitments}, the deal GET SHARE and RESHARE OUT answers are then
// checked against.
void keepReshared(Values& values);

// The commitments (encoded) of the deal whose digest is `digest`: {test_commitments} or, once the
// card kept a share RESHARE IN gave it, {kept_commitments}.
// StepFailure when none of this run's deals has that digest.
Bytes commitmentsWithDigest(const Values& values, const Bytes& digest);

}  // namespace quorum::conformance
