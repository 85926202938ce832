// The card's persistent memory: named fields of bytes, updated one field or one transaction at
// a time, each step atomic (old or new content, never a mix), with a fixed capacity.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::card {

using NvmImage = std::map<std::string, Bytes>;

// Persistent memory could not be written; nothing of the failed step was kept.
class NvmError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The write would take the memory past its capacity (the card answers 6A84).
class NvmFullError : public NvmError {
public:
    using NvmError::NvmError;
};

// Tear injection: the power was cut. Not an NvmError, so no card code catches it: like a real
// power loss it ends everything the card was doing.
class PowerLoss : public std::exception {
public:
    const char* what() const noexcept override { return "power cut during a write"; }
};

constexpr std::size_t kDefaultNvmCapacity = 32 * 1024;

class Nvm {
public:
    virtual ~Nvm() = default;

    // Reads see the writes of the transaction in progress.
    std::optional<Bytes> read(const std::string& field) const;
    // Outside a transaction: replaces one field, persisted before this returns.
    // Inside one: staged until commit(). Throws NvmFullError past the capacity.
    void write(const std::string& field, Bytes value);
    // Removes a field (a missing one stays missing), staged or persisted as write() does. Its
    // value leaves the persistent image, and its buffer is zeroed (Bytes) when it is freed.
    void erase(const std::string& field);

    // All writes between begin() and commit() reach the backing as one atomic step; abort()
    // (or a power cut) drops them. Nested begin() throws std::logic_error.
    void begin();
    void commit();
    void abort();
    bool inTransaction() const { return staged_.has_value(); }

    const NvmImage& image() const { return image_; }
    std::size_t capacity() const { return capacity_; }
    // Bytes in use: every field's name and value plus a small per-field overhead.
    static std::size_t usage(const NvmImage& image);

protected:
    Nvm(NvmImage initial, std::size_t capacity);
    // Makes `image` the persistent content as one atomic step (old or new, never a mix).
    virtual void persist(const NvmImage& image) = 0;
    // Called after every write() and commit() has taken effect (tear injection hooks in here).
    virtual void afterWrite() {}

private:
    // `next` becomes the transaction's staged image, or the persistent one outside a transaction.
    void update(NvmImage next);

    NvmImage image_;
    std::optional<NvmImage> staged_;
    std::size_t capacity_;
};

// Volatile backing for tests: keeps what was "persisted", every persisted image in order, and
// can cut the power after the k-th write (tear injection).
class MemoryNvm : public Nvm {
public:
    explicit MemoryNvm(NvmImage initial = {}, std::size_t capacity = kDefaultNvmCapacity);

    const NvmImage& persisted() const { return history_.back(); }
    // The initial image, then one entry per persist, in order.
    const std::vector<NvmImage>& history() const { return history_; }
    std::size_t persistCount() const { return history_.size() - 1; }
    // write() and commit() calls so far: the positions where power can be cut.
    std::size_t writeCount() const { return writes_; }

    // The k-th write (1-based) from now takes effect, then PowerLoss is thrown; every write
    // after it throws PowerLoss too (the card is dead until reloaded from persisted()).
    void cutPowerAfterWrite(std::size_t k);

protected:
    void persist(const NvmImage& image) override;
    void afterWrite() override;

private:
    std::vector<NvmImage> history_;
    std::size_t writes_ = 0;
    std::size_t cutAt_ = 0;  // 0: never
    bool dead_ = false;
};

}  // namespace quorum::card
