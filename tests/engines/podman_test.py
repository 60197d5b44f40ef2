#!/usr/bin/env python3
"""podman (with conmon) and buildah driving an OCI runtime: podman_test.py RUNTIME, where
RUNTIME is runc (which proves the tests right) or launch (the built one; skipped until launch
has runc's create/start/... verbs). The container's view is checked from inside it.
Prints TAP. Needs root and scripts/setup-deps --engines."""
import os
import subprocess
import sys
import time
import unittest

import engines

RUNTIME = sys.argv[1] if len(sys.argv) > 1 else "runc"
ENV = None
IMAGE = "localhost/bb"


def setUpModule():
    global ENV
    engines.require("podman", "buildah", "conmon", "runc", launch=RUNTIME == "launch")
    runtimes = {}
    if RUNTIME == "launch":
        runtimes["launch"] = engines.LAUNCH
    ENV = engines.Engines(runtimes)
    with ENV.closed_on_error():
        ENV.import_image()


def tearDownModule():
    if ENV:
        ENV.close()


def podman(*args, timeout=60):
    return ENV.podman(*args, timeout=timeout)


def run(*args, timeout=60):
    return ENV.podman("run", *ENV.run_args(RUNTIME), *args, runtime=RUNTIME, timeout=timeout)


def inspect(cid, field):
    return podman("inspect", "--format", "{{" + field + "}}", cid).out.strip()


def host_cgroup(pid, controller):
    """The host path of PID's cgroup in the v1 CONTROLLER hierarchy."""
    with open(f"/proc/{pid}/cgroup", encoding="utf-8") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controller in controllers.split(","):
                return f"/sys/fs/cgroup/{controller}{path}"
    raise AssertionError(f"no {controller} cgroup for pid {pid}")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


class Detached:
    """A `podman run -d` container, removed (rm -f) at the end of the with block."""

    def __init__(self, test, *args):
        result = run("-d", *args)
        test.assertEqual(result.code, 0, result)
        self.id = result.out.strip()

    def __enter__(self):
        return self.id

    def __exit__(self, *_):
        podman("rm", "-f", "-t", "0", self.id)


class RunRm(unittest.TestCase):
    def test_output_and_exit_codes(self):
        result = run("--rm", IMAGE, "sh", "-c", "echo to-stdout; echo to-stderr >&2")
        self.assertEqual((result.code, result.out, result.err),
                         (0, "to-stdout\n", "to-stderr\n"), result)
        # Killed by a signal: an inner shell (under runc the outer one is PID 1, which the
        # kernel protects from signals sent from inside its namespace).
        for script, code in (("exit 7", 7), ("sh -c 'kill -KILL $$'; exit $?", 137)):
            result = run("--rm", IMAGE, "sh", "-c", script)
            self.assertEqual(result.code, code, result)
        self.assertEqual(podman("ps", "-aq").out, "", "run --rm left a container")

    def test_pid1(self):
        result = run("--rm", IMAGE, "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$")
        self.assertEqual(result.code, 0, result)
        cmdline, pid = result.out.splitlines()
        if RUNTIME == "launch":  # husk is PID 1, the command its child
            self.assertEqual(cmdline.split(" ")[0:2], ["husk", "--"], result)
            self.assertEqual(pid, "2")
        else:
            self.assertEqual(pid, "1")

    def test_ulimits_and_no_network(self):
        result = run("--rm", IMAGE, "sh", "-c", "ulimit -n; ulimit -Hn; ls /sys/class/net")
        self.assertEqual((result.code, result.out), (0, "20000\n20000\nlo\n"), result)


class Lifecycle(unittest.TestCase):
    def test_exec_top_pause_unpause_stop(self):
        with Detached(self, IMAGE, "sleep", "1000") as cid:
            result = podman("exec", cid, "sh", "-c", "echo in-exec $$; exit 5")
            self.assertEqual((result.code, result.out.split()[0]), (5, "in-exec"), result)
            result = podman("top", cid, "pid", "args")
            self.assertEqual(result.code, 0, result)
            self.assertIn("sleep 1000", result.out)
            pid = int(inspect(cid, ".State.Pid"))
            freezer = host_cgroup(pid, "freezer") + "/freezer.state"
            self.assertEqual(podman("pause", cid).code, 0)
            self.assertEqual((inspect(cid, ".State.Status"), read(freezer)),
                             ("paused", "FROZEN"))
            self.assertEqual(podman("unpause", cid).code, 0)
            self.assertEqual((inspect(cid, ".State.Status"), read(freezer)),
                             ("running", "THAWED"))
            if RUNTIME == "launch":  # husk forwards SIGTERM to sleep: no wait for the timeout
                result = podman("stop", "--time", "5", cid)
                self.assertEqual(inspect(cid, ".State.ExitCode"), "143")
                self.assertLess(result.seconds, 3, result)
            else:  # sleep is PID 1 and ignores SIGTERM: podman waits, then SIGKILL
                result = podman("stop", "--time", "2", cid)
                self.assertEqual(inspect(cid, ".State.ExitCode"), "137")
                self.assertGreater(result.seconds, 1.9, result)
            self.assertEqual(result.code, 0, result)
            self.assertEqual(podman("start", cid).code, 0, "restart of a stopped container")
            self.assertEqual(inspect(cid, ".State.Status"), "running")
            self.assertEqual(podman("kill", cid).code, 0)
            podman("wait", cid, timeout=20)
            self.assertEqual(inspect(cid, ".State.ExitCode"), "137")
            self.assertEqual(podman("rm", "-f", cid).code, 0)
        self.assertEqual(podman("ps", "-aq").out, "")
        self.assertEqual(ENV.cgroup_processes(), [])

    def test_update_changes_the_live_cgroup(self):
        # podman 4.3's update has --memory and --cpus but no --pids-limit.
        if RUNTIME == "launch":
            probe = engines.run([ENV.runtimes["launch"], "--root", ENV.dir + "/probe", "update",
                                 "--resources=/dev/null", "none"])
            if "not supported" in probe.err:
                self.skipTest("launch has no update yet: " + probe.err.strip())
        with Detached(self, "--memory", "256m", "--cpus", "1", IMAGE, "sleep", "1000") as cid:
            pid = int(inspect(cid, ".State.Pid"))
            result = podman("update", "--memory", "96m", "--memory-swap", "96m",
                            "--cpus", "0.5", cid)
            self.assertEqual(result.code, 0, result)
            self.assertEqual(read(host_cgroup(pid, "memory") + "/memory.limit_in_bytes"),
                             str(96 << 20))
            cpu = host_cgroup(pid, "cpu")
            self.assertEqual((read(cpu + "/cpu.cfs_quota_us"), read(cpu + "/cpu.cfs_period_us")),
                             ("50000", "100000"))
            inside = podman("exec", cid, "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
                            "/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
            self.assertEqual(inside.out.split(), [str(96 << 20), "50000"], inside)

    def test_limits_are_effective_inside(self):
        result = run("--rm", "--memory", "64m", "--pids-limit", "33", IMAGE, "sh", "-c",
                     "cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                     "/sys/fs/cgroup/pids/pids.max; "
                     # A fork bomb in a child shell, which dies when fork fails; then count
                     # the container's processes without forking (a glob, set, echo).
                     "sh -c 'while sleep 30 & do :; done' 2>/dev/null; "
                     "set -- /proc/[0-9]*; echo $#")
        self.assertEqual(result.code, 0, result)
        limit, pids_max, processes = result.out.splitlines()
        self.assertEqual((limit, pids_max), (str(64 << 20), "33"))
        self.assertLessEqual(int(processes), 33, result)
        self.assertGreaterEqual(int(processes), 30, result)
        # A memory hog: dd's 128 MiB buffer does not fit in 64 MiB (and twice that with swap).
        result = run("--rm", "--memory", "64m", "--memory-swap", "64m", IMAGE, "sh", "-c",
                     "dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null; echo dd=$?")
        self.assertEqual((result.code, result.out), (0, "dd=137\n"), result)

    def test_pid_namespace_of_another_container(self):
        with Detached(self, IMAGE, "sleep", "1000") as first:
            result = run("--rm", "--pid", f"container:{first}", IMAGE, "ps", "-o", "args")
            self.assertEqual(result.code, 0, result)
            self.assertIn("sleep 1000", result.out)
            with Detached(self, "--pid", f"container:{first}", IMAGE, "sleep", "999") as second:
                podman("kill", first)
                podman("wait", first, timeout=20)
                result = podman("wait", second, timeout=20)
                self.assertEqual(result.code, 0, "the second container outlived the first")
                self.assertEqual(inspect(second, ".State.Status"), "exited")


class Terminal(unittest.TestCase):
    def check_shell(self, terminal):
        """An interactive busybox sh on TERMINAL: a line typed is read back, Ctrl-C reaches
        the foreground program, `exit 3` ends it."""
        terminal.expect("# ")
        terminal.send("echo $((6 * 7)); tty\r")
        terminal.expect("42")
        terminal.expect("/dev/pts/")
        terminal.send("sleep 100\r")
        time.sleep(0.3)
        terminal.send("\x03")  # Ctrl-C: SIGINT to sleep through the container's terminal
        terminal.send("echo status=$?\r")
        terminal.expect("status=130")
        terminal.send("exit 3\r")
        return terminal.wait()

    def test_run_it(self):
        argv = ["podman", "--runtime", ENV.runtimes[RUNTIME], "run", "-it", "--rm",
                *ENV.run_args(RUNTIME), IMAGE, "sh"]
        self.assertEqual(self.check_shell(engines.Terminal(argv, ENV.env)), 3)

    def test_exec_it(self):
        with Detached(self, IMAGE, "sleep", "1000") as cid:
            argv = ["podman", "exec", "-it", cid, "sh"]
            self.assertEqual(self.check_shell(engines.Terminal(argv, ENV.env)), 3)


class Faults(unittest.TestCase):
    def test_init_killed_from_the_host(self):
        with Detached(self, IMAGE, "sleep", "1000") as cid:
            pid = int(inspect(cid, ".State.Pid"))
            os.kill(pid, 9)
            result = podman("wait", cid, timeout=20)
            self.assertEqual((result.code, result.out.strip()), (0, "137"), result)
            self.assertEqual(inspect(cid, ".State.Status"), "exited")
            self.assertEqual(podman("rm", cid).code, 0)
        self.assertEqual(ENV.cgroup_processes(), [])
        self.assertEqual(podman("ps", "-aq").out, "")

    def test_rm_force_during_exec(self):
        with Detached(self, IMAGE, "sleep", "1000") as cid:
            exec_ = subprocess.Popen(["podman", "exec", cid, "sleep", "999"], env=ENV.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while "sleep 999" not in podman("top", cid, "args").out:
                self.assertLess(time.monotonic(), deadline, "the exec'd process did not start")
                time.sleep(0.2)
            result = podman("rm", "-f", "-t", "0", cid)
            self.assertEqual(result.code, 0, result)
            self.assertIsNotNone(exec_.wait(timeout=20))
        self.assertEqual(podman("ps", "-aq").out, "")
        self.assertEqual(ENV.cgroup_processes(), [])


class Flags(unittest.TestCase):
    def test_an_unknown_flag_is_an_error_naming_it(self):
        # runc's behaviour for a flag it does not know: non-zero, the flag named.
        root = os.path.join(ENV.dir, "flags-" + RUNTIME)
        for argv in (["--no-such-global", "list"],
                     ["create", "--no-such-flag", "--bundle", ENV.dir, "x"],
                     ["exec", "--no-such-flag", "--process", "/dev/null", "x"]):
            result = engines.run([ENV.runtimes[RUNTIME], "--root", root] + argv)
            self.assertNotEqual(result.code, 0, result)
            self.assertIn("no-such-", result.err, result)


class BuildahBud(unittest.TestCase):
    def test_run_step_with_this_runtime(self):
        context = os.path.join(ENV.dir, "context-" + RUNTIME)
        os.makedirs(context)
        os.link(ENV.rootfs_tar, os.path.join(context, "bb.tar"))
        engines.write(os.path.join(context, "Containerfile"),
                      "FROM scratch\nADD bb.tar /\n"
                      "RUN echo \"built with pid $$ under $(tr '\\0' '\\n' < /proc/1/cmdline"
                      " | head -1)\" > /built\n")
        result = ENV.buildah("bud", "--runtime", ENV.runtimes[RUNTIME], "--isolation", "oci",
                             "--network", "none", "--cgroup-parent", ENV.cgroup_parent,
                             "-t", "localhost/built-" + RUNTIME, context, timeout=180)
        self.assertEqual(result.code, 0, result)
        result = run("--rm", "localhost/built-" + RUNTIME, "cat", "/built")
        want = "built with pid 2 under husk\n" if RUNTIME == "launch" \
            else "built with pid 1 under /bin/sh\n"
        self.assertEqual((result.code, result.out), (0, want), result)


if __name__ == "__main__":
    engines.main()
