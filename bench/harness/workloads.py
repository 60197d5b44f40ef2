"""The workloads: start-up, launch's phases, scale, husk against the other inits, the Google
Benchmark targets. Each returns plain data (samples, then summaries), which report.py and
charts.py turn into text and pictures, and report.json keeps whole.
"""
import glob
import json
import os
import random
import shutil
import subprocess
import sys
import time

from . import podman, spawn, stats, timing, tools

# name: (what it is, namespaces for bwrap, for unshare)
STARTUP = {
    "runc-spec": ("`runc spec` config: pid, network, ipc, uts, mount namespaces; a cgroup",
                  ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"],
                  ["-p", "-f", "-m", "-i", "-u", "-n"]),
    "fewer-ns": ("pid and mount namespaces only", ["--unshare-pid"], ["-p", "-f", "-m"]),
    "no-cgroup": ("`runc spec` config, no cgroup (crun --cgroup-manager=disabled)",
                  ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"],
                  ["-p", "-f", "-m", "-i", "-u", "-n"]),
    "userns": ("`runc spec` config plus a user namespace (runtimes: ids 0 → 100000, 65536 of "
               "them; bwrap and unshare map root to root, one id)",
               ["--unshare-user", "--uid", "0", "--gid", "0", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts"],
               ["--map-root-user", "-p", "-f", "-m", "-i", "-u", "-n"]),
    "seccomp": ("`runc spec` config plus a Docker-like seccomp profile (errno default, ~330 "
                "syscalls allowed, x86_64/x86/x32)", None, None),
}
LAUNCH_PHASE_WORKLOADS = ["runc-spec", "fewer-ns", "userns", "seccomp"]


class Progress:
    """One line on stderr: what runs and how far along it is (redrawn on a terminal, printed
    every quarter otherwise)."""

    def __init__(self, quiet=False):
        self.tty = sys.stderr.isatty()
        self.quiet = quiet
        self.shown = -1

    def __call__(self, section, done, total, what=""):
        if self.quiet:
            return
        percent = 100 * done // max(total, 1)
        line = f"[{section}] {done}/{total} ({percent}%) {what}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:150])
            if done >= total:
                sys.stderr.write("\n")
        elif percent // 25 != self.shown or done >= total:
            self.shown = percent // 25
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def say(self, text):
        if self.tty:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


class Context:
    """Paths and settings shared by the workloads."""

    def __init__(self, work, build, found, options, progress, launch):
        self.work, self.build, self.found = work, build, found
        self.options, self.progress = options, progress
        self.prefix = f"hb{os.getpid()}"
        self.env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "LANG": "C"}
        self.launch = launch
        # bench/launch/isolation_floor, when built (the runc-spec workload's row and phases).
        floor = os.path.join(build, "bench", "launch", "isolation_floor")
        self.isolation_floor = floor if os.access(floor, os.X_OK) else None
        self.husk = os.path.join(build, "init", "husk")
        self.rootfs = os.path.join(work, "rootfs")
        self.state = {name: os.path.join(work, "state", name)
                      for name in ["launch", "launch-compile", "crun", "runc", "youki"]}
        for d in self.state.values():
            os.makedirs(d, exist_ok=True)
        self.err = os.path.join(work, "stderr")
        os.makedirs(self.err, exist_ok=True)
        self.skipped = []  # lines: what did not run and why
        self.leaks = spawn.LeakCheck(self.prefix, work, list(self.state.values()),
                                     [os.path.join(work, "state")])
        self.counter = 0

    def bundle(self, base, workload, tool, profile=None, tag=None):
        """A bundle of the workload for one tool: its cgroup is named after both
        (PREFIX-WORKLOAD-TOOL), so that a leftover says who left it."""
        short = {"launch --no-init": "noinit"}.get(tool, tool)
        name = f"{tag or workload}-{short}"
        config = tools.variant(base, workload, self.rootfs, f"{self.prefix}-{name}", profile)
        return tools.write_bundle(os.path.join(self.work, "bundles", name), config)

    def skip(self, text):
        self.skipped.append(text)
        self.progress.say("skip: " + text)

    def next_id(self, tag):
        self.counter += 1
        return f"{self.prefix}-{tag}-{self.counter}"

    def runtime_argv(self, name, bundle, extra=()):
        """`NAME --root R run --bundle B ID` for an OCI runtime; launch takes husk's path."""
        if name.startswith("launch"):
            argv = [self.launch, "--root", self.state["launch"], "run", "--init-path", self.husk]
            if name == "launch --no-init":
                argv.append("--no-init")
            return lambda: argv + list(extra) + ["--bundle", bundle, self.next_id("l")]
        path = self.found[name]
        base = [path, "--root", self.state[name]] + list(extra) + ["run", "--bundle", bundle]
        return lambda: base + [self.next_id(name[0])]


def run_rounds(ctx, section, entries, runs, warmup):
    """Interleaved rounds: each round runs every entry once, in a new random order; the first
    `warmup` rounds are not kept. entries: {name: argv factory}. Returns {name: {"wall_us": [],
    "cpu_us": [], "errors": []}}, lists indexed by kept round (None where a run failed). A tool
    that fails every warm-up run is dropped, with a line saying why."""
    data = {name: {"wall_us": [], "cpu_us": [], "errors": []} for name in entries}
    live = dict(entries)
    rng = random.Random()
    total = (runs + warmup) * len(live)
    done = 0
    for r in range(-warmup, runs):
        order = list(live)
        rng.shuffle(order)
        for name in order:
            err = os.path.join(ctx.err, name.replace(" ", "_").replace("/", "_") + ".log")
            result = spawn.timed(live[name](), ctx.env, err)
            done += 1
            ctx.progress(section, done, total, name)
            if not result.ok:
                data[name]["errors"].append(result.describe())
            if r >= 0:
                data[name]["wall_us"].append(result.wall_us if result.ok else None)
                data[name]["cpu_us"].append(result.cpu_us if result.ok else None)
        if r == -1 or (warmup == 0 and r == 0):
            for name in list(live):
                if data[name]["errors"] and len(data[name]["errors"]) >= max(warmup, 1):
                    ctx.skip(f"{section}: {name} failed every warm-up run: "
                             f"{data[name]['errors'][0]}")
                    del live[name]
                    del data[name]
                    total -= runs
    return data


def peak_rss(ctx, entries, runs):
    """Peak RSS in KiB (GNU time's %M: the largest of the tool and every process it waited
    for), `runs` interleaved rounds. Not from the timed runs: a child of posix_spawn (vfork)
    inherits the Python driver's high-water mark, GNU time's child only time's own."""
    gnu_time = "/usr/bin/time"
    if not os.access(gnu_time, os.X_OK):
        ctx.skip("peak RSS: GNU time (/usr/bin/time, package time) is not installed")
        return {}
    out = {name: [] for name in entries}
    result_file = os.path.join(ctx.err, "rss")
    for r in range(runs):
        order = list(entries)
        random.shuffle(order)
        for name in order:
            argv = [gnu_time, "-f", "%M", "-o", result_file] + entries[name]()
            result = spawn.timed(argv, ctx.env, os.path.join(ctx.err, "rss.log"))
            ctx.progress("peak RSS", r * len(entries) + order.index(name) + 1,
                         runs * len(entries), name)
            value = None
            if result.ok:
                with open(result_file) as f:
                    words = f.read().split()
                value = int(words[-1]) if words and words[-1].isdigit() else None
            out[name].append(value)
    return out


COMPILING = "launch (no filter cache)"
# bench/launch/isolation_floor.cc: the same isolation as launch gives the runc-spec config (its
# cgroup, namespaces, mounts, devices, masked and read-only paths, capabilities), made in the
# fewest system calls with nothing checked, parsed or recorded: the kernel's part of the start.
ISOLATION_FLOOR = "isolation floor (launch's cgroup and mounts, no runtime)"
# The same with husk as PID 1, exec'd from a sealed copy as launch does: the least any runtime
# that gives this isolation and runs husk can take.
ISOLATION_FLOOR_HUSK = "isolation floor with husk as PID 1"


def compiling_argv(ctx, bundle):
    """launch with its compiled-filter cache (ROOT/@seccomp) removed before each run, outside
    the timing: every start compiles the profile, as the first start with a profile does."""
    root = ctx.state["launch-compile"]
    argv = [ctx.launch, "--root", root, "run", "--init-path", ctx.husk, "--bundle", bundle]

    def make():
        shutil.rmtree(os.path.join(root, "@seccomp"), ignore_errors=True)
        return argv + [ctx.next_id("l")]
    return make


def startup(ctx, base, profile, baseline):
    """Start-up of /bin/true, per workload: {workload: {"about", "tools": run_rounds(...),
    "baseline", "ratios": {tool: stats.ratio}, "summary": {tool: stats.summary}}}."""
    results = {}
    only = ctx.options.workloads
    for workload, (about, bwrap_ns, unshare_ns) in STARTUP.items():
        if only and workload not in only:
            continue
        if workload == "seccomp" and profile is None:
            ctx.skip("start-up seccomp: libseccomp.so.2 not found, no profile")
            continue
        def bundle(tool):
            return ctx.bundle(base, workload, tool, profile)

        entries = {"/bin/true (harness floor)": lambda: ["/bin/true"]}
        if workload == "no-cgroup":
            ctx.skip("start-up no-cgroup: launch, runc and youki always create a cgroup: not run")
            if "crun" in ctx.found:
                entries["crun"] = ctx.runtime_argv("crun", bundle("crun"),
                                                   ["--cgroup-manager=disabled"])
        else:
            entries["launch"] = ctx.runtime_argv("launch", bundle("launch"))
            if workload == "runc-spec":
                entries["launch --no-init"] = ctx.runtime_argv("launch --no-init",
                                                               bundle("launch --no-init"))
            if workload == "seccomp":
                entries[COMPILING] = compiling_argv(ctx, bundle("launch"))
            for rt in tools.RUNTIMES:
                if rt in ctx.found:
                    entries[rt] = ctx.runtime_argv(rt, bundle(rt))
        if bwrap_ns is not None and "bwrap" in ctx.found:
            argv = [ctx.found["bwrap"]] + bwrap_ns + ["--ro-bind", ctx.rootfs, "/", "--proc",
                                                       "/proc", "--dev", "/dev", "/bin/true"]
            entries["bwrap"] = lambda a=argv: a
        elif bwrap_ns is None and "bwrap" in ctx.found:
            ctx.skip(f"start-up {workload}: bwrap takes a compiled filter, not a profile: not run")
        if unshare_ns is not None:
            argv = [tools.which("unshare")] + unshare_ns + [tools.which("chroot"), ctx.rootfs,
                                                           "/bin/true"]
            entries["unshare+chroot (kernel floor)"] = lambda a=argv: a
        if workload == "runc-spec":
            if ctx.isolation_floor:
                entries[ISOLATION_FLOOR] = lambda: [ctx.isolation_floor, ctx.rootfs,
                                                    ctx.next_id("floor")]
                entries[ISOLATION_FLOOR_HUSK] = lambda: [ctx.isolation_floor, "--init", ctx.husk,
                                                         ctx.rootfs, ctx.next_id("floor")]
            else:
                ctx.skip("start-up runc-spec: bench/launch/isolation_floor is not built: no "
                         "isolation floor row")
        data = run_rounds(ctx, f"start-up {workload}", entries, ctx.options.runs,
                          ctx.options.warmup)
        rss = (peak_rss(ctx, {k: v for k, v in entries.items() if k in data},
                        2 if ctx.options.quick else 10) if workload == "runc-spec" else {})
        leaks = ctx.leaks.check()
        base_name = baseline if baseline in data else None
        results[workload] = {
            "about": about, "baseline": base_name, "tools": data, "leaks": leaks,
            "summary": {k: stats.summary(v["wall_us"]) for k, v in data.items()},
            "cpu": {k: stats.median(v["cpu_us"]) for k, v in data.items()},
            "cpu_ratios": ({k: stats.ratio(v["cpu_us"], data[base_name]["cpu_us"])
                            for k, v in data.items()} if base_name else {}),
            "rss": {k: stats.median(v) for k, v in rss.items()},
            "rss_samples": rss,
            "ratios": ({k: stats.ratio(v["wall_us"], data[base_name]["wall_us"])
                        for k, v in data.items()} if base_name else {}),
        }
        floor = "unshare+chroot (kernel floor)"
        if "launch" in data and floor in data:
            results[workload]["launch_to_floor"] = stats.ratio(data["launch"]["wall_us"],
                                                               data[floor]["wall_us"])
        for row, key, compared in (
                (ISOLATION_FLOOR, "to_isolation_floor", ("launch", "launch --no-init", floor)),
                (ISOLATION_FLOOR_HUSK, "to_isolation_husk", ("launch", floor))):
            for tool in (compared if row in data else ()):
                if tool in data:
                    results[workload].setdefault(key, {})[tool] = stats.ratio(
                        data[tool]["wall_us"], data[row]["wall_us"])
    return results


def phases(ctx, base, profile, runs):
    """launch --debug, interleaved over its workloads: {workload: {"runs": [{phase: µs}],
    "median": {phase: µs}}}."""
    bundles = {}
    for workload in LAUNCH_PHASE_WORKLOADS:
        if workload == "seccomp" and profile is None:
            continue
        config = tools.variant(base, workload, ctx.rootfs, f"{ctx.prefix}-ph-{workload}", profile)
        bundles[workload] = tools.write_bundle(os.path.join(ctx.work, "bundles", "ph-" + workload),
                                               config)
    found = {w: [] for w in bundles}
    # The isolation floor's own steps, beside launch's runc-spec phases.
    floor_runs = []
    errors = []
    order_base = list(bundles) + ([ISOLATION_FLOOR] if ctx.isolation_floor else [])
    total, done = runs * len(order_base), 0
    for _ in range(runs):
        order = list(order_base)
        random.shuffle(order)
        for workload in order:
            log = os.path.join(ctx.err, "phases.log")
            if workload == ISOLATION_FLOOR:
                argv = [ctx.isolation_floor, "--timing", ctx.rootfs, ctx.next_id("pf")]
            else:
                argv = [ctx.launch, "--debug", "--root", ctx.state["launch"], "run",
                        "--init-path", ctx.husk, "--bundle", bundles[workload], ctx.next_id("p")]
            result = spawn.timed(argv, ctx.env, log)
            done += 1
            ctx.progress("launch phases", done, total, workload)
            with open(log, errors="replace") as f:
                parsed = timing.parse_log(f.read())
            if not result.ok:
                errors.append(result.describe())
            elif parsed:
                entry = dict(parsed[-1])
                entry["(wall, measured outside)"] = result.wall_us
                (floor_runs if workload == ISOLATION_FLOOR else found[workload]).append(entry)
    out = {"errors": errors[:5], "leaks": ctx.leaks.check(), "workloads": {}}
    if floor_runs:
        names = list(floor_runs[0])
        out["isolation_floor"] = {
            "runs": floor_runs,
            "median": {k: stats.median([e.get(k) for e in floor_runs]) for k in names}}
    for workload, runs_found in found.items():
        names = []
        for entry in runs_found:
            names += [k for k in entry if k not in names]
        out["workloads"][workload] = {
            "runs": runs_found,
            "median": {k: stats.median([e.get(k) for e in runs_found]) for k in names}}
    if not any(found.values()):
        ctx.skip("launch phases: no `timing:` line in launch --debug's log"
                 + (f" ({errors[0]})" if errors else ""))
    out["verbs"] = verb_phases(ctx, base, runs)
    return out


LIFECYCLE_VERBS = ["create", "start", "delete"]


def verb_phases(ctx, base, runs):
    """The timing line of each verb of `launch --debug create`, `start`, `delete` (runc spec
    config, /bin/true): {verb: {"runs": [{phase: µs}], "median": {phase: µs}}}."""
    bundle = ctx.bundle(base, "runc-spec", "launch", tag="ph-verbs")
    cli = [ctx.launch, "--debug", "--root", ctx.state["launch"]]
    found = {v: [] for v in LIFECYCLE_VERBS}
    log = os.path.join(ctx.err, "verb-phases.log")
    for r in range(runs):
        ident = ctx.next_id("v")
        steps = {"create": cli + ["create", "--init-path", ctx.husk, "--bundle", bundle, ident],
                 "start": cli + ["start", ident], "delete": cli + ["delete", ident]}
        for verb in LIFECYCLE_VERBS:
            if verb == "delete":
                _wait_stopped([ctx.launch, "--root", ctx.state["launch"], "state", ident],
                              ctx.env, log)
            result = spawn.timed(steps[verb], ctx.env, log)
            with open(log, errors="replace") as f:
                parsed = timing.parse_log(f.read())
            if result.ok and parsed:
                entry = dict(parsed[-1])
                entry["(wall, measured outside)"] = result.wall_us
                found[verb].append(entry)
            elif not result.ok:
                subprocess.run(cli + ["delete", "--force", ident], env=ctx.env,
                               capture_output=True)
                break
        ctx.progress("launch phases: create/start/delete", r + 1, runs)
    out = {}
    for verb, entries in found.items():
        names = []
        for entry in entries:
            names += [k for k in entry if k not in names]
        out[verb] = {"runs": entries,
                     "median": {k: stats.median([e.get(k) for e in entries]) for k in names}}
    return out


def scale(ctx, base, baseline, sequences, concurrency, repeats):
    """Containers in sequence (launch and the baseline alternating, container by container, in
    every sequence: the baseline's drift is the kernel's share of launch's) and at once; the
    leak check after each. Returns {"sequential": {n: {tool: {...}, "drift_to_baseline"}},
    "concurrent": {n: {tool: [...]}}}."""
    tools_here = ["launch"] + ([baseline] if baseline in ctx.found else [])
    argvs = {t: ctx.runtime_argv(t, ctx.bundle(base, "runc-spec", t, tag="seq"))
             for t in tools_here}
    out = {"tools": tools_here, "baseline": tools_here[1] if len(tools_here) > 1 else None,
           "sequential": {}, "concurrent": {}}
    for n in sequences:
        samples = {t: [] for t in tools_here}
        cpu = {t: [] for t in tools_here}
        failures = {t: 0 for t in tools_here}
        errors = []
        t_start = {t: 0.0 for t in tools_here}
        for i in range(n):
            order = list(tools_here)
            random.shuffle(order)
            for t in order:
                result = spawn.timed(argvs[t](), ctx.env, os.path.join(ctx.err, "scale.log"))
                samples[t].append(result.wall_us if result.ok else None)
                cpu[t].append(result.cpu_us if result.ok else None)
                if not result.ok:
                    failures[t] += 1
                    errors.append(result.describe())
                t_start[t] += result.wall_us or 0
            ctx.progress(f"scale: {n} in sequence", i + 1, n, " / ".join(order))
        leaks = ctx.leaks.check()
        # CPU time (the tool's and its children's, from wait4) barely depends on the machine's
        # load: a drift of the wall time without one of the CPU time is a wait, not more work.
        out["sequential"][n] = {t: {
            "wall_us": samples[t], "cpu_us": cpu[t], "failures": failures[t],
            "per_second": n / (t_start[t] / 1e6) if t_start[t] else None,
            "summary": stats.summary(samples[t]), "drift": stats.drift(samples[t]),
            "cpu_drift": stats.drift(cpu[t])}
            for t in tools_here}
        out["sequential"][n]["leaks"] = leaks
        if out["baseline"]:
            out["sequential"][n]["drift_to_baseline"] = stats.drift_ratio(
                samples["launch"], samples[out["baseline"]])
        out["sequential"][n]["errors"] = errors[:3]
    for n in concurrency:
        bundles = {t: [ctx.bundle(base, "runc-spec", t, tag=f"con{k}") for k in range(n)]
                   for t in tools_here}
        per_tool = {t: [] for t in tools_here}
        plan = [t for _ in range(repeats) for t in tools_here]
        random.shuffle(plan)
        for j, t in enumerate(plan):
            argv_of = [ctx.runtime_argv(t, b) for b in bundles[t]]
            t0 = time.perf_counter_ns()
            pids = []
            for k, make in enumerate(argv_of):
                try:
                    pids.append(spawn.start(make(), ctx.env,
                                            os.path.join(ctx.err, f"con{k}.log")))
                except OSError:
                    pass
            ok = 0
            for pid in pids:
                _, status = os.waitpid(pid, 0)
                ok += status == 0
            total_ms = (time.perf_counter_ns() - t0) / 1e6
            per_tool[t].append({"ok": ok, "n": n, "total_ms": total_ms,
                                "leaks": ctx.leaks.check()})
            ctx.progress(f"scale: {n} at once", j + 1, len(plan), t)
        out["concurrent"][n] = per_tool
    return out


def husk_rows(ctx, inits, settings):
    """husk against the other inits with bench/init's init_bench, rounds interleaved in a new
    random order each round. inits: {name: argv prefix}. Returns {metric: {"unit", "samples":
    {init: [per round]}}} plus the binary sizes."""
    bench = os.path.join(ctx.build, "bench", "init", "init_bench")
    probe = os.path.join(ctx.build, "tests", "init", "husk_probe")
    env = dict(ctx.env, HUSK_PROBE=probe)
    out = {"size_kib": {}, "metrics": {}}
    for name, argv in inits.items():
        if name != "(no init)":
            out["size_kib"][name] = os.stat(argv[0]).st_size / 1024
    plan = [("overhead", "init -- /bin/true in a new pid namespace", "µs",
             ["overhead", str(settings["overhead_runs"])], settings["overhead_rounds"], True),
            ("rss", "idle RSS", "KiB", ["rss", "1"], settings["rss_rounds"], False),
            ("forward", "signal forwarding (SIGUSR1 to the init until the child has it)", "µs",
             ["forward", "1"], settings["forward_rounds"], False)]
    for n, rounds in settings["reap"]:
        plan.append((f"reap{n}", f"reap {n:,} orphans", "ms", ["reap", str(n), "1"], rounds,
                     False))
    for waves, per_wave, rounds in settings.get("waves", []):
        total = waves * per_wave
        plan.append((f"waves{total}",
                     f"reap {total:,} orphans in {waves} waves of {per_wave:,}", "ms",
                     ["reap-waves", str(waves), str(per_wave), "1"], rounds, False))
    total = sum(p[4] * (len(inits) if p[5] else len(inits) - 1) for p in plan)
    done = 0
    for key, about, unit, args, rounds, with_floor in plan:
        names = [n for n in inits if with_floor or n != "(no init)"]
        samples = {n: [] for n in names}
        cpu = {n: [] for n in names}
        errors = []
        for _ in range(rounds):
            random.shuffle(names)
            for name in names:
                proc = subprocess.run([bench] + args + inits[name], env=env, capture_output=True,
                                      text=True, timeout=900)
                done += 1
                ctx.progress("husk", done, total, f"{about}: {name}")
                words = proc.stdout.split()
                if proc.returncode != 0 or not words or float(words[0]) < 0:
                    samples[name].append(None)
                    cpu[name].append(None)
                    errors.append(f"{name}: init_bench {' '.join(args)}: exit {proc.returncode}")
                    continue
                samples[name].append(float(words[0]))
                cpu[name].append(float(words[1]) if len(words) > 1 else None)
        metric = {"about": about, "unit": unit, "samples": samples, "errors": errors[:3]}
        if key.startswith(("reap", "waves")):
            metric["cpu_ms"] = cpu
        out["metrics"][key] = metric
    out["leaks"] = ctx.leaks.check()
    return out


def micro(ctx, quick):
    """The Google Benchmark targets, as JSON: [{"target", "name", "real", "cpu", "unit"}]."""
    targets = [("launch_bench", os.path.join(ctx.build, "bench", "launch", "launch_bench"), {}),
               ("cgroups_bench", os.path.join(ctx.build, "bench", "cgroups", "cgroups_bench"), {}),
               ("husk_bench", os.path.join(ctx.build, "bench", "init", "husk_bench"),
                {"HUSK_BIN": ctx.husk,
                 "HUSK_PROBE": os.path.join(ctx.build, "tests", "init", "husk_probe")})]
    rows, raw = [], {}
    for i, (name, path, extra) in enumerate(targets):
        ctx.progress("micro", i, len(targets), name)
        if not os.access(path, os.X_OK):
            ctx.skip(f"micro: {name} not built (libbenchmark-dev missing?)")
            continue
        args = [path, "--benchmark_format=json"]
        if quick:
            args.append("--benchmark_min_time=0.01")
        proc = subprocess.run(args, env=dict(ctx.env, **extra), capture_output=True, text=True,
                              timeout=600)
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            ctx.skip(f"micro: {name} exited {proc.returncode} without a JSON report: "
                     f"{proc.stderr.strip()[-200:]}")
            continue
        raw[name] = report
        for b in report.get("benchmarks", []):
            rows.append({"target": name, "name": b["name"], "real": b.get("real_time"),
                         "cpu": b.get("cpu_time"), "unit": b.get("time_unit", "ns"),
                         "iterations": b.get("iterations")})
    ctx.progress("micro", len(targets), len(targets), "done")
    return {"rows": rows, "raw": raw}


def launch_verbs(launch):
    """The verbs `launch --help` lists: the word after "launch [global options]", or the first
    word of an indented line that is not an option."""
    try:
        text = subprocess.run([launch, "--help"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return set()
    verbs = set()
    for line in text.splitlines():
        words = line.replace("launch [global options]", "@").split()
        if "@" in words and words.index("@") + 1 < len(words):
            verbs.add(words[words.index("@") + 1])
        elif words and line.startswith("  ") and not words[0].startswith("-"):
            verbs.add(words[0])  # a verb table: "  create  Create a container"
    return verbs


def _wait_stopped(argv_state, env, err, limit_s=10.0):
    """Polls `X state ID` until the container is stopped (or gone)."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        proc = subprocess.run(argv_state, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            return True
        try:
            if json.loads(proc.stdout).get("status") == "stopped":
                return True
        except ValueError:
            return False
        time.sleep(0.0005)
    return False


def lifecycle(ctx, base, runs, warmup):
    """create → start → wait → delete of /bin/true, and exec of /bin/true into a running
    container, for launch and the OCI runtimes, when launch has those verbs."""
    verbs = launch_verbs(ctx.launch)
    needed = {"create", "start", "delete", "state", "exec"}
    rts = [r for r in RUNTIMES_LIFECYCLE if r in ctx.found]
    why = None
    if not needed <= verbs:
        why = (f"launch not measured: it has no {', '.join(sorted(needed - verbs))} verb "
               f"(`launch --help`); its rows appear when the lifecycle work lands")
        ctx.skip("lifecycle: " + why)
    else:
        rts.insert(0, "launch")
    if not rts:
        return {"why": why or "no runtime with create/start/exec"}
    bundles = {rt: ctx.bundle(base, "runc-spec", rt, tag="life") for rt in rts}
    sleep_bundles = {}
    for rt in rts:
        sleeper = tools.variant(base, "runc-spec", ctx.rootfs, f"{ctx.prefix}-sleep-{rt}", None)
        sleeper["process"]["args"] = ["/bin/sleep", "3600"]
        sleep_bundles[rt] = tools.write_bundle(os.path.join(ctx.work, "bundles", "sleep-" + rt),
                                               sleeper)

    def cli(rt):
        if rt == "launch":
            return [ctx.launch, "--root", ctx.state["launch"]]
        return [ctx.found[rt], "--root", ctx.state[rt]]

    def create(rt, bundle, ident):
        extra = ["--init-path", ctx.husk] if rt == "launch" else []
        return cli(rt) + ["create"] + extra + ["--bundle", bundle, ident]

    err = os.path.join(ctx.err, "lifecycle.log")

    def cycle(rt):
        def run_all():
            ident = ctx.next_id("y")
            t0 = time.perf_counter_ns()
            steps = [create(rt, bundles[rt], ident), cli(rt) + ["start", ident]]
            for argv in steps:
                if not spawn.timed(argv, ctx.env, err).ok:
                    return None
            _wait_stopped(cli(rt) + ["state", ident], ctx.env, err)
            ok = spawn.timed(cli(rt) + ["delete", ident], ctx.env, err).ok
            return (time.perf_counter_ns() - t0) / 1000.0 if ok else None
        return run_all

    rows = {"create-start-delete": {}, "exec": {}}
    samples = {rt: [] for rt in rts}
    for r in range(-warmup, runs):
        order = list(rts)
        random.shuffle(order)
        for rt in order:
            value = cycle(rt)()
            if r >= 0:
                samples[rt].append(value)
        ctx.progress("lifecycle: create/start/delete", r + warmup + 1, runs + warmup)
    rows["create-start-delete"] = samples
    sleepers = {}
    for rt in rts:
        ident = ctx.next_id("s")
        if (spawn.timed(create(rt, sleep_bundles[rt], ident), ctx.env, err).ok
                and spawn.timed(cli(rt) + ["start", ident], ctx.env, err).ok):
            sleepers[rt] = ident
    exec_samples = {rt: [] for rt in sleepers}
    for r in range(-warmup, runs):
        order = list(sleepers)
        random.shuffle(order)
        for rt in order:
            result = spawn.timed(cli(rt) + ["exec", sleepers[rt], "/bin/true"], ctx.env, err)
            if r >= 0:
                exec_samples[rt].append(result.wall_us if result.ok else None)
        ctx.progress("lifecycle: exec", r + warmup + 1, runs + warmup)
    for rt, ident in sleepers.items():
        subprocess.run(cli(rt) + ["kill", ident, "KILL"], env=ctx.env, capture_output=True)
        _wait_stopped(cli(rt) + ["state", ident], ctx.env, err)
        subprocess.run(cli(rt) + ["delete", "--force", ident], env=ctx.env, capture_output=True)
    rows["exec"] = exec_samples
    memory = created_memory(ctx, rts, base, create, cli, 3 if ctx.options.quick else 10)
    base_rt = ctx.options.baseline
    out = {"rows": {}, "ratios": {}, "leaks": ctx.leaks.check(), "launch_missing": why,
           "memory": memory}
    out["podman"] = podman.rows(ctx, 2 if ctx.options.quick else min(runs, 20), min(warmup, 2))
    if out["podman"].get("why"):
        ctx.skip("lifecycle: `podman run --rm` per runtime: " + out["podman"]["why"])
    for row, per in rows.items():
        out["rows"][row] = {"samples": per,
                            "summary": {rt: stats.summary(v) for rt, v in per.items()},
                            "ratios": ({rt: stats.ratio(v, per[base_rt]) for rt, v in per.items()}
                                       if base_rt in per else {})}
        if base_rt in per and "launch" in per:
            out["ratios"][row] = out["rows"][row]["ratios"]["launch"]
    return out


RUNTIMES_LIFECYCLE = ["crun", "runc", "youki"]


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for path in glob.glob(f"/proc/{p}/task/*/children"):
            try:
                with open(path) as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                kids = []
            found += kids
            todo += kids
    return found


def _memory_kib(pid):
    """(Pss, Rss) of a process in KiB, from smaps_rollup; (0, 0) when it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def created_memory(ctx, rts, base, create, cli, count):
    """Memory that `count` created (not started) containers keep resident, per container: every
    process they left (a runtime's waiting init, a shim), which the driver inherits as
    subreaper, with their descendants; PSS (shared pages split) and RSS, KiB. Each container has
    a cgroup of its own, as an engine gives it (launch refuses a cgroup that has processes)."""
    out = {}
    err = os.path.join(ctx.err, "memory.log")
    for rt in rts:
        before = set(_descendants(os.getpid()))
        ids = []
        for n in range(count):
            ident = ctx.next_id("m")
            config = tools.variant(base, "runc-spec", ctx.rootfs, f"{ctx.prefix}-mem-{rt}-{n}")
            bundle = tools.write_bundle(os.path.join(ctx.work, "bundles", f"mem-{rt}-{n}"), config)
            if spawn.timed(create(rt, bundle, ident), ctx.env, err).ok:
                ids.append(ident)
        time.sleep(0.2)
        procs = [p for p in _descendants(os.getpid()) if p not in before]
        sizes = [_memory_kib(p) for p in procs]
        if ids:
            out[rt] = {"containers": len(ids), "processes": len(procs),
                       "pss_kib": sum(x[0] for x in sizes) / len(ids),
                       "rss_kib": sum(x[1] for x in sizes) / len(ids)}
        for ident in ids:
            subprocess.run(cli(rt) + ["delete", "--force", ident], env=ctx.env,
                           capture_output=True)
        spawn.reap_leftovers()
        ctx.progress("lifecycle: memory per created container", rts.index(rt) + 1, len(rts), rt)
    return out
