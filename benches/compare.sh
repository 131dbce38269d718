#!/usr/bin/env bash
# Side-by-side timing of the reference pipeline (../shared/peer/baseline.py), the stronger Python
# peer an analyst could write (the same script with `--jieba-parallel 2 --algo minibatch`:
# jieba.enable_parallel over both cores and scikit-learn's MiniBatchKMeans) and policy-themes on
# the same corpus, alternating A B C A B C … in one sitting (these machines are noisy), with peak memory
# from /usr/bin/time -v, and the bare jieba-rs segmentation floor measured in every pair too (a
# single measurement of a 0.6–0.9 s floor moves the ratio by a third). Prints a table and the
# medians.
# Before every measured run the corpus is read once (hyperfine's `--prepare`): this VM's kernel
# reclaims idle page cache within minutes, and a cold read would time the disk, not the pipelines.
#
#   benches/compare.sh [CORPUS_DIR] [PAIRS] [K]        (default: ../shared/corpus/laws 3 30)
#
# Needs the reference's Python packages: python3 -m venv /tmp/peer-venv &&
#   /tmp/peer-venv/bin/pip install -r ../shared/peer/requirements.txt   (PEER_PYTHON overrides)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/laws}
pairs=${2:-3}
k=${3:-30}
py=${PEER_PYTHON:-/tmp/peer-venv/bin/python}
bin=target/release/policy-themes
bare_bin=target/release/examples/bare_segment
cargo build --release --quiet
cargo build --release --quiet --example bare_segment
# Copies of the binaries, so a build during the sitting does not change what is measured.
work_bin=$(mktemp -d)
cp "$bin" "$bare_bin" "$work_bin/"
bin=$work_bin/policy-themes
bare_bin=$work_bin/bare_segment
work=$(mktemp -d)
trap 'rm -rf "$work" "$work_bin"' EXIT

# shellcheck source=benches/common.sh
source benches/common.sh

echo "corpus: $corpus, k = $k, $pairs pairs, $(nproc) cores"
printf '%-6s %-14s %10s %10s\n' pair pipeline seconds peak_MiB
ref_times=(); our_times=(); ref_mem=(); our_mem=(); bare_cut=(); bare_search=(); strong_times=(); strong_mem=()
for i in $(seq 1 "$pairs"); do
  read -r t m < <(measure ref "$py" ../shared/peer/baseline.py --input "$corpus" --k "$k" --out "$work/ref" --seed 0)
  printf '%-6s %-14s %10s %10s\n' "$i" reference "$t" "$m"; ref_times+=("$t"); ref_mem+=("$m")
  read -r t m < <(measure strong "$py" ../shared/peer/baseline.py --input "$corpus" --k "$k" --out "$work/strong" --seed 0 \
    --jieba-parallel 2 --algo minibatch)
  printf '%-6s %-14s %10s %10s\n' "$i" "strong peer" "$t" "$m"; strong_times+=("$t"); strong_mem+=("$m")
  read -r t m < <(measure ours "$bin" run "$corpus" --unit paragraph --k "$k" --seed 0 --out "$work/ours" --quiet)
  printf '%-6s %-14s %10s %10s\n' "$i" policy-themes "$t" "$m"; our_times+=("$t"); our_mem+=("$m")
  warm
  bare_json=$("$bare_bin" "$corpus")
  c=$(echo "$bare_json" | sed 's/.*"seconds": \([0-9.]*\).*/\1/')
  s=$(echo "$bare_json" | sed 's/.*"search_seconds": \([0-9.]*\).*/\1/')
  printf '%-6s %-14s %10s %10s\n' "$i" "bare cut" "$c" -; printf '%-6s %-14s %10s %10s\n' "$i" "bare search" "$s" -
  bare_cut+=("$c"); bare_search+=("$s")
done
bare=$(median "${bare_cut[@]}"); bare_search=$(median "${bare_search[@]}")
rt=$(median "${ref_times[@]}"); ot=$(median "${our_times[@]}")
rm_=$(median "${ref_mem[@]}"); om=$(median "${our_mem[@]}")
echo
echo "median seconds: reference $rt, policy-themes $ot  →  $(awk "BEGIN {printf \"%.1f\", $rt/$ot}")× faster"
st=$(median "${strong_times[@]}"); sm=$(median "${strong_mem[@]}")
echo "median seconds: strong peer $st  →  policy-themes $(awk "BEGIN {printf \"%.1f\", $st/$ot}")× faster"
echo "median peak MiB: reference $rm_, policy-themes $om  →  $(awk "BEGIN {printf \"%.2f\", $om/$rm_}") of the reference"
echo "median peak MiB: strong peer $sm (the largest one of its processes; jieba's workers are processes of their own)"
echo "median bare jieba-rs cut: $bare s  →  whole run = $(awk "BEGIN {printf \"%.1f\", $ot/$bare}")× segmentation"
echo "median bare jieba-rs cut_for_search: $bare_search s  →  whole run = $(awk "BEGIN {printf \"%.1f\", $ot/$bare_search}")× segmentation"
echo "policy-themes per-stage seconds (last run): $(python3 -c "import json,sys; print(json.load(open('$work/ours/run.json'))['seconds'])")"
