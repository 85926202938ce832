#!/usr/bin/python3
"""Alters a threshold RSA card's share in its card image, as a forger with access to the card's
memory would: the last hex digit of s_i changes and the image's SHA-256 is sealed again, so the
card loads the image and signs with the wrong share.

Usage: tamper_share.py CARD-IMAGE.json
"""
import hashlib
import json
import sys

path = sys.argv[1]
image = json.load(open(path))
fields = image["fields"]
share = fields["rsa_share"]
fields["rsa_share"] = share[:-1] + ("0" if share[-1] != "0" else "1")
canonical = "".join(name + "=" + fields[name] + "\n" for name in sorted(fields))
digest = hashlib.sha256(canonical.encode()).hexdigest()
image["sha256"] = digest.upper() if image["sha256"].isupper() else digest
json.dump(image, open(path, "w"), indent=2)
