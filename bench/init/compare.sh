#!/usr/bin/env bash
# Runs the same workloads under husk, tini, tini-static, dumb-init and catatonit (Debian's
# packages, installed here), each init as PID 1 of a new pid namespace, and prints a markdown
# table of medians with ratios to tini. Root only. The reaping runs are interleaved: round after
# round, each init once per count, in an order that rotates by one init every round, so that a
# change of load on the machine falls on every init alike. Reaping gives two columns per count:
# wall time and the CPU time of the init itself (the one that other load hardly moves).
#
#   bench/init/compare.sh [> table.md]
#   BUILD_DIR=build RUNS=200 FORWARD_RUNS=10 RSS_RUNS=5 REAP_ROUNDS=21 bench/init/compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

build=${BUILD_DIR:-build}
runs=${RUNS:-200}                # `init /bin/true` runs
forward_runs=${FORWARD_RUNS:-10}  # inits started, 50 signals each
rss_runs=${RSS_RUNS:-5}
reap_rounds=${REAP_ROUNDS:-11}  # rounds of interleaved reaping runs

missing=()
for pkg in tini dumb-init catatonit; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ -f "$build/build.ninja" ]] || meson setup "$build" >/dev/null
meson compile -C "$build" init/husk tests/init/husk_probe bench/init/init_bench >/dev/null
export HUSK_PROBE=$PWD/$build/tests/init/husk_probe
bench=$build/bench/init/init_bench

names=(husk tini tini-static dumb-init catatonit)
declare -A cmd=(
  [husk]="$PWD/$build/init/husk --"
  [tini]="/usr/bin/tini --"
  [tini-static]="/usr/bin/tini-static --"
  [dumb-init]="/usr/bin/dumb-init"
  [catatonit]="/usr/bin/catatonit --"
)
columns=(size overhead rss reap1000 reap10000 cpu1000 cpu10000 forward)
declare -A head=(
  [size]="binary (KiB)" [overhead]="\`init /bin/true\` (µs)" [rss]="idle RSS (KiB)"
  [reap1000]="reap 1,000 (ms)" [reap10000]="reap 10,000 (ms)"
  [cpu1000]="init CPU, reap 1,000 (ms)" [cpu10000]="init CPU, reap 10,000 (ms)"
  [forward]="forward signal (µs)"
)
declare -A value
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT
for name in "${names[@]}"; do
  read -r -a init <<<"${cmd[$name]}"
  echo "measuring $name" >&2
  value[$name,size]=$(awk -v b="$(stat -L -c %s "${init[0]}")" 'BEGIN { printf "%.1f", b / 1024 }')
  value[$name,overhead]=$("$bench" overhead "$runs" "${init[@]}")
  value[$name,rss]=$("$bench" rss "$rss_runs" "${init[@]}")
  value[$name,forward]=$("$bench" forward "$forward_runs" "${init[@]}")
done

median() {
  sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
for ((round = 0; round < reap_rounds; ++round)); do
  echo "reaping, round $((round + 1)) of $reap_rounds" >&2
  for ((i = 0; i < ${#names[@]}; ++i)); do
    name=${names[(i + round) % ${#names[@]}]}
    read -r -a init <<<"${cmd[$name]}"
    for n in 1000 10000; do
      "$bench" reap "$n" 1 "${init[@]}" >>"$samples/$name.$n"
    done
  done
done
for name in "${names[@]}"; do
  for n in 1000 10000; do
    value[$name,reap$n]=$(awk '{ print $1 }' "$samples/$name.$n" | median)
    value[$name,cpu$n]=$(awk '{ print $2 }' "$samples/$name.$n" | median)
  done
done

line="| init |"
rule="| --- |"
for c in "${columns[@]}"; do line+=" ${head[$c]} |"; rule+=" ---: |"; done
echo "$line"
echo "$rule"
for name in "${names[@]}"; do
  line="| $name |"
  for c in "${columns[@]}"; do
    line+=$(awk -v v="${value[$name,$c]}" -v t="${value[tini,$c]}" \
      'BEGIN { if (t > 0) printf " %s (%.2f×) |", v, v / t; else printf " %s |", v }')
  done
  echo "$line"
done
echo
echo "Medians; ratios to tini in parentheses (lower is better). Runs: $runs \`/bin/true\`," \
     "$((forward_runs * 50)) signals, $rss_runs RSS samples, $reap_rounds interleaved reaping" \
     "rounds (one run per init and count each)."
echo "Load average (1, 5, 15 min) at the start: $load_before; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
