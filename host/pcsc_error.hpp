// Typed PC/SC failures, so callers can act on "card removed" without parsing messages.
#pragma once

#include <stdexcept>
#include <string>

namespace quorum::host {

class PcscError : public std::runtime_error {
public:
    PcscError(const std::string& operation, long code);
    long code() const noexcept { return code_; }
    const std::string& operation() const noexcept { return operation_; }

private:
    std::string operation_;
    long code_;
};

// pcscd is not running or went away (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED).
class ServiceUnavailableError : public PcscError { using PcscError::PcscError; };
// No reader is attached (SCARD_E_NO_READERS_AVAILABLE).
class NoReadersError : public PcscError { using PcscError::PcscError; };
// The named reader does not exist or went away (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE).
class ReaderUnavailableError : public PcscError { using PcscError::PcscError; };
// No card in the reader (SCARD_E_NO_SMARTCARD).
class NoCardError : public PcscError { using PcscError::PcscError; };
// The card was pulled while connected (SCARD_W_REMOVED_CARD).
class CardRemovedError : public PcscError { using PcscError::PcscError; };
// Someone reset the card; its security state is gone (SCARD_W_RESET_CARD).
class CardResetError : public PcscError { using PcscError::PcscError; };
// The card does not answer or has no power (SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD).
class CardUnresponsiveError : public PcscError { using PcscError::PcscError; };
// The exchange with the card broke off, typically because it was pulled mid-APDU
// (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR).
class CommunicationError : public PcscError { using PcscError::PcscError; };
// Another program holds the card exclusively (SCARD_E_SHARING_VIOLATION).
class SharingViolationError : public PcscError { using PcscError::PcscError; };
// A wait ran out (SCARD_E_TIMEOUT).
class TimeoutError : public PcscError { using PcscError::PcscError; };
// A wait was cancelled by SCardCancel (SCARD_E_CANCELLED).
class CancelledError : public PcscError { using PcscError::PcscError; };

// Throws the exception type matching `code`; message "<operation>: <pcsc text> (0x...)".
[[noreturn]] void throwPcscError(const std::string& operation, long code);

// Throws unless `code` is SCARD_S_SUCCESS.
void checkPcsc(const std::string& operation, long code);

}  // namespace quorum::host
