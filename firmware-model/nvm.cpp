#include "firmware-model/nvm.hpp"

#include <stdexcept>

namespace quorum::card {

std::optional<Bytes> Nvm::read(const std::string& field) const {
    const NvmImage& view = staged_ ? *staged_ : image_;
    auto it = view.find(field);
    if (it == view.end()) return std::nullopt;
    return it->second;
}

void Nvm::write(const std::string& field, Bytes value) {
    if (staged_) {
        (*staged_)[field] = std::move(value);
        return;
    }
    NvmImage next = image_;
    next[field] = std::move(value);
    persist(next);  // may throw: the in-memory view then still matches what is persisted
    image_ = std::move(next);
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
}

void Nvm::abort() { staged_.reset(); }

void MemoryNvm::persist(const NvmImage& image) {
    persisted_ = image;
    ++persistCount_;
}

}  // namespace quorum::card
