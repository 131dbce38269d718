#!/usr/bin/env python3
"""Make a larger corpus from real text: N copies of a folder's .txt files, each copy with every
file's lines after the first shuffled by its own seed (copy 0 is the original; the first line, the
title, stays on top so each copy splits into as many units), so no two copies are byte-identical
and duplicate detection does not drop them, while the vocabulary stays real.

usage: benches/replicate.py SRC_DIR DEST_DIR COPIES
"""
import os
import random
import sys


def main():
    src, dest, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = sorted(f for f in os.listdir(src) if f.endswith(".txt"))
    for c in range(copies):
        out = os.path.join(dest, f"copy{c}")
        os.makedirs(out, exist_ok=True)
        rng = random.Random(c)
        for f in files:
            lines = open(os.path.join(src, f), encoding="utf-8").read().split("\n")
            if c:
                rest = lines[1:]
                rng.shuffle(rest)
                lines = lines[:1] + rest
            with open(os.path.join(out, f), "w", encoding="utf-8") as w:
                w.write("\n".join(lines))
    print(f"{copies} copies of {len(files)} files in {dest}")


if __name__ == "__main__":
    main()
