"""Every process we start dies with us, `kill -9` included: the parent-death signal (Linux
prctl PR_SET_PDEATHSIG) and process groups, for the Prefect servers, the readers and tesseract.

Servers are started as `python -m flows.pipeline.lifeline PARENT_PID -- COMMAND…`: this process leads
the server's process group, asks the kernel for SIGTERM when its parent dies, and then stops
the whole group (the server and whatever it started), SIGKILL after a grace period. Reader
workers call `guard_worker` first thing: each leads a group of its own (the tesseract it starts
joins it), and the group is killed when the worker is told to stop or its parent goes.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
GRACE_S = 8.0  # a server stopped with SIGTERM gets this long before SIGKILL
WATCH_S = 0.2  # how often a worker looks whether its parent is still there


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent exits (Linux; False where
    prctl is not available, e.g. macOS: the watchdogs below still apply)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_group(*_args: object) -> None:
    os.killpg(os.getpgid(0), signal.SIGKILL)  # this process and all it started: no orphan


def guard_worker(owner: int) -> None:
    """In a reader worker, first thing: lead a process group (the tesseract it starts joins
    it), and kill that group when the worker is told to stop (SIGTERM), when its parent dies
    (parent-death signal), or when `owner` (the `missions` process) is gone (a watchdog thread,
    for a worker busy in C code when the signal comes)."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _kill_group)
    die_with_parent(signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent and alive(owner):
            time.sleep(WATCH_S)
        _kill_group()

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def lifeline_argv(command: list[str]) -> list[str]:
    """`command` run under a lifeline tied to this process."""
    return [sys.executable, "-m", "flows.pipeline.lifeline", str(os.getpid()), "--", *command]


def main(argv: list[str]) -> int:
    """`python -m flows.pipeline.lifeline PARENT_PID -- COMMAND…` (see the module's docstring)."""
    parent, command = int(argv[0]), argv[2:]
    # a plain flag: the handler runs in this thread, and an Event's set() from a signal handler
    # deadlocks on the lock its wait() holds (a lifeline stuck forever, its server a zombie)
    stopping: list[bool] = []

    def stop(*_args: object) -> None:
        stopping.append(True)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent or not alive(parent):
        return 0  # the parent went before we could tie ourselves to it
    child = subprocess.Popen(command)
    while child.poll() is None and not stopping:
        if not alive(parent):
            break
        time.sleep(WATCH_S)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    os.killpg(os.getpgid(0), signal.SIGTERM)  # the server, and anything it started
    if child.poll() is not None and not stopping:  # it ended by itself: say how
        return child.returncode if child.returncode >= 0 else 128 - child.returncode
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(GRACE_S)
    _kill_group()
    return 0  # not reached: the group's SIGKILL ends this process too


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
