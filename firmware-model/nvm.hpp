// The card's persistent memory: named fields of bytes, each update durable when write() returns.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "apdu/bytes.hpp"

namespace quorum::card {

using NvmImage = std::map<std::string, Bytes>;

class Nvm {
public:
    virtual ~Nvm() = default;

    // Reads see the writes of the transaction in progress.
    std::optional<Bytes> read(const std::string& field) const;
    // Outside a transaction: replaces one field, persisted before this returns.
    // Inside one: staged until commit().
    void write(const std::string& field, Bytes value);

    // All writes between begin() and commit() reach the backing as one atomic step; abort()
    // (or a power cut) drops them. Nested begin() throws std::logic_error.
    void begin();
    void commit();
    void abort();
    bool inTransaction() const { return staged_.has_value(); }

    const NvmImage& image() const { return image_; }

protected:
    explicit Nvm(NvmImage initial) : image_(std::move(initial)) {}
    // Makes `image` the persistent content as one atomic step (old or new, never a mix).
    virtual void persist(const NvmImage& image) = 0;

private:
    NvmImage image_;
    std::optional<NvmImage> staged_;
};

// Volatile backing for tests: the "persisted" image is kept in memory and can be inspected.
class MemoryNvm : public Nvm {
public:
    explicit MemoryNvm(NvmImage initial = {}) : Nvm(initial), persisted_(std::move(initial)) {}
    const NvmImage& persisted() const { return persisted_; }
    std::size_t persistCount() const { return persistCount_; }

protected:
    void persist(const NvmImage& image) override;

private:
    NvmImage persisted_;
    std::size_t persistCount_ = 0;
};

}  // namespace quorum::card
