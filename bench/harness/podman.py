"""`podman run --rm` with each OCI runtime in turn: the engine's view of launch, crun and runc.

podman gets the world of tests/engines (its Engines class): its own containers.conf (no network,
cgroupfs, the ulimits this host allows, launch as a runtime that takes --log-format=json),
storage, runroot and config folder under a temporary folder, and the busybox-static image
"localhost/bb" imported with `podman import`, never pulled. The fixed paths podman writes for
root (/var/lib/containers/cache, /run, /dev/shm/libpod_lock) are covered in the benchmark's
private mount namespace for the row's duration, so the host's stay as they are.
"""
import os
import random
import shutil
import subprocess
import sys

from . import spawn, stats, tools

ENGINES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                       "engines")
RUNTIMES = ["launch", "crun", "runc"]


def _engines_module(husk):
    sys.path.insert(0, os.path.abspath(ENGINES))
    import engines  # noqa: E402 (tests/engines/engines.py)
    engines.HUSK = husk
    return engines


class PrivatePaths:
    """PRIVATE_MOUNTS of tests/engines covered in this mount namespace, uncovered on exit."""

    def __init__(self, engines, scratch):
        self.engines, self.scratch = engines, scratch

    def __enter__(self):
        os.makedirs(self.scratch, exist_ok=True)
        subprocess.run(["sh", "-c", " && ".join(self.engines.private_mounts(self.scratch))],
                       check=True)
        return self

    def __exit__(self, *_):
        for point in reversed(self.engines.PRIVATE_MOUNTS):
            subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.scratch, ignore_errors=True)


def rows(ctx, runs, warmup):
    """Interleaved rounds of `podman run --rm --network none localhost/bb /bin/true`, podman's
    --runtime set to each runtime in a new random order each round; each container in a cgroup
    parent named after the bench and the runtime (PREFIX-podman-RUNTIME), which the leak check
    looks for. Returns {"samples": {runtime: [µs by round]}, "summary", "ratios", "errors",
    "leaks"}, or {"why"} when podman is not here."""
    podman = tools.which("podman")
    if not podman:
        return {"why": "podman is not installed (scripts/setup-deps --engines)"}
    engines = _engines_module(ctx.husk)
    wanted = {rt: ctx.launch if rt == "launch" else ctx.found.get(rt) for rt in RUNTIMES}
    here = {rt: path for rt, path in wanted.items() if path}
    err = os.path.join(ctx.err, "podman.log")
    with PrivatePaths(engines, os.path.join(ctx.work, "podman-paths")):
        env = engines.Engines(runtimes=here, wrap=False)
        try:
            env.import_image()

            def argv(rt):
                return [podman, "--runtime", env.runtimes[rt], "run", "--rm", "--network", "none",
                        "--cgroup-parent", f"/{ctx.prefix}-podman-{rt}", "localhost/bb",
                        "/bin/true"]

            samples = {rt: [] for rt in env.runtimes}
            errors = []
            total = (runs + warmup) * len(samples)
            for r in range(-warmup, runs):
                order = list(samples)
                random.shuffle(order)
                for rt in order:
                    result = spawn.timed(argv(rt), env.env, err)
                    if not result.ok:
                        errors.append(f"{rt}: {result.describe()}")
                    if r >= 0:
                        samples[rt].append(result.wall_us if result.ok else None)
                    ctx.progress("lifecycle: podman run --rm", (r + warmup) * len(order)
                                 + order.index(rt) + 1, total, rt)
        finally:
            env.close()
    # podman makes the parent it is given, and PARENT/conmon for its monitors, and leaves them:
    # the same for every runtime, and the bench's to remove, not a runtime's leak.
    for parent in spawn.bench_dirs(f"{ctx.prefix}-podman-")[0]:
        spawn.remove_cgroups([os.path.join(parent, "conmon")])
        try:
            os.rmdir(parent)
        except OSError:
            pass  # not empty: the leak check reports what is below it
    base = ctx.options.baseline
    return {"samples": samples, "errors": errors[:3], "leaks": ctx.leaks.check(),
            "summary": {rt: stats.summary(v) for rt, v in samples.items()},
            "ratios": ({rt: stats.ratio(v, samples[base]) for rt, v in samples.items()}
                       if base in samples else {})}
