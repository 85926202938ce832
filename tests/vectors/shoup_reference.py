#!/usr/bin/env python3
"""Independent reference for crypto/shoup.cpp: Shoup's threshold RSA (Practical Threshold
Signatures, Eurocrypt 2000, protocol 1) with Python integers and hashlib only.

From the fixed 512-bit test key of tests/support/shoup_keys.hpp (3-of-7, fixed coefficients and
vSeed) and a fixed r per player, it prints v, s_i, v_i, x_i, c and z for every player, for the
digest SHA-256(b"quorum cards known answer"), and the signature combined from two subsets, as C++
constants for tests/unit/crypto_shoup_test.cpp:

    python3 tests/vectors/shoup_reference.py > /tmp/shoup_known_answer.inc

It asserts along the way that the primes are safe primes, that v generates the squares mod N,
that every proof verifies, and that the combined signature is the ordinary RSA signature
x^d mod N with d = e^-1 mod lcm(p-1, q-1). When run from the repository it also checks that the
key values below are the ones in tests/support/shoup_keys.hpp.
"""

import hashlib
import math
import pathlib
import random
import re
import sys

E = 65537
N_PLAYERS = 7
K = 3
MESSAGE = b"quorum cards known answer"
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

# Copies of kSmallP, kSmallQ, kSmallA1, kSmallA2 and kSmallVSeed in shoup_keys.hpp.
KEY_VALUES = {
    "kSmallP": "CB3E404B87FE889151DCFFEB3007D79A569872896A30A664D7E3D662A4FAC64F",
    "kSmallQ": "D907914D5965566655D5969BD963747231CF0858233734C5823D82806534BDCF",
    "kSmallA1": "1255FABF688197C41881D05D42DC6DDBF104147950834FB54200E2C0B9C651EB"
                "EFA425E7180A1797F7239450C4B4C4CC1345883C519F29CF872FD5505A702886",
    "kSmallA2": "05846B4D2A0B84F1247631E4FCD13E6EA119C280D1FC2D554D6C260961F72006"
                "5A74348FDB2C5B5B581CFA4ED789A02E51CC9F58DF1E18F25A080CD009BFCE94",
    "kSmallVSeed": "3B400CF9D555E95F7D526C6DEFF71F5F582533D66210D079F1C4CF27BE7A74A6"
                   "6CB750B1C55E2D532EFCA1DA7E036C068397D9763014ABDFBCD228382F9ADA3D",
}

# The subsets whose combined signature is printed (both must give the same one).
SUBSETS = [(1, 2, 3), (7, 4, 2)]


def is_probable_prime(n, rounds=64):
    """Miller-Rabin with fixed-seed random bases (deterministic output, 2^-128 error)."""
    if n < 2:
        return False
    for small in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % small == 0:
            return n == small
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    rng = random.Random(n)
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def i2osp(value, size):
    return value.to_bytes(size, "big")


def expand(label, size):
    """SHA-256 in counter mode: `size` bytes from `label` (how the fixed r values are made)."""
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(label + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:size]


def emsa_pkcs1_v15_sha256(digest, size):
    """RFC 8017 9.2: 00 01 FF..FF 00 || DigestInfo || digest."""
    t = SHA256_DIGEST_INFO + digest
    assert size >= len(t) + 11
    return b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t


def challenge(size, *values):
    h = hashlib.sha256()
    for value in values:
        h.update(i2osp(value, size))
    return int.from_bytes(h.digest(), "big")


def lagrange_times_delta(subset, j, delta):
    numerator, denominator = delta, 1
    for other in subset:
        if other != j:
            numerator *= other
            denominator *= other - j
    assert numerator % denominator == 0
    return numerator // denominator


def hex_of(value, size):
    return i2osp(value, size).hex().upper()


def cpp_string(text, indent="     "):
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "\n".join(indent + '"' + line + '"' for line in lines)


def check_against_header():
    header = pathlib.Path(__file__).resolve().parents[1] / "support" / "shoup_keys.hpp"
    if not header.exists():
        print("// (shoup_keys.hpp not found: key values not cross-checked)", file=sys.stderr)
        return
    text = header.read_text()
    for name, value in KEY_VALUES.items():
        match = re.search(r"\b" + name + r"\s*=\s*((?:\s*\"[0-9A-Fa-f]*\")+)\s*;", text)
        assert match, name + " missing from shoup_keys.hpp"
        assert "".join(re.findall(r"\"([0-9A-Fa-f]*)\"", match.group(1))).upper() == value, name


def main():
    check_against_header()
    p = int(KEY_VALUES["kSmallP"], 16)
    q = int(KEY_VALUES["kSmallQ"], 16)
    coefficients = [int(KEY_VALUES["kSmallA1"], 16), int(KEY_VALUES["kSmallA2"], 16)]
    v_seed = int(KEY_VALUES["kSmallVSeed"], 16)

    p1, q1 = (p - 1) // 2, (q - 1) // 2
    for prime in (p, q, p1, q1):
        assert is_probable_prime(prime)
    assert p != q and min(p1, q1) > max(E, N_PLAYERS)
    n_mod = p * q
    L = n_mod.bit_length()
    size = (L + 7) // 8
    assert L == 512 and size == 64
    m = p1 * q1
    assert all(0 <= a < m for a in coefficients)
    delta = math.factorial(N_PLAYERS)

    # The dealer.
    d = pow(E, -1, m)
    assert 2 <= v_seed < n_mod
    v = v_seed * v_seed % n_mod
    assert v != 1 and pow(v, p1, n_mod) != 1 and pow(v, q1, n_mod) != 1  # order m: generates Q_N
    poly = [d] + coefficients
    shares = {i: sum(a * i**j for j, a in enumerate(poly)) % m for i in range(1, N_PLAYERS + 1)}
    vks = {i: pow(v, s, n_mod) for i, s in shares.items()}

    # The players.
    digest = hashlib.sha256(MESSAGE).digest()
    x = int.from_bytes(emsa_pkcs1_v15_sha256(digest, size), "big")
    x_tilde = pow(x, 4 * delta, n_mod)
    random_size = size + 64
    partials = {}
    for i, s in shares.items():
        r = int.from_bytes(expand(b"quorum shoup known answer r_%d" % i, random_size), "big")
        r &= (1 << (L + 512)) - 1
        xi = pow(x, 2 * delta * s, n_mod)
        v_prime = pow(v, r, n_mod)
        x_prime = pow(x_tilde, r, n_mod)
        c = challenge(size, v, x_tilde, vks[i], xi * xi % n_mod, v_prime, x_prime)
        z = s * c + r
        assert z < 1 << (L + 513)
        partials[i] = (r, xi, c, z)

    # The verifier, with only public values.
    for i, (_, xi, c, z) in partials.items():
        xi2 = xi * xi % n_mod
        v_prime = pow(v, z, n_mod) * pow(vks[i], -c, n_mod) % n_mod
        x_prime = pow(x_tilde, z, n_mod) * pow(xi2, -c, n_mod) % n_mod
        assert challenge(size, v, x_tilde, vks[i], xi2, v_prime, x_prime) == c

    # The combiner: w = prod x_j^{2 lambda_j}, a e' + b e = 1, y = w^a x^b.
    e_prime = 4 * delta * delta
    b = pow(E, -1, e_prime)
    a = (1 - b * E) // e_prime
    assert a * e_prime + b * E == 1
    signatures = set()
    for subset in SUBSETS:
        w = 1
        for j in subset:
            w = w * pow(partials[j][1], 2 * lagrange_times_delta(subset, j, delta), n_mod) % n_mod
        y = pow(w, a, n_mod) * pow(x, b, n_mod) % n_mod
        assert pow(y, E, n_mod) == x
        signatures.add(y)
    assert len(signatures) == 1
    y = signatures.pop()
    d_rsa = pow(E, -1, math.lcm(p - 1, q - 1))
    assert y == pow(x, d_rsa, n_mod)

    print("// Generated by tests/vectors/shoup_reference.py: 3-of-7 with the 512-bit key of")
    print("// tests/support/shoup_keys.hpp, digest SHA-256(\"%s\")." % MESSAGE.decode())
    print("const char* const kKnownDigest =\n%s;" % cpp_string(digest.hex().upper()))
    print("const char* const kKnownV =\n%s;" % cpp_string(hex_of(v, size)))
    print("const KnownPlayer kKnownPlayers[] = {")
    for i in sorted(shares):
        r, xi, c, z = partials[i]
        print("    {%d," % i)
        print("     // r\n%s," % cpp_string(hex_of(r, random_size)))
        print("     // s_i\n%s," % cpp_string(hex_of(shares[i], size)))
        print("     // v_i\n%s," % cpp_string(hex_of(vks[i], size)))
        print("     // x_i\n%s," % cpp_string(hex_of(xi, size)))
        print("     // c\n%s," % cpp_string(hex_of(c, 32)))
        print("     // z\n%s}," % cpp_string(hex_of(z, size + 65)))
    print("};")
    print("// From cards %s and from cards %s alike; equal to x^d mod N."
          % tuple(", ".join(map(str, s)) for s in SUBSETS))
    print("const char* const kKnownSignature =\n%s;" % cpp_string(hex_of(y, size)))


if __name__ == "__main__":
    main()
