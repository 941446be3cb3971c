"""The installed wheel as a new user meets it: the demo runs anywhere, and installing adds no
top-level name a user's own package could be shadowed by."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .conftest import CHECKOUT, Installed, top_level_names

# Names a user's project is likely to have for its own top-level packages.
GENERIC = {"examples", "example", "tests", "test", "docs", "benchmarks", "scripts", "src"}


def test_demo_files_in_the_package_are_the_examples_readable_copy() -> None:
    shipped = CHECKOUT / "bpmn_bridge" / "demo" / "order_fulfilment"
    readable = CHECKOUT / "examples" / "order_fulfilment"
    names = sorted(p.name for p in shipped.iterdir() if p.is_file())
    assert names == [
        "__init__.py",
        "connectors.py",
        "order_fulfilment.c7.bpmn",
        "order_fulfilment.c8.bpmn",
        "orders.py",
        "place_orders.py",
        "shop_api.py",
    ]
    for name in names:
        assert (shipped / name).read_bytes() == (readable / name).read_bytes(), (
            f"bpmn_bridge/demo/order_fulfilment/{name} differs from examples/order_fulfilment/"
            f"{name}; copy the example over"
        )


def test_demo_runs_from_the_installed_wheel(installed_wheel: Installed, tmp_path: Path) -> None:
    done = subprocess.run(
        # a generous --timeout: the CI machine is shared and its load varies
        [str(installed_wheel.script), "demo", "--instances", "2", "--timeout", "150"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All 4 instances ended as expected" in done.stdout


def test_installing_adds_no_top_level_name_but_its_own_and_its_dependencies(
    installed_wheel: Installed,
) -> None:
    added = top_level_names(installed_wheel.site_packages) - installed_wheel.top_level_before
    assert "bpmn_bridge" in added
    assert not added & GENERIC, sorted(added)
    (record,) = installed_wheel.site_packages.glob("bpmn_bridge-*.dist-info/RECORD")
    own = {line.split("/", 1)[0] for line in record.read_text().splitlines() if line}
    # ".." is the console script in bin/
    assert {n for n in own if not n.endswith(".dist-info") and n != ".."} == {"bpmn_bridge"}
    # and a user's own 'examples' is not shadowed: nothing of that name is importable there
    probe = subprocess.run(
        [str(installed_wheel.python), "-c", "import examples"],
        cwd=installed_wheel.venv,
        capture_output=True,
        text=True,
    )
    assert "No module named 'examples'" in probe.stderr, probe.stderr


def test_external_task_bridges_name_their_extra_when_it_is_missing(
    installed_wheel: Installed,
) -> None:
    probe = subprocess.run(
        [
            str(installed_wheel.python),
            "-c",
            "from bpmn_bridge.interop import from_external_task_handler",
        ],
        cwd=installed_wheel.venv,
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 1
    assert probe.stderr.strip().splitlines()[-1] == (
        "bpmn_bridge.core._errors.ConfigurationError: bpmn_bridge.interop."
        "from_external_task_handler bridges handlers written for "
        "camunda-external-task-client-python3, which is not installed; install the extra: "
        "pip install 'bpmn-bridge[camunda7-client]'"
    )


def test_init_makes_a_project_that_passes_its_own_tests(
    installed_wheel: Installed, tmp_path: Path
) -> None:
    made = subprocess.run(
        [str(installed_wheel.script), "init", "fx-rates"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert made.stdout.splitlines()[1] == "  cd fx-rates && pytest"
    project = tmp_path / "fx-rates"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == [
        "README.md",
        "diagrams/fx_rates.c7.bpmn",
        "diagrams/fx_rates.c8.bpmn",
        "element-templates/camunda7/fx_rates.quote.v1.json",
        "element-templates/camunda8/fx_rates.quote.v1.json",
        "fx_rates/__init__.py",
        "fx_rates/connectors.py",
        "pyproject.toml",
        "tests/test_connectors.py",
    ]
    tested = subprocess.run(
        [str(installed_wheel.venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout
    again = subprocess.run(
        [str(installed_wheel.script), "init", "fx-rates"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (again.returncode, again.stderr) == (
        2,
        "bpmn-bridge init: fx-rates exists already; choose another NAME\n",
    )
