# Shared by benches/compare.sh and benches/targets.sh (sourced, with $corpus and $work set).

# Reads the corpus once, as hyperfine's --prepare would: this VM reclaims idle page cache within
# minutes, and a cold read would time the disk, not the pipelines.
warm() { find "$corpus" -type f -exec cat {} + >/dev/null; }

# Runs a command after warm(), its output and /usr/bin/time's report kept in $work/NAME.*;
# prints "seconds peak_MiB".
measure() { # name command…
  local name=$1; shift
  warm
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"
  awk '{printf "%s %d\n", $1, $2 / 1024}' "$work/$name.time"
}

# The median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
