#!/usr/bin/python3
"""Alters a card's share in its card image, as a forger with access to the card's memory would:
one hex digit of the share changes and the image's SHA-256 is sealed again, so the card loads the
image and works with the wrong share.

Usage: tamper_share.py CARD-IMAGE.json [FIELD [DIGIT]]
FIELD is the image field (default rsa_share, a threshold RSA card's s_i; "share" is a Shamir
card's record: index || value || commitments digest). DIGIT is the hex digit to change, counted
from 0 (default: the last one of the field; for "share", 65 is the last digit of the value).
"""
import hashlib
import json
import sys

path = sys.argv[1]
field = sys.argv[2] if len(sys.argv) > 2 else "rsa_share"
image = json.load(open(path))
fields = image["fields"]
value = fields[field]
digit = int(sys.argv[3]) if len(sys.argv) > 3 else len(value) - 1
fields[field] = value[:digit] + ("0" if value[digit] != "0" else "1") + value[digit + 1:]
canonical = "".join(name + "=" + fields[name] + "\n" for name in sorted(fields))
digest = hashlib.sha256(canonical.encode()).hexdigest()
image["sha256"] = digest.upper() if image["sha256"].isupper() else digest
json.dump(image, open(path, "w"), indent=2)
