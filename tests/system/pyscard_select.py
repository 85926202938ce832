#!/usr/bin/env python3
"""SELECT the quorum application with pyscard, a PC/SC client nobody in this project wrote.

Prints the reader list, then the SELECT response as hex and the status word; exits 0 only when
the card answered 90 00 (after GET RESPONSE if the card asked for one).
"""
import sys

from smartcard.System import readers

AID = [0xF0, 0x51, 0x55, 0x4F, 0x52, 0x55, 0x4D, 0x43, 0x41, 0x52, 0x44]

names = readers()
print("readers:", [str(r) for r in names])
reader = next((r for r in names if str(r) == sys.argv[1]), None)
if reader is None:
    sys.exit("no reader named " + sys.argv[1])
connection = reader.createConnection()
connection.connect()
print("atr:", "".join("%02X" % b for b in connection.getATR()))
data, sw1, sw2 = connection.transmit([0x00, 0xA4, 0x04, 0x00, len(AID)] + AID + [0x00])
print("select:", "".join("%02X" % b for b in data), "%02X%02X" % (sw1, sw2))
sys.exit(0 if (sw1, sw2) == (0x90, 0x00) else 1)
