"""A real Prefect API server for schedules and scale-out: reuse PREFECT_API_URL or start one."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flows.pipeline.lifeline import lifeline_argv
from models.errors import MissingDependency

STARTUP_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _wait_healthy(api_url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise MissingDependency(f"the Prefect server exited with code {proc.returncode} while "
                                    f"starting (log {log}): {tail.strip()}")
        if is_healthy(api_url, timeout=1.0):
            return
        time.sleep(0.05)
    _stop(proc)
    raise MissingDependency(f"the Prefect server did not become healthy within {STARTUP_TIMEOUT_S} s "
                            f"(log {log}); check that port {api_url} is free.")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _spawn(argv: list[str], log: Path, env_updates: dict[str, str],
           tied: bool = True) -> subprocess.Popen[bytes]:
    """A server child in its own process group, output to `log`, never PREFECT_API_URL's
    client (it is the server), analytics off. `tied`: under a lifeline (flows/pipeline/lifeline.py),
    so that it and all it starts stop when this process ends, `kill -9` included."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **env_updates}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", *argv]
    with open(log, "wb") as out:
        return subprocess.Popen(lifeline_argv(command) if tied else command, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                                start_new_session=True)


def _spawn_prefect_server(port: int, log_dir: Path, tied: bool = True
                          ) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`prefect server start` on 127.0.0.1:port (UI included); (process, API URL, log)."""
    api_url = f"http://127.0.0.1:{port}/api"
    log = log_dir / f"server-{port}.log"
    proc = _spawn(["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                  log, {"PREFECT_UI_API_URL": api_url}, tied)
    return proc, api_url, log


def _prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME", "."))


@contextmanager
def prefect_server(port: int | None = None, log_dir: Path | None = None) -> Iterator[str]:
    """Yield the API URL of a healthy Prefect server.

    With PREFECT_API_URL set, that server is used (and must answer). Otherwise
    `prefect server start` runs on 127.0.0.1 (SQLite in PREFECT_HOME) in its own process
    group, PREFECT_API_URL is exported for this process and its children (Dask workers), and
    the server is stopped on exit — only what was started here is stopped.
    """
    existing = os.environ.get("PREFECT_API_URL")
    if existing:
        if not is_healthy(existing, timeout=10):
            raise MissingDependency(f"PREFECT_API_URL is {existing} but no Prefect server answers "
                                    "there; start it or unset PREFECT_API_URL.")
        yield existing
        return
    proc, api_url, log = _spawn_prefect_server(port or free_port(), log_dir or _prefect_home())
    try:
        _wait_healthy(api_url, proc, log)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        _stop(proc)


REGISTRY = "missions-server.json"


def _registry_path() -> Path:
    return _prefect_home() / REGISTRY


def registered_server() -> str | None:
    """The API URL of a healthy server that `missions server start` left running, if any."""
    import json

    try:
        info = json.loads(_registry_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = info.get("api_url")
    return url if isinstance(url, str) and is_healthy(url, timeout=1.0) else None


def start_detached_server(port: int | None = None) -> str:
    """Start a Prefect server that outlives this command (until `missions server stop`)."""
    import json

    url = registered_server()
    if url:
        return url
    proc, api_url, log = _spawn_prefect_server(port or free_port(), _prefect_home(), tied=False)
    _wait_healthy(api_url, proc, log)
    _registry_path().write_text(json.dumps({"api_url": api_url, "pid": proc.pid, "log": str(log)}),
                                encoding="utf-8")
    return api_url


def stop_detached_server() -> bool:
    """Stop the server `missions server start` left running; False when there was none."""
    import json

    path = _registry_path()
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    path.unlink(missing_ok=True)
    try:
        os.killpg(int(info["pid"]), signal.SIGTERM)
    except (ProcessLookupError, KeyError, ValueError, PermissionError):
        return False
    return True


MIGRATED_MARK = "missions-migrated.txt"  # PREFECT_HOME: the Prefect version its database is at


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")


def _database_is_current() -> bool:
    """Whether Prefect's default SQLite database in PREFECT_HOME was migrated by this Prefect
    version already (a database configured elsewhere is always checked)."""
    if os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL") or os.environ.get(
            "PREFECT_SERVER_DATABASE_CONNECTION_URL"):
        return False
    home = _prefect_home()
    try:
        mark = (home / MIGRATED_MARK).read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return mark == _prefect_version() and (home / "prefect.db").is_file()


class EmbeddedServer:
    """Prefect's embedded API server (uvicorn, SQLite in PREFECT_HOME) started at once in a
    child process, so it boots while this process imports and loads its rules; stopped with
    `stop()`. The same server Prefect would start itself on the first flow call, minus the
    seconds of importing the server package into this process first, and minus start-up
    work an ad-hoc run does not need: block types are not registered (no blocks are used), and
    the migration check is skipped once this Prefect version has migrated the database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log = _prefect_home() / "embedded-server.log"
        self.migrates = not _database_is_current()
        self.proc = _spawn(
            ["uvicorn", "--factory", "prefect.server.api.server:create_app", "--host",
             "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            self.log, {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                       "PREFECT__SERVER_FINAL": "1", "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
                       "PREFECT_API_DATABASE_MIGRATE_ON_START": str(self.migrates).lower()})

    def wait_ready(self) -> str:
        _wait_healthy(self.api_url, self.proc, self.log)
        if self.migrates:
            try:
                (_prefect_home() / MIGRATED_MARK).write_text(_prefect_version(), encoding="utf-8")
            except OSError:
                pass  # the check runs again next time
        return self.api_url

    def stop(self, wait: bool = True) -> None:
        """Stop the server; without `wait`, ask it to stop and let it finish on its own (its
        database writes are SQLite transactions: an early exit loses nothing)."""
        if not wait:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            return
        _stop(self.proc)
