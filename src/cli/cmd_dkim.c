/* cmd_dkim.c — `encore dkim keygen`: writes a DKIM private key (RSA 2048 or Ed25519, mode 0600)
 * for the SMTP channel's email.dkim_key and prints the DNS TXT record to publish at
 * SELECTOR._domainkey.DOMAIN; `encore dkim record` prints the record of an existing key.
 * Signing itself is src/delivery/dkim.c. */
#include "cli/cli.h"
#include "base/json.h"
#include "delivery/dkim.h"
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: encore dkim keygen --domain D --selector S [--algorithm rsa|ed25519] --out FILE\n"
    "                          [--json]\n"
    "       encore dkim record --domain D --selector S --key FILE [--json]\n\n"
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

int cmd_dkim(enc_cli *cli, int argc, char **argv)
{
    (void)cli;
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"selector", required_argument, NULL, 's'},
        {"algorithm", required_argument, NULL, 'a'},
        {"out", required_argument, NULL, 'o'},
        {"key", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *domain = NULL, *sel = NULL, *alg = "rsa", *out = NULL, *key = NULL;
    bool json = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': domain = optarg; break;
        case 's': sel = optarg; break;
        case 'a': alg = optarg; break;
        case 'o': out = optarg; break;
        case 'k': key = optarg; break;
        case 'j': json = true; break;
        case 'h': fputs(usage, stdout); return ENC_EXIT_OK;
        default: return enc_cli_usage("dkim", usage, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) return enc_cli_usage("dkim", usage, "one action: keygen or record");
    const char *act = argv[optind];
    bool gen = strcmp(act, "keygen") == 0;
    if (!gen && strcmp(act, "record") != 0)
        return enc_cli_usage("dkim", usage, "unknown action '%s'", act);
    if (!domain || !name_ok(domain, 253))
        return enc_cli_usage("dkim", usage, "--domain: a domain name is required");
    if (!sel || !name_ok(sel, 63))
        return enc_cli_usage("dkim", usage, "--selector: a DNS label is required");
    if (gen && strcmp(alg, "rsa") != 0 && strcmp(alg, "ed25519") != 0)
        return enc_cli_usage("dkim", usage, "--algorithm: rsa or ed25519");
    if (gen && !out) return enc_cli_usage("dkim", usage, "keygen needs --out FILE");
    if (!gen && !key) return enc_cli_usage("dkim", usage, "record needs --key FILE");
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
