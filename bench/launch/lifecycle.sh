#!/usr/bin/env bash
# The split lifecycle against crun and runc, interleaved rounds, wall time per cycle (median):
#   create -> start -> (wait for the exit) -> delete of /bin/true, three commands
#   exec of /bin/true into a running container (sleep), one command
#   run in the foreground of /bin/true (with a second launch, say the previous build, as "base")
# Needs root, a built launch and husk, crun and runc (scripts/setup-deps --bench).
#
#   bench/launch/lifecycle.sh [BUILD_DIR] [ROUNDS] [BASE_BUILD_DIR]
set -euo pipefail
build=${1:-build}
rounds=${2:-30}
base=${3:-}
launch=$(realpath "$build/launcher/launch")
export HUSK_INIT_PATH=$(realpath "$build/init/husk")
work=$(mktemp -d /tmp/husk-bench-lc-XXXXXX)
trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/bundle.sh"
make_bench_bundle "$work/bundle" husk-bench-lc /bin/true
for rt in launch crun runc; do
  make_bench_bundle "$work/sleeper-$rt" "husk-bench-lc-sleeper-$rt" /bin/sleep 1000
done

# crun 1.8 refuses hybrid cgroup hosts: there each of its commands runs in a private mount
# namespace without the cgroup2 mount (`unshare -m`, about a millisecond more per command).
python3 - "$work" "$rounds" "$launch" "${base:+$(realpath "$base/launcher/launch")}" \
  "${base:+$(realpath "$base/init/husk")}" <<'PY'
import os, statistics, subprocess, sys, time, collections
work, rounds, launch, base_launch, base_husk = sys.argv[1:6]
rounds = int(rounds)
bundle = f"{work}/bundle"
hybrid = os.path.ismount("/sys/fs/cgroup/unified")
def crun(*args):
    if hybrid:
        return ["unshare", "-m", "sh", "-c", 'umount /sys/fs/cgroup/unified && exec crun "$@"',
                "crun", "--root", f"{work}/crun"] + list(args)
    return ["crun", "--root", f"{work}/crun"] + list(args)
runtimes = {
    "launch": lambda *a: [launch, "--root", f"{work}/launch"] + list(a),
    "crun": crun,
    "runc": lambda *a: ["runc", "--root", f"{work}/runc"] + list(a),
}
def call(argv, cwd, env=None, check=True):
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=check, env=env)
def timed(fn):
    t0 = time.perf_counter_ns(); fn(); return (time.perf_counter_ns() - t0) / 1e6
def wait_stopped(rt, cid):
    while b'"stopped"' not in subprocess.run(rt("state", cid), capture_output=True).stdout:
        time.sleep(0.0002)
times = collections.defaultdict(list)
for rt_name, rt in runtimes.items():
    sleeper = f"{work}/sleeper-{rt_name}"
    call(rt("run", "-d", "--bundle", sleeper, f"sleeper-{rt_name}"), sleeper)
try:
  for i in range(-3, rounds):
      for rt_name, rt in runtimes.items():
          cid = f"c-{rt_name}-{i}"
          def cycle():
              call(rt("create", "--bundle", bundle, cid), bundle)
              call(rt("start", cid), bundle)
              wait_stopped(rt, cid)
              call(rt("delete", cid), bundle)
          t = timed(cycle)
          e = timed(lambda: call(rt("exec", f"sleeper-{rt_name}", "/bin/true"), work))
          if i >= 0:
              times[f"create+start+delete {rt_name}"].append(t)
              times[f"exec {rt_name}"].append(e)
      fg = {"launch": [launch, "--root", f"{work}/launch", bundle]}
      if base_launch:
          fg["base"] = [base_launch, "--root", f"{work}/base", bundle]
      for name, argv in fg.items():
          env = dict(os.environ)
          if name == "base":
              env["HUSK_INIT_PATH"] = base_husk
          t = timed(lambda: call(argv, bundle, env))
          if i >= 0:
              times[f"foreground run {name}"].append(t)
finally:
    for rt_name, rt in runtimes.items():
        call(rt("delete", "--force", f"sleeper-{rt_name}"), work, check=False)
# Memory held by a created container: the resident set of its held process (launch leaves no
# other; crun and runc neither), median of 5.
held = collections.defaultdict(list)
for i in range(5):
    for rt_name, rt in runtimes.items():
        cid, pid_file = f"held-{rt_name}-{i}", f"{work}/held.pid"
        call(rt("create", "--bundle", bundle, "--pid-file", pid_file, cid), bundle)
        pid = open(pid_file).read().strip()
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                held[rt_name].append(int(line.split()[1]))
        call(rt("delete", "--force", cid), bundle)
print(f"wall time, {rounds} interleaved rounds (median ms; p10-p90):")
for key in sorted(times):
    v = sorted(times[key])
    print(f"  {key:28s} {statistics.median(v):7.2f}   ({v[len(v)//10]:.2f}-{v[len(v)*9//10]:.2f})")
print("held process of a created container (VmRSS, median of 5, KiB):")
for rt_name in runtimes:
    print(f"  {rt_name:7s} {statistics.median(held[rt_name]):8.0f}")
PY
