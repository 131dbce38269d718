#!/usr/bin/env python3
"""Who, where and when on labelled report openings: the reporting unit, county, province and year
that policy-themes finds, against hand labels (../shared/corpus/openings/labels.jsonl).

usage: scripts/openings_eval.py [--bin target/release/policy-themes] [--dir ../shared/corpus/openings] [-v]

Runs `policy-themes run` on the folder and compares reports.csv with the labels. A unit is right
when it equals the label after traditional characters are simplified, or when the label is the
common abbreviation of the gazetteer name (松洲街 for 松洲街道). Prints the counts and, with -v,
every miss.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# The traditional characters of the labels (no OpenCC in the standard library).
T2S = str.maketrans("龍門鄉羅鎮區縣", "龙门乡罗镇区县")


def aliases():
    """Supplement names (巴州) → the gazetteer names they stand for."""
    data = os.path.join(ROOT, "data")
    names = {}
    for line in open(os.path.join(data, "divisions.tsv"), encoding="utf-8"):
        if not line.startswith("#"):
            code, name = line.rstrip("\n").split("\t")
            names[code] = name
    out = {}
    for line in open(os.path.join(data, "divisions_supplement.tsv"), encoding="utf-8"):
        if not line.startswith("#") and line.strip():
            name, code = line.rstrip("\n").split("\t")
            out[name] = names.get(code)
    return out


ALIASES = aliases()


def same_unit(ours, label):
    if not label:
        return not ours
    label = label.translate(T2S)
    return ours in (label, label + "道", ALIASES.get(label))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "policy-themes"))
    ap.add_argument("--dir", default=os.path.join(ROOT, "..", "shared", "corpus", "openings"))
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    labels = [json.loads(l) for l in open(os.path.join(args.dir, "labels.jsonl"), encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        files = [os.path.join(args.dir, l["file"]) for l in labels]
        subprocess.run([args.bin, "run", *files, "--out", out, "--k", "2", "--quiet"], check=True)
        rows = {os.path.basename(r["file"]): r
                for r in csv.DictReader(open(os.path.join(out, "reports.csv"), encoding="utf-8-sig"))}
    right = {"unit": 0, "county": 0, "province": 0, "year": 0, "published": 0}
    counted = {k: 0 for k in right}
    for l in labels:
        r = rows[l["file"]]
        checks = {
            "unit": same_unit(r["unit"], l["unit"]),
            "county": (r["county"] or None) == l["county"] if l["level"] not in ("省", "部门", "市") else True,
            "province": (r["province"] or None) == l["province"],
            "year": r["year"] == str(l["year"]),
            "published": (r["published"] or None) == l["published"],
        }
        for k, ok in checks.items():
            if k == "unit" and l["unit"] is None:
                continue
            counted[k] += 1
            right[k] += ok
        if args.v and not all(checks.values()):
            bad = [k for k, ok in checks.items() if not ok]
            print(f"{l['file']}: {','.join(bad)}: ours unit={r['unit']!r} level={r['level']} "
                  f"src={r['unit_source']} county={r['county']!r} prov={r['province']!r} "
                  f"year={r['year']} pub={r['published']!r} | label unit={l['unit']!r} "
                  f"level={l['level']} county={l['county']!r} prov={l['province']!r} "
                  f"year={l['year']} pub={l['published']!r}")
    for k in right:
        print(f"{k}: {right[k]} of {counted[k]}")


if __name__ == "__main__":
    sys.exit(main())
