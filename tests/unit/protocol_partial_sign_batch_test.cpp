// PARTIAL SIGN with several digests on the wire (docs/apdu-spec.md): the command the host builds,
// and the codec of the batch answer with its sizes for every modulus size and count.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "protocol/commands.hpp"
#include "protocol/decode_error.hpp"
#include "protocol/shares.hpp"

using namespace quorum;
using protocol::DecodeError;
using protocol::PartialSignBatchAnswer;
using protocol::PartialSignatureBatch;

namespace {

// `count` digests whose bytes say which one they are: digest j is 32 bytes of j.
std::vector<Bytes> numberedDigests(std::size_t count) {
    std::vector<Bytes> digests;
    for (std::size_t j = 1; j <= count; ++j) digests.emplace_back(32, static_cast<std::uint8_t>(j));
    return digests;
}

// An answer for a modulus of `size` bytes whose fields are filled with recognisable bytes.
PartialSignBatchAnswer sampleAnswer(std::size_t size, std::size_t count) {
    PartialSignBatchAnswer answer;
    for (std::size_t j = 1; j <= count; ++j) answer.batch.values.emplace_back(size, static_cast<std::uint8_t>(0xA0 + j));
    answer.batch.challenge = Bytes(32, 0xCC);
    answer.batch.response = Bytes(size + 65, 0xDD);
    answer.usageCount = 0x01020304;
    return answer;
}

}  // namespace

TEST_CASE("protocol: PARTIAL SIGN with 2 to 16 digests is 80 3A 00 00, the digests in order, Le 00") {
    const apdu::CommandApdu two = protocol::command::partialSignBatch(numberedDigests(2));
    CHECK(toHex(two.encode()) == "803A000040" + toHex(Bytes(32, 1)) + toHex(Bytes(32, 2)) + "00");
    const apdu::CommandApdu nine = protocol::command::partialSignBatch(numberedDigests(9));
    CHECK(nine.cla == 0x80);
    CHECK(nine.ins == 0x3A);
    CHECK(nine.data.size() == 288);  // beyond a short Lc: the host's channel stack chains it
    CHECK(nine.ne == 256);
    CHECK(Bytes(nine.data.begin() + 256, nine.data.begin() + 288) == Bytes(32, 9));
    CHECK(protocol::command::partialSignBatch(numberedDigests(16)).data.size() == 512);

    // One digest is the single PARTIAL SIGN, with its own builder; 0 and 17 are nothing.
    CHECK(toHex(protocol::command::partialSign(Bytes(32, 1)).encode()) == "803A000020" + toHex(Bytes(32, 1)) + "00");
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{17}})
        CHECK_THROWS_WITH_AS((void)protocol::command::partialSignBatch(numberedDigests(count)),
                             ("PARTIAL SIGN takes a batch of 2 to 16 digests, not " + std::to_string(count)).c_str(),
                             std::invalid_argument);
    std::vector<Bytes> digests = numberedDigests(3);
    digests[2].pop_back();
    CHECK_THROWS_WITH_AS((void)protocol::command::partialSignBatch(digests),
                         "PARTIAL SIGN takes 32-byte SHA-256 digests, not 31 bytes", std::invalid_argument);
}

TEST_CASE("protocol: the batch answer is x_{i,1..m} || c || z || counter, (m + 1) L + 101 bytes") {
    // The worked example of docs/apdu-spec.md: nine digests, 2048 bits.
    CHECK(PartialSignBatchAnswer::encodedSize(256, 9) == 2661);
    CHECK(PartialSignatureBatch::encodedSize(256, 9) == 2657);
    CHECK(PartialSignBatchAnswer::encodedSize(384, 9) == 3941);
    CHECK(PartialSignBatchAnswer::encodedSize(512, 16) == 8805);  // the largest
    CHECK(PartialSignBatchAnswer::encodedSize(64, 2) == 293);

    for (const std::size_t size : {std::size_t{64}, std::size_t{256}, std::size_t{512}})
        for (const std::size_t count : {std::size_t{2}, std::size_t{9}, std::size_t{16}}) {
            CAPTURE(size);
            CAPTURE(count);
            const PartialSignBatchAnswer answer = sampleAnswer(size, count);
            const Bytes encoded = answer.encode();
            REQUIRE(encoded.size() == PartialSignBatchAnswer::encodedSize(size, count));
            CHECK(encoded[0] == 0xA1);
            CHECK(encoded[count * size - 1] == static_cast<std::uint8_t>(0xA0 + count));
            CHECK(encoded[count * size] == 0xCC);
            CHECK(encoded[count * size + 32] == 0xDD);
            CHECK(toHex(Bytes(encoded.end() - 4, encoded.end())) == "01020304");
            const PartialSignBatchAnswer back = PartialSignBatchAnswer::decode(encoded, size, count);
            CHECK(back.batch.values == answer.batch.values);
            CHECK(back.batch.challenge == answer.batch.challenge);
            CHECK(back.batch.response == answer.batch.response);
            CHECK(back.usageCount == answer.usageCount);
            CHECK(back.encode() == encoded);
        }
}

TEST_CASE("protocol: a batch answer of the wrong size or count is refused, naming what was expected") {
    const Bytes encoded = sampleAnswer(256, 9).encode();
    CHECK_THROWS_WITH_AS(PartialSignBatchAnswer::decode(encoded, 256, 8),
                         "PARTIAL SIGN's answer to 8 digests for a 2048-bit key has 2661 bytes, expected 2405",
                         DecodeError);
    CHECK_THROWS_WITH_AS(PartialSignBatchAnswer::decode(Bytes(encoded.begin(), encoded.end() - 1), 256, 9),
                         "PARTIAL SIGN's answer to 9 digests for a 2048-bit key has 2660 bytes, expected 2661",
                         DecodeError);
    CHECK_THROWS_AS(PartialSignBatchAnswer::decode(encoded, 384, 9), DecodeError);
    for (const std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{17}})
        CHECK_THROWS_WITH_AS(PartialSignBatchAnswer::decode(encoded, 256, count),
                             ("a batch of partial signatures has 2 to 16 of them, not " + std::to_string(count)).c_str(),
                             DecodeError);
    const Bytes batch = sampleAnswer(64, 2).batch.encode();
    CHECK(PartialSignatureBatch::decode(batch, 64, 2).values.size() == 2);
    CHECK_THROWS_WITH_AS(PartialSignatureBatch::decode(batch, 64, 3),
                         "a batch of 3 partial signatures with its proof for a 512-bit key has 289 bytes, expected 353",
                         DecodeError);
}
