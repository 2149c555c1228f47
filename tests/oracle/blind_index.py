#!/usr/bin/python3
"""blind_index.py — an independent implementation of Encore's blind index (src/base/seal.c):
libsodium's crypto_kdf_derive_from_key is BLAKE2b-256 keyed with the master key over no input,
salt = subkey id (8 bytes little-endian) + 8 zero bytes, personal = context (8 bytes) + 8 zero
bytes; the index is BLAKE2b-128 keyed with that subkey over kind, a 0 byte and the value.
Prints the subkey and the index test_privacy.c expects for master key 00 01 .. 1f."""
import hashlib

master = bytes(range(32))
sub = hashlib.blake2b(b"", key=master, digest_size=32,
                      salt=(1).to_bytes(8, "little") + bytes(8),
                      person=b"encblind" + bytes(8)).digest()
print(sub.hex())
print(hashlib.blake2b(b"email\x00alice@example.com", key=sub, digest_size=16).hexdigest())
