#!/usr/bin/env bash
# Growth from one to five million units: the laws corpus replicated ×1, ×4, ×8, ×12, ×16 and ×20
# (copies with shuffled lines, benches/replicate.py), --unit paragraph --k 30, one run each held
# whole (mode `held`) and one with --stream (mode `stream`: two passes, memory bounded by the
# chunk and the sample). Writes reports/scaling.csv (units, seconds, peak MiB, per-stage seconds;
# a streamed run's stages add up both passes, and its `write` the rows it appends) and draws
# reports/scaling.svg with the program's own plotters code (examples/scaling_chart.rs).
#
#   benches/scaling.sh [CORPUS_DIR] [REPLICA_DIR]
#       (default ../shared/corpus/laws; REPLICA_DIR, if given and holding copy0…copy19, is
#        reused instead of writing the 1.3 GB of copies again)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/laws}
cargo build --release --quiet
cargo build --release --quiet --example scaling_chart
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copies_dir=${2:-}
if [ -z "$copies_dir" ] || [ ! -d "$copies_dir/copy19" ]; then
  copies_dir="$work/x20"
  python3 benches/replicate.py "$corpus" "$copies_dir" 20 >/dev/null
fi
csv=reports/scaling.csv
stages="read split segment tfidf reduce cluster label copies concrete write"
echo "corpus,replicas,unit,mode,units,seconds,peak_mib,${stages// /,}" >"$csv"
run() { # copies unit mode
  local copies=$1 unit=$2 mode=$3 paths=() flags=()
  for c in $(seq 0 $((copies - 1))); do paths+=("$copies_dir/copy$c"); done
  if [ "$mode" = stream ]; then flags=(--stream); fi
  rm -rf "$work/out"
  /usr/bin/time -v target/release/policy-themes run "${paths[@]}" --unit "$unit" --k 30 --out "$work/out" --quiet \
    "${flags[@]}" 2>"$work/time" >/dev/null
  python3 - "$work/out/run.json" "$work/time" "$copies" "$unit" "$mode" >>"$csv" <<'PY'
import json, re, sys
run = json.load(open(sys.argv[1])); t = open(sys.argv[2]).read()
wall = re.search(r"Elapsed \(wall clock\).*: (.*)", t).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
s = run["seconds"]
def stage(k):
    # A streamed run: both passes (fit.*), and the rows appended chunk by chunk as writing.
    extra = ["rows", "fit.vocabulary"] if k == "write" else []
    return sum(s.get(n, 0) for n in [k, f"fit.{k}", *extra])
stages = ",".join(f"{stage(k):.2f}" for k in "read split segment tfidf reduce cluster label copies concrete write".split())
print(f"laws,{sys.argv[3]},{sys.argv[4]},{sys.argv[5]},{run['counts']['units']},{secs:.2f},{rss:.0f},{stages}")
PY
  tail -n 1 "$csv"
}
for copies in 1 4 8 12 16 20; do
  run "$copies" paragraph held
  run "$copies" paragraph stream
done
cargo run --release --quiet --example scaling_chart -- "$csv" reports/scaling.svg
