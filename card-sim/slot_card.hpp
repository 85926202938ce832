// What sits in a reader slot: a quorum card of the firmware model, or a card of another
// application that answers every command with one status word (a test aid).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "apdu/bytes.hpp"
#include "firmware-model/card.hpp"
#include "firmware-model/image_file.hpp"

namespace quorum::sim {

class SlotCard {
public:
    virtual ~SlotCard() = default;
    virtual Bytes atr() const = 0;
    virtual void powerOn() = 0;
    virtual void powerOff() = 0;
    virtual void reset() = 0;
    // One command APDU in, one response APDU out; never throws (a card that cannot complete a
    // command answers 6581, memory failure, and commits nothing).
    virtual Bytes process(const Bytes& command) = 0;
};

// A firmware-model card on its image file. The image is locked (IMAGE.lock, flock) for as long
// as the object lives, so two simulators never share one card.
class ImageCard : public SlotCard {
public:
    // Loads `image` (created blank if it does not exist). Throws std::runtime_error naming the
    // image when it is locked by another simulator or cannot be read.
    ImageCard(const std::string& image, std::size_t nvmCapacity);
    ~ImageCard() override;
    ImageCard(const ImageCard&) = delete;
    ImageCard& operator=(const ImageCard&) = delete;

    Bytes atr() const override { return card::Card::atr(); }
    void powerOn() override { card_->powerOn(); }
    void powerOff() override { card_->powerOff(); }
    void reset() override { card_->reset(); }
    Bytes process(const Bytes& command) override;

    bool existedOnDisk() const { return existed_; }
    const card::Card& card() const { return *card_; }
    // The last error the card could not complete a command for (empty: none since the last call).
    std::string takeError();

private:
    int lockFd_ = -1;
    bool existed_ = false;
    std::unique_ptr<card::ImageFileNvm> nvm_;
    std::unique_ptr<card::OpensslCoprocessor> coprocessor_;
    std::unique_ptr<card::Card> card_;
    std::string error_;
};

// A card of another application: answers every command APDU with `sw` and nothing else.
class ForeignCard : public SlotCard {
public:
    explicit ForeignCard(std::uint16_t sw) : sw_(sw) {}
    Bytes atr() const override { return {0x3B, 0x80, 0x80, 0x01, 0x01}; }
    void powerOn() override {}
    void powerOff() override {}
    void reset() override {}
    Bytes process(const Bytes&) override {
        return {static_cast<std::uint8_t>(sw_ >> 8), static_cast<std::uint8_t>(sw_ & 0xFF)};
    }

private:
    std::uint16_t sw_;
};

// What an image says of its card without making a card of it (nothing is written): its id and
// lifecycle. Throws card::ImageFileError for an image that cannot be read.
struct ImageSummary {
    Bytes cardId;  // empty for a card never powered
    std::string lifecycle;
};
ImageSummary summarizeImage(const std::string& image);

}  // namespace quorum::sim
