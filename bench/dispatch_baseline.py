#!/usr/bin/env python3
"""dispatch_baseline.py — what a user would otherwise write: a Python script that reads the
same messages (JSON lines) and POSTs each to the webhook with http.client over kept-alive
connections from N threads, with the same headers (timestamp, HMAC signature, idempotency key)
but no outbox: no durable state, no retries, no record of results.
Usage: dispatch_baseline.py FILE.jsonl URL SECRET THREADS  — prints "messages seconds"."""
import hashlib, hmac, http.client, json, sys, threading, time, urllib.parse

path, url, secret, threads = sys.argv[1], sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
msgs = [json.loads(l) for l in open(path)]
u = urllib.parse.urlsplit(url)


def work(part):
    c = http.client.HTTPConnection(u.hostname, u.port)
    for m in part:
        body = json.dumps({"to": m["address"], "text": m.get("body_text"),
                           "idempotency_key": m["idempotency_key"]}).encode()
        ts = str(int(time.time()))
        sig = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        c.request("POST", u.path, body, {"Content-Type": "application/json",
                                         "X-Encore-Timestamp": ts, "X-Encore-Signature": sig,
                                         "Idempotency-Key": m["idempotency_key"]})
        r = c.getresponse()
        r.read()
        if r.status // 100 != 2:
            raise SystemExit("HTTP %d" % r.status)


t0 = time.time()
ts = [threading.Thread(target=work, args=(msgs[i::threads],)) for i in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
print(len(msgs), "%.3f" % (time.time() - t0))
