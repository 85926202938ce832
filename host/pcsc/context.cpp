#include "host/pcsc/context.hpp"

#include "host/pcsc/errors.hpp"

namespace quorum::host {

PcscContext::PcscContext() {
    checkPcsc("SCardEstablishContext", SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &context_),
              Call::NewContext);
}

PcscContext::~PcscContext() { SCardReleaseContext(context_); }

std::vector<std::string> PcscContext::listReaders() const {
    for (int attempt = 0; attempt < 3; ++attempt) {
        DWORD size = 0;
        LONG rc = SCardListReaders(context_, nullptr, nullptr, &size);
        if (rc == SCARD_E_NO_READERS_AVAILABLE) return {};
        checkPcsc("SCardListReaders", rc);
        std::string buffer(size, '\0');
        rc = SCardListReaders(context_, nullptr, buffer.data(), &size);
        if (rc == SCARD_E_NO_READERS_AVAILABLE) return {};
        if (rc == SCARD_E_INSUFFICIENT_BUFFER) continue;  // a reader appeared in between
        checkPcsc("SCardListReaders", rc);
        std::vector<std::string> readers;
        for (std::size_t pos = 0; pos < buffer.size() && buffer[pos] != '\0';) {
            const std::size_t end = buffer.find('\0', pos);
            readers.push_back(buffer.substr(pos, end - pos));
            pos = end + 1;
        }
        return readers;
    }
    throwPcscError("SCardListReaders", SCARD_E_INSUFFICIENT_BUFFER);
}

void PcscContext::cancel() const noexcept { SCardCancel(context_); }

PcscCard::PcscCard(const PcscContext& context, std::string reader, ShareMode mode)
    : reader_(std::move(reader)), mode_(mode) {
    const DWORD share = mode_ == ShareMode::Exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
    checkPcsc("SCardConnect(" + reader_ + ")",
              SCardConnect(context.handle(), reader_.c_str(), share,
                           SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &card_, &protocol_));
}

PcscCard::~PcscCard() { SCardDisconnect(card_, SCARD_LEAVE_CARD); }

Bytes PcscCard::transmit(const Bytes& command) {
    const SCARD_IO_REQUEST* pci = protocol_ == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    DWORD size = static_cast<DWORD>(receiveBuffer_.size());
    checkPcsc("SCardTransmit",
              SCardTransmit(card_, pci, command.data(), static_cast<DWORD>(command.size()), nullptr,
                            receiveBuffer_.data(), &size),
              Call::CardExchange);
    // vpcd reports a card that vanished in the middle of an APDU as success with no bytes.
    if (size < 2)
        throw CommunicationError("SCardTransmit(" + reader_ + "): " + std::to_string(size) +
                                     "-byte answer: the card stopped answering (pulled?)",
                                 SCARD_E_NOT_TRANSACTED);
    Bytes response(receiveBuffer_.begin(), receiveBuffer_.begin() + size);
    secureZero(receiveBuffer_.data(), size);  // the buffer outlives the response it held
    return response;
}

Bytes PcscCard::atr() const {
    DWORD readerSize = 0;
    DWORD state = 0;
    DWORD protocol = 0;
    BYTE atr[MAX_ATR_SIZE];
    DWORD atrSize = sizeof atr;
    checkPcsc("SCardStatus",
              SCardStatus(card_, nullptr, &readerSize, &state, &protocol, atr, &atrSize));
    return Bytes(atr, atr + atrSize);
}

void PcscCard::reconnect(bool reset) {
    const DWORD share = mode_ == ShareMode::Exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
    checkPcsc("SCardReconnect(" + reader_ + ")",
              SCardReconnect(card_, share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                             reset ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &protocol_));
}

void PcscCard::powerCycle() {
    const DWORD share = mode_ == ShareMode::Exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED;
    checkPcsc("SCardReconnect(" + reader_ + ", unpower)",
              SCardReconnect(card_, share, SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_UNPOWER_CARD, &protocol_));
}

PcscTransaction::PcscTransaction(PcscCard& card) : card_(card) {
    checkPcsc("SCardBeginTransaction", SCardBeginTransaction(card_.handle()));
}

PcscTransaction::~PcscTransaction() { SCardEndTransaction(card_.handle(), SCARD_LEAVE_CARD); }

}  // namespace quorum::host
