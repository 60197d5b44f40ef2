#!/usr/bin/env python3
"""containerd 1.6 and its containerd-shim-runc-v2 (what Kubernetes' CRI plugin drives) with an
OCI runtime given by `ctr run --runc-binary`: containerd_test.py RUNTIME, RUNTIME runc (which
proves the tests right) or launch (skipped until launch has runc's lifecycle verbs). The test
starts its own containerd (own config, root, state, socket) and stops it by its pid.
Prints TAP. Needs root and scripts/setup-deps --engines."""
import os
import re
import sys
import time
import unittest

import engines

RUNTIME = sys.argv[1] if len(sys.argv) > 1 else "runc"
ENV = None
IMAGE = "localhost/bb:latest"
ROOT_GAP = []  # the failed first create when launch does not make its --root folder


def setUpModule():
    global ENV
    engines.require("containerd", "ctr", "containerd-shim-runc-v2", "runc",
                    launch=RUNTIME == "launch")
    ENV = engines.Engines({"launch": engines.LAUNCH} if RUNTIME == "launch" else None)
    with ENV.closed_on_error():
        set_up_containerd()


def set_up_containerd():
    ENV.start_containerd()
    ENV.ctr_import_image()
    if RUNTIME == "launch":
        # The shim passes --root ROOT/NAMESPACE, which need not exist yet: runc creates it
        # (MkdirAll). Where launch does not, every create fails: the folder is made here so
        # that the rest runs, and test_missing_root_folder says what failed.
        probe = ctr_run("probe", "--rm", IMAGE, "probe", "true")
        if "creating state root" in probe.err:
            ROOT_GAP.append(probe)
            os.makedirs(os.path.join(ENV.dir, "containerd", "runc-launch", "husk-e2e"))


def tearDownModule():
    if ENV:
        ENV.close()


def ctr(*args, timeout=60):
    return ENV.ctr(*args, timeout=timeout)


def ctr_run(cid, *args, timeout=60):
    return ENV.ctr("run", *ENV.ctr_run_args(RUNTIME, cid), *args, timeout=timeout)


def task_status(cid):
    for line in ctr("task", "ls").out.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0] == cid:
            return fields[2]
    return None


def wait_status(test, cid, status, seconds=10):
    deadline = time.monotonic() + seconds
    while task_status(cid) != status:
        test.assertLess(time.monotonic(), deadline, f"task {cid} never became {status}")
        time.sleep(0.1)


def start_task(test, cid, *command):
    """`ctr run -d` of the image; returns once the task runs."""
    result = ctr_run(cid, "-d", IMAGE, cid, *command)
    test.assertEqual(result.code, 0, result)
    wait_status(test, cid, "RUNNING")


def init_pid(cid):
    return int(ctr("task", "ls").out.split(cid)[1].split()[0])


def delete_task(cid):
    """`ctr task delete` and `ctr container delete`: the task's exit status, which ctr reports
    as a warning when it is not 0."""
    task = ctr("task", "delete", cid)
    assert task.code == 0, task
    container = ctr("container", "delete", cid)
    assert container.code == 0, container
    found = re.search(r"exit with non-zero exit code (\d+)", task.err)
    return int(found.group(1)) if found else 0


class Run(unittest.TestCase):
    def test_missing_root_folder(self):
        """The first container of a namespace: the shim's --root folder does not exist yet."""
        if ROOT_GAP:
            self.fail("the runtime did not create a missing --root folder as runc does "
                      "(containerd-shim-runc-v2 passes --root ROOT/NAMESPACE): "
                      + ROOT_GAP[0].err.strip())
        self.assertTrue(os.path.isdir(os.path.join(ENV.dir, "containerd", "runc-" + RUNTIME,
                                                   "husk-e2e")))

    def test_image_output_and_exit_codes(self):
        for n, (script, code) in enumerate((("echo out; echo err >&2", 0), ("exit 7", 7),
                                            ("sh -c 'kill -KILL $$'; exit $?", 137))):
            result = ctr_run(f"run{n}", "--rm", IMAGE, f"run{n}", "sh", "-c", script)
            self.assertEqual(result.code, code, result)
            if code == 0:
                self.assertEqual((result.out, result.err), ("out\n", "err\n"), result)
        self.assertEqual(ctr("container", "ls", "-q").out, "")

    def test_pid1_and_cgroup(self):
        result = ctr_run("pid1", "--rm", IMAGE, "pid1", "sh", "-c",
                         "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$; "
                         "grep memory /proc/self/cgroup")
        self.assertEqual(result.code, 0, result)
        cmdline, pid, cgroup = result.out.splitlines()
        if RUNTIME == "launch":
            self.assertEqual(cmdline.split(" ")[0:2], ["husk", "--"], result)
            self.assertEqual(pid, "2")
        else:
            self.assertEqual(pid, "1")
        self.assertTrue(cgroup.endswith(f":memory:{ENV.cgroup_parent}/pid1"), cgroup)

    def test_rootfs_folder(self):
        result = ctr_run("rootfs", "--rm", "--rootfs", ENV.rootfs, "rootfs", "/bin/sh", "-c",
                         "echo from-rootfs; exit 3")
        self.assertEqual((result.code, result.out), (3, "from-rootfs\n"), result)


    def test_terminal(self):
        argv = ["ctr", "--address", ENV.containerd_socket, "--namespace", "husk-e2e", "run",
                "-t", "--rm", *ENV.ctr_run_args(RUNTIME, "tty"), IMAGE, "tty", "sh"]
        terminal = engines.Terminal(argv, ENV.env)
        try:
            terminal.expect("# ")
            terminal.send("echo $((6 * 7)); tty\r")
            terminal.expect("42")
            terminal.expect("/dev/pts/")
            terminal.send("exit 3\r")
            self.assertEqual(terminal.wait(), 3)
        finally:
            terminal.wait(timeout=0)
            if task_status("tty"):
                ctr("task", "kill", "-a", "-s", "KILL", "tty")
                wait_status(self, "tty", "STOPPED")
                delete_task("tty")
            ctr("container", "delete", "tty")


class Task(unittest.TestCase):
    def test_exec_ps_pause_resume_kill_delete(self):
        cid = "task1"
        start_task(self, cid, "sleep", "1000")
        result = ctr("task", "exec", "--fifo-dir", ENV.ctr_fifo_dir(), "--exec-id", "e1", cid,
                     "sh", "-c", "echo in-exec; exit 5")
        self.assertEqual((result.code, result.out), (5, "in-exec\n"), result)
        result = ctr("task", "ps", cid)
        self.assertEqual(result.code, 0, result)
        pids = [line.split()[0] for line in result.out.splitlines()[1:]]
        self.assertIn(str(init_pid(cid)), pids)
        self.assertEqual(ctr("task", "pause", cid).code, 0)
        self.assertEqual(task_status(cid), "PAUSED")
        self.assertEqual(ctr("task", "resume", cid).code, 0)
        self.assertEqual(task_status(cid), "RUNNING")
        ctr("task", "kill", "-s", "TERM", cid)
        if RUNTIME == "launch":  # husk forwards SIGTERM to sleep: 143
            wait_status(self, cid, "STOPPED", 3)
            self.assertEqual(delete_task(cid), 143)
        else:  # sleep as PID 1 ignores SIGTERM
            time.sleep(0.5)
            self.assertEqual(task_status(cid), "RUNNING")
            ctr("task", "kill", "-s", "KILL", cid)
            wait_status(self, cid, "STOPPED")
            self.assertEqual(delete_task(cid), 137)
        self.assertEqual(ctr("container", "ls", "-q").out, "")
        self.assertEqual(ENV.cgroup_processes(), [])

    def test_kill_all(self):
        cid = "killall"
        start_task(self, cid, "sh", "-c", "sleep 1000 & sleep 1000 & wait")
        result = ctr("task", "kill", "-a", "-s", "KILL", cid)
        self.assertEqual(result.code, 0, result)
        wait_status(self, cid, "STOPPED")
        self.assertEqual(delete_task(cid), 137)
        self.assertEqual(ENV.cgroup_processes(), [])


class Faults(unittest.TestCase):
    def test_init_killed_from_the_host(self):
        cid = "fault1"
        start_task(self, cid, "sleep", "1000")
        os.kill(init_pid(cid), 9)
        wait_status(self, cid, "STOPPED")
        self.assertEqual(delete_task(cid), 137)
        self.assertEqual(ctr("container", "ls", "-q").out, "")
        self.assertEqual(ENV.cgroup_processes(), [])


if __name__ == "__main__":
    engines.main()
