"""First process inside the grading sandbox's namespaces: builds the filesystem view, drops root.

Started by :mod:`autograder.sandbox` as
``unshare --mount --net --pid --ipc --uts --fork --kill-child -- python -I -S sandbox_init.py CONFIG``
(as root), or with ``--user --map-root-user`` in front (without root: then it is root of a user
namespace of its own), so it runs as root, as PID 1 of a fresh PID namespace, in a private
mount namespace and a network namespace with no interface up. It uses the standard library
only (``-S``: no site-packages) and never imports anything from the course.

It then:

1. mounts a small tmpfs as the new root, with a minimal ``/dev`` and size-limited tmpfs
   ``/tmp``, ``/dev/shm`` and home folder (owned by the sandbox user) in it, the submission
   copied into the home folder;
2. bind-mounts into it, read-only, only what running Python and the public course library
   needs (``/usr``, ``/etc``, the interpreter and its shared libraries, the virtualenv,
   ``rnnlab``, the dataset builders and data), at their host paths, under parents it creates
   itself (mode 755 whatever the grader's umask) and *after* the scratch folders, so that a
   course under ``/tmp`` stays visible. Root reaches the sources whatever the permissions of
   their host parents (a mode-700 home folder, ``/root``), and the sandbox user only ever
   walks the new parents. Everything else of the host (the solutions, the hidden-test specs,
   compiled plans, the repository's history, other users' files) does not exist inside;
   hidden material that lies inside a bound folder gets an empty, unreadable mount over it;
3. gives it a fresh ``/proc`` (this PID namespace only) and makes the new root read-only;
4. ``chroot``s there, empties the capability bounding set, drops every group and becomes the
   unprivileged sandbox user (which leaves no capability) or, in a user namespace, stays its
   uid 0 but drops every capability for good (securebits ``noroot``, locked), sets
   ``no_new_privs`` and a parent-death signal (``setuid`` clears the one ``unshare
   --kill-child`` set), and starts the worker as its child. It stays as PID 1 of the
   namespace: it reaps orphans and, when the worker ends, exits with the worker's status
   (128 + N for a worker killed by signal N), upon which the kernel ends every process left in
   the namespace.

CONFIG is a JSON object: ``root``, ``uid``, ``gid``, ``userns`` (bool), ``binds`` ([path, ...]),
``masks`` (paths inside a bound folder that get an empty, unreadable mount over them),
``symlinks`` ([[link, target], ...]), ``files`` ({host path: name in home}), ``home``,
``tmpfs_bytes``, ``argv``, ``env``.
"""

import ctypes
import json
import os
import signal
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1024, 2048, 1 << 21, 1 << 24
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 28, 47, 4
# noroot, no_setuid_fixup, no_cap_ambient_raise, each locked; keep_caps off and locked
SECUREBITS = 0x01 | 0x02 | 0x04 | 0x08 | 0x20 | 0x40 | 0x80
LINUX_CAPABILITY_VERSION_3 = 0x20080522
DEVICES = ("null", "zero", "full", "random", "urandom")
SCRATCH = ("/dev", "/proc")  # folders that get mounts of their own, where nothing is bound

_libc = ctypes.CDLL(None, use_errno=True)


def _mount(source, target, fstype, flags, data=None):
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    if _libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def _prctl(option, value):
    if _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"prctl({option}): {os.strerror(err)}")


def _kept_flags(source):
    """The source mount's flags a read-only remount must keep (in a user namespace they are
    locked: leaving one out fails with EPERM)."""
    try:
        have = os.statvfs(source).f_flag
    except OSError:
        return 0
    flags = 0
    for st, ms in ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
                   (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
                   (getattr(os, "ST_RELATIME", 4096), MS_RELATIME)):
        if have & st:
            flags |= ms
    if not flags & (MS_NOATIME | MS_RELATIME):
        flags |= MS_STRICTATIME
    return flags


def _bind(source, target, readonly=True):
    if not os.path.exists(source):
        raise OSError(2, f"cannot show {source} inside the sandbox: it does not exist")
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC)
    if readonly:
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
               | _kept_flags(source))


def _drop_bounding_set():
    """Empties the capability bounding set: no execve can give a capability back."""
    last = 63
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        pass
    for cap in range(last + 1):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0) != 0:
            err = ctypes.get_errno()
            if err != 22:  # EINVAL: no such capability on this kernel
                raise OSError(err, f"dropping capability {cap}: {os.strerror(err)}")


def _drop_capabilities():
    """Empties the bounding, ambient, effective, permitted and inheritable sets, for good."""
    _drop_bounding_set()
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (x2): all zero
    if _libc.capset(header, data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def build(cfg):
    root = cfg["root"]
    uid, gid = cfg["uid"], cfg["gid"]
    os.umask(0o022)  # the folders made here must be traversable, whatever the grader's umask
    for path in cfg["binds"]:
        if any(path == s or path.startswith(s + "/") for s in SCRATCH):
            raise OSError(22, f"cannot show {path} inside the sandbox: {path.split('/')[1]} "
                              f"is its own there")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=755")
    # Scratch folders first: what is bound below (a course under /tmp) must stay visible.
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in DEVICES:
        _bind("/dev/" + name, dev + "/" + name, readonly=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, dev + "/" + name)
    size = int(cfg["tmpfs_bytes"])
    for path, mode, owner in (("/dev/shm", "1777", None), ("/tmp", "1777", None),
                              (cfg["home"], "700", (uid, gid))):
        os.makedirs(root + path, exist_ok=True)
        opts = f"size={size},mode={mode}" + (f",uid={uid},gid={gid}" if owner else "")
        _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, opts)
    for source, name in cfg["files"].items():
        target = os.path.join(root + cfg["home"], name)
        with open(source, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read())
        os.chown(target, uid, gid)
    for path in cfg["binds"]:
        _bind(path, root + path)
    for path in cfg.get("masks", []):  # hidden material that lies inside a bound folder
        target = root + path
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                   "size=4k,mode=000")
        elif os.path.exists(target):
            _mount("/dev/null", target, None, MS_BIND)
    for link, target in cfg["symlinks"]:
        os.makedirs(os.path.dirname(root + link), exist_ok=True)
        os.symlink(target, root + link)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(root)
    os.chdir(cfg["home"])
    if cfg.get("userns"):
        # Root of a user namespace of its own (the grader's user outside it): stay uid 0,
        # but with no capability, now or after any execve.
        _prctl(PR_SET_SECUREBITS, SECUREBITS)
        _drop_capabilities()
    else:
        _drop_bounding_set()  # setresuid then clears the other sets
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(argv):
    cfg = json.loads(argv[0])
    try:
        build(cfg)
    except Exception as exc:  # noqa: BLE001 - report anything, in one line, and stop
        print(f"autograder sandbox: setting up failed: {exc}", file=sys.stderr, flush=True)
        return 121
    worker = os.fork()
    if worker == 0:
        try:
            os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])
        finally:
            os._exit(122)
    # PID 1 of the namespace: let go of the worker's channels (so that the grader sees them
    # close when the worker dies), reap orphans, and report how the worker ended. Signals
    # from inside the namespace cannot reach it (it has no handlers).
    os.closerange(3, 1 << 16)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == worker:
            if os.WIFSIGNALED(status):
                return 128 + os.WTERMSIG(status)
            return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
