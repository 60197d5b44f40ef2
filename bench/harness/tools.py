"""The tools compared, found on the host; their versions; the bundles they run.

Every runtime runs the same rootfs (busybox-static, /bin/true its applet) from bundles made
here from the config `runc spec` writes (`launch spec`'s when runc is absent).
"""
import copy
import ctypes
import json
import os
import platform
import shutil
import subprocess
import tempfile

RUNTIMES = ["runc", "crun", "youki"]
SANDBOXES = ["bwrap"]
INITS = ["tini", "tini-static", "dumb-init", "catatonit"]
COMPETITORS = RUNTIMES + SANDBOXES + INITS

# System calls Docker's default profile leaves out (or allows only with arguments or
# capabilities); the profile here allows every other one libseccomp knows.
DOCKER_DENIED = {
    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "clone3", "create_module",
    "delete_module", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick",
    "get_kernel_syms", "get_mempolicy", "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load",
    "kexec_load", "keyctl", "lookup_dcookie", "mbind", "mount", "mount_setattr", "move_mount",
    "move_pages", "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree",
    "perf_event_open", "personality", "pivot_root", "process_vm_readv", "process_vm_writev",
    "ptrace", "query_module", "quotactl", "quotactl_fd", "reboot", "request_key",
    "set_mempolicy", "setdomainname", "sethostname", "setns", "settimeofday", "stime", "swapoff",
    "swapon", "sysfs", "syslog", "_sysctl", "umount", "umount2", "unshare", "uselib",
    "userfaultfd", "ustat", "vm86", "vm86old"}


def which(name, extra_dirs=()):
    for d in extra_dirs:
        path = os.path.join(d, name)
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def version(path):
    """First line of `TOOL --version` (stdout or stderr), or '?'."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    for text in (out.stdout, out.stderr):
        line = text.strip().splitlines()[0] if text.strip() else ""
        if line:
            return line
    return "?"


def find(wanted):
    """{name: path} of the competitors present among `wanted`, and {name: why} of the others."""
    found, absent = {}, {}
    for name in wanted:
        path = which(name)
        if path:
            found[name] = path
        else:
            absent[name] = "not installed"
    return found, absent


def seccomp_profile():
    """A Docker-like profile: errno by default, the syscalls libseccomp knows for this
    architecture allowed but those Docker's default profile denies, on the x86 family (or the
    native architecture elsewhere). None without libseccomp."""
    try:
        lib = ctypes.CDLL("libseccomp.so.2")
    except OSError:
        return None
    lib.seccomp_arch_native.restype = ctypes.c_uint32
    lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
    lib.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32, ctypes.c_int]
    free = ctypes.CDLL(None).free
    free.argtypes = [ctypes.c_void_p]
    arch = lib.seccomp_arch_native()
    names = set()
    for nr in range(0, 1024):
        ptr = lib.seccomp_syscall_resolve_num_arch(arch, nr)
        if ptr:
            names.add(ctypes.string_at(ptr).decode())
            free(ptr)
    names -= DOCKER_DENIED
    arches = (["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
              if platform.machine() == "x86_64" else [])
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": arches,
            "syscalls": [{"names": sorted(names), "action": "SCMP_ACT_ALLOW"}]}


def make_rootfs(path):
    """A busybox-static rootfs with /bin/true, /bin/sh and /bin/sleep (and the mount points the
    bundle's mounts need, since the root is read-only)."""
    busybox = which("busybox")
    if not busybox:
        raise RuntimeError("busybox (static) is needed for the rootfs: "
                           "apt-get install busybox-static")
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(path, d), exist_ok=True)
    shutil.copy(busybox, os.path.join(path, "bin", "busybox"))
    for applet in ("true", "sh", "sleep"):
        link = os.path.join(path, "bin", applet)
        if not os.path.lexists(link):
            os.symlink("busybox", link)


def base_config(runc, launch):
    """The config `runc spec` writes (`launch spec`'s, its equivalent, where runc is absent),
    with terminal false. runc is looked for even when it is not compared. `launch spec` says
    ociVersion 1.2.0, which crun 1.8 refuses ("unknown version specified"); the fallback says
    runc 1.1's 1.0.2-dev, which every runtime takes (the field changes nothing else)."""
    for program in (runc or which("runc"), launch):
        if not program:
            continue
        with tempfile.TemporaryDirectory() as d:
            if subprocess.run([program, "spec"], cwd=d, capture_output=True).returncode == 0:
                with open(os.path.join(d, "config.json")) as f:
                    config = json.load(f)
                config["process"]["terminal"] = False
                if program == launch:
                    config["ociVersion"] = "1.0.2-dev"
                return config
    raise RuntimeError("neither `runc spec` nor `launch spec` wrote a config")


def namespaces(config, kinds):
    config["linux"]["namespaces"] = [{"type": k} for k in kinds]
    if "uts" not in kinds:
        config.pop("hostname", None)


def variant(base, name, rootfs, cgroup, profile=None):
    """The config of a start-up workload (see workloads.STARTUP)."""
    config = copy.deepcopy(base)
    config["process"]["args"] = ["/bin/true"]
    config["root"]["path"] = rootfs
    config["linux"]["cgroupsPath"] = cgroup
    if name == "fewer-ns":
        namespaces(config, ["pid", "mount"])
    elif name == "userns":
        config["linux"]["namespaces"].append({"type": "user"})
        config["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        config["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    elif name == "seccomp":
        config["linux"]["seccomp"] = profile
    return config


def write_bundle(path, config):
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config, f, indent="\t")
    return path
