#!/usr/bin/env python3
"""Clustering quality of policy-themes on the labelled sets of ../shared/corpus/labeled/.

usage: scripts/quality.py [--bin target/release/policy-themes] [--sets csldcp,thucnews_titles,tnews]
                          [--seeds 0,1,2] [--out reports/QUALITY.md] [-- extra run flags]

For each set: k = number of labels, one `policy-themes run` per seed, NMI and ARI between the
`label` and `theme` columns of measures.csv (pure Python, scikit-learn's definitions: NMI with the
arithmetic mean), mean over the seeds. Writes a Markdown table beside the reference pipeline's
figures (DESIGN.md §6, measured with ../shared/peer/labeled_ref.py) and prints it.
"""
import argparse
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LABELED = os.path.join(ROOT, "..", "shared", "corpus", "labeled")
# Reference pipeline (jieba + scikit-learn), DESIGN.md §6: (TF-IDF + k-means, LSA + k-means).
REFERENCE = {"csldcp": (0.427, 0.452), "thucnews_titles": (0.133, 0.324), "tnews": (0.047, 0.070)}


def entropy(counts, n):
    return -sum(c / n * math.log(c / n) for c in counts if c)


def nmi_ari(a, b):
    n = len(a)
    ca, cb, cab = Counter(a), Counter(b), Counter(zip(a, b))
    ha, hb = entropy(ca.values(), n), entropy(cb.values(), n)
    mi = sum(c / n * math.log(c * n / (ca[x] * cb[y])) for (x, y), c in cab.items())
    nmi = mi / ((ha + hb) / 2) if ha + hb > 0 else 1.0
    comb = lambda x: x * (x - 1) / 2
    index = sum(comb(c) for c in cab.values())
    sa, sb = sum(comb(c) for c in ca.values()), sum(comb(c) for c in cb.values())
    expected = sa * sb / comb(n)
    top = (sa + sb) / 2
    ari = (index - expected) / (top - expected) if top != expected else 1.0
    return nmi, ari


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "policy-themes"))
    ap.add_argument("--sets", default="csldcp,thucnews_titles,tnews")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--out", default=os.path.join(ROOT, "reports", "QUALITY.md"))
    ap.add_argument("extra", nargs="*", help="extra flags for `policy-themes run`")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = []
    for name in args.sets.split(","):
        source = os.path.join(LABELED, name + ".jsonl")
        records = [json.loads(l) for l in open(source, encoding="utf-8") if l.strip()]
        k = len({r["label"] for r in records})
        # The sets' own ids repeat (csldcp), and policy-themes refuses a table with repeated
        # ids: the copy it reads keeps text and label only, so units are numbered by line.
        staged = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
        with staged:
            for r in records:
                staged.write(json.dumps({"text": r["text"], "label": r["label"]}, ensure_ascii=False) + "\n")
        path = staged.name
        scores, seconds = [], []
        for seed in seeds:
            with tempfile.TemporaryDirectory() as out:
                cmd = [args.bin, "run", path, "--k", str(k), "--seed", str(seed), "--out", out, "--quiet"] + args.extra
                t = time.time()
                subprocess.run(cmd, check=True)
                seconds.append(time.time() - t)
                with open(os.path.join(out, "measures.csv"), encoding="utf-8-sig") as f:
                    units = list(csv.DictReader(f))
            scores.append(nmi_ari([u["label"] for u in units], [u["theme"] for u in units]))
        os.unlink(path)
        nmi = sum(s[0] for s in scores) / len(scores)
        ari = sum(s[1] for s in scores) / len(scores)
        ref = REFERENCE.get(name, (float("nan"), float("nan")))
        rows.append((name, len(units), k, ref[0], ref[1], nmi, ari, sum(seconds) / len(seconds)))
        print(f"{name}: NMI {nmi:.3f} (reference best {max(ref):.3f}), ARI {ari:.3f}", file=sys.stderr)
    table = io.StringIO()
    table.write("| set | texts | k | reference TF-IDF + k-means | reference LSA + k-means | policy-themes NMI | Δ vs best reference | ARI | seconds per run |\n")
    table.write("|---|---|---|---|---|---|---|---|---|\n")
    for name, n, k, r1, r2, nmi, ari, sec in rows:
        table.write(f"| {name} | {n:,} | {k} | {r1:.3f} | {r2:.3f} | **{nmi:.3f}** | {nmi - max(r1, r2):+.3f} | {ari:.3f} | {sec:.1f} |\n")
    flags = " ".join(args.extra) or "(defaults)"
    doc = f"""# Clustering quality on labelled Chinese text

The table is written by `scripts/quality.py`; the notes after it are kept across reruns. For each set of `../shared/corpus/labeled/`,
k = the number of labels; NMI (arithmetic normalisation, as scikit-learn) and ARI between the `label`
and `theme` columns of `measures.csv`, mean over seeds {", ".join(map(str, seeds))}. Run flags: {flags}.
The reference figures are the reference pipeline's (jieba + scikit-learn, DESIGN.md §6).

{table.getvalue()}"""
    marker = "<!-- end of the generated part: notes below are kept by scripts/quality.py -->"
    kept = ""
    if os.path.exists(args.out):
        old = open(args.out, encoding="utf-8").read()
        if marker in old:
            kept = old.split(marker, 1)[1]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(doc + "\n" + marker + kept)
    print(doc)


if __name__ == "__main__":
    main()
