#!/usr/bin/env python3
"""Splitting flattened text: each report of a folder flattened as scraping flattens it (its
non-blank lines joined by two U+3000, and by nothing), split by `policy-themes split`, against
the units of the file as written. A unit is found when the flattened split has a unit of the same
text (blanks ignored) and the same section kind. With --openings, the same for who and when:
`scripts/openings_eval.py` on the flattened openings.

usage: scripts/flattened_eval.py [--bin target/release/policy-themes] [--openings] DIR...
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
JOINERS = [("two U+3000", "\u3000\u3000"), ("nothing", "")]
BLANKS = " \t\r\n\u3000\u00a0\u200b\ufeff"


def units(binary, path):
    out = subprocess.run([binary, "split", "--format", "json", path],
                         capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        for block in json.loads(line)["blocks"]:
            if block["role"] == "unit":
                text = "".join(c for c in block["text"] if c not in BLANKS and not c.isspace())
                found.append((text, block["kind"]))
    return found


def flattened(text, joiner):
    lines = [l.strip(BLANKS) for l in text.split("\n")]
    return joiner.join(l for l in lines if l)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/policy-themes"))
    ap.add_argument("--openings", action="store_true")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    work = tempfile.mkdtemp()
    try:
        for d in args.dirs:
            files = sorted(f for f in os.listdir(d) if f.endswith(".txt"))
            found = [0, 0]
            total = 0
            for f in files:
                text = open(os.path.join(d, f), encoding="utf-8").read()
                lined = units(args.bin, os.path.join(d, f))
                total += len(lined)
                for n, (_, joiner) in enumerate(JOINERS):
                    p = os.path.join(work, f)
                    open(p, "w", encoding="utf-8").write(flattened(text, joiner))
                    got = set(units(args.bin, p))
                    found[n] += sum(1 for u in lined if u in got)
            for n, (name, _) in enumerate(JOINERS):
                share = found[n] / total if total else 0.0
                print(f"{d}: joined by {name}: {found[n]} of {total} units ({share:.3f})")
        if args.openings:
            src = os.path.join(ROOT, "..", "shared", "corpus", "openings")
            for name, joiner in JOINERS:
                flat = os.path.join(work, "openings-" + str(len(joiner)))
                os.makedirs(flat)
                shutil.copy(os.path.join(src, "labels.jsonl"), flat)
                for f in sorted(os.listdir(src)):
                    if f.endswith(".txt"):
                        text = open(os.path.join(src, f), encoding="utf-8").read()
                        open(os.path.join(flat, f), "w", encoding="utf-8").write(flattened(text, joiner))
                print(f"openings joined by {name}:", flush=True)
                subprocess.run([sys.executable, os.path.join(HERE, "openings_eval.py"),
                                "--bin", args.bin, "--dir", flat], check=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
