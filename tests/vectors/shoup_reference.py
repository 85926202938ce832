#!/usr/bin/env python3
"""Independent reference for crypto/shoup.cpp: Shoup's threshold RSA (Practical Threshold
Signatures, Eurocrypt 2000, protocol 1) with Python integers and hashlib only.

From the fixed 512-bit test key of tests/support/shoup_keys.hpp (3-of-7, fixed coefficients and
vSeed) and a fixed r per player, it prints v, s_i, v_i, x_i, c and z for every player, for the
digest SHA-256(b"quorum cards known answer"), and the signature combined from two subsets; then
the batch PARTIAL SIGN of docs/batch-proof.md for three fixed digests (every player's x_{i,j},
weights w_j, c and z with another fixed r, and each digest's combined signature), as C++ constants
for tests/unit/crypto_shoup_test.cpp:

    python3 tests/vectors/shoup_reference.py > /tmp/shoup_known_answer.inc
    python3 tests/vectors/shoup_reference.py --check   # the constants pasted there are these

It asserts along the way that the primes are safe primes, that v generates the squares mod N,
that every proof (single and batch) verifies and a batch with one wrong x_{i,j} does not, and that
every combined signature is the ordinary RSA signature x^d mod N with d = e^-1 mod
lcm(p-1, q-1). When run from the repository it also checks that the key values below are the
ones in tests/support/shoup_keys.hpp.
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

# The batch (docs/batch-proof.md): its digests, and the label that starts the weights' hash.
BATCH_MESSAGES = [b"quorum cards batch known answer %d" % j for j in (1, 2, 3)]
BATCH_LABEL = b"QUORUM/SHOUP/BATCH/1"
WEIGHT_SIZE = 16  # bytes: 128-bit weights


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


def batch_weights(n_mod, size, v, vi, n_players, index, digests, values):
    """docs/batch-proof.md: seed = SHA-256(label || L (2) || n || i || m || N || v || v_i ||
    d_1..d_m || x_{i,1}..x_{i,m}); w_j = the first 16 bytes of SHA-256(seed || j), j one byte."""
    h = hashlib.sha256(BATCH_LABEL)
    h.update(size.to_bytes(2, "big") + bytes([n_players, index, len(digests)]))
    for value in (n_mod, v, vi):
        h.update(i2osp(value, size))
    for digest in digests:
        h.update(digest)
    for value in values:
        h.update(i2osp(value, size))
    seed = h.digest()
    return [int.from_bytes(hashlib.sha256(seed + bytes([j])).digest()[:WEIGHT_SIZE], "big")
            for j in range(1, len(digests) + 1)]


def weighted_product(bases, weights, n_mod):
    product = 1
    for base, weight in zip(bases, weights):
        product = product * pow(base, weight, n_mod) % n_mod
    return product


def verify_batch(n_mod, size, v, vi, n_players, index, digests, values, c, z, x_tildes):
    """The verifier of docs/batch-proof.md, from public values only."""
    if not all(0 < x < n_mod for x in values) or z >= 1 << (8 * size + 513):
        return False
    weights = batch_weights(n_mod, size, v, vi, n_players, index, digests, values)
    big_x_tilde = weighted_product(x_tildes, weights, n_mod)
    big_xi2 = pow(weighted_product(values, weights, n_mod), 2, n_mod)
    v_prime = pow(v, z, n_mod) * pow(vi, -c, n_mod) % n_mod
    x_prime = pow(big_x_tilde, z, n_mod) * pow(big_xi2, -c, n_mod) % n_mod
    return challenge(size, v, big_x_tilde, vi, big_xi2, v_prime, x_prime) == c


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

    def combine(subset, values, x_j):
        w = 1
        for j in subset:
            w = w * pow(values[j], 2 * lagrange_times_delta(subset, j, delta), n_mod) % n_mod
        return pow(w, a, n_mod) * pow(x_j, b, n_mod) % n_mod

    # The batch: every player signs the same three digests with one proof.
    batch_digests = [hashlib.sha256(message).digest() for message in BATCH_MESSAGES]
    batch_x = [int.from_bytes(emsa_pkcs1_v15_sha256(d, size), "big") for d in batch_digests]
    batch_x_tilde = [pow(xj, 4 * delta, n_mod) for xj in batch_x]
    batches = {}
    for i, s in shares.items():
        r = int.from_bytes(expand(b"quorum shoup batch known answer r_%d" % i, random_size), "big")
        r &= (1 << (L + 512)) - 1
        values = [pow(xj, 2 * delta * s, n_mod) for xj in batch_x]
        weights = batch_weights(n_mod, size, v, vks[i], N_PLAYERS, i, batch_digests, values)
        big_x_tilde = weighted_product(batch_x_tilde, weights, n_mod)
        big_xi = weighted_product(values, weights, n_mod)
        assert pow(big_xi, 2, n_mod) == pow(big_x_tilde, s, n_mod)  # log_X~(X_i^2) = s_i
        c = challenge(size, v, big_x_tilde, vks[i], big_xi * big_xi % n_mod, pow(v, r, n_mod),
                      pow(big_x_tilde, r, n_mod))
        z = s * c + r
        assert z < 1 << (L + 513)
        batches[i] = (r, values, weights, c, z)
    for i, (_, values, _, c, z) in batches.items():
        assert verify_batch(n_mod, size, v, vks[i], N_PLAYERS, i, batch_digests, values, c, z,
                            batch_x_tilde)
        for j in range(len(values)):  # one wrong x_{i,j}, at any j, and the proof fails
            forged = list(values)
            forged[j] = forged[j] * 2 % n_mod
            assert not verify_batch(n_mod, size, v, vks[i], N_PLAYERS, i, batch_digests, forged,
                                    c, z, batch_x_tilde)
        assert not verify_batch(n_mod, size, v, vks[i], N_PLAYERS, i, batch_digests[::-1],
                                values[::-1], c, z, batch_x_tilde[::-1])
    batch_signatures = []
    for j, xj in enumerate(batch_x):
        found = {combine(subset, {i: batches[i][1][j] for i in subset}, xj) for subset in SUBSETS}
        assert len(found) == 1
        yj = found.pop()
        assert pow(yj, E, n_mod) == xj and yj == pow(xj, d_rsa, n_mod)
        batch_signatures.append(yj)

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

    print()
    print("// The batch of docs/batch-proof.md: the same key, digests SHA-256(\"%s\") for j = 1..3."
          % BATCH_MESSAGES[0].decode().replace("1", "<j>"))
    print("const char* const kKnownBatchDigests[] = {")
    print(",\n".join(cpp_string(d.hex().upper(), "    ") for d in batch_digests) + "};")
    print("const KnownBatchPlayer kKnownBatchPlayers[] = {")
    for i in sorted(batches):
        r, values, weights, c, z = batches[i]
        print("    {%d," % i)
        print("     // r\n%s," % cpp_string(hex_of(r, random_size)))
        print("     // x_{i,1}, x_{i,2}, x_{i,3}\n     {%s}," % (",\n".join(
            cpp_string(hex_of(value, size), "      ") for value in values).lstrip()))
        print("     // w_1, w_2, w_3\n     {%s}," % ", ".join(
            '"%s"' % hex_of(weight, WEIGHT_SIZE) for weight in weights))
        print("     // c\n%s," % cpp_string(hex_of(c, 32)))
        print("     // z\n%s}," % cpp_string(hex_of(z, size + 65)))
    print("};")
    print("// Each digest's signature, from cards %s and from cards %s alike; equal to x_j^d mod N."
          % tuple(", ".join(map(str, s)) for s in SUBSETS))
    print("const char* const kKnownBatchSignatures[] = {")
    print(",\n".join(cpp_string(hex_of(y_j, size), "    ") for y_j in batch_signatures) + "};")


def string_constants(text):
    """Every run of adjacent C++ string literals in `text`, joined."""
    return {"".join(re.findall(r'"([^"]*)"', run))
            for run in re.findall(r'(?:"[^"\n]*"\s*)+', text)}


def check_test_file(generated):
    """--check: every hex constant this script prints is pasted in crypto_shoup_test.cpp."""
    test = pathlib.Path(__file__).resolve().parents[1] / "unit" / "crypto_shoup_test.cpp"
    pasted = string_constants(test.read_text())
    wanted = [s for s in string_constants(generated) if re.fullmatch(r"[0-9A-F]{32,}", s)]
    missing = [s for s in wanted if s not in pasted]
    for s in missing:
        print("missing from %s: %s..." % (test.name, s[:32]), file=sys.stderr)
    print("%d of %d known answers found in %s" % (len(wanted) - len(missing), len(wanted),
                                                   test.name), file=sys.stderr)
    return not missing


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        import contextlib
        import io
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            main()
        sys.exit(0 if check_test_file(out.getvalue()) else 1)
    if sys.argv[1:]:
        sys.exit("usage: shoup_reference.py [--check]")
    main()
