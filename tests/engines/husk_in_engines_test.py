#!/usr/bin/env python3
"""husk in other runtimes' containers, with runc as the runtime of every engine:
  - buildah bud of a Containerfile FROM scratch (busybox rootfs, husk as ENTRYPOINT, a RUN step);
  - podman run of that image: husk is PID 1, the RUN step's output is in the image;
  - podman run --init --init-path husk: husk is PID 1, podman stop is fast (143) and a leftover
    background process gets SIGTERM and its grace period; the same scenarios with tini-static,
    which forwards SIGTERM too but lets the kernel SIGKILL what is left.
Prints TAP. Needs root and scripts/setup-deps --engines."""
import os
import shutil
import statistics
import unittest

import engines

ENV = None  # the Engines of this suite (set up once: the image import is the slow part)


def setUpModule():
    global ENV
    engines.require("podman", "buildah", "conmon", "runc")
    ENV = engines.Engines()
    with ENV.closed_on_error():
        ENV.import_image()


def tearDownModule():
    if ENV:
        ENV.close()


def podman_run(*args, runtime="runc", timeout=60):
    return ENV.podman("run", *ENV.run_args(runtime), *args, runtime=runtime, timeout=timeout)


class BuildahBud(unittest.TestCase):
    """buildah bud with runc builds an image with husk as ENTRYPOINT; podman runs it."""

    @classmethod
    def setUpClass(cls):
        context = os.path.join(ENV.dir, "context")
        os.makedirs(context)
        shutil.copy2(ENV.rootfs_tar, os.path.join(context, "bb.tar"))
        shutil.copy2(engines.HUSK, os.path.join(context, "husk"))
        engines.write(os.path.join(context, "Containerfile"), """\
FROM scratch
ADD bb.tar /
COPY husk /husk
RUN echo "run step: $(tr '\\0' ' ' < /proc/1/cmdline)" > /built
ENTRYPOINT ["/husk", "--"]
CMD ["sh", "-c", "echo default command"]
""")
        cls.build = ENV.buildah("bud", "--runtime", ENV.runtimes["runc"], "--isolation", "oci",
                                "--network", "none", "--cgroup-parent", ENV.cgroup_parent,
                                "-t", "localhost/husk-bb", context, timeout=180)

    def test_build_succeeds_with_runc(self):
        self.assertEqual(self.build.code, 0, self.build)
        # buildah calls the runtime from a re-exec of itself through /proc/self/exe ("exe").
        verbs = [call for call in ENV.logged_argv()
                 if call["caller"] in ("buildah", "exe") and "create" in call["argv"]]
        self.assertTrue(verbs, "buildah's RUN step did not go through the runc wrapper")

    def test_husk_is_pid1_and_the_run_step_output_is_in_the_image(self):
        self.assertEqual(self.build.code, 0, self.build)
        result = podman_run("--rm", "localhost/husk-bb",
                            "sh", "-c", "cat /built; tr '\\0' ' ' < /proc/1/cmdline; echo; "
                            "echo ppid=$PPID")
        self.assertEqual(result.code, 0, result)
        lines = result.out.splitlines()
        # The RUN step ran under runc as sh -c (buildah's RUN), the container under husk.
        self.assertEqual(lines[0], "run step: /bin/sh -c echo \"run step: $(tr '\\0' ' ' < "
                         "/proc/1/cmdline)\" > /built ", result)
        self.assertEqual(lines[1], "/husk -- sh -c cat /built; tr '\\0' ' ' < /proc/1/cmdline; "
                         "echo; echo ppid=$PPID ", result)
        self.assertEqual(lines[2], "ppid=1", result)

    def test_default_command_and_exit_codes_through_husk(self):
        self.assertEqual(self.build.code, 0, self.build)
        result = podman_run("--rm", "localhost/husk-bb")
        self.assertEqual((result.code, result.out), (0, "default command\n"), result)
        result = podman_run("--rm", "localhost/husk-bb", "sh", "-c", "exit 7")
        self.assertEqual(result.code, 7, result)
        result = podman_run("--rm", "localhost/husk-bb", "sh", "-c", "kill -KILL $$")
        self.assertEqual(result.code, 137, result)


# A leftover: a background subshell that, on SIGTERM, says so, takes 0.3 s and says it is done.
LEFTOVER = ("(trap 'echo leftover-got-TERM; sleep 0.3; echo leftover-done; exit 0' TERM; "
            "while :; do sleep 0.05; done) & echo started; exec sleep 1000")


class InitPath(unittest.TestCase):
    """podman run --init --init-path INIT with runc: husk against tini-static."""

    INITS = {"husk": None, "tini-static": engines.TINI_STATIC}
    figures = {}  # init -> list of podman stop seconds

    @classmethod
    def setUpClass(cls):
        cls.INITS["husk"] = engines.HUSK

    def start(self, init, *command):
        result = podman_run("-d", "--init", "--init-path", self.INITS[init], "localhost/bb",
                            *command)
        self.assertEqual(result.code, 0, result)
        return result.out.strip()

    def exit_code(self, cid):
        return ENV.podman("inspect", "--format", "{{.State.ExitCode}}", cid).out.strip()

    def stop(self, init, cid):
        result = ENV.podman("stop", "--time", "10", cid)
        self.assertEqual(result.code, 0, result)
        self.figures.setdefault(init, []).append(result.seconds)
        return result.seconds

    def test_husk_is_pid1_under_runc(self):
        cid = self.start("husk", "sleep", "1000")
        try:
            result = ENV.podman("exec", cid, "sh", "-c",
                                "tr '\\0' ' ' < /proc/1/cmdline; echo; md5sum < /proc/1/exe")
            self.assertEqual(result.code, 0, result)
            cmdline, digest = result.out.splitlines()
            self.assertEqual(cmdline, "/run/podman-init -- sleep 1000 ")
            want = engines.run(["md5sum", engines.HUSK], check=True).out.split()[0]
            self.assertEqual(digest.split()[0], want, "PID 1 is not the built husk")
        finally:
            ENV.podman("rm", "-f", "-t", "0", cid)

    def check_stop(self, init):
        for _ in range(3):
            cid = self.start(init, "sleep", "1000")
            seconds = self.stop(init, cid)
            code = self.exit_code(cid)
            ENV.podman("rm", "-f", cid)
            # PID 1 forwards SIGTERM to sleep: no wait for podman's 10 s timeout and SIGKILL.
            self.assertEqual(code, "143", f"{init}: exit code after podman stop")
            self.assertLess(seconds, 2.5, f"{init}: podman stop took {seconds:.2f} s")

    def test_stop_is_fast_with_husk(self):
        self.check_stop("husk")

    def test_stop_is_fast_with_tini(self):
        self.check_stop("tini-static")

    def leftover_log(self, init):
        cid = self.start(init, "sh", "-c", LEFTOVER)
        try:
            for _ in range(50):  # the background loop is running once "started" is logged
                if "started" in ENV.podman("logs", cid).out:
                    break
            seconds = self.stop(init, cid)
            return self.exit_code(cid), ENV.podman("logs", cid).out, seconds
        finally:
            ENV.podman("rm", "-f", cid)

    def test_husk_gives_the_leftover_sigterm_and_its_grace_period(self):
        code, log, seconds = self.leftover_log("husk")
        self.assertEqual(code, "143")
        self.assertEqual(log, "started\nleftover-got-TERM\nleftover-done\n")
        self.assertLess(seconds, 3.0)

    def test_tini_lets_the_kernel_kill_the_leftover(self):
        code, log, _ = self.leftover_log("tini-static")
        self.assertEqual(code, "143")
        self.assertEqual(log, "started\n")

    @classmethod
    def tearDownClass(cls):
        for init, seconds in sorted(cls.figures.items()):
            print(f"# podman stop with --init-path {init}: median "
                  f"{statistics.median(seconds):.2f} s over {len(seconds)} "
                  f"({', '.join(f'{s:.2f}' for s in seconds)})")


if __name__ == "__main__":
    engines.main()
