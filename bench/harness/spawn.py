"""Timing one command around its fork/exec/wait, with no shell in between, and the checks that
nothing of it was left behind.

The driver makes itself a child subreaper, so that any process a tool leaves running (a
daemonized shim, a container process that outlived its runtime) becomes the driver's child,
where the leak check finds it.
"""
import ctypes
import glob
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)


def become_subreaper():
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def mount_tmpfs(path):
    """A tmpfs on `path` (in the benchmark's private mount namespace: the host never sees it)."""
    if _libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"mode=755") != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount tmpfs {path}: {os.strerror(errno)}")


def umount(path):
    if _libc.umount2(path.encode(), 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"umount {path}: {os.strerror(errno)}")


class Result:
    __slots__ = ("argv", "status", "wall_us", "cpu_us", "stderr")

    def __init__(self, argv, status, wall_us, cpu_us, stderr):
        self.argv, self.status, self.wall_us = argv, status, wall_us
        self.cpu_us, self.stderr = cpu_us, stderr

    @property
    def ok(self):
        return self.status == 0

    def describe(self):
        code = (f"exit {os.waitstatus_to_exitcode(self.status)}" if self.status is not None
                else "not started")
        tail = " ".join(self.stderr.strip().splitlines()[-2:])[:300]
        return f"{' '.join(self.argv)}: {code}{': ' + tail if tail else ''}"


def _file_actions(stdout, stderr):
    return [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]


def start(argv, env, stderr_path, stdout_path="/dev/null"):
    """posix_spawn (vfork + exec in glibc) of argv[0], an absolute path; returns the pid."""
    return os.posix_spawn(argv[0], argv, env, file_actions=_file_actions(stdout_path, stderr_path))


def timed(argv, env, stderr_path, stdout_path="/dev/null"):
    """Runs argv to its end: wall time from before the spawn to after wait4, and the CPU time
    (user and system) that wait4 reports for the process and the descendants it waited for.
    (Not its peak RSS: a child of vfork starts from the driver's high-water mark.)"""
    t0 = time.perf_counter_ns()
    try:
        pid = start(argv, env, stderr_path, stdout_path)
    except OSError as error:
        return Result(argv, None, None, None, str(error))
    _, status, usage = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    err = ""
    if status != 0:
        try:
            with open(stderr_path, errors="replace") as f:
                err = f.read()
        except OSError:
            pass
    return Result(argv, status, (t1 - t0) / 1000.0,
                  (usage.ru_utime + usage.ru_stime) * 1e6, err)


def children():
    """Pids of the driver's children (any thread's), still running or not yet reaped."""
    found = []
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        try:
            with open(path) as f:
                found += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return found


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0]
    except OSError:
        return None


def reap_leftovers():
    """Reaps the processes left to the driver (its own descendants only): the exited ones
    (orphans of a tool's double fork, which the driver as subreaper inherits) silently, the
    running ones killed first. Returns the command lines of the running ones."""
    left = []
    for _ in range(20):  # a tool's helper that is still exiting (bwrap's pid 1) gets 0.5 s
        if all(_state(pid) in ("Z", None) for pid in children()):
            break
        time.sleep(0.025)
    for pid in children():
        try:
            if _state(pid) not in ("Z", None):
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    left.append(f"{pid} " + f.read().replace(b"\0", b" ").decode(
                        errors="replace").strip())
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (OSError, ChildProcessError):
            pass
    return left


def cgroup_dirs(prefix, root="/sys/fs/cgroup"):
    """Cgroup directories (in every mounted hierarchy) whose name starts with prefix."""
    found = []
    for top, dirs, _ in os.walk(root):
        for d in dirs:
            if d.startswith(prefix):
                found.append(os.path.join(top, d))
    return sorted(found)


def remove_cgroups(paths):
    """Removes the cgroups, deepest first, with rmdir (only those named with the bench's
    prefix, which the bench's containers made, and their children). Returns those still
    there."""
    left = []
    for path in sorted(paths, key=lambda p: -p.count("/")):
        for top, _, _ in os.walk(path, topdown=False):
            _rmdir(top, left)
    return left


# What a runtime writes into a cgroup folder it made on a plain file system: crun 1.8, below
# the unmounted cgroup2 mount point, makes the folder and writes its pid to cgroup.procs.
STRAY_FILES = ("cgroup.procs",)


def remove_strays(paths):
    """Removes directories that a runtime made below an unmounted cgroup mount point (plain
    folders on the tmpfs under it), deepest first: in each, the files of STRAY_FILES, then the
    folder with rmdir, so that a folder holding anything else stays. Returns those still
    there."""
    left = []
    for path in sorted(paths, key=lambda p: -p.count("/")):
        for top, _, files in os.walk(path, topdown=False):
            for name in files:
                file = os.path.join(top, name)
                if name in STRAY_FILES and os.path.isfile(file) and not os.path.islink(file):
                    os.unlink(file)
            _rmdir(top, left)
    return left


def _rmdir(path, left):
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError:
        left.append(path)


def cgroup_mounts(mountinfo="/proc/self/mountinfo"):
    """Mount points of the cgroup file systems (v1 and v2) in this mount namespace."""
    points = []
    with open(mountinfo) as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.split()[:1] in (["cgroup"], ["cgroup2"]):
                points.append(left.split()[4])
    return points


def mounts_under(path, mountinfo="/proc/self/mountinfo"):
    """Mount points at or below path, in the given mountinfo."""
    found = []
    try:
        with open(mountinfo) as f:
            for line in f:
                point = line.split()[4]
                if point == path or point.startswith(path.rstrip("/") + "/"):
                    found.append(point)
    except OSError:
        pass
    return found


STRAY = "directories below an unmounted cgroup mount point"


def bench_dirs(prefix, root="/sys/fs/cgroup", mountinfo="/proc/self/mountinfo"):
    """The directories below root named with prefix, as (cgroups, strays): strays are not on a
    cgroup file system (a runtime's mkdir below an unmounted cgroup mount point)."""
    found = cgroup_dirs(prefix, root)
    points = cgroup_mounts(mountinfo) if found else []
    real = [p for p in found if any(p.startswith(m + "/") for m in points)]
    return real, [p for p in found if p not in real]


def remove_bench_dirs(prefix):
    """Removes the cgroups and strays named with prefix; returns those still there."""
    real, stray = bench_dirs(prefix)
    return remove_cgroups(real) + remove_strays(stray)


class LeakCheck:
    """What a workload must not leave: processes (reparented to the driver), cgroups named with
    the bench's prefix, mounts below the work folder (in the bench's namespace and the host's),
    and entries in the runtimes' state folders. `own_mounts`: the bench's own (the state tmpfs)."""

    def __init__(self, prefix, work, state_dirs, own_mounts=()):
        self.prefix, self.work, self.state_dirs = prefix, work, state_dirs
        self.own_mounts = set(own_mounts)

    def check(self):
        leaks = {}
        left = reap_leftovers()
        if left:
            leaks["processes"] = left
        real, stray = bench_dirs(self.prefix)
        if real:
            leaks["cgroups"] = real
        if stray:  # a runtime's mkdir below the unmounted cgroup2 mount point
            leaks[STRAY] = stray
        # Reported, then removed: the next check and the host see none of them.
        left = remove_cgroups(real) + remove_strays(stray)
        if left:
            leaks["not removable"] = left
        mounts = [m for m in mounts_under(self.work) if m not in self.own_mounts]
        mounts += mounts_under(self.work, "/proc/1/mountinfo")
        if mounts:
            leaks["mounts"] = mounts
        state = []
        for d in self.state_dirs:
            try:
                # launch's compiled seccomp filters (ROOT/@seccomp) are a cache, not a container
                state += [os.path.join(d, e) for e in os.listdir(d) if e != "@seccomp"]
            except FileNotFoundError:
                pass
        if state:
            leaks["state"] = state
        return leaks
