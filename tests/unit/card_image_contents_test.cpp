// Card images whose digest was recomputed over contents no card could have written (issue 15,
// failure 12) are refused at load, naming the field, and left untouched.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include "firmware-model/image_file.hpp"
#include "protocol/shares.hpp"
#include "tests/support/card_fixture.hpp"
#include "tests/support/processes.hpp"
#include "tests/support/thrown.hpp"

using namespace quorum;
namespace field = card::field;

namespace {

void writeImage(const std::string& path, const card::NvmImage& image) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << card::renderImage(image);
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
}

// A personalized card's memory, with a Feldman share of index 1.
card::NvmImage personalizedImage() {
    test::CardFixture f;
    test::personalize(f);
    card::NvmImage image = f.nvm.persisted();
    protocol::ShareRecord share{1, crypto::EcPrivateKey::generate().scalar(), Bytes(32, 0xD1)};
    image[field::kShare] = share.encode();
    image[field::kUsageCounter] = protocol::encodeUsageCounter(0);
    return image;
}

}  // namespace

TEST_CASE("card image: impossible contents with a recomputed digest are refused by field name") {
    test::TempFolder folder;
    const std::string path = folder.file("card.json");
    const card::NvmImage good = personalizedImage();
    writeImage(path, good);
    CHECK(card::ImageFileNvm::open(path).read(field::kShare).has_value());  // the good one loads

    Bytes offCurve = good.at(field::kCaPublicKey);
    offCurve.back() ^= 0x01;
    Bytes share10(10, 0x42);
    Bytes shareZero = good.at(field::kShare);
    std::fill(shareZero.begin() + 1, shareZero.begin() + 33, 0);
    Bytes shareIndexZero = good.at(field::kShare);
    shareIndexZero[0] = 0;
    Bytes minOverMax = good.at(field::kPinPolicy);
    std::swap(minOverMax[0], minOverMax[1]);
    minOverMax[0] = 8;
    minOverMax[1] = 6;
    struct Case {
        const char* name;
        const char* field;
        std::optional<Bytes> value;  // nullopt: the field removed
    };
    const std::vector<Case> cases{
        {"PIN tries FF", field::kPinTries, Bytes{0xFF}},
        {"PIN tries 4 of 3", field::kPinTries, Bytes{4}},
        {"PUK tries FF", field::kPukTries, Bytes{0xFF}},
        {"PIN tries two bytes", field::kPinTries, Bytes{0, 3}},
        {"PIN min > max", field::kPinPolicy, minOverMax},
        {"policy short", field::kPinPolicy, Bytes{6, 8}},
        {"empty PIN", field::kPin, Bytes{}},
        {"empty PIN block", field::kPin, Bytes(8, 0xFF)},
        {"PIN too short", field::kPin, Bytes{'1', '2'}},
        {"PIN with FF inside", field::kPin, Bytes{'1', '2', '3', '4', '5', '6', 0xFF, '7'}},
        {"PIN block unpadded", field::kPin, Bytes(9, '1')},
        {"empty PUK", field::kPuk, Bytes{}},
        {"PUK of 7", field::kPuk, Bytes(7, '1')},
        {"PIN change flag 2", field::kPinChangeRequired, Bytes{2}},
        {"10-byte share", field::kShare, share10},
        {"share value 0", field::kShare, shareZero},
        {"share index 0", field::kShare, shareIndexZero},
        {"private key 0", field::kCardPrivateKey, Bytes(32, 0)},
        {"private key short", field::kCardPrivateKey, Bytes(31, 1)},
        {"private key n or more", field::kCardPrivateKey, Bytes(32, 0xFF)},
        {"CA key off the curve", field::kCaPublicKey, offCurve},
        {"certificate garbage", field::kCardCertificate, Bytes(40, 0x30)},
        {"lifecycle 77", field::kLifecycle, Bytes{0x77}},
        {"card id short", field::kCardId, Bytes(15, 1)},
        {"usage counter 3 bytes", field::kUsageCounter, Bytes(3, 0)},
        {"RSA share garbage", field::kRsaShare, Bytes(20, 0x80)},
        {"PIN missing", field::kPin, std::nullopt},
        {"PIN tries missing", field::kPinTries, std::nullopt},
    };
    for (const Case& c : cases) {
        CAPTURE(std::string(c.name));
        card::NvmImage bad = good;
        if (c.value)
            bad[c.field] = *c.value;
        else
            bad.erase(c.field);
        writeImage(path, bad);
        const std::string text = test::readFile(path);
        const std::string message = test::thrownMessage<card::ImageFileError>([&] { card::ImageFileNvm::open(path); });
        CAPTURE(message);
        CHECK(test::contains(message, "card image " + path));
        CHECK(test::contains(message, std::string("field \"") + c.field + "\""));
        CHECK(test::readFile(path) == text);
    }
}

TEST_CASE("card image: a TERMINATED card's zeroized secrets load; a secret left on one does not") {
    test::TempFolder folder;
    const std::string path = folder.file("card.json");
    card::NvmImage terminated = personalizedImage();
    for (const char* name : {field::kPin, field::kPuk, field::kCardPrivateKey, field::kShare})
        std::fill(terminated[name].begin(), terminated[name].end(), 0);
    terminated[field::kLifecycle] = Bytes{static_cast<std::uint8_t>(protocol::Lifecycle::Terminated)};
    terminated[field::kPinTries] = Bytes{0};
    terminated[field::kPukTries] = Bytes{0};
    writeImage(path, terminated);
    CHECK(card::ImageFileNvm::open(path).read(field::kCardPrivateKey) == Bytes(32, 0));
    terminated[field::kPin][0] = '1';
    writeImage(path, terminated);
    CHECK_THROWS_WITH_AS(card::ImageFileNvm::open(path), doctest::Contains("field \"pin\" is not zeroized"),
                         card::ImageFileError);
}
