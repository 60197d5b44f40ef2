#!/usr/bin/env bash
# Start-up of `launch BUNDLE` against crun and runc on the same bundle, interleaved, and peak RSS
# against bubblewrap, crun and runc. Needs root, a built launch and husk (build/), and
# `scripts/setup-deps --bench` (crun, runc, bubblewrap).
#
#   bench/launch/compare.sh [BUILD_DIR] [ROUNDS]
#
# The bundle: a busybox-static rootfs and the config `runc spec` writes, with process.args
# ["/bin/true"], terminal false and a relative cgroupsPath.
# crun 1.8 refuses hybrid cgroup hosts: on one it runs in a private mount namespace with
# /sys/fs/cgroup/unified unmounted (`unshare -m`, which adds about a millisecond to its time).
set -euo pipefail
build=${1:-build}
rounds=${2:-40}
launch=$(realpath "$build/launcher/launch")
export HUSK_INIT_PATH=$(realpath "$build/init/husk")

work=$(mktemp -d /tmp/husk-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/bundle.sh"
make_bench_bundle "$work/bundle" husk-bench /bin/true

crun_cmd=(crun run)
crun_hidden_v2=0
if [[ -d /sys/fs/cgroup/unified ]] && mountpoint -q /sys/fs/cgroup/unified; then
  crun_cmd=(unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec crun run "$0"')
  crun_hidden_v2=1
fi

# Wall time, interleaved: launch, crun, runc in each round, after three warm-up rounds. Timed
# from Python around fork/exec/wait (a shell's $(date) costs more than launch itself); the
# `true` row is that harness timing /bin/true, its own floor, included in every other row.
python3 - "$work" "$rounds" "$launch" "$crun_hidden_v2" >"$work/times" <<'PY'
import os, subprocess, sys, time
work, rounds, launch, hidden_v2 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
bundle = f"{work}/bundle"
def crun(run_id):
    if hidden_v2:
        return ["unshare", "-m", "sh", "-c",
                'umount /sys/fs/cgroup/unified && exec crun run "$0"', run_id]
    return ["crun", "run", run_id]
commands = {
    "true": lambda i: ["/bin/true"],
    "launch": lambda i: [launch, "--root", f"{work}/state", bundle],
    "crun": lambda i: crun(f"bench-crun-{i}"),
    "runc": lambda i: ["runc", "run", f"bench-runc-{i}"],
}
for i in range(-3, rounds):  # three warm-up rounds
    for name, argv in commands.items():
        t0 = time.perf_counter_ns()
        subprocess.run(argv(i), cwd=bundle, stdout=subprocess.DEVNULL, check=True)
        t1 = time.perf_counter_ns()
        if i >= 0:
            print(name, (t1 - t0) // 1000)
PY

# Peak RSS (KiB) of each runtime process and everything it waited for (GNU time's %M: the
# largest of them). crun's includes its unshare/sh wrapper on hybrid hosts (both smaller).
: >"$work/rss"
measure() { /usr/bin/time -f "$1 %M" -a -o "$work/rss" "${@:2}" >/dev/null; }
for ((i = 0; i < 10; i++)); do
  measure launch "$launch" --root "$work/state" "$work/bundle"
  measure bwrap bwrap --unshare-all --ro-bind "$work/bundle/rootfs" / --proc /proc --dev /dev \
    /bin/true
  (cd "$work/bundle" && measure crun "${crun_cmd[@]}" "rss-crun-$i")
  (cd "$work/bundle" && measure runc runc run "rss-runc-$i")
done

# launch's own phases, from --debug.
: >"$work/phases"
for ((i = 0; i < 20; i++)); do
  "$launch" --debug --root "$work/state" "$work/bundle" 2>&1 | grep 'timing:' >>"$work/phases"
done

python3 - "$work" "$rounds" <<'PY'
import statistics, sys, collections
work, rounds = sys.argv[1], sys.argv[2]
times = collections.defaultdict(list)
for line in open(f"{work}/times"):
    rt, us = line.split()
    times[rt].append(int(us))
med = {rt: statistics.median(v) for rt, v in times.items()}
print(f"wall time, {rounds} interleaved rounds (median, ms):")
for rt in ("true", "launch", "crun", "runc"):
    v = sorted(times[rt])
    print(f"  {rt:7s} {med[rt]/1000:8.2f}   (p10 {v[len(v)//10]/1000:.2f}, p90 {v[len(v)*9//10]/1000:.2f})")
print(f"  launch / crun = {med['launch']/med['crun']:.2f}, launch / runc = {med['launch']/med['runc']:.2f}")
rss = collections.defaultdict(list)
for line in open(f"{work}/rss"):
    parts = line.split()
    if len(parts) == 2 and parts[1].isdigit():
        rss[parts[0]].append(int(parts[1]))
print("peak RSS (median of 10, KiB):")
for rt in ("launch", "bwrap", "crun", "runc"):
    print(f"  {rt:7s} {statistics.median(rss[rt]):8.0f}")
phases = collections.defaultdict(list)
for line in open(f"{work}/phases"):
    for word in line.split("timing:")[1].split():
        name, value = word.split("=")
        if value.endswith("us"):
            phases[name].append(int(value[:-2]))
print("launch phases (median of 20, us):")
print("  " + " ".join(f"{k}={statistics.median(v):.0f}" for k, v in phases.items()))
PY
