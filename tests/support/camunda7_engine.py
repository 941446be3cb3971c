"""A real Camunda 7 engine for tests and benchmarks (the Spring Boot app in
``tests/camunda7_harness/``), imported as ``tests.support.camunda7_engine`` by both.

The ``camunda7_engine`` fixture builds the harness jar when it is missing or its sources
changed, starts it with ``java -jar`` on a free loopback port, waits until
``GET /engine-rest/version`` answers and stops the JVM when the session ends, also when a
test or the startup failed. The JVM gets ``PR_SET_PDEATHSIG`` so even a pytest killed with
SIGKILL leaves no engine behind.

Without ``java`` (or without ``mvn`` when a build is needed) the tests that use the engine
skip locally and fail when ``CI=true``: in CI a missing engine is a broken pipeline, not a
reason to go green.

``BPMN_BRIDGE_CAMUNDA7_URL`` points the fixture at an engine that is already running
(``http://host:port/engine-rest``) instead of starting one.

``Camunda7Process`` is one JVM that a test may kill: with ``database=`` it keeps its state
in a file-based H2 database, so ``kill()`` (SIGKILL, no shutdown hooks) followed by
``start()`` brings back the same engine, on the same port, with what it had committed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx
import pytest

from tests.support import peers

HARNESS_DIR = Path(__file__).parents[1] / "camunda7_harness"
JAR_PATH = HARNESS_DIR / "target" / "camunda7-harness.jar"

STARTUP_TIMEOUT_S = 120.0
BUILD_TIMEOUT_S = 900.0
_LOG_TAIL_LINES = 60

# Tests: serial GC, a small heap and C1 only, for a short-lived engine that starts fast.
# Benchmarks: the JVM as a production engine runs, full JIT (C2) and the JVM's own choice
# of garbage collector (G1 on a server-class machine: it collects on every core, where the
# serial collector stops the engine on one).
_JVM_FLAGS = ["-Xss512k"]
_QUICK_START_FLAGS = ["-XX:+UseSerialGC", "-Xmx512m", "-XX:TieredStopAtLevel=1"]
_PRODUCTION_FLAGS = ["-Xmx1g"]


@dataclass(frozen=True)
class Camunda7Engine:
    """A running Camunda 7 engine.

    Attributes:
        url: REST root, ``http://127.0.0.1:PORT/engine-rest``.
        log_path: the JVM's stdout/stderr, or None for an external engine.
        startup_seconds: wall time from ``java -jar`` to the first answer of ``/version``.
    """

    url: str
    log_path: Path | None
    startup_seconds: float


def _unavailable(reason: str) -> NoReturn:
    peers.unavailable("real Camunda 7 engine", reason)


def build_jar() -> Path:
    """Build the harness jar with its ``build.sh`` unless it was built from the current sources.

    Returns:
        The jar's path.

    Raises:
        RuntimeError: Maven failed; the message holds the tail of its output.
    """
    try:
        return peers.build_jar(HARNESS_DIR, JAR_PATH.name, timeout=BUILD_TIMEOUT_S)
    except peers.PeerUnavailable as error:
        _unavailable(str(error))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-_LOG_TAIL_LINES:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _wait_until_up(
    process: subprocess.Popen[bytes], url: str, log_path: Path, deadline: float
) -> None:
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"Camunda 7 engine exited with {process.returncode} during startup; "
                    f"log {log_path}:\n{_log_tail(log_path)}"
                )
            with contextlib.suppress(httpx.TransportError):
                if client.get(f"{url}/version").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError(
        f"Camunda 7 engine not up after {STARTUP_TIMEOUT_S:.0f}s; "
        f"log {log_path}:\n{_log_tail(log_path)}"
    )


class Camunda7Process:
    """One real Camunda 7 JVM that can be stopped, killed and started again.

    Every start uses the same port, so clients keep their URL across a restart. With
    ``database`` the engine keeps its state in a file-based H2 database at that path
    (without it: in memory, gone with the process).

    Args:
        log_dir: where the JVM's output goes, ``camunda7.log`` then ``camunda7-2.log``, ...
        database: H2 database file prefix (``dir/name``), or None for in-memory.
        full_jit: run the JVM as production does, for benchmarks: the optimizing compiler
            (C2) and the JVM's own choice of garbage collector; by default C1 only and the
            serial collector, which start faster.
    """

    def __init__(
        self, log_dir: Path, *, database: Path | None = None, full_jit: bool = False
    ) -> None:
        self.log_dir = log_dir
        self.database = database
        self.full_jit = full_jit
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/engine-rest"
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The running JVM's process id, or None when it is not running."""
        if self._process is None or self._process.poll() is not None:
            return None
        return self._process.pid

    def start(self) -> Camunda7Engine:
        """Start the JVM and wait until ``/version`` answers.

        Returns:
            The running engine.

        Raises:
            RuntimeError: the build failed, or the JVM exited or did not answer in time.
        """
        if self.pid is not None:
            raise RuntimeError(f"Camunda 7 engine already running as pid {self.pid}")
        java = peers.require_java("real Camunda 7 engine")
        jar = build_jar()
        self.starts += 1
        suffix = "" if self.starts == 1 else f"-{self.starts}"
        log_path = self.log_dir / f"camunda7{suffix}.log"
        mode = _PRODUCTION_FLAGS if self.full_jit else _QUICK_START_FLAGS
        args = [java, *_JVM_FLAGS, *mode, "-jar", str(jar), f"--server.port={self.port}"]
        if self.database is not None:
            # the file lock is the OS's: a killed JVM leaves none behind
            args.append(
                f"--spring.datasource.url=jdbc:h2:file:{self.database}"
                # every commit on disk at once: a SIGKILL must not lose what was answered
                ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0"
            )
        started = time.monotonic()
        with open(log_path, "wb") as log:
            self._process = subprocess.Popen(
                peers.dying_with_parent(args),
                cwd=self.log_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_up(self._process, self.url, log_path, started + STARTUP_TIMEOUT_S)
        except BaseException:
            self.stop()
            raise
        return Camunda7Engine(
            url=self.url, log_path=log_path, startup_seconds=time.monotonic() - started
        )

    def kill(self) -> None:
        """SIGKILL the JVM (no shutdown hooks, no clean database close) and reap it."""
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError("Camunda 7 engine is not running: nothing to kill")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the JVM (SIGTERM, then SIGKILL after 15 s) if it runs."""
        if self._process is not None:
            _stop(self._process)


@contextlib.contextmanager
def run_engine(
    log_dir: Path, *, database: Path | None = None, full_jit: bool = False
) -> Iterator[Camunda7Engine]:
    """Start the harness jar on a free loopback port and stop it on exit.

    Args:
        log_dir: where ``camunda7.log`` (the JVM's output) is written.
        database: H2 database file prefix for a file-based database, or None for in-memory.
        full_jit: run the JVM as production does (C2, the JVM's own garbage collector);
            slower to start and warm, faster once warm. Tests start with C1 only.

    Yields:
        The running engine.

    Raises:
        RuntimeError: the build failed, or the JVM exited or did not answer in time.
    """
    process = Camunda7Process(log_dir, database=database, full_jit=full_jit)
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture(scope="session")
def camunda7_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Camunda7Engine]:
    """A real Camunda 7 engine shared by the session; tests isolate by unique keys/topics."""
    external = os.environ.get("BPMN_BRIDGE_CAMUNDA7_URL")
    if external:
        yield Camunda7Engine(url=external.rstrip("/"), log_path=None, startup_seconds=0.0)
        return
    try:
        with run_engine(tmp_path_factory.mktemp("camunda7")) as engine:
            yield engine
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
