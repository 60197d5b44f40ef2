#!/usr/bin/env python3
"""Side by side: husk, runit (runsvdir), s6 (s6-svscan) and supervisord supervising the same three
services (bench_service, a symlink as each service's `run`). Prints a markdown table of medians.

Every supervisor runs as a plain child of this script in its own temporary folder (never a
system-wide instance) and is stopped by its pid. The rounds are interleaved: each round starts
every supervisor once, in an order that rotates by one every round, and measures
  - idle RSS: VmRSS summed over the supervisor's own processes (husk; runsvdir + 3 runsv;
    s6-svscan + 3 s6-supervise; supervisord), 1 s after the services are up;
  - restart: from a service's crash (it logs the time, then exits 1) to the restarted service's
    first instruction (it logs the time), CLOCK_MONOTONIC in both; the service has been up
    1.2 s, past runsv's and s6-supervise's one-second rule;
  - stop: from the stop signal (SIGTERM; SIGHUP for runsvdir, its way to stop everything) until
    the supervisor has exited and no supervisor or service process is left.
Idle CPU is measured once, with the four running side by side for IDLE_SECONDS (default 60):
CPU time from /proc/PID/schedstat and context switches (wake-ups) of the supervisor processes.
Also husk's idle RSS with 10 services (median of 5 starts). Size: every file the supervisor
needs (binaries, the shared libraries they load, and for supervisord the Python interpreter,
its libraries and every module `supervisor.supervisord` imports).

  sudo bench/supervise/compare.py BUILD_DIR [ROUNDS]     (IDLE_SECONDS=20 for a shorter run)
"""
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

SERVICES = ["svc1", "svc2", "svc3"]
NAMES = ["husk", "runit", "s6", "supervisord"]


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return out


def status_field(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ns(pid):
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0])
    except OSError:
        return 0


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Supervisor:
    """One supervisor and its three services in a temporary folder."""

    def __init__(self, name, husk, service_bin, services=SERVICES):
        self.name = name
        self.names = services
        self.husk = husk
        self.dir = tempfile.mkdtemp(prefix=f"husk-bench-{name}-")
        self.log = os.path.join(self.dir, "events")
        self.services = os.path.join(self.dir, "services")
        os.mkdir(self.services)
        for s in self.names:
            os.mkdir(os.path.join(self.services, s))
            os.symlink(service_bin, os.path.join(self.services, s, "run"))
            if name == "husk":  # restart at once, as runsv and s6-supervise do after 1 s up
                with open(os.path.join(self.services, s, "config"), "w") as f:
                    f.write("backoff=0\n")
        if name == "husk":
            self.argv = [husk, "--control", os.path.join(self.dir, "ctl"), "-S", self.services]
        elif name == "runit":
            self.argv = ["runsvdir", "-P", self.services]
        elif name == "s6":
            self.argv = ["s6-svscan", self.services]
        else:
            conf = os.path.join(self.dir, "supervisord.conf")
            with open(conf, "w") as f:
                f.write(f"[supervisord]\nnodaemon=true\nlogfile={self.dir}/supervisord.log\n"
                        f"pidfile={self.dir}/supervisord.pid\nchildlogdir={self.dir}\n")
                for s in self.names:
                    f.write(f"[program:{s}]\ncommand={self.services}/{s}/run\n"
                            "autorestart=true\nstartsecs=1\nstopwaitsecs=10\n"
                            "stdout_logfile=NONE\nstderr_logfile=NONE\n")
            self.argv = ["supervisord", "-n", "-c", conf]
        self.proc = None

    def events(self):
        try:
            with open(self.log) as f:
                return [line.split() for line in f]
        except OSError:
            return []

    def current(self, service):
        """(pid, start ns) of the service's last start."""
        starts = [e for e in self.events() if e[0] == "start" and e[1] == service]
        return (int(starts[-1][2]), int(starts[-1][3])) if starts else (0, 0)

    def start(self):
        env = dict(os.environ, BENCH_LOG=self.log)
        self.proc = subprocess.Popen(self.argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not all(self.current(s)[0] for s in self.names):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: services did not start")
            time.sleep(0.02)

    def own_pids(self):
        """The supervisor's processes, without the services."""
        pids = [self.proc.pid]
        if self.name in ("runit", "s6"):
            pids += children(self.proc.pid)
        return pids

    def service_pids(self):
        return [self.current(s)[0] for s in self.names]

    def rss_kib(self):
        return sum(status_field(p, "VmRSS") for p in self.own_pids())

    def restart_ms(self, service="svc1"):
        pid, started = self.current(service)
        time.sleep(max(0.0, 1.2 - (time.clock_gettime_ns(time.CLOCK_MONOTONIC) - started) / 1e9))
        os.kill(pid, signal.SIGUSR1)
        deadline = time.monotonic() + 20
        while self.current(service)[0] == pid:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: {service} was not restarted")
            time.sleep(0.005)
        crash = [int(e[3]) for e in self.events() if e[0] == "crash" and int(e[2]) == pid][-1]
        return (self.current(service)[1] - crash) / 1e6

    def stop_ms(self):
        watched = self.own_pids() + self.service_pids()
        begin = time.monotonic()
        self.proc.send_signal(signal.SIGHUP if self.name == "runit" else signal.SIGTERM)
        self.proc.wait(timeout=30)
        while any(alive(p) for p in watched):
            if time.monotonic() - begin > 30:
                raise RuntimeError(f"{self.name}: processes left after the stop")
            time.sleep(0.002)
        return (time.monotonic() - begin) * 1000

    def kill_leftovers(self):
        """Only what this supervisor started: its processes and services, by pid."""
        if self.proc and self.proc.poll() is None:
            for p in self.service_pids() + self.own_pids():
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            self.proc.wait()
        subprocess.run(["rm", "-rf", self.dir])


def ldd_files(paths):
    files = set()
    for path in paths:
        files.add(os.path.realpath(path))
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            for p in parts:
                if p.startswith("/"):
                    files.add(os.path.realpath(p))
    return files


def which(name):
    for d in os.environ.get("PATH", "/usr/bin").split(":"):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    raise RuntimeError(f"{name} not found")


def sizes_kib(husk):
    python_modules = subprocess.run(
        ["python3", "-c",
         "import sys, supervisor.supervisord\n"
         "for m in list(sys.modules.values()):\n"
         "    f = getattr(m, '__file__', None)\n"
         "    if f: print(f)"], capture_output=True, text=True).stdout.split()
    needed = {
        "husk": {husk},
        "runit": ldd_files([which("runsvdir"), which("runsv")]),
        "s6": ldd_files([which("s6-svscan"), which("s6-supervise")]),
        "supervisord": ldd_files([os.path.realpath(which("python3"))]) | {
            os.path.realpath(which("supervisord"))} | set(python_modules),
    }
    return {n: sum(os.path.getsize(f) for f in files) / 1024 for n, files in needed.items()}


def idle(husk, service_bin, seconds):
    runs = {n: Supervisor(n, husk, service_bin) for n in NAMES}
    try:
        for r in runs.values():
            r.start()
        time.sleep(2)
        before = {n: (sum(cpu_ns(p) for p in r.own_pids()),
                      sum(status_field(p, "voluntary_ctxt_switches") +
                          status_field(p, "nonvoluntary_ctxt_switches") for p in r.own_pids()))
                  for n, r in runs.items()}
        time.sleep(seconds)
        result = {}
        for n, r in runs.items():
            cpu = sum(cpu_ns(p) for p in r.own_pids())
            switches = sum(status_field(p, "voluntary_ctxt_switches") +
                           status_field(p, "nonvoluntary_ctxt_switches") for p in r.own_pids())
            result[n] = ((cpu - before[n][0]) / 1e6, switches - before[n][1])
        for r in runs.values():
            r.stop_ms()
        return result
    finally:
        for r in runs.values():
            r.kill_leftovers()


def husk_rss_with(count, husk, service_bin, runs=5):
    """husk's idle VmRSS (KiB) supervising `count` services: the median of `runs` starts."""
    values = []
    for _ in range(runs):
        run = Supervisor("husk", husk, service_bin, [f"s{i:02d}" for i in range(count)])
        try:
            run.start()
            time.sleep(1)
            values.append(run.rss_kib())
            run.stop_ms()
        finally:
            run.kill_leftovers()
    return statistics.median(values)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    idle_seconds = int(os.environ.get("IDLE_SECONDS", "60"))
    husk = os.path.abspath(os.path.join(build, "init", "husk"))
    service_bin = os.path.abspath(os.path.join(build, "bench", "supervise", "bench_service"))
    load_before = open("/proc/loadavg").read().split()[:3]
    samples = {n: {"rss": [], "restart": [], "stop": []} for n in NAMES}
    for rnd in range(rounds):
        print(f"round {rnd + 1} of {rounds}", file=sys.stderr)
        for i in range(len(NAMES)):
            name = NAMES[(i + rnd) % len(NAMES)]
            run = Supervisor(name, husk, service_bin)
            try:
                run.start()
                time.sleep(1)
                samples[name]["rss"].append(run.rss_kib())
                for service in SERVICES:
                    samples[name]["restart"].append(run.restart_ms(service))
                time.sleep(0.2)
                samples[name]["stop"].append(run.stop_ms())
            finally:
                run.kill_leftovers()
    print(f"idle, {idle_seconds} s, all four side by side", file=sys.stderr)
    idle_result = idle(husk, service_bin, idle_seconds)
    sizes = sizes_kib(husk)
    rss10 = husk_rss_with(10, husk, service_bin)
    load_after = open("/proc/loadavg").read().split()[:3]

    med = {n: {k: statistics.median(v) for k, v in s.items()} for n, s in samples.items()}
    print(f"Load average before: {' '.join(load_before)}; after: {' '.join(load_after)}. "
          f"{rounds} interleaved rounds (restart: 3 crashes a round); idle: {idle_seconds} s.\n")
    print("| supervisor | files needed (KiB) | idle RSS (KiB) | crash to restarted exec (ms) "
          "| stop 3 services on SIGTERM (ms) | idle CPU (ms) | idle wake-ups |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    label = {"husk": "husk -S", "runit": "runit (runsvdir + runsv)",
             "s6": "s6 (s6-svscan + s6-supervise)", "supervisord": "supervisord"}
    for n in NAMES:
        print(f"| {label[n]} | {sizes[n]:,.0f} | {med[n]['rss']:,.0f} | {med[n]['restart']:.2f} "
              f"| {med[n]['stop']:.1f} | {idle_result[n][0]:.2f} | {idle_result[n][1]} |")
    print(f"\nhusk's idle RSS supervising 10 services: {rss10:.0f} KiB (median of 5 starts); "
          f"husk binary: {os.path.getsize(husk):,} bytes.")


if __name__ == "__main__":
    main()
