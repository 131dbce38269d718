#!/usr/bin/env python3
"""Theme quality of policy-themes on the hand-coded development sets of tests/data/devset/.

usage: scripts/devset_quality.py [SET.csv ...] [--bin BIN] [--dir DIR] [--k K] [--seeds 0-9]
                                 [--reference] [--ref-n-init N] [--ref-units all|coded]
                                 [--python PY] [-- extra run flags]

A set is a CSV `file,start,end,theme,text_head` (one hand-coded unit a row; `file` is the input
file's base name, `start`/`end` the unit's code-point span as `policy-themes split` reports it,
`text_head` the first 30 characters of its text). Without SET arguments both bundled sets are used:

  seeds.csv     units of data/sample/*.txt                (the five seed reports, every unit)
  openings.csv  units of ../shared/corpus/openings/*.txt  (complete measures of 80 report openings)

For each set and each seed: `BIN run DIR/*.txt --out TMP --k K --seed S --quiet [extra flags]`;
every coded row is matched to a row of TMP/measures.csv by file base name and `start` (falling back
to the text head, whitespace ignored), and NMI (arithmetic normalisation, as scikit-learn) and ARI
are computed between the coded `theme` and the tool's `theme` over the matched rows (pure Python,
scripts/quality.py's nmi_ari). k defaults to the number of distinct codes in the set (`other`
included). Figures are means over the seeds.

--reference adds the reference pipeline's recipe (../shared/peer/labeled_ref.py, baseline.py's
rules) on the same unit texts: jieba.lcut tokens of >= 2 characters, not in
../shared/peer/stopwords.txt, with a letter; TfidfVectorizer(min_df=2, max_df=0.5,
sublinear_tf=True); KMeans(k-means++, n_init=3 as labeled_ref.py, random_state=seed) on the
L2-normalised TF-IDF rows. By default it clusters every unit the tool clustered (the texts of
measures.csv, so both sides see the same population) and is scored on the coded rows;
--ref-units coded clusters only the coded units. It needs jieba and scikit-learn: when this Python
lacks them the script re-runs itself with --python (default /tmp/peer-venv/bin/python, set up as
../shared/peer/README.md says).

Extra flags after `--` go to `policy-themes run` unchanged, e.g. `-- --codebook gangyao`.
Prints one Markdown table: set, units, k, reference NMI, ours NMI, ARI (ours; reference ARI beside),
the worst seed's NMI, and the chance NMI (the tool's cluster sizes shuffled over the coded rows, 20
shuffles a seed): with ~100 units and k ~ 10, NMI is far from 0 by chance alone.
"""
import argparse
import csv
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared")
PEER = os.path.join(SHARED, "peer")
DEVSET = os.path.join(ROOT, "tests", "data", "devset")
DIRS = {"seeds": os.path.join(ROOT, "data", "sample"),
        "openings": os.path.join(SHARED, "corpus", "openings")}

sys.dont_write_bytecode = True  # importing quality.py leaves no __pycache__ in scripts/
sys.path.insert(0, HERE)
from quality import nmi_ari  # noqa: E402  (pure Python, scikit-learn's definitions)


def squash(text):
    return re.sub(r"\s+", "", text or "")


def parse_seeds(spec):
    seeds = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds.extend(range(int(a), int(b) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def read_set(path):
    with open(path, encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def match(coded, units):
    """Index into `units` for each coded row (None when it cannot be found)."""
    by_start = {(os.path.basename(u["file"]), u["start"]): i for i, u in enumerate(units)}
    heads = [(os.path.basename(u["file"]), squash(u["text"])) for u in units]
    out = []
    for row in coded:
        i = by_start.get((row["file"], row["start"]))
        head = squash(row["text_head"])
        if i is not None and head and not heads[i][1].startswith(head[:10]):
            i = None  # same offset, other text: spans moved
        if i is None and head:
            hits = [j for j, (f, t) in enumerate(heads) if f == row["file"] and t.startswith(head)]
            i = hits[0] if len(hits) == 1 else None
        out.append(i)
    return out


def run_ours(binary, files, k, seed, extra):
    with tempfile.TemporaryDirectory() as out:
        cmd = [binary, "run", *files, "--out", out, "--k", str(k), "--seed", str(seed), "--quiet", *extra]
        done = subprocess.run(cmd, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(f"{binary} run … --seed {seed} {' '.join(extra)}: exit {done.returncode}: "
                     f"{done.stderr.strip() or '(no message)'}")
        with open(os.path.join(out, "measures.csv"), encoding="utf-8-sig") as f:
            return list(csv.DictReader(f))


def reference_labels(texts, k, seeds, n_init):
    """labeled_ref.py's TF-IDF + k-means clustering of `texts`, one label list per seed."""
    sys.path.insert(0, PEER)
    import jieba
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    import labeled_ref  # the reference's own module: its identity() and its stop list

    jieba.setLogLevel(60)
    stop = {w.strip() for w in open(labeled_ref.HERE / "stopwords.txt", encoding="utf-8") if w.strip()}
    docs = [[t for t in jieba.lcut(s) if len(t) >= 2 and t not in stop and any(c.isalpha() for c in t)]
            for s in texts]
    vec = TfidfVectorizer(tokenizer=labeled_ref.identity, preprocessor=labeled_ref.identity,
                          token_pattern=None, lowercase=False, min_df=2, max_df=0.5, sublinear_tf=True)
    X = vec.fit_transform(docs)
    return [KMeans(n_clusters=k, n_init=n_init, random_state=s).fit_predict(X).tolist() for s in seeds]


def have_reference_stack():
    try:
        import jieba  # noqa: F401
        import sklearn  # noqa: F401
        return True
    except ImportError:
        return False


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def evaluate(set_path, args, seeds):
    name = os.path.splitext(os.path.basename(set_path))[0]
    coded = read_set(set_path)
    folder = args.dir or DIRS.get(name)
    if not folder:
        sys.exit(f"{set_path}: no input folder known for set {name!r}: give --dir")
    files = sorted(glob.glob(os.path.join(folder, "*.txt")))
    missing = sorted({r["file"] for r in coded} - {os.path.basename(f) for f in files})
    if missing:
        sys.exit(f"{set_path}: files not in {folder}: {', '.join(missing[:5])}")
    k = args.k or len({r["theme"] for r in coded})
    ours, chance, unmatched, units0 = [], [], 0, None
    for seed in seeds:
        units = run_ours(args.bin, files, k, seed, args.extra)
        idx = match(coded, units)
        pairs = [(r["theme"], units[i]["theme"]) for r, i in zip(coded, idx) if i is not None]
        if units0 is None:
            units0, idx0 = units, idx
            unmatched = sum(i is None for i in idx)
        ours.append(nmi_ari([a for a, _ in pairs], [b for _, b in pairs]))
        rng = random.Random(seed)
        got = [b for _, b in pairs]
        for _ in range(20):  # chance level: the same cluster sizes, shuffled over the coded rows
            rng.shuffle(got)
            chance.append(nmi_ari([a for a, _ in pairs], got)[0])
    ref = None
    if args.reference:
        keep = [(r, i) for r, i in zip(coded, idx0) if i is not None]
        if args.ref_units == "all":
            texts = [u["text"] for u in units0]
            at = [i for _, i in keep]
        else:
            texts = [units0[i]["text"] for _, i in keep]
            at = list(range(len(keep)))
        truth = [r["theme"] for r, _ in keep]
        scores = [nmi_ari(truth, [labels[j] for j in at])
                  for labels in reference_labels(texts, k, seeds, args.ref_n_init)]
        ref = (mean([s[0] for s in scores]), mean([s[1] for s in scores]))
    return {"set": name, "units": len(coded) - unmatched, "coded": len(coded), "unmatched": unmatched,
            "clustered": len(units0), "k": k,
            "nmi": mean([s[0] for s in ours]), "ari": mean([s[1] for s in ours]),
            "nmi_min": min(s[0] for s in ours), "chance": mean(chance), "ref": ref}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sets", nargs="*", help="dev set CSVs (default: tests/data/devset/{seeds,openings}.csv)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "policy-themes"))
    ap.add_argument("--dir", help="input folder of the set's files (default: by set name)")
    ap.add_argument("--k", type=int, help="number of themes (default: distinct codes in the set)")
    ap.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,1,2")
    ap.add_argument("--reference", action="store_true", help="also run the reference recipe")
    ap.add_argument("--ref-n-init", type=int, default=3, help="KMeans n_init of the reference (labeled_ref.py: 3)")
    ap.add_argument("--ref-units", choices=("all", "coded"), default="all",
                    help="units the reference clusters: all the tool clustered, or the coded ones only")
    ap.add_argument("--python", default="/tmp/peer-venv/bin/python",
                    help="Python with jieba and scikit-learn, for --reference")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1:]
    args = ap.parse_args(argv)
    args.extra = extra
    if args.reference and not have_reference_stack():
        if os.environ.get("DEVSET_QUALITY_REEXEC"):
            sys.exit(f"--reference needs jieba and scikit-learn, missing in {sys.executable}")
        if not os.path.exists(args.python):
            sys.exit(f"--reference needs jieba and scikit-learn: none here and no {args.python} "
                     f"(python3 -m venv /tmp/peer-venv && /tmp/peer-venv/bin/pip install -r {PEER}/requirements.txt)")
        env = dict(os.environ, DEVSET_QUALITY_REEXEC="1")
        os.execve(args.python, [args.python, os.path.abspath(__file__), *sys.argv[1:]], env)
    seeds = parse_seeds(args.seeds)
    sets = args.sets or [os.path.join(DEVSET, "seeds.csv"), os.path.join(DEVSET, "openings.csv")]
    if args.dir and len(sets) > 1:
        sys.exit("--dir applies to one set at a time")
    rows = [evaluate(s, args, seeds) for s in sets]
    print(f"seeds {args.seeds}; run flags: {' '.join(extra) or '(defaults)'}; binary {args.bin}")
    if args.reference:
        print(f"reference: jieba + TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf) + "
              f"KMeans(n_init={args.ref_n_init}) on {args.ref_units} units")
    print()
    print("| set | units | k | reference NMI | ours NMI | ARI | reference ARI | ours NMI min | chance NMI | units clustered |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rn, ra = (f"{r['ref'][0]:.3f}", f"{r['ref'][1]:.3f}") if r["ref"] else ("—", "—")
        print(f"| {r['set']} | {r['units']} | {r['k']} | {rn} | **{r['nmi']:.3f}** | {r['ari']:.3f} | {ra} "
              f"| {r['nmi_min']:.3f} | {r['chance']:.3f} | {r['clustered']} |")
    for r in rows:
        if r["unmatched"]:
            print(f"warning: {r['set']}: {r['unmatched']} of {r['coded']} coded rows matched no unit", file=sys.stderr)


if __name__ == "__main__":
    main()
