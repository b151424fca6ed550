"""Shared fixtures: the samples ingested once by the real CLI (real Prefect, recorded OCR).

The session leaves the machine as it found it: Prefect's home and the user cache are a
temporary folder of the session's, set before anything imports Prefect (never the user's
PREFECT_HOME, server or ~/.cache/missions), and removed at the end; hypothesis keeps no
database and pytest no cache in the repository.

OCR comes from tesseract's outputs recorded in tests/data/ocr (MISSIONS_OCR_ENGINE=recorded:…,
inherited by every process a test starts); a call nobody recorded fails its test and the
session, naming the command that records it (`pytest --record-ocr`, or
`python -m bench.record_ocr`). Tests marked `real_ocr` run the real tesseract binary
(`real_tesseract`, or MISSIONS_OCR_ENGINE=tesseract in a run's environment). A preset
MISSIONS_OCR_ENGINE wins (`MISSIONS_OCR_ENGINE=tesseract pytest` runs everything on tesseract).
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

assert "prefect" not in sys.modules, "Prefect was imported before the tests' PREFECT_HOME was set"
# One session folder for the whole run: made by the first process that imports this file and
# handed down (by the environment) to pytest-xdist's workers and to any process a test starts
# that imports the tests again (a pickled test function in a spawned pool), which reuse it;
# only its maker removes it.
SESSION_ENV = "MISSIONS_TESTS_SESSION"
OWNS_SESSION = not os.environ.get(SESSION_ENV)
if OWNS_SESSION:
    os.environ[SESSION_ENV] = tempfile.mkdtemp(prefix="missions-tests-")
    # removed at the session's end (pytest_sessionfinish), and at exit too: a script that imports
    # a test module's helpers outside pytest has no session end and left an empty folder behind
    atexit.register(shutil.rmtree, os.environ[SESSION_ENV], ignore_errors=True)
SESSION = Path(os.environ[SESSION_ENV])
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# the CLI's runs, and this process: one Prefect home (one SQLite file) per worker, so no two
# processes ever migrate one new database at once
os.environ["PREFECT_HOME"] = str(SESSION / f"prefect-{WORKER}")
os.environ["XDG_CACHE_HOME"] = str(SESSION / "cache")  # models.paths.user_cache: spaCy's rules
# hypothesis writes caches (constants, unicode data) under .hypothesis/ of the working folder
# whatever its database setting: the session's folder instead of the repository
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(SESSION / "hypothesis")
if OWNS_SESSION:
    os.environ.pop("PREFECT_API_URL", None)  # no server of the user's (the session starts one)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"

# The tests send Ctrl-C (SIGINT) to the commands they start, as a user at a terminal does: a
# session started where SIGINT is ignored (`pytest … &` in a script) would hand that on to them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

import pandas as pd
import pytest
from hypothesis import settings
from PIL import Image, ImageDraw, ImageFont

settings.register_profile("missions", database=None)  # no example database kept
settings.load_profile("missions")
with contextlib.suppress(ImportError):  # read once, maybe before this file: set it here too
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(SESSION / "hypothesis")


ROOT = Path(__file__).resolve().parents[1]
OCR_RECORDINGS = ROOT / "tests" / "data" / "ocr"
OCR_MISSES = SESSION / "ocr-misses.txt"
REAL_OCR = {"MISSIONS_OCR_ENGINE": "tesseract"}  # a run's environment for the real binary


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--record-ocr", action="store_true",
                     help="record with the real tesseract the OCR calls tests/data/ocr lacks")


def pytest_configure(config: pytest.Config) -> None:
    from extractors.engine_doubles import MISSES_ENV
    from extractors.engines import ENGINE_ENV

    config.addinivalue_line("markers", "real_ocr: runs the real tesseract binary, not recordings")
    if config.getoption("--record-ocr"):
        os.environ[ENGINE_ENV] = f"recording:{OCR_RECORDINGS}"
    else:
        os.environ.setdefault(ENGINE_ENV, f"recorded:{OCR_RECORDINGS}")
    os.environ[MISSES_ENV] = str(OCR_MISSES)
    if OWNS_SESSION:
        start_session_server()
        # spaCy's French tokenizer rules, built once into the session's cache while the
        # workers start (they and the runs they start wait on its lock rather than build it)
        global _tokenizer
        build = "from extractors.rules import french_tokenizer_rules; french_tokenizer_rules()"
        _tokenizer = subprocess.Popen([sys.executable, "-c", build], cwd=ROOT,
                                      env={**os.environ, "PYTHONPATH": str(ROOT)})


# One Prefect API server for the whole session (its SQLite migrated once, not once per process
# that runs a flow): started by the session's maker, its URL handed down in PREFECT_API_URL to
# pytest-xdist's workers and the CLI runs they start. The tests of the embedded server (the
# user's default: no server running) and of `serve`/`--runner dask` starting their own clear
# PREFECT_API_URL in the run's environment.
SERVER_HOME = SESSION / "prefect-server"
_server: subprocess.Popen[bytes] | None = None
_tokenizer: subprocess.Popen[bytes] | None = None


def start_session_server() -> None:
    """Started as the product starts its servers (its own process group, under a lifeline tied
    to this process: it dies with it), without the UI and the background services."""
    global _server
    from flows.orchestration.server import _spawn, free_port

    port = free_port()
    _server = _spawn(["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port),
                      "--no-ui", "--no-services"], SERVER_HOME / "server.log",
                     {"PREFECT_HOME": str(SERVER_HOME)})
    os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"


_server_ready = False


def session_server() -> str:
    """The session's Prefect API URL, once its server answers (it boots while tests start)."""
    global _server_ready
    from flows.orchestration.server import is_healthy

    url = os.environ["PREFECT_API_URL"]
    deadline = time.monotonic() + 180
    while not _server_ready:
        _server_ready = is_healthy(url, timeout=1.0)
        if not _server_ready:
            if time.monotonic() > deadline:
                log = (SERVER_HOME / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the session's Prefect server never answered: {log}")
            time.sleep(0.1)
    return url


def migrated_prefect_home(home: Path | None = None) -> Path:
    """`home` (this process's PREFECT_HOME by default) holding a copy of the session server's
    database, migrated already: a Prefect server a test starts there (the embedded one,
    `serve`'s, `--runner dask`'s) boots in seconds instead of migrating a new SQLite file."""
    import sqlite3

    home = home or Path(os.environ["PREFECT_HOME"])
    target = home / "prefect.db"
    if not target.exists():
        session_server()
        home.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(SERVER_HOME / "prefect.db")
        copy = sqlite3.connect(target)
        with source, copy:
            source.backup(copy)  # a consistent copy of a live database
        source.close()
        copy.close()
    return home


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not OWNS_SESSION:  # a worker: the process that made the session speaks for it
        return
    if _tokenizer is not None:
        _tokenizer.wait()
    if _server is not None:
        from flows.orchestration.server import _stop

        _stop(_server)  # SIGTERM to its group (the lifeline stops the server), then SIGKILL
    if OCR_MISSES.exists() and OCR_MISSES.stat().st_size:
        calls = len(set(OCR_MISSES.read_text(encoding="utf-8").splitlines()))
        print(f"\n{calls} OCR call(s) have no recording in {OCR_RECORDINGS} (an image or a "
              "tesseract call changed?): record them with `pytest --record-ocr` or "
              "`python -m bench.record_ocr`", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    shutil.rmtree(SESSION, ignore_errors=True)


@pytest.fixture
def real_tesseract(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real tesseract binary for this test (and the processes it starts)."""
    monkeypatch.setenv("MISSIONS_OCR_ENGINE", "tesseract")


SAMPLES = ROOT / "samples"
LEGACY = SAMPLES / "rapport-2020-legacy.txt"  # legacy OCR text: a release in a few seconds
MISSIONS = [sys.executable, "-m", "flows.cli"]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def text_image(lines: list[str], size: tuple[int, int] = (1400, 500), pt: int = 11,
               dpi: int = 300, margin: int = 60) -> Image.Image:
    """A white page with `lines` printed in DejaVu Sans at `pt` points for `dpi`."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, int(pt * dpi / 72))
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * int(pt * dpi / 72 * 1.6)), line, fill="black", font=font)
    return img


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None,
            timeout: float = 600) -> CliRun:
    """Run `missions …` as a user would (a separate process), return code and output. Its
    Prefect flow runs on the session's server (`env={"PREFECT_API_URL": ""}`: on its own)."""
    if (env or {}).get("PREFECT_API_URL", "x"):
        session_server()
    else:
        migrated_prefect_home()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([*MISSIONS, *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, check=False)
    return CliRun(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class Release:
    out: Path
    run: CliRun
    frames: dict[str, pd.DataFrame]


@contextlib.contextmanager
def made_once(name: str) -> Iterator[tuple[Path, bool]]:
    """A folder of the session's made once for all pytest-xdist workers: yields (folder, whether
    this process must make it), under a lock that the other workers wait on meanwhile."""
    import fcntl

    folder = SESSION / name
    with open(SESSION / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = folder / ".made"
        yield folder, not made.exists()
        made.parent.mkdir(parents=True, exist_ok=True)
        made.touch()


@pytest.fixture(scope="session")
def sample_release() -> Release:
    """The samples ingested by `missions ingest samples --out …`, once for the whole session
    (tests only read it; a test that changes a release copies it first)."""
    from flows.release.layout import read_release

    with made_once("sample-release") as (folder, make):
        out = folder / "out"
        if make:
            run = run_cli("ingest", str(SAMPLES), "--out", str(out))
            assert run.returncode == 0, run.stderr
            (folder / "run.json").write_text(json.dumps(run.__dict__), encoding="utf-8")
        run = CliRun(**json.loads((folder / "run.json").read_text(encoding="utf-8")))
    return Release(out=out, run=run, frames=read_release(out))


def legacy_release(root: Path, *, inbox: str = "inbox", name: str = LEGACY.name,
                   beside: Mapping[str, str] | None = None, workers: int | None = None) -> Path:
    """A small release made as a user makes one, in this process: the legacy-text sample copied
    into `root/inbox` as `name` (the text files `beside` written next to it) and ingested into
    `root/out`, which is returned."""
    from flows.pipeline.run import ingest

    folder = root / inbox
    folder.mkdir(parents=True)
    shutil.copy(LEGACY, folder / name)
    for file_name, text in (beside or {}).items():
        (folder / file_name).write_text(text, encoding="utf-8")
    ingest([folder], root / "out", workers=workers)
    return root / "out"


def expected_samples() -> list[Path]:
    return sorted(SAMPLES.rglob("*.expected.json"))


def load_expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def all_truths() -> dict[str, dict]:
    """Every sample's expected records (samples/ and its sub-folders), by the sample's path
    relative to samples/: the counts tests expect come from here, never from literals."""
    return {str(p.relative_to(SAMPLES)).removesuffix(".expected.json"): load_expected(p)
            for p in sorted(SAMPLES.rglob("*.expected.json"))}


def truth(name: str) -> dict:
    """The expected records of one sample, by its path relative to samples/."""
    return all_truths()[name]


def ignored_sample_files() -> int:
    """The entries under samples/ a run counts as ignored: the files its `.missionsignore` lists,
    and hidden files and folders and the folders it lists (one entry each, not looked into)."""
    import fnmatch

    patterns = [ln.strip() for ln in (SAMPLES / ".missionsignore").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
    count = 0
    for _dirpath, dirnames, filenames in os.walk(SAMPLES):
        skipped = [d for d in dirnames if d.startswith(".")
                   or any(fnmatch.fnmatch(d + "/", pat) for pat in patterns)]
        count += len(skipped)
        dirnames[:] = [d for d in dirnames if d not in skipped]
        count += sum(1 for f in filenames if f != ".missionsignore" and (
            f.startswith(".") or any(fnmatch.fnmatch(f, pat) for pat in patterns)))
    return count


@contextlib.contextmanager
def tiny_filesystem(folder: Path, size: str) -> Iterator[Path]:
    """`folder` as a tmpfs of `size` (`256k`) for the block (a disk that fills up); the test is
    skipped where it cannot be mounted (it needs root)."""
    folder.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int = 0) -> None:
    """Fill the filesystem of `folder`, leaving about `leave` bytes free."""
    filler = folder / "filler"
    with open(filler, "wb") as fh, contextlib.suppress(OSError):
        fh.write(b"\0" * (1 << 20))
    os.truncate(filler, max(0, filler.stat().st_size - leave))
