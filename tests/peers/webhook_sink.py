#!/usr/bin/env python3
"""webhook_sink.py — a local webhook provider for Encore's delivery tests and benchmark.

Listens on 127.0.0.1 only (port 0 = any free port, written to --port-file), accepts POSTs,
deduplicates by the Idempotency-Key header (a second request with a key already delivered is
answered 200 with the first delivery's id and not delivered again, as real providers do),
checks X-Encore-Signature (hex HMAC-SHA256 of "<timestamp>.<body>") when --secret is given,
and counts. GET /stats returns the counts; GET /keys the repeated keys and the per-key
delivery order. Failure injection: --fail-every K answers 503 to every K-th request;
keys starting with "perm-" get 400; keys starting with "slow-" wait --slow seconds; keys
starting with "ra-" get 429 with "Retry-After: --retry-after" on their first request
(a number of seconds, or "date+N": an HTTP-date N seconds ahead). GET /times returns each
key's request times (epoch seconds, fractional). Standard library only.
"""
import argparse, hashlib, hmac, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file")
ap.add_argument("--secret")
ap.add_argument("--fail-every", type=int, default=0)
ap.add_argument("--slow", type=float, default=0)
ap.add_argument("--bodies", help="append each first-delivered body as a JSON line to this file")
ap.add_argument("--retry-after", default="5")
ap.add_argument("--capture", help="append every request's webhook-* headers and body as a JSON line")
ap.add_argument("--validate", action="store_true",
                help="check each body as the provider's API would, by path: /wechat (template "
                     "message), /push, /fcm (FCM HTTP v1), /apns/3/device/TOKEN, /sms; 400 when not")
args = ap.parse_args()

lock = threading.Lock()
delivered = {}        # key -> delivery id
repeats = {}          # key -> number of repeated requests
times = {}            # key -> request times
stats = {"requests": 0, "unique": 0, "duplicates": 0, "bad_signature": 0, "failed_503": 0,
         "failed_400": 0, "no_key": 0}
bodies = open(args.bodies, "a") if args.bodies else None
capture = open(args.capture, "a") if args.capture else None


import re

def invalid(path, d):
    """What a provider would refuse in body d posted to path, or None."""
    def s(v, lo=1, hi=10**6):
        return isinstance(v, str) and lo <= len(v) <= hi
    if path.startswith("/wechat"):
        # official account template message: touser (OpenID), template_id, data {key: {value}}
        if not (s(d.get("touser"), 1, 64) and re.fullmatch(r"[A-Za-z0-9_-]+", d["touser"])):
            return "touser: not an OpenID"
        if not s(d.get("template_id"), 1, 128): return "template_id required"
        data = d.get("data")
        if not isinstance(data, dict) or not data: return "data: an object with the template's keys"
        for k, v in data.items():
            if not (isinstance(v, dict) and set(v) == {"value"} and s(v["value"], 0, 200)):
                return "data.%s: {\"value\": string}" % k
        if "url" in d and not s(d["url"]): return "url: a string"
        mp = d.get("miniprogram")
        if mp is not None and not (isinstance(mp, dict) and s(mp.get("appid"))): return "miniprogram.appid"
        return None
    if path.startswith("/fcm"):
        m = d.get("message")
        if not isinstance(m, dict) or not s(m.get("token"), 1, 4096): return "message.token required"
        n = m.get("notification", {})
        if not (isinstance(n, dict) and s(n.get("title", "x")) and s(n.get("body"))): return "message.notification.body"
        if not all(isinstance(v, str) for v in m.get("data", {}).values()): return "message.data: strings only"
        return None
    if path.startswith("/apns"):
        tok = path.rsplit("/", 1)[-1]
        if not path.startswith("/apns/3/device/") or not re.fullmatch(r"[A-Za-z0-9_:.-]+", tok): return "device token in the path"
        aps = d.get("aps")
        if not isinstance(aps, dict) or not isinstance(aps.get("alert"), dict) or not s(aps["alert"].get("body")):
            return "aps.alert.body required"
        if "badge" in aps and not isinstance(aps["badge"], int): return "aps.badge: a number"
        return None
    if path.startswith("/push"):
        to = d.get("to")
        if not (s(to) or (isinstance(to, list) and to and all(s(t) for t in to))): return "to: token(s)"
        if not s(d.get("body")): return "body required"
        return None
    if path.startswith("/sms"):
        if not (s(d.get("to")) and re.fullmatch(r"\+[1-9][0-9]{7,14}", d["to"])): return "to: E.164"
        if not s(d.get("text")): return "text required"
        return None
    return None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 1 << 16  # one write per reply (flushed by handle_one_request)

    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        with lock:
            if self.path == "/stats":
                self.reply(200, stats)
            elif self.path == "/times":
                self.reply(200, times)
            elif self.path == "/keys":
                self.reply(200, {"repeated": repeats, "delivered": len(delivered)})
            else:
                self.reply(404, {"error": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        if capture:
            h = {k: self.headers.get(k) for k in ("webhook-id", "webhook-timestamp", "webhook-signature",
                                                   "Idempotency-Key")}
            with lock:
                capture.write(json.dumps({"path": self.path, "headers": h, "body": body.decode()}) + "\n")
                capture.flush()
        key = self.headers.get("Idempotency-Key")
        ts = self.headers.get("X-Encore-Timestamp", "")
        with lock:
            stats["requests"] += 1
            count = stats["requests"]
            if key:
                times.setdefault(key, []).append(time.time())
                first = len(times[key]) == 1
        if args.secret is not None:
            want = hmac.new(args.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, self.headers.get("X-Encore-Signature", "")):
                with lock:
                    stats["bad_signature"] += 1
                return self.reply(401, {"error": "bad signature"})
        if not key:
            with lock:
                stats["no_key"] += 1
            return self.reply(400, {"error": "no Idempotency-Key"})
        if args.validate:
            try:
                why = invalid(self.path, json.loads(body))
            except ValueError:
                why = "not JSON"
            if why:
                with lock:
                    stats["invalid"] = stats.get("invalid", 0) + 1
                    stats.setdefault("why", []).append(why)
                return self.reply(400, {"error": why})
        if key.startswith("perm-"):
            with lock:
                stats["failed_400"] += 1
            return self.reply(400, {"error": "rejected"})
        if key.startswith("ra-") and first:
            with lock:
                stats["failed_429"] = stats.get("failed_429", 0) + 1
            ra = args.retry_after
            if ra.startswith("date+"):
                from email.utils import formatdate
                ra = formatdate(time.time() + float(ra[5:]), usegmt=True)
            b = json.dumps({"error": "slow down"}).encode()
            self.send_response(429)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", ra)
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)
            return
        if args.fail_every and count % args.fail_every == 0:
            with lock:
                stats["failed_503"] += 1
            return self.reply(503, {"error": "try later"})
        if key.startswith("slow-") and args.slow:
            time.sleep(args.slow)
        with lock:
            if key in delivered:
                stats["duplicates"] += 1
                repeats[key] = repeats.get(key, 0) + 1
                return self.reply(200, {"id": delivered[key], "duplicate": True})
            stats["unique"] += 1
            did = "d%d" % stats["unique"]
            delivered[key] = did
            if bodies:
                bodies.write(json.dumps({"key": key, "ts": ts, "path": self.path, "body": body.decode()}) + "\n")
                bodies.flush()
        self.reply(200, {"id": did})


class S(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the crash test does that) is not news


srv = S(("127.0.0.1", args.port), H)
srv.daemon_threads = True
if args.port_file:
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
