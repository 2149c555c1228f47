#!/usr/bin/python3
"""fpgrowth_baseline.py FILE SUPPORT — a plain pure-Python FP-growth (Han, Pei & Yin 2000), the
baseline bench/itemsets.sh times against `encore itemsets`: what a user without a compiled miner
would write. Standard library only. Prints {"baskets", "itemsets", "by_size"} as JSON; support is
a fraction of the baskets, threshold ceil(S * N) as encore and arules use."""
import json
import math
import sys
from collections import defaultdict


class Node:
    __slots__ = ("item", "count", "parent", "children", "link")

    def __init__(self, item, parent):
        self.item, self.count, self.parent, self.children, self.link = item, 0, parent, {}, None


def build(transactions, minc):
    """transactions: list of (items, count). Returns (header: item -> [support, first node], order)."""
    freq = defaultdict(int)
    for items, c in transactions:
        for i in items:
            freq[i] += c
    freq = {i: c for i, c in freq.items() if c >= minc}
    if not freq:
        return None, None
    rank = {i: r for r, i in enumerate(sorted(freq, key=lambda i: (-freq[i], i)))}
    root = Node(None, None)
    header = {i: [c, None] for i, c in freq.items()}
    for items, c in transactions:
        node = root
        for i in sorted((i for i in items if i in rank), key=rank.__getitem__):
            child = node.children.get(i)
            if child is None:
                child = node.children[i] = Node(i, node)
                child.link, header[i][1] = header[i][1], child
            child.count += c
            node = child
    return header, rank


def mine(transactions, minc, prefix, out):
    header, rank = build(transactions, minc)
    if header is None:
        return
    for item in sorted(header, key=lambda i: -rank[i]):  # least frequent first
        support, node = header[item]
        found = prefix + (item,)
        out.append((found, support))
        base = []
        while node is not None:
            path, p = [], node.parent
            while p.item is not None:
                path.append(p.item)
                p = p.parent
            if path:
                base.append((path, node.count))
            node = node.link
        if base:
            mine(base, minc, found, out)


def main():
    path, support = sys.argv[1], float(sys.argv[2])
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    csv = b"," in next((l for l in lines if l.strip()), b"")
    transactions = [(set(l.rstrip(b"\r").split(b",") if csv else l.split()) - {b""}, 1) for l in lines]
    minc = max(1, math.ceil(support * len(transactions) * (1 - 1e-9)))
    out = []
    mine(transactions, minc, (), out)
    by_size = defaultdict(int)
    for s, _ in out:
        by_size[len(s)] += 1
    print(json.dumps({"baskets": len(transactions), "min_count": minc, "itemsets": len(out),
                      "by_size": [by_size[k] for k in range(1, max(by_size, default=0) + 1)]}))


if __name__ == "__main__":
    main()
