// verify.js — checks every webhook delivery Encore made with the Standard Webhooks reference
// verifier (npm "standardwebhooks"). Reads the JSON lines tests/peers/webhook_sink.py wrote with
// --capture (each request's webhook-* headers and body), prints "verified V of N, ids I, tampered
// T rejected" and exits 1 when any delivery does not verify.
//   node verify.js SECRET CAPTURE.jsonl
"use strict";
const fs = require("fs");
const { Webhook } = require("standardwebhooks");

const [secret, file] = process.argv.slice(2);
if (!secret || !file) {
  console.error("usage: node verify.js SECRET CAPTURE.jsonl");
  process.exit(2);
}
const wh = new Webhook(secret);
const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
let ok = 0, rejected = 0;
const ids = new Set();
for (const line of lines) {
  const d = JSON.parse(line);
  const h = {
    "webhook-id": d.headers["webhook-id"],
    "webhook-timestamp": d.headers["webhook-timestamp"],
    "webhook-signature": d.headers["webhook-signature"],
  };
  try {
    wh.verify(d.body, h);
    ok++;
    ids.add(h["webhook-id"]);
  } catch (e) {
    console.error("not verified:", h["webhook-id"], e.message);
  }
  // a changed body must not verify
  try {
    wh.verify(d.body + " ", h);
  } catch (e) {
    rejected++;
  }
}
console.log(`verified ${ok} of ${lines.length}, ids ${ids.size}, tampered ${rejected} rejected`);
process.exit(ok === lines.length && lines.length > 0 ? 0 : 1);
