// RAII over libpcsclite: a context, a connected card, a transaction. Non-copyable; destructors
// release quietly (noexcept), so an exception on the way out never hides the first one.
#pragma once

#include <winscard.h>

#include <string>
#include <vector>

#include "apdu/bytes.hpp"

namespace quorum::host {

class PcscContext {
public:
    // SCardEstablishContext; ServiceUnavailableError when pcscd is not running.
    PcscContext();
    ~PcscContext();
    PcscContext(const PcscContext&) = delete;
    PcscContext& operator=(const PcscContext&) = delete;

    SCARDCONTEXT handle() const { return context_; }
    // Reader names as pcscd lists them; empty (not an exception) when there is no reader.
    std::vector<std::string> listReaders() const;
    // Thread-safe: makes a blocking SCardGetStatusChange on this context return CancelledError.
    void cancel() const noexcept;

private:
    SCARDCONTEXT context_ = 0;
};

enum class ShareMode { Shared, Exclusive };

class PcscCard {
public:
    // SCardConnect with T=0 or T=1; NoCardError, SharingViolationError, ReaderUnavailableError...
    PcscCard(const PcscContext& context, std::string reader, ShareMode mode = ShareMode::Shared);
    ~PcscCard();
    PcscCard(const PcscCard&) = delete;
    PcscCard& operator=(const PcscCard&) = delete;

    // One APDU through SCardTransmit; the raw response (data + SW).
    Bytes transmit(const Bytes& command);
    // The ATR as pcscd reports it now (SCardStatus).
    Bytes atr() const;
    // SCardReconnect; with `reset` the card is reset (its security state is lost).
    void reconnect(bool reset);
    // SCardReconnect with SCARD_UNPOWER_CARD: the card loses power, then is powered up again.
    void powerCycle();

    const std::string& reader() const { return reader_; }
    SCARDHANDLE handle() const { return card_; }
    DWORD protocol() const { return protocol_; }

private:
    std::string reader_;
    ShareMode mode_;
    SCARDHANDLE card_ = 0;
    DWORD protocol_ = 0;
    Bytes receiveBuffer_ = Bytes(65536 + 2);  // the largest extended response plus SW1 SW2
};

// Exclusive use of the card for a multi-APDU exchange (SCardBeginTransaction / End).
class PcscTransaction {
public:
    explicit PcscTransaction(PcscCard& card);
    ~PcscTransaction();
    PcscTransaction(const PcscTransaction&) = delete;
    PcscTransaction& operator=(const PcscTransaction&) = delete;

private:
    PcscCard& card_;
};

}  // namespace quorum::host
