/* dkim.h — DKIM signatures (RFC 6376) for the SMTP channel: relaxed/relaxed canonicalisation,
 * rsa-sha256 (keys of at least 2048 bits) and ed25519-sha256 (RFC 8463), by OpenSSL libcrypto.
 * The channel signs every message it builds (smtp.c) when email.dkim_domain, dkim_selector and
 * dkim_key are set; `encore dkim keygen` writes a key and prints the DNS TXT record. Key files
 * hold PEM private keys and are refused when group or others can read them. */
#ifndef ENCORE_DKIM_H
#define ENCORE_DKIM_H
#include "base/buf.h"
#include "base/err.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct enc_dkim enc_dkim;

/* The headers signed, when present (h=; a header absent from a message is left out). */
#define ENC_DKIM_HEADERS                                                                           \
    "from:to:subject:date:message-id:mime-version:content-type:list-unsubscribe:"                  \
    "list-unsubscribe-post:list-id"

/* Loads the PEM private key at key_path (RSA of >= 2048 bits, or Ed25519) for signing as
 * d=domain, s=selector. Refuses a file readable by group or others, a domain or selector that
 * is not a DNS name, and other key types. Free with enc_dkim_free. */
enc_rc enc_dkim_open(const char *domain, const char *selector, const char *key_path, enc_dkim **out,
                     enc_err *err);
void enc_dkim_free(enc_dkim *d);
/* "rsa-sha256" or "ed25519-sha256". */
const char *enc_dkim_algorithm(const enc_dkim *d);

/* Signs msg (a whole message: headers, an empty line, the body; CRLF line ends) and appends
 * the DKIM-Signature header field (ending in CRLF, to be put before the message) to out. t= is
 * now. */
enc_rc enc_dkim_sign(const enc_dkim *d, const char *msg, size_t n, int64_t now, enc_buf *out,
                     enc_err *err);

/* Canonicalisations (RFC 6376 §3.4.2 and §3.4.4), appended to out; for tests. */
void enc_dkim_canon_header(const char *field, size_t n, enc_buf *out);
void enc_dkim_canon_body(const char *body, size_t n, enc_buf *out);

/* Generates a key (algorithm "rsa": 2048 bits, or "ed25519") into a new file at path, mode
 * 0600 whatever the umask (an existing file is refused), and writes the TXT record's value
 * ("v=DKIM1; k=...; p=...") into record. */
enc_rc enc_dkim_keygen(const char *algorithm, const char *path, enc_buf *record, enc_err *err);
/* The TXT record value of the public half of the key at key_path. */
enc_rc enc_dkim_record(const char *key_path, enc_buf *record, enc_err *err);
#endif
