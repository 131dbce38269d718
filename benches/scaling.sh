#!/usr/bin/env bash
# Linear scaling and the 1M-unit run: the laws corpus replicated 1×, 2×, 4× (copies with shuffled
# lines, benches/replicate.py) at --unit paragraph, plus 4× at --unit clause, k = 30. Writes
# reports/scaling.csv (units, seconds, peak MiB, per-stage seconds) and draws reports/scaling.svg
# with the program's own plotters code (examples/scaling_chart.rs).
#
#   benches/scaling.sh [CORPUS_DIR]          (default ../shared/corpus/laws)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/laws}
cargo build --release --quiet
cargo build --release --quiet --example scaling_chart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/replicate.py "$corpus" "$work/x4" 4 >/dev/null
csv=reports/scaling.csv
echo "corpus,copies,unit,units,seconds,peak_mib,read,split,segment,tfidf,reduce,cluster,label" >"$csv"
run() { # copies unit
  local copies=$1 unit=$2 paths=()
  for c in $(seq 0 $((copies - 1))); do paths+=("$work/x4/copy$c"); done
  /usr/bin/time -v target/release/policy-themes run "${paths[@]}" --unit "$unit" --k 30 --out "$work/out" --quiet \
    2>"$work/time" >/dev/null
  python3 - "$work/out/run.json" "$work/time" "$copies" "$unit" >>"$csv" <<'PY'
import json, re, sys
run = json.load(open(sys.argv[1])); t = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\).*: (.*)", t).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
s = run["seconds"]
stages = ",".join(f"{s.get(k, 0):.2f}" for k in ["read", "split", "segment", "tfidf", "reduce", "cluster", "label"])
print(f"laws,{sys.argv[3]},{sys.argv[4]},{run['counts']['units']},{secs:.2f},{rss:.0f},{stages}")
PY
  tail -n 1 "$csv"
}
run 1 paragraph
run 2 paragraph
run 4 paragraph
run 4 clause
cargo run --release --quiet --example scaling_chart -- "$csv" reports/scaling.svg
