"""The harness of the engine suites: real podman, buildah and containerd from Debian, each with
its own storage, state, sockets and config under one temporary folder, so that nothing
system-wide changes and nothing reaches the network.

An Engines value owns the folder:
  podman/buildah   CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and CONTAINERS_REGISTRIES_CONF point
                   at files in it (graphroot, runroot, tmp_dir, events log, file locks; cgroupfs,
                   no network, the default ulimits this host allows);
  containerd       its own config.toml, root, state and socket, started in a private mount
                   namespace (its shims' sockets under /run/containerd stay in there) and stopped
                   by its pid.
Every runtime the engines are given is a small wrapper that appends its argv to argv.log and
execs the real one: the record of what the engines call.

The image "localhost/bb" (and bb.tar for ctr) is a busybox-static rootfs built here and
imported, never pulled. Binaries: HUSK_PATH and LAUNCH_PATH (meson test sets them).

Tests are plain unittest cases; run() prints TAP, one line per case, for meson's 'tap' protocol.
"""
import contextlib
import hashlib
import io
import json
import os
import platform
import pty
import select
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import unittest

HUSK = os.environ.get("HUSK_PATH", "")
LAUNCH = os.environ.get("LAUNCH_PATH", "")
BUSYBOX = "/bin/busybox"
RUNC = shutil.which("runc") or "/usr/sbin/runc"
TINI_STATIC = shutil.which("tini-static") or "/usr/bin/tini-static"

# The hard RLIMIT_NOFILE of these hosts is 20000 and CAP_SYS_RESOURCE is absent, so podman's
# default ulimits (nofile 1048576) fail under every runtime.
ULIMITS = ["nofile=20000:20000", "nproc=32768:32768"]


class Result:
    def __init__(self, argv, code, out, err, seconds):
        self.argv, self.code, self.out, self.err, self.seconds = argv, code, out, err, seconds

    def __repr__(self):
        return (f"$ {' '.join(self.argv)}\nexit {self.code} in {self.seconds:.2f} s\n"
                f"stdout: {self.out!r}\nstderr: {self.err!r}")


def run(argv, env=None, timeout=60, stdin=subprocess.DEVNULL, check=False):
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=env, stdin=stdin, capture_output=True, text=True,
                              timeout=timeout)
        result = Result(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as e:
        result = Result(argv, -1, str(e.stdout or ""), str(e.stderr or ""), timeout)
    if check and result.code != 0:
        raise RuntimeError(f"command failed:\n{result!r}")
    return result


class Terminal:
    """A program on a new pseudo-terminal (its controlling terminal): send keys, expect output."""

    def __init__(self, argv, env):
        self.argv = argv
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.seen = ""
        self.code = None

    def send(self, text):
        os.write(self.fd, text.encode())

    def expect(self, text, timeout=10):
        """Reads until TEXT has been seen (after what earlier expects consumed)."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"{' '.join(self.argv)}: no {text!r} on the terminal "
                                     f"in {timeout} s; it showed {self.seen!r}")
            try:
                chunk = os.read(self.fd, 4096).decode(errors="replace")
            except OSError:
                chunk = ""
            if not chunk:
                raise AssertionError(f"terminal closed before {text!r}; it showed {self.seen!r}")
            self.seen += chunk
        self.seen = self.seen[self.seen.index(text) + len(text):]

    def wait(self, timeout=20):
        """The program's exit code (128+N for signal N), SIGKILLed after TIMEOUT."""
        deadline = time.monotonic() + timeout
        while self.code is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                self.code = os.waitstatus_to_exitcode(status) % 256 \
                    if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
            # Drain the terminal so that the program never blocks writing to it.
            if select.select([self.fd], [], [], 0.05)[0]:
                try:
                    os.read(self.fd, 4096)
                except OSError:
                    pass
        return self.code


def missing_tools(*names):
    """The names of the engine programs not installed (scripts/setup-deps --engines)."""
    return [n for n in names if shutil.which(n) is None]


def require(*tools, launch=False):
    """Skips the calling suite (unittest.SkipTest) unless it runs as root with TOOLS installed
    and, with LAUNCH, a launch that has runc's lifecycle verbs."""
    if os.geteuid() != 0:
        raise unittest.SkipTest("needs root (the engines run rootful)")
    missing = missing_tools(*tools)
    if missing:
        raise unittest.SkipTest("not installed: " + " ".join(missing) +
                                " (scripts/setup-deps --engines)")
    if not os.access(HUSK, os.X_OK):
        raise unittest.SkipTest("HUSK_PATH is not an executable")
    if launch and not launch_has_lifecycle():
        raise unittest.SkipTest("launch has no runc-style create/start/kill/delete yet "
                                "(the lifecycle issue)")


def launch_has_lifecycle():
    """Whether the built launch has runc's create/start/... verbs (the lifecycle work)."""
    if not LAUNCH or not os.access(LAUNCH, os.X_OK):
        return False
    # runc's `list` prints a table and succeeds on an empty root; a launch without the verbs
    # takes "list" for a bundle folder and fails.
    root = tempfile.mkdtemp(prefix="husk-engines-probe-", dir="/var/tmp")
    try:
        return run([LAUNCH, "--root", root, "list"], timeout=10).code == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)


def make_rootfs(directory):
    """A busybox-static root filesystem: /bin/busybox and its applets, passwd, group."""
    for sub in ("bin", "etc", "proc", "sys", "dev", "tmp", "root", "run"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    shutil.copy2(BUSYBOX, os.path.join(directory, "bin/busybox"))
    applets = run([BUSYBOX, "--list"], check=True).out.split()
    for applet in applets:
        link = os.path.join(directory, "bin", applet)
        if applet != "busybox" and not os.path.lexists(link):
            os.symlink("busybox", link)
    write(os.path.join(directory, "etc/passwd"),
          "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    write(os.path.join(directory, "etc/group"), "root:x:0:\nnogroup:x:65534:\n")
    os.chmod(os.path.join(directory, "tmp"), 0o1777)


def make_oci_archive(layer_tar, path, name):
    """An OCI image archive (for `ctr image import`) of one uncompressed layer, named NAME."""
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    with open(layer_tar, "rb") as f:
        layer = f.read()
    blobs = {}

    def blob(data, media_type):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    layer_desc = blob(layer, "application/vnd.oci.image.layer.v1.tar")
    config = {"architecture": arch, "os": "linux", "config": {"Cmd": ["sh"]},
              "rootfs": {"type": "layers", "diff_ids": [layer_desc["digest"]]}}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": blob(json.dumps(config).encode(),
                               "application/vnd.oci.image.config.v1+json"),
                "layers": [layer_desc]}
    manifest_desc = blob(json.dumps(manifest).encode(), manifest["mediaType"])
    manifest_desc["annotations"] = {"io.containerd.image.name": name,
                                    "org.opencontainers.image.ref.name": "latest"}
    index = {"schemaVersion": 2, "manifests": [manifest_desc]}
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode(),
             "index.json": json.dumps(index).encode()}
    files.update({"blobs/sha256/" + d.split(":")[1]: data for d, data in blobs.items()})
    with tarfile.open(path, "w") as tar:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class Engines:
    """The temporary world of one suite: configs, storage, wrappers, the imported image."""

    def __init__(self, runtimes=None, wrap=True):
        self.dir = tempfile.mkdtemp(prefix="husk-engines-", dir="/var/tmp")
        self.name = os.path.basename(self.dir)
        # Containers' cgroups go under this parent (created by the runtimes, removed in close()).
        self.cgroup_parent = "/" + self.name
        self.argv_log = os.path.join(self.dir, "argv.log")
        self.wrap = wrap  # False: the engines get the runtimes themselves (benchmarks)
        self.runtimes = {}
        self.containerd_pid = None
        self.containerd_socket = None
        self.rootfs = os.path.join(self.dir, "rootfs")
        make_rootfs(self.rootfs)
        self.rootfs_tar = os.path.join(self.dir, "bb.tar")
        run(["tar", "-C", self.rootfs, "-cf", self.rootfs_tar, "."], check=True)
        wanted = {"runc": RUNC}
        if runtimes:
            wanted.update(runtimes)
        if "launch" in wanted:
            wanted["launch"] = self.install_launch(wanted["launch"])
        for name, path in wanted.items():
            self.add_runtime(name, path)
        self._write_containers_conf()
        self.env = dict(os.environ)
        self.env.update({
            "CONTAINERS_CONF": os.path.join(self.dir, "containers.conf"),
            "CONTAINERS_STORAGE_CONF": os.path.join(self.dir, "storage.conf"),
            "CONTAINERS_REGISTRIES_CONF": os.path.join(self.dir, "registries.conf"),
            "TMPDIR": os.path.join(self.dir, "tmp"),
            # podman creates its per-user folder below it: the suite's own, not root's.
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
        })

    # ---- runtimes -------------------------------------------------------------------------
    def install_launch(self, launch):
        """launch and husk copied side by side (as installed: launch finds husk next to
        itself; the engines pass it no HUSK_INIT_PATH)."""
        folder = os.path.join(self.dir, "sbin")
        os.makedirs(folder, exist_ok=True)
        shutil.copy2(launch, os.path.join(folder, "launch"))
        shutil.copy2(HUSK, os.path.join(folder, "husk"))
        return os.path.join(folder, "launch")

    def add_runtime(self, name, path):
        """A wrapper at DIR/bin/NAME that appends {"caller": its parent's name, "argv": [...]}
        to argv.log (one JSON object a line) and execs PATH."""
        if not self.wrap:
            self.runtimes[name] = path
            return path
        wrapper = os.path.join(self.dir, "bin", name)
        logger = ("import json, sys; caller = open('/proc/%s/comm' % sys.argv[1]).read().strip(); "
                  "print(json.dumps({'caller': caller, 'argv': sys.argv[2:]}))")
        write(wrapper,
              "#!/bin/sh\n"
              f"{sys.executable} -c \"{logger}\" $PPID \"$0\" \"$@\" "
              f">> {self.argv_log} 2>/dev/null\n"
              f"exec {path} \"$@\"\n", 0o755)
        self.runtimes[name] = wrapper
        return wrapper

    def logged_argv(self):
        """Every call of a wrapped runtime: {"caller": NAME, "argv": [runtime, args...]}."""
        if not os.path.exists(self.argv_log):
            return []
        with open(self.argv_log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    # ---- podman and buildah ---------------------------------------------------------------
    def _write_containers_conf(self):
        d = self.dir
        runtimes = "\n".join(f'{name} = ["{path}"]' for name, path in self.runtimes.items())
        names = ", ".join(f'"{name}"' for name in self.runtimes)
        write(os.path.join(d, "containers.conf"), f"""\
[containers]
default_ulimits = [{", ".join(f'"{u}"' for u in ULIMITS)}]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "{d}/events.log"
tmp_dir = "{d}/libpod-tmp"
runtime = "runc"
runtime_supports_json = [{names}]
# conmon runs `podman container cleanup` when a container exits: it must see the same config.
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "CONTAINERS_CONF={d}/containers.conf",
                   "CONTAINERS_STORAGE_CONF={d}/storage.conf",
                   "CONTAINERS_REGISTRIES_CONF={d}/registries.conf"]

[engine.runtimes]
{runtimes}

[network]
network_backend = "cni"
cni_plugin_dirs = ["{d}/cni-plugins"]
network_config_dir = "{d}/cni-config"
""")
        write(os.path.join(d, "storage.conf"), f"""\
[storage]
driver = "overlay"
runroot = "{d}/runroot"
graphroot = "{d}/graphroot"
""")
        write(os.path.join(d, "registries.conf"), "unqualified-search-registries = []\n")
        for sub in ("tmp", "cni-plugins", "cni-config"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)

    def podman(self, *args, timeout=60, runtime=None, stdin=subprocess.DEVNULL):
        argv = ["podman"]
        if runtime:
            argv += ["--runtime", self.runtimes.get(runtime, runtime)]
        return run(argv + list(args), env=self.env, timeout=timeout, stdin=stdin)

    def buildah(self, *args, timeout=120):
        return run(["buildah"] + list(args), env=self.env, timeout=timeout)

    def import_image(self, name="localhost/bb"):
        result = self.podman("import", "--change", 'CMD ["sh"]', self.rootfs_tar, name)
        if result.code != 0:
            raise RuntimeError(f"podman import failed:\n{result!r}")
        return name

    def run_args(self, runtime):
        """The podman run options every test container gets."""
        return ["--cgroup-parent", self.cgroup_parent, "--network", "none"]

    # ---- containerd -----------------------------------------------------------------------
    def start_containerd(self):
        if not os.environ.get(_NS_MARK):
            raise RuntimeError("containerd runs only in isolate()'s private mount namespace")
        d = os.path.join(self.dir, "containerd")
        self.containerd_socket = os.path.join(d, "containerd.sock")
        config = os.path.join(d, "config.toml")
        write(config, f"""\
version = 2
root = "{d}/root"
state = "{d}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{self.containerd_socket}"

[ttrpc]
  address = "{self.containerd_socket}.ttrpc"

[debug]
  address = "{d}/debug.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "{d}/opt"
""")
        log = open(os.path.join(d, "containerd.log"), "w", encoding="utf-8")
        # containerd 1.6 puts its shims' sockets in /run/containerd/s, a fixed path: isolate()
        # keeps them in this suite's mount namespace.
        proc = subprocess.Popen(["containerd", "--config", config],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        self.containerd_pid = proc.pid
        self._containerd = proc
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("containerd exited: " + open(log.name).read()[-2000:])
            if os.path.exists(self.containerd_socket) and \
                    self.ctr("version", timeout=5).code == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("containerd did not come up: " + open(log.name).read()[-2000:])

    def ctr_fifo_dir(self):
        return os.path.join(self.dir, "containerd", "fifo")

    def ctr(self, *args, timeout=60, stdin=subprocess.DEVNULL):
        return run(["ctr", "--address", self.containerd_socket, "--namespace", "husk-e2e"]
                   + list(args), env=self.env, timeout=timeout, stdin=stdin)

    def ctr_import_image(self, name="localhost/bb:latest"):
        archive = os.path.join(self.dir, "bb-oci.tar")
        make_oci_archive(self.rootfs_tar, archive, name)
        result = self.ctr("image", "import", archive)
        if result.code != 0:
            raise RuntimeError(f"ctr image import failed:\n{result!r}")
        return name

    def ctr_run_args(self, runtime, cid):
        """The ctr run options of container CID: the (wrapped) runtime, its root, a cgroup under
        this suite's parent."""
        return ["--fifo-dir", self.ctr_fifo_dir(), "--runc-binary", self.runtimes[runtime],
                "--runc-root", os.path.join(self.dir, "containerd", "runc-" + runtime),
                "--cgroup", f"{self.cgroup_parent}/{cid}"]

    def stop_containerd(self):
        """Removes what is left of the tasks and containers, stops containerd (by its pid) and
        then any shim of it still running."""
        if self.containerd_pid is None:
            return
        for task in self.ctr("task", "ls", "-q", timeout=20).out.split():
            self.ctr("task", "kill", "-a", "-s", "KILL", task, timeout=20)
        for task in self.ctr("task", "ls", "-q", timeout=20).out.split():
            self.ctr("task", "delete", "-f", task, timeout=20)
        for container in self.ctr("container", "ls", "-q", timeout=20).out.split():
            self.ctr("container", "delete", container, timeout=20)
        proc = self._containerd
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        self.containerd_pid = None
        for pid in self.processes_mentioning(self.containerd_socket):
            os.kill(pid, signal.SIGKILL)

    @staticmethod
    def processes_mentioning(text):
        """The pids of the processes whose command line holds TEXT."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != os.getpid():
                try:
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if text.encode() in f.read():
                            pids.append(int(entry))
                except OSError:
                    pass
        return pids

    def cgroup_processes(self):
        """The pids in this suite's cgroups (containers the engines failed to remove)."""
        pids = set()
        for path in self.cgroup_dirs():
            if _stray(path):
                continue  # a stale pid file, not a cgroup: its pid may be another's by now
            try:
                with open(os.path.join(path, "cgroup.procs"), encoding="utf-8") as f:
                    pids.update(int(line) for line in f if line.strip())
            except OSError:
                pass
        return sorted(pids)

    # ---- clean-up -------------------------------------------------------------------------
    def cgroup_dirs(self):
        """The cgroup folders under this suite's parent that are still there (all hierarchies)."""
        found = []
        for hierarchy in sorted(os.listdir("/sys/fs/cgroup")):
            top = os.path.join("/sys/fs/cgroup", hierarchy, self.name)
            if os.path.isdir(top):
                for root, dirs, _ in os.walk(top, topdown=False):
                    found.append(root)
        return found

    @contextlib.contextmanager
    def closed_on_error(self):
        """For setUpModule: unittest calls no tearDownModule when it fails, so close here."""
        try:
            yield
        except BaseException:
            self.close()
            raise

    def close(self):
        # HUSK_ENGINES_ARGV_OUT=FILE collects the runtime calls of every suite (engine_flags.py).
        out = os.environ.get("HUSK_ENGINES_ARGV_OUT")
        if out and os.path.exists(self.argv_log):
            with open(self.argv_log, encoding="utf-8") as src, open(out, "a") as dst:
                dst.write(src.read())
        if shutil.which("podman"):
            self.podman("rm", "--all", "--force", "--time", "0", timeout=60)
            self.podman("system", "reset", "--force", timeout=60)
        self.stop_containerd()
        for pid in self.cgroup_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2 if self.cgroup_processes() else 0)
        for path in self.cgroup_dirs():
            try:
                if _stray(path) and os.path.isfile(os.path.join(path, "cgroup.procs")):
                    os.unlink(os.path.join(path, "cgroup.procs"))
                os.rmdir(path)
            except OSError:
                pass
        # Overlay mounts left under the folder (a failed test) would keep it busy.
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            mounts = [line.split()[4] for line in f]
        for mount in sorted((m for m in mounts if m.startswith(self.dir)), reverse=True):
            subprocess.run(["umount", "-l", mount], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def _stray(path):
    """Whether PATH is a folder on the tmpfs at /sys/fs/cgroup (below a cgroup mount point
    unmounted in this mount namespace, as compare.py does for crun 1.8) rather than a cgroup:
    crun makes its cgroup2 folder there all the same and writes its pid to cgroup.procs."""
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        tmpfs = any(line.split()[4] == "/sys/fs/cgroup" and
                    line.partition(" - ")[2].split()[:1] == ["tmpfs"] for line in f)
    return tmpfs and os.stat(path).st_dev == os.stat("/sys/fs/cgroup").st_dev


# ---- isolation ------------------------------------------------------------------------------
_NS_MARK = "HUSK_ENGINES_PRIVATE_MOUNTS"


# The fixed paths the engines write for root, covered by private_mounts().
PRIVATE_MOUNTS = ["/var/lib", "/run", "/dev/shm"]


def private_mounts(scratch):
    """Shell commands, to run in a private mount namespace, that cover PRIVATE_MOUNTS: /var/lib
    and /run with overlays whose upper layers are in SCRATCH, /dev/shm with a tmpfs."""
    script = []
    for target in ("/var/lib", "/run"):
        name = target.strip("/").replace("/", "-")
        upper, work = f"{scratch}/{name}-upper", f"{scratch}/{name}-work"
        script.append(f"mkdir -p {upper} {work} && mount -t overlay overlay "
                      f"-o lowerdir={target},upperdir={upper},workdir={work} {target}")
    # podman's container locks live in shared memory (/dev/shm/libpod_lock): a private one.
    script.append("mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm")
    return script


def isolate():
    """Re-runs this script in a private mount namespace whose /var/lib and /run are overlays
    with their upper layers in a temporary folder: the fixed paths the engines write for root
    (containers/image's /var/lib/containers/cache, containerd 1.6's /run/containerd/s) land
    there, and the host's stay as they are. Returns the folder (inside), or does not return."""
    if os.environ.get(_NS_MARK):
        return os.environ[_NS_MARK]
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return None
    scratch = tempfile.mkdtemp(prefix="husk-engines-ns-", dir="/var/tmp")
    env = dict(os.environ, **{_NS_MARK: scratch})
    script = ['mount --make-rprivate /'] + private_mounts(scratch) + ['exec "$@"']
    code = subprocess.call(["unshare", "-m", "sh", "-c", " && ".join(script), "sh",
                            sys.executable] + sys.argv, env=env)
    shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(code)


# ---- TAP ------------------------------------------------------------------------------------
class _TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.number = 0
        self.bad = 0

    def _line(self, test, ok, note=""):
        self.number += 1
        print(f"{'ok' if ok else 'not ok'} {self.number} - {test.id().split('.', 1)[-1]}{note}",
              flush=True)

    def startTest(self, test):
        super().startTest(test)
        self._t0 = time.monotonic()

    def addSuccess(self, test):
        self._line(test, True, f" ({time.monotonic() - self._t0:.1f} s)")

    def addSkip(self, test, reason):
        self._line(test, True, f" # SKIP {reason}")

    def _fail(self, test, err):
        self.bad += 1
        self._line(test, False)
        for line in "".join(traceback.format_exception(*err)).splitlines():
            print("# " + line)

    def addFailure(self, test, err):
        self._fail(test, err)

    def addError(self, test, err):
        self._fail(test, err)


def main():
    """Runs the calling module's test cases, printing TAP, in a private mount namespace."""
    isolate()
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules["__main__"])
    result = _TapResult()
    suite.run(result)
    print(f"1..{result.number}", flush=True)  # the plan at the end: a skipped module is one line
    sys.exit(1 if result.bad else 0)
