"""Shared test harness code has one importable home, ``tests.support``, for the tests and
the benchmarks alike.

A harness module at the top of ``tests/`` is importable twice: as ``name`` (pytest puts the
rootdir's ``tests/`` on ``sys.path`` for the root conftest) and as ``tests.name``. Two
import paths mean two module objects with two sets of globals (two engine builds, two
locks), and a reader cannot tell which one a file uses.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).parents[1]
TESTS = REPO / "tests"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_top_of_tests_holds_no_harness_module() -> None:
    stray = sorted(
        p.name
        for p in TESTS.glob("*.py")
        if p.name != "conftest.py" and not p.name.startswith("test_")
    )
    assert stray == [], f"move shared harness code into tests/support/: {stray}"


def test_tests_and_benchmarks_import_harness_code_only_from_tests_support() -> None:
    support = {p.stem for p in (TESTS / "support").glob("*.py") if p.stem != "__init__"}
    files = [*TESTS.rglob("*.py"), *(REPO / "benchmarks").rglob("*.py")]
    wrong = sorted(
        f"{path.relative_to(REPO)}: {module}"
        for path in files
        if "node_modules" not in path.parts
        for module in _imported_modules(path)
        if module in support or (module.startswith("tests.") and module.split(".")[1] in support)
    )
    assert support, "tests/support/ holds no harness module: test proves nothing"
    assert wrong == [], "import harness code as tests.support.<module>:\n" + "\n".join(wrong)
