"""report.md from the results: a header (machine, load, layout, versions), the goals with their
verdicts, one table per section, launch's phases, the charts, what was skipped and why."""
from . import stats

FLOOR = "unshare+chroot (kernel floor)"
COMPILING = "launch (no filter cache)"
HARNESS = "/bin/true (harness floor)"

PHASE_NOTES = {
    "parse": "reading and parsing config.json (from launch's start)",
    "prepare": "namespace and process plans, husk's sealed memfd, the seccomp filter (compiled, "
               "or read from the cache under --root)",
    "cgroup": "cgroup detection and creation (one directory per v1 hierarchy on this host), the "
              "state record",
    "spawn": "the channels and the child's argv",
    "clone": "clone3 with the new namespaces until the child runs",
    "namespaces": "the child joins its cgroup (itself: no RCU grace period), joins/unshares, "
                  "id maps, hostname",
    "mounts": "the rootfs: the config's mounts, devices",
    "pivot_root": "pivot_root into it",
    "finalize": "sysctls, read-only and masked paths",
    "process": "cwd and fds",
    "ready": "until the parent has the child's ready message (the child goes on to exec "
             "meanwhile when it is not held)",
    "record": "the state record says created",
    "exec": "from start to the exec of husk (hooks, credentials, capabilities, seccomp load); "
            "a foreground child that needs nothing from launch is not held, and is past its "
            "exec by then",
    "run": "husk and /bin/true until PID 1 exits (namespace teardown included)",
    "delete": "removing the cgroup directories and the state",
    "load": "reading the state record (and the config copy)",
    "kill": "stopping what is left in the container",
    "poststop": "poststop hooks",
    "state": "removing the state directory",
}

CUT_IDEAS = {
    "cgroup": "mostly the kernel's mkdir in each v1 hierarchy (15-180 µs each here); a leaf "
              "is now one mkdir (no stat first) and device rules share one open file. Creating "
              "only the hierarchies the config limits would cut most of the rest but changes "
              "accounting and what `events`/`update` can reach: not done",
    "namespaces": "the cgroup join that was here (a pid written to cgroup.procs waits for an RCU "
                  "grace period, tens of ms on a loaded host) is now the child's own write of "
                  "\"0\" to each v1 tasks file and clone3(CLONE_INTO_CGROUP) on v2",
    "ready": "a hand-over between the child and the parent (a scheduling hop): on a loaded "
             "machine mostly waiting for a CPU",
    "mounts": "a missing destination is made in its parent, resolved once inside the rootfs, "
              "and each v1 hierarchy's directory by name inside the fresh /sys/fs/cgroup tmpfs "
              "(7 calls per hierarchy, was 10); left: the device nodes' chmod and chown, and "
              "masked paths bound from one tmpfs",
    "pivot_root": "the kernel's; nothing left to cut in launch",
    "clone": "most of it is the kernel creating the network namespace (the `fewer-ns` column "
             "shows the difference); a pre-created namespace pool is the only user-space cut",
    "run": "husk as PID 1 adds an exec and a vfork-style clone of its child (`launch "
           "--no-init` shows the cost); teardown of the namespaces is the kernel's",
    "delete": "the rmdirs, one per hierarchy, are the kernel's (10-170 µs each, memory and "
              "blkio the dearest); the state record is now replaced by exchange, so its unlink "
              "no longer waits for ext4 to write the last record out (0.2-4 ms where /run is "
              "not a tmpfs, as here)",
    "exec": "exec husk from the sealed memfd without re-reading it",
    "parse": "mostly first-touch page faults (launch takes about 90: 50 in its image, 27 of "
             "heap, 13 of stack; prefaulting the text removed 14 and no time); the parse "
             "itself is ~50 µs (micro benchmark)",
    "prepare": "seal husk's memfd once per boot (a cached sealed copy under --root) instead "
               "of per start; the seccomp compile is cached (the seccomp column)",
}


def ms(us):
    return "–" if us is None else f"{us / 1000:.2f}"


def num(v, digits=2):
    return "–" if v is None else f"{v:.{digits}f}"


def ci(r):
    if not r or r.get("low") is None:
        return "–"
    return f"{r['ratio_of_medians']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"


def goals(results):
    """[(goal, figure, verdict)] for every goal of the issue, measured or not."""
    rows = []
    base = results["meta"].get("baseline", "crun")
    startup = results.get("startup", {})
    spec = startup.get("runc-spec", {})
    r = spec.get("ratios", {}).get("launch")
    rows.append((f"launch start-up (runc spec config) ≤ 0.5 × {base}",
                 ci(r) + " (ratio of medians [95% CI])" if r else "not measured",
                 stats.verdict(r["ratio_of_medians"], 0.5, r["low"], r["high"]) if r
                 else "not measured"))
    f = spec.get("launch_to_floor")
    iso = spec.get("to_isolation_floor", {})
    figure = ci(f) if f else "not measured"
    verdict = stats.verdict(f["ratio_of_medians"], 1.3, f["low"], f["high"]) if f else \
        "not measured"
    if f and FLOOR in iso:
        # The floor does no cgroup and none of the config's mounts: what the isolation itself
        # costs the kernel is the isolation floor, timed in the same rounds.
        kernel = 1 / iso[FLOOR]["ratio_of_medians"]
        figure += (f"; the same isolation with no runtime (isolation floor) is {kernel:.2f} × "
                   f"the floor, and launch {ci(iso['launch'])} × that" if "launch" in iso
                   else "")
        husk = spec.get("to_isolation_husk", {})
        with_husk = 1 / husk[FLOOR]["ratio_of_medians"] if FLOOR in husk else None
        if with_husk is not None:
            figure += (f"; with husk as PID 1 it is {with_husk:.2f} × the floor" +
                       (f", and launch {ci(husk['launch'])} × that" if "launch" in husk else ""))
        if f["ratio_of_medians"] > 1.3 and kernel > 1.3:
            verdict += (f"; out of reach without dropping isolation: the kernel's part alone is "
                        f"{kernel:.2f} × the floor")
        elif f["ratio_of_medians"] > 1.3 and with_husk is not None and with_husk > 1.3:
            verdict += (f"; out of reach without dropping isolation or husk as PID 1: the "
                        f"isolation floor with husk alone is {with_husk:.2f} × the floor")
        elif f["ratio_of_medians"] > 1.3 and with_husk is not None:
            verdict += (f"; the isolation floor with husk as PID 1 ({with_husk:.2f} × the floor) "
                        f"leaves launch {(1.3 - with_husk) * 100:.0f}% of the floor for its own "
                        f"work")
    rows.append(("launch start-up ≤ 1.3 × `unshare ... chroot` floor", figure, verdict))
    sec = startup.get("seccomp", {}).get("ratios", {})
    s, c = sec.get("launch"), sec.get(COMPILING)
    rows.append((f"launch with a Docker-like seccomp profile, cached start ≤ 0.5 × {base}",
                 (ci(s) + (f"; every start compiling (no cache): {ci(c)}" if c else ""))
                 if s else "not measured",
                 stats.verdict(s["ratio_of_medians"], 0.5, s["low"], s["high"]) if s
                 else "not measured"))
    life = results.get("lifecycle", {})
    for key, label in (("create-start-delete", "create → start → wait → delete"),
                       ("exec", "exec into a running container")):
        lr = life.get("ratios", {}).get(key)
        rows.append((f"{label} ≤ 0.5 × {base}", ci(lr) if lr else
                     life.get("why") or life.get("launch_missing") or "not measured",
                     stats.verdict(lr["ratio_of_medians"], 0.5, lr["low"], lr["high"]) if lr
                     else "not measured"))
    memory = life.get("memory", {})
    if "launch" in memory and base in memory:
        m, b = memory["launch"]["pss_kib"], memory[base]["pss_kib"]
        rows.append((f"memory per created container ≤ {base}",
                     f"PSS {m:.0f} KiB against {b:.0f} KiB", stats.verdict(m, b)))
    else:
        rows.append((f"memory per created container ≤ {base}",
                     life.get("why") or life.get("launch_missing") or "not measured",
                     "not measured"))
    scale = results.get("scale", {})
    seq = scale.get("sequential", {})
    longest = max((n for n in seq), key=int, default=None)
    if longest is not None and "launch" in seq[longest]:
        d = seq[longest]["launch"]["drift"]
        leaks = leaks_of(seq[longest].get("leaks"), "launch")
        other = scale.get("baseline")
        if d:
            rows.append((f"{int(longest):,} sequential launch containers: no drift beyond noise"
                         + (f" nor beyond {other}'s in the same sequence" if other else ""),
                         drift_figure(d, "launch") + "".join(
                             f"; {drift_figure(seq[longest][other]['drift'], other)}; launch's "
                             f"drift / {other}'s = {ci_drift(r)}"
                             for r in [seq[longest].get("drift_to_baseline")]
                             if other and r and seq[longest][other]["drift"]),
                         drift_verdict(d, seq[longest].get("drift_to_baseline"), other)))
        rows.append((f"{int(longest):,} sequential launch containers: no leak",
                     "none" if not leaks else leak_text(leaks), "met" if not leaks else "not met"))
    con = scale.get("concurrent", {})
    widest = max((n for n in con), key=int, default=None)
    if widest is not None and con[widest].get("launch"):
        runs = con[widest]["launch"]
        ok = all(x["ok"] == x["n"] for x in runs)
        rows.append((f"{int(widest)} concurrent launch containers: all succeed",
                     ", ".join(f"{x['ok']}/{x['n']} in {x['total_ms']:.0f} ms" for x in runs),
                     "met" if ok else "not met"))
    husk = results.get("husk")
    if husk:
        size = husk["size_kib"].get("husk")
        rows.append(("husk binary ≤ 64 KiB", f"{size:.1f} KiB",
                     stats.verdict(size, 64)))
        for key, metric in husk["metrics"].items():
            others = {k: v for k, v in metric["samples"].items() if k not in ("husk", "(no init)")}
            for label, samples, oth in ((metric["about"], metric["samples"]["husk"], others),) + (
                    ((metric["about"] + ", init CPU", metric["cpu_ms"]["husk"],
                      {k: metric["cpu_ms"][k] for k in others}),) if "cpu_ms" in metric else ()):
                b = stats.ratio_to_best(samples, oth)
                if not b:
                    continue
                rows.append((f"husk {label}: no worse than the best",
                             f"husk / best ({b['best']}) = {b['ratio_of_medians']:.2f} "
                             f"[{b['low']:.2f}, {b['high']:.2f}]", best_verdict(b)))
    return rows


def drift_figure(d, tool):
    return (f"{tool} last 10% / first 10% = {d['ratio']:.2f} [{d['low']:.2f}, {d['high']:.2f}] "
            f"({ms(d['first'])} → {ms(d['last'])} ms)")


def ci_drift(r):
    return f"{r['ratio']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"


def drift_verdict(d, to_baseline=None, baseline=None):
    """No slow-down beyond noise: the interval holds 1, or the change is within 10%; faster at
    the end is no drift of the containers (the machine's load changed). A slow-down that the
    baseline, alternating with launch in the same sequence, shows too is the kernel's or the
    machine's, not launch's: met while the 95% interval of launch's drift / the baseline's
    reaches down to 1 (launch's drift not significantly larger)."""
    if d["low"] <= 1 <= d["high"] or abs(d["ratio"] - 1) <= 0.1:
        return "met"
    if d["ratio"] < 1:
        return f"met (faster at the end by {(1 - d['ratio']) * 100:.0f}%: the load changed)"
    slower = f"{(d['ratio'] - 1) * 100:.0f}% slower at the end"
    if to_baseline is None:
        return f"not met: {slower}"
    if to_baseline["low"] <= 1:
        return f"met: {slower}, not significantly more than {baseline} (CI reaches 1)"
    return (f"not met: {slower}, {(to_baseline['ratio'] - 1) * 100:.0f}% more drift than "
            f"{baseline}")


def best_verdict(b):
    if b["ratio_of_medians"] <= 1:
        return "met"
    if b["low"] is not None and b["low"] <= 1:
        return f"met within noise ({(b['ratio_of_medians'] - 1) * 100:.0f}% behind, CI spans 1)"
    return f"not met by {(b['ratio_of_medians'] - 1) * 100:.0f}%"


def leaks_of(leaks, tool):
    """The leaks a tool can have left: cgroups and directories named after it (PREFIX-...-TOOL),
    entries of its state folder, and every process and mount (which name no tool)."""
    mine = {}
    for kind, items in (leaks or {}).items():
        if kind in ("processes", "mounts"):
            kept = items
        elif kind == "state":
            kept = [x for x in items if f"/state/{tool}/" in x]
        else:
            kept = [x for x in items if x.rsplit("/", 1)[-1].endswith("-" + tool)]
        if kept:
            mine[kind] = kept
    return mine


def leak_text(leaks):
    if not leaks:
        return "none"
    return "; ".join(f"{k}: {', '.join(str(x) for x in v[:3])}"
                     + (f" (+{len(v) - 3})" if len(v) > 3 else "") for k, v in leaks.items())


def header(meta):
    out = ["# husk benchmark report", ""]
    if meta.get("quick"):
        out += ["> **--quick**: a few runs of each workload, to check that the benchmark works. "
                "Read nothing into these figures.", ""]
    out += ["| | |", "| --- | --- |",
            f"| date | {meta['date']} |",
            f"| command | `{meta['command'].strip()}` |",
            f"| machine | Linux {meta['kernel']}, {meta['cpus']} CPUs ({meta['cpu']}) |",
            f"| load average (1, 5, 15 min) | at the start {meta['load_start']}; at the end "
            f"{meta.get('load_end', '?')} |",
            f"| cgroups | host: {meta['host_cgroups']}; in the benchmark: "
            f"{meta['bench_cgroups']} |",
            f"| layout | {meta['layout_note']} |",
            f"| state | {meta.get('state_note') or 'the state roots in the work folder'} |",
            f"| husk / launch commit | {meta['commit']} |",
            f"| rounds | start-up: {meta['runs']} interleaved rounds after {meta['warmup']} "
            f"warm-up rounds |",
            "| duration | " + ", ".join(f"{k} {v} s" for k, v in meta.get("seconds", {}).items())
            + " |", "",
            "| tool | version |", "| --- | --- |"]
    out += [f"| {k} | {v} |" for k, v in meta.get("versions", {}).items()]
    return out + [""]


def startup_section(startup, charts):
    out = ["## Start-up: `X run` of /bin/true", "",
           "Each round runs every tool once, in a new random order; the ratio to the baseline "
           "pairs the samples of the same round. Wall time is taken around "
           "posix_spawn/wait4 of the tool itself (no shell); the harness floor row is that "
           "timing around /bin/true, and it is inside every other row. CPU is user and system "
           "time of the tool and the processes it waited for (wait4's rusage; kernel work done "
           "elsewhere, such as namespace teardown in workers, is not in it): less moved by "
           "other load than wall time. Peak RSS (runc-spec only) is GNU time's %M from "
           "separate interleaved runs (the largest of the tool and the processes it waited "
           "for; GNU time's own is in the floor row). launch runs husk as "
           "PID 1, which runs /bin/true; crun and runc exec /bin/true directly.", ""]
    for workload, data in startup.items():
        base = data["baseline"]
        out += [f"### {workload}: {data['about']}", "",
                f"| tool | median (ms) | p10 – p90 (ms) | ÷ {base or 'baseline'} within rounds "
                f"(median) | ratio of medians [95% CI] | CPU (ms) | CPU ratio of medians | "
                f"peak RSS (KiB) | runs |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        order = sorted(data["summary"], key=lambda k: data["summary"][k]["median"] or 1e18)
        for tool in order:
            s = data["summary"][tool]
            r = data["ratios"].get(tool)
            failed = len(data["tools"][tool]["errors"])
            c = data.get("cpu_ratios", {}).get(tool)
            cpu = ms(data.get("cpu", {}).get(tool))
            out.append(f"| {tool} | {ms(s['median'])} | {ms(s['p10'])} – {ms(s['p90'])} | "
                       f"{num(r['median_ratio']) if r else '–'} | {ci(r) if r else '–'} | "
                       f"{cpu} | {num(c['ratio_of_medians']) if c else '–'} | "
                       f"{num(data['rss'].get(tool), 0)} | {s['n']}"
                       f"{f' ({failed} failed)' if failed else ''} |")
        if data.get("launch_to_floor"):
            out += ["", f"launch ÷ {FLOOR}: {ci(data['launch_to_floor'])}."]
        to_isolation = data.get("to_isolation_floor", {})
        if to_isolation:
            out += ["", "Ratios to the isolation floor (bench/launch/isolation_floor.cc: the same "
                    "cgroup, namespaces, mounts, devices, masked and read-only paths and "
                    "capabilities as launch gives this config, in the fewest system calls, with "
                    "nothing checked, parsed or recorded): " +
                    "; ".join(f"{tool} {ci(r)}" for tool, r in to_isolation.items()) + "."]
        to_husk = data.get("to_isolation_husk", {})
        if to_husk:
            out += ["", "Ratios to the isolation floor with husk as PID 1 (the same, husk exec'd "
                    "from a sealed copy as launch does it, then /bin/true: the least a runtime "
                    "that gives this isolation and runs husk can take): " +
                    "; ".join(f"{tool} {ci(r)}" for tool, r in to_husk.items()) + "."]
        errors = [e for t in data["tools"].values() for e in t["errors"][:1]]
        if errors:
            out += ["", "Failures (first of each tool): " + "; ".join(f"`{e}`" for e in errors)]
        if data.get("leaks"):
            out += ["", f"**Leaks after this workload**: {leak_text(data['leaks'])}"]
        out.append("")
    out += chart_links(charts, "startup")
    return out


def phases_section(phases, charts):
    works = {w: d for w, d in phases["workloads"].items() if d["runs"]}
    if not works:
        return ["## Where launch's time goes", "", "No `timing:` line was found in launch's "
                "--debug log" + (f": {phases['errors'][0]}" if phases["errors"] else "."), ""]
    names = []
    for d in works.values():
        names += [k for k in d["median"] if k not in names]
    out = ["## Where launch's time goes", "",
           "From the `timing:` line of `launch --debug`: one JSON object of microseconds per "
           "command (launcher/trace.h) (medians of "
           f"{max(len(d['runs']) for d in works.values())} runs per workload, interleaved; µs). "
           "\"(wall, measured outside)\" is the harness's time around the same runs (--debug "
           "logging included).", "",
           "| phase | " + " | ".join(works) + " | what |",
           "| --- | " + " | ".join("---:" for _ in works) + " | --- |"]
    for name in names:
        out.append(f"| {name} | " + " | ".join(num(d["median"].get(name), 0)
                                               for d in works.values())
                   + f" | {PHASE_NOTES.get(name, '')} |")
    spec = works.get("runc-spec") or next(iter(works.values()))
    parts = {k: v for k, v in spec["median"].items()
             if k not in ("total", "(wall, measured outside)") and v is not None}
    total = spec["median"].get("total") or sum(parts.values())
    out += ["", "**Largest phases** of the runc-spec start, with what was done or is left:", ""]
    for name, value in sorted(parts.items(), key=lambda kv: -kv[1])[:6]:
        idea = CUT_IDEAS.get(name, "")
        out.append(f"- **{name}** {value:.0f} µs ({100 * value / total:.0f}% of the total)"
                   + (f": {idea}" if idea else ""))
    out.append("")
    out += floor_steps_table(spec, phases.get("isolation_floor"))
    out += verbs_table(phases.get("verbs", {}))
    return out + chart_links(charts, "phases")


# launch's phases and the isolation floor's steps, matched: (step, launch's, the floor's).
FLOOR_STEPS = [
    ("before the clone (launch: config, plans, husk's memfd; both: the cgroup)",
     ["parse", "prepare", "cgroup", "spawn"], ["cgroup"]),
    ("clone3 with the namespaces, until the child runs", ["clone"], ["clone"]),
    ("the child: cgroup join, mounts, devices", ["namespaces", "mounts"], ["mounts"]),
    ("pivot_root, read-only and masked paths (the floor: also capabilities, until exec)",
     ["pivot_root", "finalize", "process"], ["finalize"]),
    ("hand-overs, the state record, capabilities and the exec (launch)",
     ["ready", "record", "exec"], []),
    ("the process until it exits (launch: husk, then /bin/true)", ["run"], ["run"]),
    ("removing the cgroup (launch: and the state)", ["delete"], ["delete"]),
    ("total", ["total"], ["total"]),
]


def floor_steps_table(spec, floor):
    """launch's runc-spec phases beside the isolation floor's steps (µs, medians)."""
    if not floor or not floor.get("runs"):
        return []
    launch, base = spec["median"], floor["median"]
    out = ["### launch beside the isolation floor, step by step", "",
           "The isolation floor (`isolation_floor --timing`, the runc-spec row's) timed in the "
           f"same interleaved rounds as launch's runc-spec phases ({len(floor['runs'])} runs; "
           "µs, medians): what launch adds to each step.", "",
           "| step | launch | isolation floor | launch adds |", "| --- | ---: | ---: | ---: |"]
    for label, ours, theirs in FLOOR_STEPS:
        a = sum(launch.get(k) or 0 for k in ours)
        b = sum(base.get(k) or 0 for k in theirs)
        out.append(f"| {label} | {a:.0f} | {b:.0f} | {a - b:+.0f} |")
    return out + [""]


def verbs_table(verbs):
    """create → start → delete, each verb's own timing line (µs, medians)."""
    verbs = {v: d for v, d in verbs.items() if d.get("runs")}
    if not verbs:
        return []
    out = ["### create → start → delete, verb by verb", "",
           "Each verb a process of its own (`launch --debug create|start|delete`, runc spec "
           f"config, {max(len(d['runs']) for d in verbs.values())} cycles; µs, medians):", "",
           "| verb | phases | total | (wall, measured outside) |",
           "| --- | --- | ---: | ---: |"]
    for verb, d in verbs.items():
        med = d["median"]
        parts = ", ".join(f"{k} {num(v, 0)}" for k, v in med.items()
                          if k not in ("total", "(wall, measured outside)"))
        out.append(f"| {verb} | {parts} | {num(med.get('total'), 0)} | "
                   f"{num(med.get('(wall, measured outside)'), 0)} |")
    return out + [""]


# What drifts, measured apart from the benchmark: the explanation under the scale table.
DRIFT_CAUSE = (
    "CPU drift: the same for the CPU time wait4 reports (the tool's and its children's), which "
    "depends less on the machine's load than the wall time. What drifted, measured apart "
    "(2026-12-01, this 2-core VM while other builds ran, load average 4–6; four sequences of 1,000 "
    "`launch --debug run` alternating with `crun run` as here, cgroup2 mount hidden): the wall time"
    " of both follows the machine's load: launch's drift was 0.83, 1.04, 2.48 and 0.41, crun's "
    "0.69, 0.70, 2.23 and 0.34 in the same sequences (in the third the medians of each 100 jumped "
    "together at container ~400: launch 8.0 → 19.8 ms, crun 13.7 → 30.6 ms). Nothing accumulated "
    "over 1,000 pairs: /proc/cgroups kept 129–136 memory cgroups (no dying memory cgroups piling "
    "up) and 1–8 in the other hierarchies, mountinfo 19 lines throughout, launch's state root empty"
    " at every hundredth container (and one 4 KiB block after 300), dentries +0.3%. Not explained: "
    "launch's drift / crun's was above 1 in every sequence (1.21, 1.49, 1.11, 1.20, and 1.06 in a "
    "full `scripts/bench --only scale`), each time with a 95% CI reaching 1, and launch's CPU time "
    "per container rose 5% [4%, 7%] over the fourth sequence (crun's fell 7%) and 5% [3%, 7%] in "
    "that run (crun's 1% [−1%, 4%]), but fell 16% in the third; its phases that grew in one "
    "sequence shrank in another (prepare 0.45, 1.13, 0.24 and 3.00; record 0.53, 1.18, 0.41 and "
    "1.92), so no phase of launch's own code was found growing steadily. Two launch sequences "
    "alternating, one with a new container id each time and one reusing a single id, drifted alike "
    "(CPU 1.11 and 1.10, their ratio 1.00 [0.96, 1.05], both faster then slower in the same "
    "tenths): what launch leaves behind per name (state folders, dentries) is not it. A quiet "
    "machine is needed to tell a drift of a few percent from the load.")


def scale_section(scale, charts):
    out = ["## Scale", "", "Sequential: launch and the baseline alternate container by "
           "container (random order each time), runc spec config, in every sequence. Drift: "
           "median of the last 10% against the first 10%, with a bootstrap 95% CI. The baseline "
           "suffers what the kernel accumulates over the sequence and the machine's load as "
           "launch does, so launch's drift is set against it: launch's drift / the baseline's, "
           "the rounds of each tenth resampled in pairs. The goal is met when launch's drift is "
           "within noise (its CI holds 1, or it is within ±10%), when launch is faster at the "
           "end, or when launch's drift is larger but not significantly larger than the "
           "baseline's (the 95% CI of launch's drift / the baseline's reaches down to 1).", "",
           "| containers | tool | containers/s | median (ms) | first 10% → last 10% (ms) | "
           "drift [95% CI] | CPU drift [95% CI] | failed | leaks |",
           "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for n, per in scale["sequential"].items():
        for tool in [t for t in scale["tools"] if t in per]:
            d = per[tool]
            dr = d["drift"]
            out.append(f"| {int(n):,} | {tool} | {num(d['per_second'], 1)} | "
                       f"{ms(d['summary']['median'])} | "
                       + (f"{ms(dr['first'])} → {ms(dr['last'])} | {dr['ratio']:.2f} "
                          f"[{dr['low']:.2f}, {dr['high']:.2f}]" if dr else "– | –")
                       + f" | {ci_drift(d['cpu_drift']) if d.get('cpu_drift') else '–'}"
                       + f" | {d['failures']} | {leak_text(leaks_of(per.get('leaks'), tool))} |")
    ratios = [f"{int(n):,} in sequence: {ci_drift(per['drift_to_baseline'])}"
              for n, per in scale["sequential"].items() if per.get("drift_to_baseline")]
    if ratios:
        out += ["", f"launch's drift / {scale['baseline']}'s [95% CI]: " + "; ".join(ratios)
                + ".", "", DRIFT_CAUSE]
    out += ["", "At once: every container started together (posix_spawn of each), total time "
            "from the first start to the last exit.", "",
            "| containers | tool | succeeded | total (ms), each repeat | leaks |",
            "| ---: | --- | ---: | ---: | --- |"]
    for n, per in scale["concurrent"].items():
        for tool, runs in per.items():
            out.append(f"| {int(n)} | {tool} | "
                       + ", ".join(f"{x['ok']}/{x['n']}" for x in runs) + " | "
                       + ", ".join(f"{x['total_ms']:.0f}" for x in runs) + " | "
                       + (leak_text(next((leaks_of(x["leaks"], tool) for x in runs
                                          if leaks_of(x["leaks"], tool)), {}))) + " |")
    return out + [""] + chart_links(charts, "scale")


def husk_section(husk, charts):
    metrics = husk["metrics"]
    inits = list(husk["size_kib"]) + ["(no init)"]
    heads, cols = ["binary (KiB)"], []
    for key, m in metrics.items():
        heads.append(f"{m['about']} ({m['unit']})")
        cols.append((key, "samples"))
        if "cpu_ms" in m:
            heads.append(f"init CPU, {m['about']} (ms)")
            cols.append((key, "cpu_ms"))
    out = ["## husk against the other inits", "",
           "bench/init's init_bench: each init as PID 1 of a new pid namespace; rounds "
           "interleaved in a new random order each round; medians of the rounds "
           "(`init -- /bin/true`: each round's value is itself a median of several runs; "
           "signal forwarding: of 50 round trips to one init, with init_bench, the init and its "
           "child on one CPU, since a wake-up that crosses to an idle vCPU costs a VM hundreds "
           "of µs and where each process landed would decide the figure). "
           "\"(no init)\" is /bin/true alone as PID 1: the floor of the overhead column. "
           "tini and dumb-init are dynamically linked: their size leaves out libc."
           + (" Orphans in waves: more than pid_max holds at a time, left one wave after the "
              "other from the init's start; the wall time is mostly the probe's forks, the init "
              "CPU its reaping." if any(k.startswith("waves") for k in metrics) else ""), "",
           "| init | " + " | ".join(heads) + " |", "| --- |" + " ---: |" * len(heads)]
    for init in inits:
        row = [num(husk["size_kib"].get(init), 1)]
        for key, field in cols:
            samples = metrics[key].get(field, {}).get(init)
            row.append(num(stats.median(samples) if samples else None,
                           0 if metrics[key]["unit"] in ("µs", "KiB") and field == "samples"
                           else 2))
        if any(v != "–" for v in row):
            out.append(f"| {init} | " + " | ".join(row) + " |")
    errors = [e for m in metrics.values() for e in m["errors"]]
    if errors:
        out += ["", "Failures: " + "; ".join(errors[:5])]
    return out + [""] + chart_links(charts, "reaping")


def micro_section(micro):
    out = ["## Micro benchmarks (Google Benchmark)", "",
           "`launch_bench` (config.json parsing, seccomp compilation), `cgroups_bench` (a "
           "container's cgroup: create, apply, destroy), `husk_bench` (option parsing, "
           "`husk -- /bin/true`, forwarding), run with `--benchmark_format=json`.", "",
           "| target | benchmark | wall | CPU | iterations |", "| --- | --- | ---: | ---: | ---: |"]
    for r in micro["rows"]:
        out.append(f"| {r['target']} | {r['name']} | {num(r['real'], 1)} {r['unit']} | "
                   f"{num(r['cpu'], 1)} {r['unit']} | {r['iterations']} |")
    return out + [""]


def lifecycle_section(life):
    out = ["## Lifecycle: create → start → wait → delete, exec", ""]
    if life.get("why"):
        return out + [life["why"], ""]
    out += ["Wall time from before `create` to after `delete` (create, start, `state` polled "
            "until stopped, delete: each a process of its own), and of `exec ID /bin/true` into "
            "a running container (`sleep`), interleaved rounds.", ""]
    if life.get("launch_missing"):
        out += [life["launch_missing"] + ".", ""]
    out += ["| row | tool | median (ms) | p10 – p90 (ms) | ratio of medians to the baseline "
            "[95% CI] | runs |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for row, data in life["rows"].items():
        for tool, s in data["summary"].items():
            r = data["ratios"].get(tool)
            out.append(f"| {row} | {tool} | {ms(s['median'])} | {ms(s['p10'])} – "
                       f"{ms(s['p90'])} | {ci(r) if r else '–'} | {s['n']} |")
    out += podman_rows(life.get("podman"))
    if life.get("memory"):
        out += ["", "Memory per created (not started) container: what stays resident after "
                "`create` returns (the runtime's waiting process and any helper; the driver "
                "inherits them as subreaper), summed over the containers, divided by their "
                "number.", "", "| tool | containers | processes | PSS per container (KiB) | "
                "RSS per container (KiB) |", "| --- | ---: | ---: | ---: | ---: |"]
        for tool, m in life["memory"].items():
            out.append(f"| {tool} | {m['containers']} | {m['processes']} | "
                       f"{m['pss_kib']:.0f} | {m['rss_kib']:.0f} |")
    return out + [""]


def podman_rows(engine):
    """The `podman run --rm` rows under the lifecycle table."""
    if not engine or engine.get("why"):
        return []
    out = ["", "`podman run --rm --network none localhost/bb /bin/true`, podman's `--runtime` "
           "set to each runtime in turn (interleaved rounds, a new random order each round; the "
           "whole podman command timed). podman has its own containers.conf, storage, runroot "
           "and config folder under a temporary folder (tests/engines' set-up: cgroupfs, no "
           "network, ulimits nofile 20000 and nproc 32768, launch listed in "
           "runtime_supports_json) and a busybox-static image made with `podman import`. It runs "
           "in the benchmark's private mount namespace like every other row: on a hybrid host "
           "with the cgroup2 mount hidden, the same v1-only layout for every runtime; its fixed "
           "paths (/var/lib, /run, /dev/shm) covered there for the row's duration.", "",
           "| podman --runtime | median (ms) | p10 – p90 (ms) | ratio of medians to the baseline "
           "[95% CI] | runs |", "| --- | ---: | ---: | ---: | ---: |"]
    for rt, s in engine["summary"].items():
        r = engine["ratios"].get(rt)
        out.append(f"| {rt} | {ms(s['median'])} | {ms(s['p10'])} – {ms(s['p90'])} | "
                   f"{ci(r) if r else '–'} | {s['n']} |")
    if engine.get("errors"):
        out += ["", "Failures: " + "; ".join(engine["errors"])]
    if engine.get("leaks"):
        out += ["", f"**Leaks after these rows**: {leak_text(engine['leaks'])}"]
    return out


def chart_links(charts, stem):
    return [f"![{title}]({name})" for name, title in charts
            if name.rsplit("/", 1)[-1].startswith(stem)] + [""]


def render(results, charts=(), published=False):
    meta = results["meta"]
    out = header(meta)
    if published:
        out += ["This file is written by `scripts/bench --publish` (do not edit it by hand); the "
                "charts and every sample (report.json) are in [results/](results/). Older "
                "hand-taken figures, with their methods: [launch/RESULTS.md](launch/RESULTS.md), "
                "[init/RESULTS.md](init/RESULTS.md), [cgroups/RESULTS.md](cgroups/RESULTS.md); "
                "husk's service supervision against runit, s6 and supervisord: "
                "[supervise/RESULTS.md](supervise/RESULTS.md); launch on pure cgroup v2 (in a VM): "
                "[launch/RESULTS.md](launch/RESULTS.md); podman and containerd with husk and "
                "launch: [engines/RESULTS.md](engines/RESULTS.md).",
                ""]
    out += ["## Goals", "", "| goal | figure (same run) | verdict |", "| --- | --- | --- |"]
    out += [f"| {g} | {f} | {v} |" for g, f, v in goals(results)]
    out.append("")
    if "startup" in results:
        out += startup_section(results["startup"], charts)
    if "phases" in results:
        out += phases_section(results["phases"], charts)
    if "scale" in results:
        out += scale_section(results["scale"], charts)
    if "lifecycle" in results:
        out += lifecycle_section(results["lifecycle"])
    if "husk" in results:
        out += husk_section(results["husk"], charts)
    if "micro" in results:
        out += micro_section(results["micro"])
    out += ["## Not run", ""]
    out += [f"- {line}" for line in meta.get("skipped", [])] or ["Everything ran."]
    out.append("")
    out += ["Raw samples of every run: report.json.", ""]
    return "\n".join(out)
