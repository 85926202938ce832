// A firmware-model card in memory, driven one hex APDU at a time - in the clear, or through an
// SCP11a session with a test ceremony's host, as the command requires.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"
#include "apdu/response.hpp"
#include "card-sim/in_process_channel.hpp"
#include "crypto/certificate.hpp"
#include "crypto/shoup.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/nvm.hpp"
#include "host/card/card_link.hpp"
#include "host/card/quorum_card.hpp"
#include "host/card/secure_channel.hpp"
#include "host/documents/manifest.hpp"

namespace quorum::test {

// "Random" bytes that count up from A0, so card ids are predictable in tests; the last ones
// handed out are kept (a test may recompute what the card computed with them).
class CountingCoprocessor : public card::OpensslCoprocessor {
public:
    void random(std::uint8_t* out, std::size_t size) override {
        for (std::size_t i = 0; i < size; ++i) out[i] = next_++;
        last.assign(out, out + size);
    }
    Bytes last;

private:
    std::uint8_t next_ = 0xA0;
};

// One ceremony CA and one host for the whole test run (key generation is not free).
struct TestCeremony {
    crypto::CeremonyCa ca;
    host::HostCredentials host;
    static const TestCeremony& instance();
    // A second, unrelated ceremony: its CA, host and card set are all different.
    static const TestCeremony& other();
    host::CeremonyTrust trust() const { return {host, ca.certificate(), ca.cardSetId()}; }
};

// A threshold card set's manifest with no cards behind it: the threshold key `key`, and for each
// of its n cards a certificate of `ca` (for a key pair nobody keeps) and card id i, i, ..., i;
// signed by `ca`.
host::Manifest thresholdManifest(const crypto::CeremonyCa& ca, const crypto::shoup::PublicKey& key);

// Every APDU as bytes, once `on`: as it crossed the wire to the card (wrapped inside a session,
// cut into pieces by chaining and GET RESPONSE) and as the fixture's send() wrote and read it (plain).
struct ApduTrace {
    bool on = false;
    std::vector<Bytes> wire;
    std::vector<Bytes> plain;
};

// Passes APDUs on, keeping a copy of each command and response in the trace's `wire`.
class RecordingChannel : public apdu::CardChannel {
public:
    RecordingChannel(apdu::CardChannel& inner, ApduTrace& trace) : inner_(inner), trace_(trace) {}
    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        if (trace_.on) trace_.wire.push_back(command.encode());
        apdu::ResponseApdu response = inner_.transmit(command);
        if (trace_.on) trace_.wire.push_back(response.encode());
        return response;
    }

private:
    apdu::CardChannel& inner_;
    ApduTrace& trace_;
};

struct CardFixture {
    explicit CardFixture(card::NvmImage image = {},
                         std::size_t capacity = card::kDefaultNvmCapacity)
        : nvm(std::move(image), capacity) {}

    card::MemoryNvm nvm;
    CountingCoprocessor coprocessor;
    card::Card card{nvm, coprocessor};
    sim::InProcessChannel raw{card};
    ApduTrace trace;
    RecordingChannel wire{raw, trace};
    host::CardLink link{wire};  // the host's one channel stack, as over PC/SC
    std::unique_ptr<host::SecureChannel> session;

    // Sends hex - through the session when the command needs one (opening it if the card has
    // none), else in the clear - and returns the (unwrapped) response as hex "<data><SW>".
    std::string send(const std::string& hex);
    std::uint16_t sw(const std::string& hex) { return apdu::ResponseApdu::parse(fromHex(send(hex))).sw; }
    // In the clear, whatever the command (this ends the card's session).
    std::string sendPlain(const std::string& hex);
    // SELECT and SCP11a with the test ceremony (or `trust`).
    void openSession(const std::optional<host::CeremonyTrust>& trust = std::nullopt);
    // CA key, key pair and certificate as card `index` of the test ceremony (in the clear).
    void issueIdentity(int index = 1, const TestCeremony& ceremony = TestCeremony::instance());
};

// APDUs of docs/apdu-spec.md's examples: policy PIN 6..8, PUK 8, 3 and 3 tries, change PIN
// before use; PIN "123456", PUK "12345678".
namespace script {
constexpr const char* kSelect = "00A404000BF051554F52554D4341524400";
constexpr const char* kPutPolicy = "00DA00C506060808030301";
constexpr const char* kPutPolicyNoChange = "00DA00C506060808030300";
constexpr const char* kPutPin = "00DA00C606313233343536";
constexpr const char* kPutPuk = "00DA00C7083132333435363738";
constexpr const char* kActivate = "00440000";
constexpr const char* kVerifyPin = "002000810831323334353" "6FFFF";        // "123456"
constexpr const char* kVerifyWrong = "002000810839393939393" "9FFFF";      // "999999"
constexpr const char* kVerifyNewPin = "00200081083837363534333231";       // "87654321"
constexpr const char* kVerifyStatus = "00200081";
constexpr const char* kChangePin = "002400811031323334353" "6FFFF" "3837363534333231";  // -> 87654321
constexpr const char* kResetWithPuk = "002C0081103132333435363738" "313131313131FFFF";  // PIN 111111
constexpr const char* kResetWrongPuk = "002C0081103939393939393939" "313131313131FFFF";
constexpr const char* kVerifyResetPin = "0020008108313131313131FFFF";
constexpr const char* kWipe = "80E40000";
constexpr const char* kRetire = "80E60000";
}  // namespace script

// Issues `f`'s card, personalizes it with the script above inside SCP11a and activates it
// (PERSONALIZED, PIN change due unless `changeBeforeUse` is false).
inline void personalize(CardFixture& f, bool changeBeforeUse = true) {
    f.issueIdentity();
    f.send(changeBeforeUse ? script::kPutPolicy : script::kPutPolicyNoChange);
    f.send(script::kPutPin);
    f.send(script::kPutPuk);
    f.send(script::kActivate);
}

}  // namespace quorum::test
