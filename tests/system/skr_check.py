#!/usr/bin/python3
"""Checks a Signed Key Response (SKR, kskm's XML) without any of this project's code.

Usage: skr_check.py SKR.xml KSK.key [KSR.xml]

For every ResponseBundle: the DNSKEY RRset (the bundle's keys) and its RRSIGs are rebuilt with
dnspython from the XML fields; the bundle's DNSKEY RRset must hold the KSK and carry an RRSIG by
it, and every RRSIG made by the trusted KSK (KSK.key: its DNSKEY RR in
presentation format, as `ceremony dnskey` prints it) is checked at the bundle's inception twice:
by dnspython (dns.dnssec.validate, with python3-cryptography) and by NLnet Labs' libldns
(ldns_verify_rrsig_time, called through ctypes from the zone-file text of the records). With KSR.xml, the SKR must also echo the request: its id, serial and
domain, and per bundle the id, inception and expiration, and hold the bundle's ZSKs.

Prints one line per bundle ("bundle N ID: ok, K keys, signed by TAG at T") and exits 0 only if
every bundle verifies; otherwise names the bundle and why, and exits 1.
"""
import calendar
import ctypes
import datetime
import sys
import xml.etree.ElementTree as ET

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset


def epoch(text):
    return calendar.timegm(datetime.datetime.fromisoformat(text).utctimetuple())


def stamp(text):
    return datetime.datetime.fromisoformat(text).astimezone(datetime.timezone.utc).strftime("%Y%m%d%H%M%S")


def child(element, name):
    found = element.find(name)
    if found is None:
        raise ValueError(f"<{element.tag}> has no <{name}>")
    return found.text.strip()


class Ldns:
    """The few libldns calls needed to verify one RRSIG, from presentation-format text."""

    def __init__(self):
        self.lib = ctypes.CDLL("libldns.so.3")
        self.lib.ldns_rr_new_frm_str.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p, ctypes.c_uint32,
                                                 ctypes.c_void_p, ctypes.c_void_p]
        self.lib.ldns_rr_new_frm_str.restype = ctypes.c_int
        self.lib.ldns_rr_list_new.restype = ctypes.c_void_p
        self.lib.ldns_rr_list_push_rr.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.lib.ldns_verify_rrsig_time.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                                    ctypes.c_int64]
        self.lib.ldns_verify_rrsig_time.restype = ctypes.c_int
        self.lib.ldns_get_errorstr_by_id.argtypes = [ctypes.c_int]
        self.lib.ldns_get_errorstr_by_id.restype = ctypes.c_char_p

    def rr(self, text):
        out = ctypes.c_void_p()
        status = self.lib.ldns_rr_new_frm_str(ctypes.byref(out), text.encode(), 0, None, None)
        if status != 0:
            raise ValueError(f"libldns cannot read {text[:60]}...: {self.lib.ldns_get_errorstr_by_id(status).decode()}")
        return out

    def verify(self, rrset_lines, rrsig_line, key_line, at):
        """Raises ValueError unless libldns finds the RRSIG good at time `at` (records are not freed:
        a short-lived check)."""
        rrset = self.lib.ldns_rr_list_new()
        for line in rrset_lines:
            self.lib.ldns_rr_list_push_rr(rrset, self.rr(line))
        status = self.lib.ldns_verify_rrsig_time(rrset, self.rr(rrsig_line), self.rr(key_line), at)
        if status != 0:
            raise ValueError(f"libldns: {self.lib.ldns_get_errorstr_by_id(status).decode()}")


def echo_failures(ksr, skr, bundles):
    """Prints and counts where the SKR does not answer the KSR."""
    failures = []
    for attribute in ("id", "serial", "domain"):
        if ksr.get(attribute) != skr.get(attribute):
            failures.append(f"the SKR's {attribute} {skr.get(attribute)!r} is not the KSR's {ksr.get(attribute)!r}")
    requests = ksr.findall("Request/RequestBundle")
    if len(requests) != len(bundles):
        failures.append(f"the SKR has {len(bundles)} bundles, the KSR {len(requests)}")
    for number, (request, response) in enumerate(zip(requests, bundles), 1):
        for what in ("id",):
            if request.get(what) != response.get(what):
                failures.append(f"bundle {number}: id {response.get(what)} is not the KSR's {request.get(what)}")
        for field in ("Inception", "Expiration"):
            if epoch(child(request, field)) != epoch(child(response, field)):
                failures.append(f"bundle {number}: {field} {child(response, field)} is not the KSR's")
        answered = {child(key, "PublicKey") for key in response.findall("Key")}
        for key in request.findall("Key"):
            if child(key, "PublicKey") not in answered:
                failures.append(f"bundle {number}: the KSR's key {key.get('keyTag')} is missing")
    for failure in failures:
        print(f"echo: FAILED: {failure}")
    return len(failures)


def main():
    skr_path, ksk_path = sys.argv[1], sys.argv[2]
    ksr_path = sys.argv[3] if len(sys.argv) > 3 else None
    root = dns.name.root
    with open(ksk_path) as f:
        trusted = [" ".join(line.split()) for line in f.read().splitlines()
                   if "DNSKEY" in line.split() and not line.startswith(";")]
    if not trusted:
        raise SystemExit(f"{ksk_path}: no DNSKEY record")
    ksk_rrset = dns.rrset.from_text_list(root, 172800, "IN", "DNSKEY",
                                         [" ".join(line.split()[4:]) for line in trusted])
    ksk_tags = {dns.dnssec.key_id(key) for key in ksk_rrset}
    ldns = Ldns()

    document = ET.parse(skr_path).getroot()
    if document.tag != "KSR" or document.get("domain") != ".":
        raise SystemExit(f"{skr_path}: not an SKR of the root zone")
    bundles = document.findall("Response/ResponseBundle")
    if not bundles:
        raise SystemExit(f"{skr_path}: no ResponseBundle")
    failures = 0
    if ksr_path:
        failures += echo_failures(ET.parse(ksr_path).getroot(), document, bundles)
    for number, bundle in enumerate(bundles, 1):
        label = f"bundle {number} {bundle.get('id')}"
        try:
            keys = dns.rrset.RRset(root, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
            for key in bundle.findall("Key"):
                text = " ".join([child(key, "Flags"), child(key, "Protocol"), child(key, "Algorithm"),
                                 child(key, "PublicKey")])
                dnskey = dns.rdata.from_text("IN", "DNSKEY", text)
                keys.add(dnskey, int(child(key, "TTL")))
                if str(dns.dnssec.key_id(dnskey)) != key.get("keyTag"):
                    raise ValueError(f"key {key.get('keyIdentifier')}: keyTag {key.get('keyTag')} is not its key tag")
            sigs = dns.rrset.RRset(root, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
            signers = []
            inception = None
            for signature in bundle.findall("Signature"):
                inception = child(signature, "SignatureInception")
                text = " ".join([child(signature, "TypeCovered"), child(signature, "Algorithm"),
                                 child(signature, "Labels"), child(signature, "OriginalTTL"),
                                 stamp(child(signature, "SignatureExpiration")), stamp(inception),
                                 child(signature, "KeyTag"), child(signature, "SignersName"),
                                 child(signature, "SignatureData")])
                sigs.add(dns.rdata.from_text("IN", "RRSIG", text), int(child(signature, "TTL")))
                signers.append(child(signature, "KeyTag"))
            if not sigs:
                raise ValueError("no Signature")
            if not any(int(tag) in ksk_tags for tag in signers):
                raise ValueError(f"signed by key tags {signers}, none of them the trusted KSK's {sorted(ksk_tags)}")
            if not any(dns.dnssec.key_id(key) in ksk_tags for key in keys):
                raise ValueError("the trusted KSK is not among the bundle's keys")
            # Every signature by the KSK must verify (validate accepts any one of a set: one by one).
            at = epoch(inception) + 1
            key_lines = keys.to_text().splitlines()
            for sig in sigs:
                if sig.key_tag not in ksk_tags:
                    continue
                single = dns.rrset.RRset(root, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
                single.add(sig, sigs.ttl)
                dns.dnssec.validate(keys, single, {root: ksk_rrset}, now=at)
                trusted_line = next(line for line, key in zip(trusted, ksk_rrset) if dns.dnssec.key_id(key) == sig.key_tag)
                ldns.verify(key_lines, single.to_text(), trusted_line, at)
            print(f"{label}: ok, {len(keys)} keys, signed by {' '.join(signers)} at {inception}")
        except (ValueError, dns.dnssec.ValidationFailure, dns.exception.DNSException) as error:
            failures += 1
            print(f"{label}: FAILED: {error}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
