"""The non-Python peers the tests check against: finding Java and Node, building the peers.

Each Java peer (``tests/<peer>/``, a Maven project) has a ``build.sh`` that CI runs up front as
a visible step; it builds ``target/<name>.jar`` and records the digest of ``pom.xml`` and
``src/`` next to it in ``target/sources.sha256``. `build_jar` computes the same digest and
reuses the jar when it matches; otherwise it runs that same ``build.sh``, so there is one build
command per peer. Node peers are installed with ``npm ci`` from their pinned
``package-lock.json`` when missing (`install_npm_peer`).

A missing tool skips the tests that need the peer locally and FAILS them when ``CI=true``
(`unavailable`): in CI a missing oracle is a broken pipeline, not a reason to go green.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

import pytest

DIGEST_FILE = "sources.sha256"
BUILD_TIMEOUT_S = 600.0
LOG_TAIL_LINES = 60
# A short-lived JVM: C1 only and serial GC start fastest and leave the other core alone.
QUICK_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"]


class PeerUnavailable(RuntimeError):
    """A tool a peer needs (``java``, ``mvn``, ``node``, ``npm``) is missing.

    The caller decides: `unavailable` in a test, an error in a script.
    """


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``), where every peer is required."""
    return os.environ.get("CI", "").lower() == "true"


def unavailable(peer: str, reason: str) -> NoReturn:
    """Skip the test locally; fail it when ``CI=true``.

    Args:
        peer: what is missing, for the message (``"BPMN validator peer"``).
        reason: why.
    """
    if in_ci():
        pytest.fail(f"{peer} required in CI (CI=true): {reason}", pytrace=False)
    pytest.skip(f"{peer} unavailable: {reason}")


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log, for failure messages."""
    return "\n".join(text.splitlines()[-lines:])


def dying_with_parent(argv: list[str]) -> list[str]:
    """The command wrapped so the kernel kills it when the test process dies, however it dies.

    ``setpriv --pdeathsig`` sets the signal in the child before it execs; a ``preexec_fn`` would
    run Python in a forked copy of a process that has gRPC threads, which gRPC's fork handlers
    can abort.
    """
    setpriv = shutil.which("setpriv")
    if sys.platform.startswith("linux") and setpriv is not None:
        return [setpriv, "--pdeathsig", "KILL", "--", *argv]
    return argv


def find_java() -> str:
    """The ``java`` binary.

    Raises:
        PeerUnavailable: ``java`` is not on PATH.
    """
    java = shutil.which("java")
    if java is None:
        raise PeerUnavailable("`java` not found on PATH")
    return java


def require_java(peer: str) -> str:
    """The ``java`` binary; without it the test skips locally and fails under ``CI=true``.

    Args:
        peer: what needs Java, for the message.
    """
    try:
        return find_java()
    except PeerUnavailable as error:
        unavailable(peer, str(error))


def sources_digest(peer_dir: Path) -> str:
    """The digest ``build.sh`` records: ``find pom.xml src -type f | LC_ALL=C sort | xargs
    sha256sum | sha256sum``.

    Args:
        peer_dir: the Maven project.

    Returns:
        The hex digest.
    """
    files = [peer_dir / "pom.xml", *(p for p in (peer_dir / "src").rglob("*") if p.is_file())]
    listing = sorted(str(path.relative_to(peer_dir)) for path in files)
    lines = "".join(
        f"{hashlib.sha256((peer_dir / name).read_bytes()).hexdigest()}  {name}\n"
        for name in listing
    )
    return hashlib.sha256(lines.encode()).hexdigest()


def build_jar(peer_dir: Path, jar_name: str, *, timeout: float = BUILD_TIMEOUT_S) -> Path:
    """Run the peer's ``build.sh`` unless its jar was built from the current sources.

    One build at a time, also across pytest-xdist workers and parallel sessions.

    Args:
        peer_dir: the Maven project with its ``build.sh``.
        jar_name: the jar ``build.sh`` leaves in ``target/``.
        timeout: seconds the build may take.

    Returns:
        The jar's path.

    Raises:
        PeerUnavailable: ``mvn`` is missing although a build is needed.
        RuntimeError: ``build.sh`` failed, or left no jar or another digest; the message
            names the peer and holds the tail of the build's output.
    """
    target = peer_dir / "target"
    jar, recorded = target / jar_name, target / DIGEST_FILE
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = sources_digest(peer_dir)
        # build.sh writes the digest with a trailing newline
        if jar.exists() and recorded.exists() and recorded.read_text().strip() == digest:
            return jar
        if shutil.which("mvn") is None:
            raise PeerUnavailable(f"`mvn` not found on PATH and {jar_name} needs (re)building")
        result = subprocess.run(
            ["bash", str(peer_dir / "build.sh")],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output = tail(result.stdout + result.stderr)
        if result.returncode != 0 or not jar.exists():
            raise RuntimeError(
                f"building {peer_dir.name} ({peer_dir / 'build.sh'}) failed "
                f"(exit {result.returncode}):\n{output}"
            )
        if not recorded.exists() or recorded.read_text().strip() != digest:
            raise RuntimeError(
                f"{peer_dir / 'build.sh'} recorded no digest or another one than "
                f"tests/support/peers.py computes in {recorded}"
            )
    return jar


def build_peer(peer: str, peer_dir: Path, jar_name: str) -> Path:
    """`build_jar` for a fixture: a missing ``mvn`` is `unavailable`, a failed build fails.

    Args:
        peer: the peer's name, for the messages.
        peer_dir: the Maven project with its ``build.sh``.
        jar_name: the jar ``build.sh`` leaves in ``target/``.

    Returns:
        The jar's path.
    """
    try:
        return build_jar(peer_dir, jar_name)
    except PeerUnavailable as error:
        unavailable(peer, str(error))
    except RuntimeError as error:
        pytest.fail(f"{peer}: {error}", pytrace=False)


def install_npm_peer(peer: str, peer_dir: Path, *, package: str) -> str:
    """Install a Node peer with ``npm ci`` (pinned by its package-lock.json) when missing.

    Without ``node``/``npm``, or when ``npm ci`` fails, the test skips locally and fails
    under ``CI=true``.

    Args:
        peer: the peer's name, for the messages.
        peer_dir: the folder with ``package.json`` and ``package-lock.json``.
        package: a package whose presence in ``node_modules`` means installed.

    Returns:
        The ``node`` binary.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable(peer, f"node and npm are needed to run {package}")
    if not (peer_dir / "node_modules" / package / "package.json").exists():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=peer_dir,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            unavailable(peer, f"npm ci failed: {done.stderr.strip()[-2000:]}")
    return node
