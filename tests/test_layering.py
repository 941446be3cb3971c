"""No import runs back up the package layering drawn in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bpmn_bridge"

# What each package may import besides itself; lazy imports inside functions count too.
ALLOWED: dict[str, set[str]] = {
    "feel": set(),
    "core": {"feel"},
    "adapters": {"core"},
    "devengine": {"core", "adapters", "feel"},
    "interop": {"core", "adapters"},
    "connectors": {"core"},
    "runtime": {"core", "adapters", "interop", "connectors"},
    "testing": {"core", "adapters", "devengine"},
    "templates": {"core", "connectors", "runtime"},
    "migrate": {"core", "feel", "devengine", "connectors", "templates"},
    "demo": {"core", "adapters", "devengine", "runtime", "connectors", "testing"},
}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "bpmn_bridge" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_package_is_placed_in_the_layering() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_follow_the_layering(package: str) -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports bpmn_bridge.{target}"
        for path in (PACKAGE / package).rglob("*.py")
        for target in _imported_packages(path)
        if target != package and target in ALLOWED and target not in ALLOWED[package]
    }
    assert not wrong
