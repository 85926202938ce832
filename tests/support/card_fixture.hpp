// A firmware-model card in memory, driven one hex APDU at a time.
#pragma once

#include <memory>
#include <string>

#include "apdu/bytes.hpp"
#include "apdu/response.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/nvm.hpp"

namespace quorum::test {

// "Random" bytes that count up from A0, so card ids are predictable in tests.
class CountingCoprocessor : public card::Coprocessor {
public:
    void random(std::uint8_t* out, std::size_t size) override {
        for (std::size_t i = 0; i < size; ++i) out[i] = next_++;
    }

private:
    std::uint8_t next_ = 0xA0;
};

struct CardFixture {
    explicit CardFixture(card::NvmImage image = {},
                         std::size_t capacity = card::kDefaultNvmCapacity)
        : nvm(std::move(image), capacity) {}

    card::MemoryNvm nvm;
    CountingCoprocessor coprocessor;
    card::Card card{nvm, coprocessor};

    // Sends hex, returns the response as hex ("<data><SW>") so a failing check shows both.
    std::string send(const std::string& hex) { return toHex(card.process(fromHex(hex))); }
    std::uint16_t sw(const std::string& hex) {
        return apdu::ResponseApdu::parse(card.process(fromHex(hex))).sw;
    }
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
}  // namespace script

// Personalizes `f`'s card with the script above and activates it (PERSONALIZED, PIN change due).
inline void personalize(CardFixture& f, bool changeBeforeUse = true) {
    f.send(script::kSelect);
    f.send(changeBeforeUse ? script::kPutPolicy : script::kPutPolicyNoChange);
    f.send(script::kPutPin);
    f.send(script::kPutPuk);
    f.send(script::kActivate);
}

}  // namespace quorum::test
