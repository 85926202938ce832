// Typed PC/SC failures, so callers can act on "card removed" without parsing messages. Failures of
// the card in hand (pulled, reset, silent, held by another program) are AttemptErrors: another
// try or another card may work. Failures of the service or the reader are FatalErrors.
#pragma once

#include <string>

#include "host/base/error.hpp"

namespace quorum::host {

// What every PC/SC failure says: the call and its SCARD_ code. `Branch` places it in the
// hierarchy (host/base/error.hpp).
template <typename Branch>
class PcscFailure : public Branch {
public:
    PcscFailure(const std::string& operation, long code);
    long code() const noexcept { return code_; }
    const std::string& operation() const noexcept { return operation_; }

private:
    std::string operation_;
    long code_;
};
using PcscAttemptError = PcscFailure<AttemptError>;
using PcscFatalError = PcscFailure<FatalError>;

// pcscd is not running or went away (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED, and
// SCARD_F_COMM_ERROR - "RPC transport error" - outside an exchange with a card).
class ServiceUnavailableError : public PcscFatalError { using PcscFatalError::PcscFatalError; };
// No reader is attached (SCARD_E_NO_READERS_AVAILABLE).
class NoReadersError : public PcscFatalError { using PcscFatalError::PcscFatalError; };
// The named reader does not exist or went away (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE).
class ReaderUnavailableError : public PcscFatalError { using PcscFatalError::PcscFatalError; };
// A wait ran out (SCARD_E_TIMEOUT).
class TimeoutError : public PcscFatalError { using PcscFatalError::PcscFatalError; };
// A wait was cancelled by SCardCancel (SCARD_E_CANCELLED).
class CancelledError : public PcscFatalError { using PcscFatalError::PcscFatalError; };
// Any other failure of the service.
class PcscServiceError : public PcscFatalError { using PcscFatalError::PcscFatalError; };

// No card in the reader (SCARD_E_NO_SMARTCARD).
class NoCardError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };
// The card was pulled while connected (SCARD_W_REMOVED_CARD).
class CardRemovedError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };
// Someone reset the card; its security state is gone (SCARD_W_RESET_CARD).
class CardResetError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };
// The card does not answer or has no power (SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD).
class CardUnresponsiveError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };
// The exchange with the card broke off, typically because it was pulled mid-APDU
// (SCARD_E_NOT_TRANSACTED, SCARD_F_COMM_ERROR during a card exchange).
class CommunicationError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };
// Another program holds the card exclusively (SCARD_E_SHARING_VIOLATION).
class SharingViolationError : public PcscAttemptError { using PcscAttemptError::PcscAttemptError; };

// Whether the failed call was an exchange with a card (SCardTransmit): there SCARD_F_COMM_ERROR
// means the exchange broke off (CommunicationError); anywhere else, that pcscd went away. On an
// established context (Service) an "access denied" is a connection pcscd reset by dying; from
// SCardEstablishContext (NewContext) it is the daemon's refusal.
enum class Call { Service, NewContext, CardExchange };

// Throws the exception type matching `code`; message "<operation>: <pcsc text> (0x...)".
[[noreturn]] void throwPcscError(const std::string& operation, long code, Call call = Call::Service);

// Throws unless `code` is SCARD_S_SUCCESS.
void checkPcsc(const std::string& operation, long code, Call call = Call::Service);

}  // namespace quorum::host
