"""Checks of what a command needs, made before any work so an expected failure is one line and
its own exit code: a port free to listen on, a Dask scheduler that answers, an output folder
holding nothing of someone else's where the release goes."""
from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from flows.release.layout import CONTRACT_PATHS, CURRENT_LINK, RELEASES_DIR
from models.errors import BadArguments, OutputNotWritable, PortInUse, Unreachable


def check_port(host: str, port: int) -> None:
    """PortInUse when `port` cannot be listened on (in use, or privileged); BadArguments when
    it is not a port."""
    if not 0 < port < 65536:
        raise BadArguments(f"--port {port} is not a TCP port (1-65535)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise PortInUse(f"port {port} on {host} {why}; choose another with --port") from exc


def check_scheduler(address: str, timeout: float = 3.0) -> None:
    """Unreachable unless a TCP connection to the Dask scheduler at `address` opens within
    `timeout` seconds (a dead scheduler otherwise costs Dask's own long retry)."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise BadArguments(f"--address {address} is not tcp://HOST:PORT") from exc
    if not host or not port:
        raise BadArguments(f"--address {address} is not tcp://HOST:PORT")
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        why = exc.strerror or (f"no answer in {timeout:.0f} s" if isinstance(exc, TimeoutError)
                               else type(exc).__name__)
        raise Unreachable(f"the Dask scheduler at {address} cannot be reached ({why}); start it "
                          "(`dask scheduler`), check the address, or leave out --address to run "
                          "a local cluster") from exc


def foreign_entries(out: Path) -> list[Path]:
    """What in `out` stands where the release goes and was not put there by missions (a user's
    `csv/` folder, a file named `manifest.json`): publishing would refuse it after every page
    is read, so it is refused first. Our links, empty files and empty folders are fine."""
    found = []
    current = out / CURRENT_LINK
    if current.exists() and not current.is_symlink():
        found.append(current)
    releases = out / RELEASES_DIR
    if releases.exists() and not releases.is_dir():
        found.append(releases)
    for name in CONTRACT_PATHS:
        path = out / name
        if path.is_symlink():
            if not os.readlink(path).startswith(CURRENT_LINK) and path.exists():
                found.append(path)
        elif path.is_file() and path.stat().st_size > 0 or path.is_dir() and any(path.iterdir()) or path.exists() and not (path.is_file() or path.is_dir()):
            found.append(path)
    return found


def check_output(out: Path) -> None:
    """OutputNotWritable naming what in `out` was not written by missions (nothing is deleted)."""
    foreign = foreign_entries(out)
    if foreign:
        listed = ", ".join(str(p) for p in foreign)
        raise OutputNotWritable(
            f"{listed} already {'exists' if len(foreign) == 1 else 'exist'} in the output folder "
            "and {} not written by missions; nothing was read or deleted. Move {} away, or choose "
            "another --out folder.".format("was" if len(foreign) == 1 else "were",
                                           "it" if len(foreign) == 1 else "them"))
