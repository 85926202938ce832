// Secure messaging known answers: GlobalPlatform SCP03 sessions recorded against real cards,
// published with pySim (osmocom/pysim, tests/unittests/test_globalplatform.py, classes
// SCP03_Test_AES128_11, _03 and _33). SCP11 uses exactly this wrapping once its keys are agreed,
// so these vectors pin down the ICV counter, padding, C-MAC chaining, R-MAC and R-ENC.
#include <doctest/doctest.h>

#include "apdu/command.hpp"
#include "crypto/primitives.hpp"
#include "crypto/secure_messaging.hpp"

using namespace quorum;
using crypto::SecureMessaging;
using crypto::SecurityLevel;
using crypto::SessionKeys;

namespace {

// GP SCP03 v1.1 6.2.1: NIST SP 800-108 KDF in counter mode with AES-CMAC as the PRF; one block.
Bytes scp03Derive(const Bytes& key, std::uint8_t constant, const Bytes& context, std::uint16_t bits) {
    Bytes input(11, 0x00);
    input.insert(input.end(), {constant, 0x00, static_cast<std::uint8_t>(bits >> 8),
                               static_cast<std::uint8_t>(bits & 0xFF), 0x01});
    input.insert(input.end(), context.begin(), context.end());
    Bytes out = crypto::aesCmac(key, input);
    out.resize(bits / 8);
    return out;
}

struct RecordedSession {
    const char* name;
    const char* initUpdateCommand;   // 80 50 ... host challenge
    const char* initUpdateResponse;  // ... card challenge, card cryptogram
    const char* externalAuthenticate;
    const char* getEidWrapped;
    const char* getEidResponseWrapped;
    const char* case1;
    const char* case2;
    const char* case3;
    const char* case4;
};

// The AES-128 keyset of those tests: ENC 00..0F, MAC 10..1F.
const Bytes kKeyEnc = fromHex("000102030405060708090a0b0c0d0e0f");
const Bytes kKeyMac = fromHex("101112131415161718191a1b1c1d1e1f");

const RecordedSession kSessions[] = {
    {"SCP03_Test_AES128_11 (C-MAC, R-MAC)", "8050300008b13e5f938fc108c400",
     "000000000000000000003003703eb51047495b249f66c484c1d2ef1948000002",
     "84821100107d5f5826a993ebc89eea24957fa0b3ce", "84e291000ebf3e035c015a558d036518a2829700",
     "bf3e125a1089882119900000000000000000000005971be68992dbbdfa", "84f220020863a63f8959827fb2",
     "84ca006608a0c6a4a74166f7ce00", "84f22002124f0212345c054f9f70c52249b50272656536",
     "84f280020a4f00e91443f6dce6b8ed00"},
    {"SCP03_Test_AES128_03 (C-MAC, C-DEC)", "80503000088e1552d0513c60f300",
     "0000000000000000000030037030760cd2c47c1dd395065fe5ead8a9d7000001",
     "8482030010fd4721a14d9b07003c451d2f8ae6bb21",
     "84e2910018ca9c00f6713d79bc8baa642bdff51c3f6a4082d3bd9ad26c00",
     "bf3e125a1089882119900000000000000000000005", "84f2200208c9811b11f1264cf1",
     "84ca006608e10ab60b3054798800", "84f22002184e2908bdb48b2315a55482e9e936ca122d6ecfae7d17416e",
     "84f28002180dd10a6b6193e5340b9e77d32d5a179cd710ac2773aefb2800"},
    {"SCP03_Test_AES128_33 (C-MAC, C-DEC, R-MAC, R-ENC)", "8050300008fdf38259a1e0de4400",
     "000000000000000000003003703b1aca81e821f219081cdc01c26b372d000003",
     "84823300108c36f96bcc00724a4e13ad591d7da3f0",
     "84e2910018267a85dfe4a98fca6fb0527e0dfecce4914e40401433c87f00",
     "f3ba2b1013aa6224f5e1c138d71805c569e5439b47576260b75fc021b25097cb2e68f8a0144975b9",
     "84f2200208ac6a59024bed84cc", "84ca006608409912ad8fb7aed000",
     "84f22002185f3dafc3ac14c381536a488bf44e06d056df9d74dbd21e5a",
     "84f280021865165105be3373347d0424d4400af2ac393f569ec779389e00"},
};

const char* kGetEidPlain = "80E2910006BF3E035C015A00";
const char* kGetEidResponsePlain = "bf3e125a1089882119900000000000000000000005";
const char* kCasesPlain[] = {"80F22002", "80ca006600", "80F220020a4f0212345c054f9f70c5",
                             "80f28002024f0000"};

std::string upper(const char* hex) { return toHex(fromHex(hex)); }

// Replays the SCP03 handshake of `s` and returns both ends of the session it opens.
std::pair<SecureMessaging, SecureMessaging> openSession(const RecordedSession& s) {
    const Bytes initUpdate = fromHex(s.initUpdateCommand);
    const Bytes initResponse = fromHex(s.initUpdateResponse);
    Bytes context(initUpdate.begin() + 5, initUpdate.begin() + 13);          // host challenge
    context.insert(context.end(), initResponse.begin() + 13, initResponse.begin() + 21);  // card's
    SessionKeys keys{scp03Derive(kKeyEnc, 0x04, context, 128), scp03Derive(kKeyMac, 0x06, context, 128),
                     scp03Derive(kKeyMac, 0x07, context, 128), {}};
    // The card cryptogram proves the derivation matches the card's.
    CHECK(toHex(scp03Derive(keys.mac, 0x00, context, 64)) ==
          toHex(Bytes(initResponse.begin() + 21, initResponse.begin() + 29)));
    // EXTERNAL AUTHENTICATE is C-MAC'd from a zero chaining value and starts the chain.
    const std::uint8_t level = fromHex(s.externalAuthenticate)[2];
    SecureMessaging handshake(keys, Bytes(16, 0x00), SecurityLevel{});
    apdu::CommandApdu externalAuthenticate{0x80, 0x82, level, 0x00,
                                           scp03Derive(keys.mac, 0x01, context, 64), std::nullopt};
    CHECK(toHex(handshake.wrapCommand(externalAuthenticate).encode()) == upper(s.externalAuthenticate));
    SecureMessaging host(keys, handshake.macChain(), SecurityLevel::fromScp03(level));
    SecureMessaging card(keys, handshake.macChain(), SecurityLevel::fromScp03(level));
    return {std::move(host), std::move(card)};
}

}  // namespace

TEST_CASE("crypto: secure messaging reproduces recorded SCP03 sessions, host and card side") {
    for (const auto& s : kSessions) {
        CAPTURE(s.name);
        auto [host, card] = openSession(s);

        // Host wraps exactly what the real host sent; the card unwraps it back to the plain APDU.
        const auto wrapped = host.wrapCommand(apdu::CommandApdu::parse(fromHex(kGetEidPlain)));
        CHECK(toHex(wrapped.encode()) == upper(s.getEidWrapped));
        CHECK(toHex(card.unwrapCommand(apdu::CommandApdu::parse(fromHex(s.getEidWrapped))).encode()) ==
              upper(kGetEidPlain));

        // The card wraps the plain answer exactly as the real card did; the host unwraps it.
        const apdu::ResponseApdu plainAnswer{fromHex(kGetEidResponsePlain), 0x9000};
        CHECK(toHex(card.wrapResponse(plainAnswer).data) == upper(s.getEidResponseWrapped));
        CHECK(toHex(host.unwrapResponse({fromHex(s.getEidResponseWrapped), 0x9000}).data) ==
              upper(kGetEidResponsePlain));

        // Cases 1-4 in sequence: the counter advances for every command, with or without data.
        const char* expected[] = {s.case1, s.case2, s.case3, s.case4};
        for (int i = 0; i < 4; ++i) {
            CAPTURE(i + 1);
            const auto w = host.wrapCommand(apdu::CommandApdu::parse(fromHex(kCasesPlain[i])));
            CHECK(toHex(w.encode()) == upper(expected[i]));
            CHECK(toHex(card.unwrapCommand(apdu::CommandApdu::parse(fromHex(expected[i]))).encode()) ==
                  upper(kCasesPlain[i]));
        }
    }
}

TEST_CASE("crypto: secure messaging detects every flipped byte, replays and stripped protection") {
    const auto& s = kSessions[2];  // full protection
    auto [host, card] = openSession(s);
    const Bytes wrapped = fromHex(s.getEidWrapped);
    // Every byte of the wrapped command except Le (not MACed by design) is covered.
    for (std::size_t i = 0; i + 1 < wrapped.size(); ++i) {
        CAPTURE(i);
        auto [h2, c2] = openSession(s);
        Bytes bad = wrapped;
        bad[i] ^= 0x01;
        bool refused = false;
        try {
            c2.unwrapCommand(apdu::CommandApdu::parse(bad));
        } catch (const std::exception&) {
            refused = true;  // a MAC mismatch, or a header that no longer parses or is unprotected
        }
        CHECK(refused);
    }
    // Every byte of the wrapped response, the status word included.
    const apdu::ResponseApdu response{fromHex(s.getEidResponseWrapped), 0x9000};
    const Bytes raw = response.encode();
    for (std::size_t i = 0; i < raw.size(); ++i) {
        CAPTURE(i);
        auto [h2, c2] = openSession(s);
        h2.wrapCommand(apdu::CommandApdu::parse(fromHex(kGetEidPlain)));
        Bytes bad = raw;
        bad[i] ^= 0x01;
        CHECK_THROWS_AS(h2.unwrapResponse(apdu::ResponseApdu::parse(bad)), crypto::SecureMessagingError);
    }
    // A command replayed is refused: the MAC chain has moved on.
    CHECK_NOTHROW(card.unwrapCommand(apdu::CommandApdu::parse(wrapped)));
    CHECK_THROWS_AS(card.unwrapCommand(apdu::CommandApdu::parse(wrapped)), crypto::SecureMessagingError);
    // A plain command where a protected one is expected.
    CHECK_THROWS_AS(card.unwrapCommand(apdu::CommandApdu::parse(fromHex(kGetEidPlain))),
                    crypto::SecureMessagingError);
    // Error status words travel without data or MAC; data with one is refused.
    CHECK(toHex(card.wrapResponse({fromHex("0102"), 0x6A88}).encode()) == "6A88");
    CHECK(host.unwrapResponse(apdu::ResponseApdu::status(0x6A88)).sw == 0x6A88);
    CHECK_THROWS_AS(host.unwrapResponse({fromHex("0102030405060708"), 0x6A88}),
                    crypto::SecureMessagingError);
}
