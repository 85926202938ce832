#include "host/pcsc/errors.hpp"

#include <winscard.h>

#include <cstdio>

namespace quorum::host {
namespace {
std::string describe(const std::string& operation, long code) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(code) & 0xFFFFFFFFUL);
    return operation + ": " + pcsc_stringify_error(static_cast<LONG>(code)) + " (" + hex + ")";
}
}  // namespace

template <typename Branch>
PcscFailure<Branch>::PcscFailure(const std::string& operation, long code)
    : Branch(describe(operation, code)), operation_(operation), code_(code) {}

template class PcscFailure<AttemptError>;
template class PcscFailure<FatalError>;

void throwPcscError(const std::string& operation, long code, Call call) {
    if (static_cast<LONG>(code) == SCARD_F_COMM_ERROR && call != Call::CardExchange)
        throw ServiceUnavailableError(operation, code);  // the RPC connection to pcscd broke
    // pcsc-lite reports a connection reset by the daemon as "access denied" (winscard_msg.c): a
    // pcscd killed before it read our request. A real refusal comes again from the next
    // SCardEstablishContext (Call::NewContext), which ends the ceremony there.
    if (static_cast<LONG>(code) == SCARD_W_SECURITY_VIOLATION && call == Call::Service)
        throw ServiceUnavailableError(operation, code);
    switch (static_cast<LONG>(code)) {
        case SCARD_E_NO_SERVICE:
        case SCARD_E_SERVICE_STOPPED: throw ServiceUnavailableError(operation, code);
        case SCARD_E_NO_READERS_AVAILABLE: throw NoReadersError(operation, code);
        case SCARD_E_UNKNOWN_READER:
        case SCARD_E_READER_UNAVAILABLE: throw ReaderUnavailableError(operation, code);
        case SCARD_E_NO_SMARTCARD: throw NoCardError(operation, code);
        case SCARD_W_REMOVED_CARD: throw CardRemovedError(operation, code);
        case SCARD_W_RESET_CARD: throw CardResetError(operation, code);
        case SCARD_W_UNRESPONSIVE_CARD:
        case SCARD_W_UNPOWERED_CARD: throw CardUnresponsiveError(operation, code);
        case SCARD_E_NOT_TRANSACTED:
        case SCARD_F_COMM_ERROR: throw CommunicationError(operation, code);
        case SCARD_E_SHARING_VIOLATION: throw SharingViolationError(operation, code);
        case SCARD_E_TIMEOUT: throw TimeoutError(operation, code);
        case SCARD_E_CANCELLED: throw CancelledError(operation, code);
        default: throw PcscServiceError(operation, code);
    }
}

void checkPcsc(const std::string& operation, long code, Call call) {
    if (code != SCARD_S_SUCCESS) throwPcscError(operation, code, call);
}

}  // namespace quorum::host
