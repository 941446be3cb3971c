"""The one build path of the Java peers (``tests/support/peers.py``).

Every peer's ``build.sh`` records a digest of its sources that the fixtures recompute: if the
two ever disagree, every test session silently rebuilds (or reuses a stale jar). The build
itself is driven through a stand-in Maven project whose ``build.sh`` counts its runs.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.peers import PeerUnavailable, build_jar, sources_digest

TESTS = Path(__file__).parent
BUILD_SCRIPT = TESTS / "support" / "build_maven_peer.sh"
MAVEN_PEERS = sorted(p.parent for p in TESTS.glob("*/pom.xml") if (p.parent / "build.sh").exists())


def _script_digest(peer_dir: Path) -> str:
    """The digest the shared build script records for the peer."""
    done = subprocess.run(
        ["bash", str(BUILD_SCRIPT), "--digest", str(peer_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.parametrize("peer_dir", MAVEN_PEERS, ids=lambda p: p.name)
def test_build_sh_records_the_digest_the_fixtures_compute(peer_dir: Path) -> None:
    assert _script_digest(peer_dir) == sources_digest(peer_dir)


@pytest.mark.parametrize("peer_dir", MAVEN_PEERS, ids=lambda p: p.name)
def test_every_build_sh_builds_through_the_shared_script(peer_dir: Path) -> None:
    assert "/support/build_maven_peer.sh" in (peer_dir / "build.sh").read_text()


def test_every_maven_peer_has_a_build_sh() -> None:
    assert {p.name for p in MAVEN_PEERS} >= {
        "bpmn_validator_peer",
        "camunda7_harness",
        "camunda_client_peer",
        "feel_engine_peer",
        "zeebe_client_peer",
    }


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def fake_peer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Maven project whose build.sh copies a source into the jar and counts its runs."""
    peer = tmp_path / "fake_peer"
    (peer / "src").mkdir(parents=True)
    (peer / "pom.xml").write_text("<project/>\n")
    (peer / "src" / "Main.java").write_text("class Main {}\n")
    _executable(
        peer / "build.sh",
        '#!/usr/bin/env bash\nset -euo pipefail\ncd "$(dirname "$0")"\n'
        "mkdir -p target && echo run >> target/runs\n"
        'if grep -q broken src/Main.java; then echo "[ERROR] cannot compile" >&2; exit 1; fi\n'
        "cp src/Main.java target/fake.jar\n"
        f"bash {BUILD_SCRIPT} --digest . > target/sources.sha256\n",
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _executable(bin_dir / "mvn", "#!/bin/sh\nexit 0\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return peer


def _runs(peer: Path) -> int:
    return len((peer / "target" / "runs").read_text().splitlines())


def test_a_jar_is_built_once_and_rebuilt_when_its_sources_change(fake_peer: Path) -> None:
    jar = build_jar(fake_peer, "fake.jar")
    assert jar == fake_peer / "target" / "fake.jar"
    assert build_jar(fake_peer, "fake.jar") == jar
    assert _runs(fake_peer) == 1

    (fake_peer / "src" / "Main.java").write_text("class Main { int changed; }\n")
    assert build_jar(fake_peer, "fake.jar").read_text() == "class Main { int changed; }\n"
    assert _runs(fake_peer) == 2


def test_a_failed_build_names_the_peer_and_shows_its_output(fake_peer: Path) -> None:
    (fake_peer / "src" / "Main.java").write_text("broken\n")
    with pytest.raises(RuntimeError, match=r"building fake_peer .*\(exit 1\)") as error:
        build_jar(fake_peer, "fake.jar")
    assert "[ERROR] cannot compile" in str(error.value)


def test_a_build_needed_without_maven_is_unavailable(
    fake_peer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(fake_peer / "src"))
    with pytest.raises(PeerUnavailable, match=r"`mvn` not found on PATH and fake\.jar needs"):
        build_jar(fake_peer, "fake.jar")
