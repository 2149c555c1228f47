#!/usr/bin/env python3
"""smtp_sink.py — a tiny SMTP server for Encore's delivery tests (standard library only).

Listens on 127.0.0.1 (port 0 = any free port, written to --port-file), speaks enough ESMTP
for libcurl (EHLO, AUTH PLAIN/LOGIN when --user is given, MAIL, RCPT, DATA, RSET, NOOP,
QUIT; STARTTLS when --cert/--key are given), undoes dot-stuffing and saves each message as
NNNN.eml in --dir with the envelope in NNNN.json. Recipients starting with "bounce" get
"550 5.1.1", "busy" get "451 4.3.0"; anything else is accepted.
"""
import argparse, base64, json, os, socketserver, ssl, threading

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file")
ap.add_argument("--dir", required=True)
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--cert")
ap.add_argument("--key")
args = ap.parse_args()
os.makedirs(args.dir, exist_ok=True)
lock = threading.Lock()
counter = [0]


class H(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        l = self.rfile.readline(65536)
        if not l:
            raise EOFError
        return l.decode("utf-8", "replace").rstrip("\r\n")

    def handle(self):
        self.tls = False
        self.authed = args.user is None
        self.reset()
        self.send("220 sink ESMTP")
        try:
            while True:
                line = self.readline()
                cmd = line[:4].upper()
                if cmd in ("EHLO", "HELO"):
                    ext = ["250-sink"]
                    if args.cert and not self.tls:
                        ext.append("250-STARTTLS")
                    if args.user is not None:
                        ext.append("250-AUTH PLAIN LOGIN")
                    ext.append("250 8BITMIME")
                    for e in ext:
                        self.send(e)
                elif line.upper() == "STARTTLS" and args.cert:
                    self.send("220 2.0.0 ready")
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.load_cert_chain(args.cert, args.key)
                    self.request = ctx.wrap_socket(self.request, server_side=True)
                    self.rfile = self.request.makefile("rb")
                    self.wfile = self.request.makefile("wb")
                    self.tls = True
                elif cmd == "AUTH":
                    parts = line.split()
                    if parts[1].upper() == "PLAIN":
                        if len(parts) > 2:
                            tok = parts[2]
                        else:
                            self.send("334 ")
                            tok = self.readline()
                        _, u, p = base64.b64decode(tok).decode().split("\0")
                    else:
                        self.send("334 VXNlcm5hbWU6")
                        u = base64.b64decode(self.readline()).decode()
                        self.send("334 UGFzc3dvcmQ6")
                        p = base64.b64decode(self.readline()).decode()
                    if u == args.user and p == args.password:
                        self.authed = True
                        self.send("235 2.7.0 ok")
                    else:
                        self.send("535 5.7.8 bad credentials")
                elif cmd == "MAIL":
                    if not self.authed:
                        self.send("530 5.7.0 authentication required")
                        continue
                    self.env["from"] = line[10:].strip()
                    self.send("250 2.1.0 ok")
                elif cmd == "RCPT":
                    to = line[8:].strip().strip("<>")
                    if to.startswith("bounce"):
                        self.send("550 5.1.1 <%s>: no such user" % to)
                    elif to.startswith("busy"):
                        self.send("451 4.3.0 try again later")
                    else:
                        self.env["rcpt"].append(to)
                        self.send("250 2.1.5 ok")
                elif cmd == "DATA":
                    if not self.env["rcpt"]:
                        self.send("554 5.5.1 no valid recipients")
                        continue
                    self.send("354 end with .")
                    data = []
                    while True:
                        l = self.rfile.readline(1 << 20)
                        if not l:
                            raise EOFError
                        if l in (b".\r\n", b".\n"):
                            break
                        if l.startswith(b".."):
                            l = l[1:]
                        data.append(l)
                    with lock:
                        counter[0] += 1
                        n = counter[0]
                    base = os.path.join(args.dir, "%04d" % n)
                    with open(base + ".eml", "wb") as f:
                        f.write(b"".join(data))
                    self.env["tls"] = self.tls
                    self.env["authed"] = args.user is not None and self.authed
                    with open(base + ".json", "w") as f:
                        json.dump(self.env, f)
                    self.send("250 2.0.0 Ok: queued as Q%d" % n)
                    self.reset()
                elif cmd == "RSET":
                    self.reset()
                    self.send("250 ok")
                elif cmd == "NOOP":
                    self.send("250 ok")
                elif cmd == "QUIT":
                    self.send("221 bye")
                    return
                else:
                    self.send("502 5.5.2 not implemented")
        except (EOFError, ConnectionError, ssl.SSLError):
            return

    def reset(self):
        self.env = {"from": None, "rcpt": []}


class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


srv = S(("127.0.0.1", args.port), H)
if args.port_file:
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
srv.serve_forever()
