/* cmd_dkim.c — `encore dkim keygen`: writes a DKIM private key (RSA 2048 or Ed25519, mode 0600)
 * for the SMTP channel's email.dkim_key and prints the DNS TXT record to publish at
 * SELECTOR._domainkey.DOMAIN; `encore dkim record` prints the record of an existing key.
 * Signing itself is src/delivery/dkim.c. */
#include "cli/opts.h"
#include "base/json.h"
#include "delivery/dkim.h"
#include <stdio.h>
#include <string.h>

static const char about[] =
    "keygen writes a new private key (PEM; RSA 2048 bits by default, or Ed25519 per RFC 8463)\n"
    "to FILE with mode 0600 (an existing file is never overwritten) and prints the DNS TXT\n"
    "record to publish at S._domainkey.D; record prints it again for a key file. Set the SMTP\n"
    "channel's dkim_domain, dkim_selector and dkim_key to sign (docs/delivery.md).\n";

/* A DNS name of letters, digits, '-', '_' and inner dots. */
static bool name_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (!n || n > max || s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' ||
              (s[i] == '.' && s[i + 1] != '.')))
            return false;
    return true;
}

/* keygen and record: one body, told apart by argv[0] */
static int dkim_sub(enc_cli *cli, int argc, char **argv)
{
    bool gen = strcmp(argv[0], "keygen") == 0;
    const enc_usage usage = {
        .name = gen ? "dkim keygen" : "dkim record",
        .synopsis = gen ? "--domain D --selector S [--algorithm rsa|ed25519] --out FILE [--json]"
                        : "--domain D --selector S --key FILE [--json]",
        .about = about,
    };
    const char *domain = NULL, *sel = NULL, *alg = "rsa", *out = NULL, *key = NULL;
    const enc_opt gen_opts[] = {
        OPT_STRING("domain", &domain, "D", "the signing domain (d=)"),
        OPT_STRING("selector", &sel, "S", "the selector (s=): the record is S._domainkey.D"),
        OPT_CHOICE("algorithm", &alg, "rsa|ed25519", "the key (default rsa, 2048 bits)"),
        OPT_STRING("out", &out, "FILE",
                   "where the private key goes (mode 0600, never overwritten)"),
        OPT_END(),
    };
    const enc_opt rec_opts[] = {
        OPT_STRING("domain", &domain, "D", "the signing domain (d=)"),
        OPT_STRING("selector", &sel, "S", "the selector (s=): the record is S._domainkey.D"),
        OPT_STRING("key", &key, "FILE", "the private key file"),
        OPT_END(),
    };
    const enc_opt *opts = gen ? gen_opts : rec_opts;
    int x = enc_opts_parse(cli, &usage, opts, argc, argv, NULL);
    if (x != ENC_OPTS_GO) return x;
    bool json = cli->json;
    if (!domain || !name_ok(domain, 253))
        return enc_opts_error(cli, &usage, opts, "--domain: a domain name is required");
    if (!sel || !name_ok(sel, 63))
        return enc_opts_error(cli, &usage, opts, "--selector: a DNS label is required");
    if (gen && !out) return enc_opts_error(cli, &usage, opts, "keygen needs --out FILE");
    if (!gen && !key) return enc_opts_error(cli, &usage, opts, "record needs --key FILE");
    enc_err err = {0};
    enc_buf rec = {0};
    if (gen ? enc_dkim_keygen(alg, out, &rec, &err) : enc_dkim_record(key, &rec, &err)) {
        enc_buf_free(&rec);
        return enc_cli_fail_err("dkim", &err);
    }
    char name[400];
    snprintf(name, sizeof name, "%s._domainkey.%s", sel, domain);
    if (json) {
        enc_buf b = {0};
        enc_jw w;
        enc_jw_init(&w, &b);
        enc_jw_obj(&w);
        enc_jw_kstr(&w, "name", name);
        enc_jw_kstr(&w, "type", "TXT");
        enc_jw_kstr(&w, "record", rec.p);
        if (gen) enc_jw_kstr(&w, "key_file", out);
        enc_jw_end(&w);
        enc_cli_print(&b);
        enc_buf_free(&b);
    } else {
        if (gen) fprintf(stderr, "wrote %s (mode 0600)\n", out);
        /* zone-file form: strings of at most 255 bytes (RFC 1035 §3.3.14) */
        printf("%s. IN TXT (", name);
        for (size_t i = 0; i < rec.len; i += 250)
            printf(" \"%.*s\"", (int)(rec.len - i < 250 ? rec.len - i : 250), rec.p + i);
        printf(" )\n");
    }
    enc_buf_free(&rec);
    return ENC_EXIT_OK;
}

int cmd_dkim(enc_cli *cli, int argc, char **argv)
{
    static const enc_subcmd subs[] = {
        {"keygen", dkim_sub, "write a new DKIM key and print its DNS TXT record"},
        {"record", dkim_sub, "print the DNS TXT record of an existing key"},
        {NULL},
    };
    return enc_opts_subcommand(cli, "dkim", about, subs, NULL, argc, argv);
}
