#!/usr/bin/python3
"""sealed_field.py — a second implementation of Encore's sealed-field and wrapped-key formats
(src/base/seal.h) with PyNaCl: reads DIR/sealed.txt (lines: master key hex, customer id, field,
wrapped data key hex, sealed field hex), unwraps the data key under KDF(master, 2, "encwrap_")
(libsodium's crypto_kdf: BLAKE2b keyed by the master key, salt = id LE + 8 zero bytes,
personal = context + 8 zero bytes), opens the field and writes its plaintext hex to
DIR/opened.txt; then seals "oracle text" for the same customer and field and writes the wrapped
key and the sealed field, for the C side to open."""
import hashlib, os, sys
from nacl.bindings import (crypto_aead_xchacha20poly1305_ietf_decrypt as dec,
                           crypto_aead_xchacha20poly1305_ietf_encrypt as enc)

d = sys.argv[1]
master, cust, field, wrapped, sealed = open(os.path.join(d, "sealed.txt")).read().split("\n")[:5]
master, wrapped, sealed, cust = bytes.fromhex(master), bytes.fromhex(wrapped), bytes.fromhex(sealed), int(cust)
wrap = hashlib.blake2b(b"", key=master, digest_size=32, salt=(2).to_bytes(8, "little") + bytes(8),
                       person=b"encwrap_" + bytes(8)).digest()
le = cust.to_bytes(8, "little", signed=True)
assert wrapped[0] == 1 and sealed[0] == 1
dk = dec(wrapped[25:], b"dk" + le, wrapped[1:25], wrap)
pt = dec(sealed[25:], le + field.encode(), sealed[1:25], dk)
nonce = os.urandom(24)
out = b"\x01" + nonce + enc(b"oracle text", le + field.encode(), nonce, dk)
with open(os.path.join(d, "opened.txt"), "w") as f:
    f.write(pt.hex() + "\n" + out.hex() + "\n")
