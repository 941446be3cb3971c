"""The target engines' own checks on BPMN diagrams (the peer in ``tests/bpmn_validator_peer/``).

The ``bpmn_validator`` fixture starts one JVM for the test session running
``io.camunda:zeebe-bpmn-model`` 8.5 (Apache-2.0): every diagram is checked against the OMG
BPMN 2.0 XSD that ships in that jar, and Camunda 8 diagrams also go through Zeebe's own parser
and design-time validators. Many diagrams share the one JVM, so a check costs milliseconds.

The jar is built by its ``build.sh`` (which CI also runs up front) when missing or when its
sources changed, see ``tests/support/peers.py``. Without ``java`` — or without ``mvn`` when a
build is needed — the tests that use the fixture skip locally and fail when ``CI=true``, like
``camunda7_engine``.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from tests.support.peers import QUICK_JVM_FLAGS, build_peer, require_java

PEER_DIR = Path(__file__).parents[1] / "bpmn_validator_peer"
PEER = "BPMN validator peer"

# Per answer; the first one includes the JVM start and the schema load.
ANSWER_TIMEOUT_S = 60.0

Mode = Literal["xsd", "zeebe"]


@dataclass(frozen=True)
class Verdict:
    """What the validators said about one diagram.

    Attributes:
        schema: OMG BPMN 2.0 XSD violations (``line N: message``).
        zeebe: Zeebe's refusals as ``element: message`` (an id-less element is named
            ``type@owner-id``); None when only the XSD was asked for.
        warnings: Schema and Zeebe warnings, for the record.
    """

    schema: list[str]
    zeebe: list[str] | None
    warnings: list[str]

    @property
    def refused(self) -> list[str]:
        """Every error, schema first."""
        return [*self.schema, *(self.zeebe or [])]


class BpmnValidator:
    """A running peer: send diagrams, get one `Verdict` each."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path) -> None:
        self._process = process
        self._workdir = workdir
        self._buffer = b""
        self._count = 0

    def check_files(self, requests: Sequence[tuple[Mode, Path]]) -> list[Verdict]:
        """Check files in one round trip; one verdict per request, in order."""
        assert self._process.stdin is not None
        lines = "".join(f"{mode}\t{path}\n" for mode, path in requests)
        self._process.stdin.write(lines.encode())
        self._process.stdin.flush()
        return [self._verdict(self._read_line()) for _ in requests]

    def store(self, document: bytes) -> Path:
        """Write a document held in memory to the scratch folder; returns its path."""
        self._count += 1
        path = self._workdir / f"d{self._count}.bpmn"
        path.write_bytes(document)
        return path

    def check(self, documents: Sequence[bytes], *, zeebe: bool) -> list[Verdict]:
        """Check documents held in memory, in one round trip."""
        mode: Mode = "zeebe" if zeebe else "xsd"
        return self.check_files([(mode, self.store(document)) for document in documents])

    def _verdict(self, answer: dict[str, Any]) -> Verdict:
        zeebe = answer["zeebe"]
        return Verdict(
            schema=list(answer["schema"]),
            zeebe=None
            if zeebe is None
            else [f"{item['element']}: {item['message']}" for item in zeebe],
            warnings=list(answer["warnings"]),
        )

    def _read_line(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        stdout = self._process.stdout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if not selector.select(ANSWER_TIMEOUT_S):
                    pytest.fail(f"the BPMN validator peer gave no answer in {ANSWER_TIMEOUT_S} s")
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    pytest.fail(f"the BPMN validator peer exited ({self._process.poll()})")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer: dict[str, Any] = json.loads(line)
        return answer


@pytest.fixture(scope="session")
def bpmn_validator() -> Iterator[BpmnValidator]:
    """One validator JVM for the session."""
    java = require_java(PEER)
    jar = build_peer(PEER, PEER_DIR, "bpmn-validator-peer.jar")
    with tempfile.TemporaryDirectory(prefix="bpmn-validator-") as workdir:
        process = subprocess.Popen(
            [java, *QUICK_JVM_FLAGS, "-jar", str(jar)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield BpmnValidator(process, Path(workdir))
        finally:
            with contextlib.suppress(OSError):
                assert process.stdin is not None
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
