#!/usr/bin/env bash
# The ratios issue 25 sets, measured side by side in one sitting on one corpus (laws by default),
# ROUNDS rounds of A B C D E alternating, medians printed:
#   fixed   run --unit paragraph --k K                (the yardstick of the others)
#   auto    run --unit paragraph --k auto              (target ≤ 1.5 × fixed)
#   stab    run --unit paragraph --k K --stability N   (target ≤ (1 + 0.3 N) × fixed)
#   apply   apply MODEL of the fixed run to the corpus (target ≤ 1.2 × read + split + segment,
#                                                       the stages of the fixed run's run.json)
#   bare    examples/bare_segment: jieba-rs `cut` over the corpus' lines on every core
#                                                      (target: fixed ≤ 3 × bare)
# Wall seconds and peak RSS from /usr/bin/time; the corpus is read once before every run (the
# VM reclaims idle page cache within minutes). Pass extra run flags after the fourth argument
# (e.g. --no-xlsx for the runs without the workbook).
#
#   benches/targets.sh [CORPUS_DIR] [ROUNDS] [K] [N] [RUN_FLAGS…]   (default: laws 3 30 3)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/laws}
rounds=${2:-3}
k=${3:-30}
n=${4:-3}
shift $(($# < 4 ? $# : 4))
flags=("$@")
bin=target/release/policy-themes
cargo build --release --quiet
cargo build --release --quiet --example bare_segment
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck source=benches/common.sh
source benches/common.sh
stage_sum() { # run.json → read + split + segment seconds
  python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['seconds']; print(round(s['read']+s['split']+s['segment'],3))" "$1"
}

declare -A secs
printf '%-6s %-8s %9s %9s\n' round run seconds peak_MiB
for r in $(seq 1 "$rounds"); do
  common=(--unit paragraph --seed 0 --quiet "${flags[@]}")
  read -r t m < <(measure fixed "$bin" run "$corpus" --k "$k" --out "$work/fixed" "${common[@]}")
  printf '%-6s %-8s %9s %9s\n' "$r" fixed "$t" "$m"; secs[fixed]+="$t "
  secs[prep]+="$(stage_sum "$work/fixed/run.json") "
  cp -r "$work/fixed/model" "$work/model"
  read -r t m < <(measure auto "$bin" run "$corpus" --k auto --out "$work/auto" "${common[@]}")
  printf '%-6s %-8s %9s %9s\n' "$r" auto "$t" "$m"; secs[auto]+="$t "
  read -r t m < <(measure stab "$bin" run "$corpus" --k "$k" --stability "$n" --out "$work/stab" "${common[@]}")
  printf '%-6s %-8s %9s %9s\n' "$r" "stab $n" "$t" "$m"; secs[stab]+="$t "
  read -r t m < <(measure apply "$bin" apply --model "$work/model" "$corpus" --out "$work/apply" --quiet "${flags[@]}")
  printf '%-6s %-8s %9s %9s\n' "$r" apply "$t" "$m"; secs[apply]+="$t "
  rm -rf "$work/model"
  warm
  c=$(target/release/examples/bare_segment "$corpus" | sed 's/.*"seconds": \([0-9.]*\).*/\1/')
  printf '%-6s %-8s %9s %9s\n' "$r" bare "$c" -; secs[bare]+="$c "
done
for key in fixed prep auto stab apply bare; do
  # shellcheck disable=SC2086
  declare "m_$key=$(median ${secs[$key]})"
done
echo
echo "medians: fixed $m_fixed s · auto $m_auto s · stability $n $m_stab s · apply $m_apply s · read+split+segment $m_prep s · bare cut $m_bare s"
awk -v f="$m_fixed" -v a="$m_auto" -v s="$m_stab" -v p="$m_apply" -v q="$m_prep" -v b="$m_bare" -v n="$n" 'BEGIN {
  printf "auto ÷ fixed        %.2f (target ≤ 1.5)\n", a / f
  printf "stability ÷ fixed   %.2f (target ≤ %.1f)\n", s / f, 1 + 0.3 * n
  printf "apply ÷ (read+split+segment) %.2f (target ≤ 1.2)\n", p / q
  printf "fixed ÷ bare cut    %.2f (target ≤ 3)\n", f / b
}'
