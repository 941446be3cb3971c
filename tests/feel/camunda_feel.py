"""Camunda's own FEEL engine as a test oracle: the JVM peer in ``tests/feel_engine_peer/``.

The peer runs ``org.camunda.feel:feel-engine`` 1.19.3 (the engine inside Camunda 7.24; Camunda
8.8 runs the same 1.19 line). It reads one JSON request per line and answers one JSON line per
request, so a whole session's cases cost one JVM start. Values come back typed, so nothing is
lost on the way through JSON (see ``FeelEnginePeer.java``)::

    {"type": "number", "value": "0.3"}          # the BigDecimal's text
    {"type": "list", "items": [...]}            # "context" has "entries": {...}
    {"type": "date and time", "value": "2020-01-01T10:00:00@Europe/Berlin"}

The jar is built by its ``build.sh`` (which CI also runs up front) when missing or when its
sources changed, see ``tests/support/peers.py``. Without ``java`` (or ``mvn`` when a build is
needed) tests that need the peer skip locally and fail when ``CI=true``, like the real Camunda 7
engine fixture.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NoReturn

from tests.support import peers
from tests.support.peers import PeerUnavailable as PeerUnavailable  # re-exported for callers
from tests.support.peers import dying_with_parent, find_java, tail

PEER_DIR = Path(__file__).parents[1] / "feel_engine_peer"
PEER = "Camunda FEEL engine peer"

# A short-lived helper process: C1 only and serial GC start fastest and spare the other core.
_JVM_FLAGS = [
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Xss8m",  # deeply nested generated expressions recurse in the parser
    "-Xmx256m",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
]


def unavailable(reason: str) -> NoReturn:
    """Skip the test locally; fail it when ``CI=true`` (a missing oracle is a broken CI).

    Args:
        reason: what is missing.
    """
    peers.unavailable(PEER, reason)


def build_jar() -> Path:
    """Build the peer jar with its ``build.sh`` unless it was built from the current sources.

    Returns:
        The jar's path.

    Raises:
        PeerUnavailable: ``mvn`` is missing although a build is needed.
        RuntimeError: the build failed; the message holds the tail of its output.
    """
    return peers.build_jar(PEER_DIR, "feel-engine-peer.jar")


@dataclass(frozen=True)
class CamundaResult:
    """What Camunda's engine made of one expression.

    Attributes:
        value: the typed value (see the module docstring), or None when it failed.
        error: the engine's failure message, or None when it produced a value.
        warnings: the failures the engine suppressed on the way (it then yields null).
    """

    value: dict[str, Any] | None
    error: str | None
    warnings: tuple[str, ...] = field(default=())

    @property
    def failed(self) -> bool:
        return self.error is not None


def variables_key(variables: dict[str, Any]) -> str:
    """Variables as canonical JSON text, the half of a case's identity besides its source."""
    return json.dumps(variables, sort_keys=True, ensure_ascii=False, allow_nan=False)


class CamundaFeel:
    """A running peer. Evaluates many expressions per call; remembers every answer.

    Args:
        process: the started JVM, stdin and stdout piped.
        log_path: where the JVM's stderr goes (shown when it dies).
    """

    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self._process = process
        self._log_path = log_path
        self._cache: dict[tuple[str, str], CamundaResult] = {}
        self._lock = threading.Lock()

    def evaluate(self, expression: str, variables: dict[str, Any] | None = None) -> CamundaResult:
        """Evaluate one expression.

        Args:
            expression: FEEL source, with or without Camunda's leading ``=`` (stripped
                first, as Camunda's engines do before the FEEL engine sees it).
            variables: JSON-like variables.

        Returns:
            The engine's result.
        """
        [result] = self.evaluate_many([(expression, variables or {})])
        return result

    def evaluate_many(self, cases: Iterable[tuple[str, dict[str, Any]]]) -> list[CamundaResult]:
        """Evaluate many expressions in one round trip (answers come back in order).

        Args:
            cases: ``(expression, variables)`` pairs.

        Returns:
            One result per case, in order.

        Raises:
            RuntimeError: the peer died or answered something that is not a result.
        """
        keyed = [(strip_equals(source), variables_key(variables)) for source, variables in cases]
        with self._lock:
            missing = list(dict.fromkeys(key for key in keyed if key not in self._cache))
            if missing:
                for key, answer in zip(missing, self._round_trip(missing), strict=True):
                    self._cache[key] = answer
            return [self._cache[key] for key in keyed]

    def _round_trip(self, keys: list[tuple[str, str]]) -> list[CamundaResult]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        payload = "".join(
            f'{{"expression": {json.dumps(source)}, "variables": {variables}}}\n'
            for source, variables in keys
        ).encode()
        # Write from a thread: the peer answers while it reads, and a large batch would fill
        # both pipes if we wrote everything before reading.
        errors: list[BaseException] = []
        writer = threading.Thread(target=_write, args=(stdin, payload, errors), daemon=True)
        writer.start()
        answers = []
        for source, _ in keys:
            line = stdout.readline()
            if not line:
                writer.join(timeout=5)
                raise RuntimeError(
                    f"FEEL engine peer exited ({self._process.poll()}) while evaluating "
                    f"{source!r}; stderr:\n{self._stderr_tail()}"
                )
            answers.append(_parse_answer(json.loads(line), source))
        writer.join()
        if errors:
            raise RuntimeError(f"writing to the FEEL engine peer failed: {errors[0]!r}")
        return answers

    def _stderr_tail(self) -> str:
        try:
            return tail(self._log_path.read_text(errors="replace"))
        except OSError:
            return "(no log)"

    def close(self) -> None:
        """Stop the JVM (end of input, then a signal if it lingers)."""
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()


def _write(stream: IO[bytes], payload: bytes, errors: list[BaseException]) -> None:
    try:
        stream.write(payload)
        stream.flush()
    except BaseException as error:  # handed to the reading thread
        errors.append(error)


def _parse_answer(answer: dict[str, Any], source: str) -> CamundaResult:
    if "protocolError" in answer:
        raise RuntimeError(f"FEEL engine peer rejected the request for {source!r}: {answer}")
    if "error" in answer:
        return CamundaResult(value=None, error=str(answer["error"]))
    return CamundaResult(value=answer["result"], error=None, warnings=tuple(answer["warnings"]))


def strip_equals(source: str) -> str:
    """Camunda's engines strip a leading ``=`` before handing an expression to the FEEL engine.

    Args:
        source: an expression as a modeller writes it.

    Returns:
        The text the FEEL engine sees.
    """
    stripped = source.lstrip()
    return stripped[1:] if stripped.startswith("=") else source


@contextlib.contextmanager
def run_peer(log_dir: Path) -> Iterator[CamundaFeel]:
    """Build (when needed) and start the peer; stop it on exit.

    Args:
        log_dir: where ``feel-engine-peer.log`` (the JVM's stderr) is written.

    Yields:
        The running peer.

    Raises:
        PeerUnavailable: ``java`` (or ``mvn`` for a needed build) is missing.
        RuntimeError: the build failed.
    """
    java = find_java()
    jar = build_jar()
    log_path = log_dir / "feel-engine-peer.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            dying_with_parent([java, *_JVM_FLAGS, "-jar", str(jar)]),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
    peer = CamundaFeel(process, log_path)
    try:
        yield peer
    finally:
        peer.close()
