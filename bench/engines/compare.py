#!/usr/bin/env python3
"""The engines' view of husk and launch, as root, with the engines of tests/engines (own
config and storage, private mount namespace):

  bench/engines/compare.py BUILD_DIR ROUNDS

  stop     `podman stop` of `sleep 1000` run with `--init --init-path` husk / tini-static
           (runtime runc), and of a leftover background process that takes 0.3 s on SIGTERM;
  share    the runtime's share of `podman run --rm bb true` (each runtime's calls timed by a
           wrapper) with runc / crun / launch (launch only once it has runc's lifecycle verbs);
  run      `ctr run --rm` of the same image with the same runtimes.

`podman run --rm` itself, per runtime, is a row of scripts/bench (its lifecycle section, with
bootstrap intervals), which shares this script's podman set-up (tests/engines/engines.py).
crun 1.8 refuses hybrid cgroup hosts, so the `share` and `run` rounds take place with the
cgroup2 mount (/sys/fs/cgroup/unified) unmounted in the private mount namespace, for every
runtime alike; the host keeps it. Rounds are interleaved (one of each per round); medians are
printed as Markdown.
"""
import os
import statistics
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "engines"))
import engines  # noqa: E402

LEFTOVER = ("(trap 'sleep 0.3; exit 0' TERM; while :; do sleep 0.05; done) & "
            "exec sleep 1000")


def median_row(name, seconds, base=None):
    med = statistics.median(seconds)
    ratio = f"{med / base:.2f}" if base else "1.00"
    return (f"| {name} | {med:.3f} | {min(seconds):.3f} | {max(seconds):.3f} | {ratio} |",
            med)


def stop_rounds(env, rounds):
    inits = {"husk": engines.HUSK, "tini-static": engines.TINI_STATIC}
    times = {(init, case): [] for init in inits for case in ("sleep", "leftover")}
    codes = {}
    for _ in range(rounds):
        for init, path in inits.items():
            for case, command in (("sleep", ["sleep", "1000"]),
                                  ("leftover", ["sh", "-c", LEFTOVER])):
                cid = env.podman("run", "-d", *env.run_args("runc"), "--init", "--init-path",
                                 path, "localhost/bb", *command, runtime="runc").out.strip()
                env.podman("exec", cid, "true")  # the container is up
                result = env.podman("stop", "--time", "10", cid)
                times[(init, case)].append(result.seconds)
                codes[(init, case)] = env.podman("inspect", "--format",
                                                 "{{.State.ExitCode}}", cid).out.strip()
                env.podman("rm", "-f", cid)
    print("`podman stop --time 10` (runc; seconds of the whole podman command):\n")
    print("| init, container | median | min | max | × husk |\n| --- | --- | --- | --- | --- |")
    for case in ("sleep", "leftover"):
        line, base = median_row(f"husk, {case} (exit {codes[('husk', case)]})",
                                times[("husk", case)])
        print(line)
        line, _ = median_row(f"tini-static, {case} (exit {codes[('tini-static', case)]})",
                             times[("tini-static", case)], base)
        print(line)
    print()


def add_runtimes(env):
    """crun, and launch once it has runc's lifecycle verbs, beside runc."""
    env.add_runtime("crun", "/usr/bin/crun")
    if engines.launch_has_lifecycle():
        env.add_runtime("launch", env.install_launch(engines.LAUNCH))
    env._write_containers_conf()


def ctr_rounds(env, rounds):
    runtimes = [r for r in ("runc", "crun", "launch") if r in env.runtimes]
    env.start_containerd()
    env.ctr_import_image()
    for runtime in runtimes:  # the shim's --root ROOT/NAMESPACE, for runtimes that need it
        os.makedirs(os.path.join(env.dir, "containerd", "runc-" + runtime, "husk-e2e"),
                    exist_ok=True)
    times = {r: [] for r in runtimes}
    for n in range(rounds + 1):
        for runtime in runtimes:
            cid = f"b{n}{runtime}"
            result = env.ctr("run", "--rm", *env.ctr_run_args(runtime, cid),
                             "localhost/bb:latest", cid, "true")
            if result.code != 0:
                print(f"{runtime}: {result!r}", file=sys.stderr)
            elif n > 0:  # round 0 warms up
                times[runtime].append(result.seconds)
    print("`ctr run --rm localhost/bb:latest ID true` (cgroup2 mount hidden; seconds):\n")
    print_table(runtimes, times)


def share_rounds(env, rounds):
    """The runtime's share of `podman run --rm`: each runtime behind a bash wrapper that times
    every call (create, start, delete...) and adds it to a log, so the seconds spent in the
    runtime per podman run can be set against the whole command's."""
    runtimes = [r for r in ("runc", "crun", "launch") if r in env.runtimes]
    real = dict(env.runtimes)
    log = os.path.join(env.dir, "runtime-times.log")
    for runtime in runtimes:
        wrapper = os.path.join(env.dir, "timed", runtime)
        engines.write(wrapper, "#!/bin/bash\n"
                      "start=$EPOCHREALTIME\n"
                      f"{real[runtime]} \"$@\"\n"
                      "code=$?\n"
                      f"echo \"$start $EPOCHREALTIME $*\" >> {log}\n"
                      "exit $code\n", 0o755)
        env.runtimes[runtime] = wrapper
    env._write_containers_conf()
    whole = {r: [] for r in runtimes}
    inside = {r: [] for r in runtimes}
    for _ in range(rounds):
        for runtime in runtimes:
            if os.path.exists(log):
                os.unlink(log)
            result = env.podman("run", "--rm", *env.run_args(runtime), "localhost/bb", "true",
                                runtime=runtime)
            if result.code != 0:
                continue
            with open(log, encoding="utf-8") as f:
                spans = [line.split()[:2] for line in f if line.strip()]
            whole[runtime].append(result.seconds)
            inside[runtime].append(sum(float(b) - float(a) for a, b in spans))
    print("The runtime's share of `podman run --rm localhost/bb true` (the runtime's calls "
          "timed by a wrapper; medians, seconds):\n")
    print("| runtime | podman run | in the runtime | share |\n| --- | --- | --- | --- |")
    for runtime in runtimes:
        w, i = statistics.median(whole[runtime]), statistics.median(inside[runtime])
        print(f"| {runtime} | {w:.3f} | {i:.3f} | {100 * i / w:.0f}% |")
    print()
    env.runtimes.update(real)
    env._write_containers_conf()


def print_table(runtimes, times):
    print("| runtime | median | min | max | × runc |\n| --- | --- | --- | --- | --- |")
    base = statistics.median(times["runc"])
    for runtime in runtimes:
        if times[runtime]:
            print(median_row(runtime, times[runtime], base)[0])
    print()


def main():
    build, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    engines.HUSK = os.path.abspath(os.path.join(build, "init", "husk"))
    engines.LAUNCH = os.path.abspath(os.path.join(build, "launcher", "launch"))
    os.environ.update(HUSK_PATH=engines.HUSK, LAUNCH_PATH=engines.LAUNCH)
    engines.isolate()
    env = engines.Engines(wrap=False)
    try:
        env.import_image()
        stop_rounds(env, rounds)
        # The stop rounds' cgroups in the cgroup2 hierarchy go before it is hidden.
        for path in env.cgroup_dirs():
            if path.startswith("/sys/fs/cgroup/unified/"):
                os.rmdir(path)
        subprocess.run(["umount", "/sys/fs/cgroup/unified"], check=True)
        add_runtimes(env)
        share_rounds(env, rounds)
        ctr_rounds(env, rounds)
    finally:
        env.close()


if __name__ == "__main__":
    main()
