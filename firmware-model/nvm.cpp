#include "firmware-model/nvm.hpp"

namespace quorum::card {

namespace {
constexpr std::size_t kFieldOverhead = 4;  // a length and a tag per field, as a card would store
}

Nvm::Nvm(NvmImage initial, std::size_t capacity) : image_(std::move(initial)), capacity_(capacity) {}

std::size_t Nvm::usage(const NvmImage& image) {
    std::size_t total = 0;
    for (const auto& [name, value] : image) total += kFieldOverhead + name.size() + value.size();
    return total;
}

std::optional<Bytes> Nvm::read(const std::string& field) const {
    const NvmImage& view = staged_ ? *staged_ : image_;
    auto it = view.find(field);
    if (it == view.end()) return std::nullopt;
    return it->second;
}

void Nvm::write(const std::string& field, Bytes value) {
    NvmImage next = staged_ ? *staged_ : image_;
    next[field] = std::move(value);
    if (usage(next) > capacity_)
        throw NvmFullError("card memory full: writing \"" + field + "\" needs " +
                           std::to_string(usage(next)) + " of " + std::to_string(capacity_) +
                           " bytes");
    update(std::move(next));
}

void Nvm::erase(const std::string& field) {
    NvmImage next = staged_ ? *staged_ : image_;
    next.erase(field);
    update(std::move(next));
}

void Nvm::update(NvmImage next) {
    if (staged_) {
        staged_ = std::move(next);
    } else {
        persist(next);  // may throw: the in-memory view then still matches what is persisted
        image_ = std::move(next);
    }
    afterWrite();
}

void Nvm::begin() {
    if (staged_) throw std::logic_error("NVM transaction already in progress (nesting is not allowed)");
    staged_ = image_;
}

void Nvm::commit() {
    if (!staged_) throw std::logic_error("NVM commit without a transaction");
    NvmImage next = std::move(*staged_);
    staged_.reset();
    persist(next);
    image_ = std::move(next);
    afterWrite();
}

void Nvm::abort() { staged_.reset(); }

MemoryNvm::MemoryNvm(NvmImage initial, std::size_t capacity)
    : Nvm(initial, capacity), history_{std::move(initial)} {}

void MemoryNvm::cutPowerAfterWrite(std::size_t k) { cutAt_ = writes_ + k; }

void MemoryNvm::persist(const NvmImage& image) {
    if (dead_) throw PowerLoss();
    history_.push_back(image);
}

void MemoryNvm::afterWrite() {
    if (dead_) throw PowerLoss();
    ++writes_;
    if (cutAt_ != 0 && writes_ == cutAt_) {
        dead_ = true;
        throw PowerLoss();
    }
}

}  // namespace quorum::card
