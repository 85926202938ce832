// How PC/SC return codes become the host's error types: what a ceremony does next depends on it.
#include <doctest/doctest.h>

#include <winscard.h>

#include "host/pcsc/errors.hpp"

using namespace quorum::host;

TEST_CASE("pcsc errors: a dead pcscd is 'service unavailable', wherever it shows") {
    CHECK_THROWS_AS(throwPcscError("SCardGetStatusChange", SCARD_E_NO_SERVICE), ServiceUnavailableError);
    CHECK_THROWS_AS(throwPcscError("SCardGetStatusChange", SCARD_F_COMM_ERROR), ServiceUnavailableError);
    // pcsc-lite's reading of a connection reset by a killed daemon
    CHECK_THROWS_AS(throwPcscError("SCardGetStatusChange", SCARD_W_SECURITY_VIOLATION), ServiceUnavailableError);
    CHECK_THROWS_AS(throwPcscError("SCardEstablishContext", SCARD_E_NO_SERVICE, Call::NewContext),
                    ServiceUnavailableError);
}

TEST_CASE("pcsc errors: the daemon's refusal of a new context ends the ceremony; a broken exchange is one card's") {
    CHECK_THROWS_AS(throwPcscError("SCardEstablishContext", SCARD_W_SECURITY_VIOLATION, Call::NewContext),
                    PcscServiceError);
    CHECK_THROWS_AS(throwPcscError("SCardTransmit", SCARD_F_COMM_ERROR, Call::CardExchange), CommunicationError);
    CHECK_THROWS_AS(throwPcscError("SCardTransmit", SCARD_W_REMOVED_CARD, Call::CardExchange), CardRemovedError);
    try {
        throwPcscError("SCardEstablishContext", SCARD_W_SECURITY_VIOLATION, Call::NewContext);
    } catch (const PcscServiceError& e) {
        CHECK(std::string(e.what()) == "SCardEstablishContext: Access denied. (0x8010006A)");
    }
}
