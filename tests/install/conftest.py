"""One wheel of the checkout, installed into a fresh virtualenv in a temporary folder, as a
user installs it: no checkout on the path, the console script run from elsewhere. Built once
per test session; pip's cache makes the dependencies' downloads a one-time cost."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Installed:
    """The fresh virtualenv with the wheel installed."""

    venv: Path
    site_packages: Path
    top_level_before: frozenset[str]  # what a bare virtualenv holds already

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def script(self) -> Path:
        return self.venv / "bin" / "bpmn-bridge"


def top_level_names(site_packages: Path) -> frozenset[str]:
    """Importable top-level names in ``site_packages`` (packages, modules, extensions)."""
    names = set()
    for entry in site_packages.iterdir():
        if entry.name.endswith((".dist-info", ".egg-info", ".pth")) or entry.name.startswith(
            ("_distutils_hack", "__pycache__")
        ):
            continue
        if entry.is_dir():
            names.add(entry.name)
        elif entry.suffix in (".py", ".so", ".pyd"):
            names.add(entry.name.partition(".")[0])
    return frozenset(names)


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(CHECKOUT)],
        check=True,
        cwd=work,
        capture_output=True,
    )
    (wheel,) = work.glob("bpmn_bridge-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, cwd=work)
    (site_packages,) = venv.glob("lib/python*/site-packages")
    before = top_level_names(site_packages)
    subprocess.run(
        # with the testing extra, as a user's project installs it for its tests
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"{wheel}[testing]"],
        check=True,
        cwd=work,
        capture_output=True,
    )
    yield Installed(venv=venv, site_packages=site_packages, top_level_before=before)
