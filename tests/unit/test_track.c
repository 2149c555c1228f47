/* test_track.c — src/server/track.c: the RFC 8058 one-click unsubscribe bodies it accepts
 * (urlencoded and multipart, other fields, any order) and refuses. */
#include "harness.h"
#include "server/track.h"

/* RFC 8058 one-click bodies: urlencoded and multipart, other fields, any order; refusals. */
static void oneclick_bodies(void)
{
    const char *ue = "application/x-www-form-urlencoded";
    CHECK(enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Click", 26));
    CHECK(enc_track_oneclick_ok(NULL, "List-Unsubscribe=One-Click\r\n", 28));
    CHECK(enc_track_oneclick_ok(ue, "a=1&List-Unsubscribe=One-Click&b=2", 34));
    CHECK(enc_track_oneclick_ok(ue, "List%2DUnsubscribe=One%2DClick", 30));
    CHECK(!enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Clicks", 27));
    CHECK(!enc_track_oneclick_ok(ue, "List-Unsubscribe=One-Cl%ZZ", 26));
    CHECK(!enc_track_oneclick_ok(ue, "", 0));
    CHECK(!enc_track_oneclick_ok("application/json", "List-Unsubscribe=One-Click", 26));
    const char *mp = "multipart/form-data; boundary=XyZ";
    const char *body = "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n"
                       "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
                       "One-Click\r\n--XyZ--\r\n";
    CHECK(enc_track_oneclick_ok(mp, body, strlen(body)));
    CHECK(enc_track_oneclick_ok("multipart/form-data; boundary=\"XyZ\"", body, strlen(body)));
    CHECK(!enc_track_oneclick_ok("multipart/form-data; boundary=Other", body, strlen(body)));
    CHECK(!enc_track_oneclick_ok("multipart/form-data", body, strlen(body)));
    const char *fn =
        "--XyZ\r\nContent-Disposition: form-data; filename=\"List-Unsubscribe\"\r\n\r\n"
        "One-Click\r\n--XyZ--\r\n";
    CHECK(!enc_track_oneclick_ok(mp, fn, strlen(fn)));
    const char *cut =
        "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click";
    CHECK(!enc_track_oneclick_ok(mp, cut, strlen(cut))); /* no closing delimiter */
}

int main(void)
{
    RUN(oneclick_bodies);
    return TEST_SUMMARY();
}
