#!/usr/bin/env python3
"""Send raw command APDUs with pyscard's PC/SC layer, exactly as given (no length checks).

Usage: pyscard_transmit.py READER HEX...
Connects to READER (shared, T=1) and sends each HEX as one SCardTransmit, in order. Prints one line
per APDU, "HEX RESPONSE MILLISECONDS", as soon as its answer arrives, so that a caller that kills
this program after a time still sees which APDUs were answered.
"""
import sys
import time

from smartcard.scard import (SCARD_LEAVE_CARD, SCARD_PCI_T1, SCARD_PROTOCOL_T1, SCARD_S_SUCCESS,
                             SCARD_SCOPE_USER, SCARD_SHARE_SHARED, SCardConnect, SCardDisconnect,
                             SCardEstablishContext, SCardGetErrorMessage, SCardTransmit)


def check(what, result):
    if result != SCARD_S_SUCCESS:
        sys.exit("%s: %s" % (what, SCardGetErrorMessage(result)))


result, context = SCardEstablishContext(SCARD_SCOPE_USER)
check("SCardEstablishContext", result)
result, card, protocol = SCardConnect(context, sys.argv[1], SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1)
check("SCardConnect", result)
for command in sys.argv[2:]:
    start = time.monotonic()
    result, response = SCardTransmit(card, SCARD_PCI_T1, list(bytes.fromhex(command)))
    check("SCardTransmit " + command, result)
    print(command.upper(), bytes(response).hex().upper(), round((time.monotonic() - start) * 1000), flush=True)
SCardDisconnect(card, SCARD_LEAVE_CARD)
