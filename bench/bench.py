#!/usr/bin/env python3
"""The husk benchmark: husk and launch side by side with the tools installed on this host.

    bench/bench.py [--quick] [--runs N] [--out DIR] [--only WHAT] [--compare runc,crun,...]
                   [--baseline crun] [--build DIR] [--png]

Run as root, usually through scripts/bench (which builds first). Writes DIR/report.md,
DIR/report.json (every sample) and DIR/*.svg. The whole benchmark runs in one private mount
namespace (it re-executes itself under `unshare -m`) where, on a hybrid cgroup host, the
cgroup2 mount /sys/fs/cgroup/unified is unmounted, so that every tool sees the same cgroup
layout (crun 1.8 refuses hybrid hosts); the host's mounts are not touched.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import report, spawn, tools, workloads  # noqa: E402

SECTIONS = ["startup", "phases", "scale", "husk", "micro", "lifecycle"]
INNER = "HUSK_BENCH_INNER"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="a few runs of everything (seconds): checks that the bench works")
    p.add_argument("--runs", type=int, help="interleaved rounds per start-up workload "
                   "(default 100, --quick 4)")
    p.add_argument("--warmup", type=int, help="rounds run first and not counted (default 5, "
                   "--quick 1)")
    p.add_argument("--out", default="bench-report", help="output folder (default bench-report)")
    p.add_argument("--only", default="", help="comma-separated sections (" + ", ".join(SECTIONS)
                   + ") or start-up workloads (" + ", ".join(workloads.STARTUP) + ")")
    p.add_argument("--compare", default=",".join(tools.COMPETITORS),
                   help="comma-separated competitors (default: all of "
                   + ", ".join(tools.COMPETITORS) + ", those installed)")
    p.add_argument("--baseline", default="crun", help="the tool ratios are taken to "
                   "(default crun)")
    p.add_argument("--build", default="build", help="meson build folder (default build)")
    p.add_argument("--launch", help="the launch binary to measure (default: the build's)")
    p.add_argument("--png", action="store_true", help="also write PNG copies of the charts")
    p.add_argument("--publish", action="store_true", help="write the report as bench/RESULTS.md "
                   "and its charts and samples to bench/results/ (instead of --out)")
    args = p.parse_args(argv)
    if args.runs is None:
        args.runs = 4 if args.quick else 100
    if args.warmup is None:
        args.warmup = 1 if args.quick else 5
    if args.runs < 1 or args.warmup < 0:
        p.error("--runs must be at least 1 and --warmup at least 0")
    items = [w for w in args.only.split(",") if w]
    unknown = [w for w in items if w not in SECTIONS and w not in workloads.STARTUP]
    if unknown:
        p.error(f"--only: unknown {', '.join(unknown)}")
    args.workloads = [w for w in items if w in workloads.STARTUP]
    args.sections = [s for s in items if s in SECTIONS]
    if args.workloads and "startup" not in args.sections:
        args.sections.append("startup")
    if not args.sections:
        args.sections = list(SECTIONS)
    args.compare = [c for c in args.compare.split(",") if c]
    bad = [c for c in args.compare if c not in tools.COMPETITORS]
    if bad:
        p.error(f"--compare: unknown {', '.join(bad)} (known: {', '.join(tools.COMPETITORS)})")
    return args


def cgroup_layout(mountinfo="/proc/self/mountinfo"):
    """{"v1": [controllers...], "v2": [mount points]} from mountinfo, and a one-line name."""
    v1, v2 = [], []
    with open(mountinfo) as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fstype, _, options = (right.split() + ["", "", ""])[:3]
            point = left.split()[4]
            if fstype == "cgroup2":
                v2.append(point)
            elif fstype == "cgroup":
                names = [o for o in options.split(",") if o not in ("rw", "ro")]
                v1.append(os.path.basename(point) or ",".join(names))
    if v1 and v2:
        name = f"hybrid: {len(v1)} v1 hierarchies and cgroup2 at {', '.join(v2)}"
    elif v2:
        name = f"unified (cgroup2 at {', '.join(v2)})"
    elif v1:
        name = f"v1 only: {len(v1)} hierarchies"
    else:
        name = "no cgroup mounts"
    return {"v1": v1, "v2": v2, "name": name}


def reexec_in_mount_namespace(argv):
    unshare = tools.which("unshare")
    if not unshare:
        sys.exit("bench: unshare (util-linux) is needed")
    env = dict(os.environ, **{INNER: json.dumps(cgroup_layout())})
    os.execve(unshare, [unshare, "--mount", "--propagation", "private", "--", sys.executable,
                        os.path.abspath(__file__)] + argv, env)


def hide_cgroup2(host):
    """On a hybrid host, unmounts the cgroup2 mount in this (private) mount namespace."""
    if host["v1"] and host["v2"]:
        for point in host["v2"]:
            spawn.umount(point)
        return (f"hybrid host: the whole benchmark ran in one private mount namespace with "
                f"{', '.join(host['v2'])} unmounted (crun 1.8 refuses hybrid hosts), so every "
                f"tool saw the same v1-only layout; the folders a runtime makes below the "
                f"hidden mount point (on the tmpfs under it) are reported as leaks, then "
                f"removed")
    return "the whole benchmark ran in one private mount namespace (the host's layout)"


def filesystem_of(path):
    """The type of the filesystem `path` is on, from /proc/self/mountinfo (the longest match)."""
    best, kind = "", "?"
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point, fstype = fields[4], line.split(" - ", 1)[1].split()[0]
            inside = path == point or path.startswith(point.rstrip("/") + "/")
            if inside and len(point) >= len(best):
                best, kind = point, fstype
    return kind


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def git_commit(repo):
    try:
        rev = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "") if rev else "?"
    except OSError:
        return "?"


def husk_inits(build, found):
    """The inits compared, as the command line up to their "--"; "(no init)" is the floor."""
    inits = {"husk": [os.path.join(build, "init", "husk"), "--"], "(no init)": ["/bin/true"]}
    for name in tools.INITS:
        if name in found:
            inits[name] = [found[name]] + ([] if name == "dumb-init" else ["--"])
    return inits


def husk_settings(ctx, quick):
    """What the husk section runs. Orphans that pid_max cannot hold at once are left in waves
    of 5,000 instead (init_bench reap-waves): (waves, per wave, rounds)."""
    reap = [(1000, 2)] if quick else [(1000, 15), (10000, 11), (100000, 3)]
    waves = [(2, 500, 1)] if quick else []
    with open("/proc/sys/kernel/pid_max") as f:
        pid_max = int(f.read())
    for n, rounds in list(reap):
        if n + 1000 > pid_max:
            per_wave = 5000
            ctx.skip(f"husk: reaping {n:,} orphans at once needs kernel.pid_max above "
                     f"{n + 1000:,} (it is {pid_max:,}; `sysctl kernel.pid_max=4194304` to "
                     f"include it): run in {n // per_wave} waves of {per_wave:,} instead")
            reap = [r for r in reap if r[0] != n]
            # Its wall time (mostly the probe's forks) moves 10% run to run: more rounds.
            if per_wave + 1000 <= pid_max:
                waves.append((n // per_wave, per_wave, rounds + 2))
    return {"overhead_runs": 5 if quick else 20, "overhead_rounds": 2 if quick else 15,
            "rss_rounds": 1 if quick else 5, "forward_rounds": 1 if quick else 20, "reap": reap,
            "waves": waves}


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench: run as root (namespaces, cgroups, mounts); skipped", file=sys.stderr)
        return 77  # meson's "skipped"
    if INNER not in os.environ:
        reexec_in_mount_namespace(argv)
    host = json.loads(os.environ[INNER])
    layout_note = hide_cgroup2(host)
    spawn.become_subreaper()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.path.abspath(args.build)
    out = os.path.join(repo, "bench", "results") if args.publish else os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    progress = workloads.Progress()

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": "scripts/bench " + " ".join(argv),
        "quick": args.quick, "runs": args.runs, "warmup": args.warmup,
        "kernel": platform.release(), "cpu": cpu_model(), "cpus": os.cpu_count(),
        "load_start": loadavg(), "host_cgroups": host["name"],
        "bench_cgroups": cgroup_layout()["name"], "layout_note": layout_note,
        "commit": git_commit(repo), "baseline": args.baseline,
    }
    found, absent = tools.find(args.compare)
    skipped = [f"{name}: {why}" for name, why in absent.items()]
    for line in skipped:
        progress.say("skip: " + line)
    husk = os.path.join(build, "init", "husk")
    launch = os.path.abspath(args.launch) if args.launch else os.path.join(build, "launcher",
                                                                          "launch")
    versions = {"launch": f"{tools.version(launch)} ({launch})",
                "husk": (f"{os.stat(husk).st_size} bytes, commit {meta['commit']}"
                         if os.path.exists(husk) else "not built")}
    versions.update({name: tools.version(path) for name, path in found.items()})
    for helper in ("unshare", "python3"):
        versions[helper] = (tools.version(tools.which(helper)) if helper != "python3"
                            else sys.version.split()[0])
    meta["versions"] = versions
    meta["paths"] = found

    work = tempfile.mkdtemp(prefix="husk-bench-")
    os.chmod(work, 0o755)  # the user-namespace workload's root (uid 100000) walks through it
    results = {"meta": meta}
    # Every runtime keeps its state (--root) on one tmpfs, as in /run on a standard host. Where
    # the state lives counts: on this machine's ext4 /run, launch's state files alone add about
    # 0.7 ms to a start (a tmpfs root against an ext4 one, 300 paired rounds), crun's and
    # runc's theirs.
    state = os.path.join(work, "state")
    state_mounted = False
    try:
        os.makedirs(state)
        spawn.mount_tmpfs(state)
        state_mounted = True
        meta["state_note"] = ("every runtime's state root (--root) on one tmpfs, as /run is on "
                              f"a standard host (this machine's /run is {filesystem_of('/run')})")
        tools.make_rootfs(os.path.join(work, "rootfs"))
        base = tools.base_config(found.get("runc"), launch)
        profile = tools.seccomp_profile()
        ctx = workloads.Context(work, build, found, args, progress, launch)
        ctx.skipped = skipped
        q = args.quick
        meta["seconds"] = {}

        def section(name, run):
            t0 = time.monotonic()
            results[name] = run()
            meta["seconds"][name] = round(time.monotonic() - t0)

        if "startup" in args.sections:
            section("startup", lambda: workloads.startup(ctx, base, profile, args.baseline))
        if "phases" in args.sections:
            section("phases", lambda: workloads.phases(ctx, base, profile, 3 if q else 30))
        if "scale" in args.sections:
            section("scale", lambda: workloads.scale(ctx, base, args.baseline,
                                                     [20] if q else [100, 1000],
                                                     [10] if q else [10, 50], 1 if q else 3))
        if "husk" in args.sections:
            section("husk", lambda: workloads.husk_rows(ctx, husk_inits(build, found),
                                                        husk_settings(ctx, q)))
        if "micro" in args.sections:
            section("micro", lambda: workloads.micro(ctx, q))
        if "lifecycle" in args.sections:
            section("lifecycle", lambda: workloads.lifecycle(ctx, base, min(args.runs, 30),
                                                             args.warmup))
        meta["load_end"] = loadavg()
        meta["skipped"] = ctx.skipped
    finally:
        spawn.reap_leftovers()
        spawn.remove_bench_dirs(f"hb{os.getpid()}")
        if state_mounted:
            spawn.umount(state)
        shutil.rmtree(work, ignore_errors=True)

    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(results, f, default=str)
    charts = []
    try:
        from harness import charts as chart_module
        charts = chart_module.draw(results, out, png=args.png)
    except ImportError as error:
        meta["skipped"].append(f"charts: {error.name} is not installed "
                               f"(python3-matplotlib: scripts/setup-deps --bench)")
        progress.say("skip: " + meta["skipped"][-1])
    if args.publish:
        with open(os.path.join(repo, "bench", "RESULTS.md"), "w") as f:
            f.write(report.render(results, [("results/" + n, t) for n, t in charts],
                                  published=True))
    else:
        with open(os.path.join(out, "report.md"), "w") as f:
            f.write(report.render(results, charts))
    written = os.path.join(repo, "bench", "RESULTS.md") if args.publish else f"{out}/report.md"
    progress.say(f"wrote {written}, {out}/report.json"
                 + (f" and {len(charts)} charts" if charts else ""))
    spec = results.get("startup", {}).get("runc-spec")
    if spec is not None and "launch" not in spec["tools"]:
        progress.say("bench: launch failed every run of the runc spec workload (see Not run)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
