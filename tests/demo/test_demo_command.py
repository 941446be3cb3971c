"""``bpmn-bridge demo`` as a user runs it: the console script in a subprocess, from a
directory that is not the checkout."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from bpmn_bridge.demo.order_fulfilment.orders import expected_end, sample_orders


def _console_script() -> str:
    return str(Path(sys.executable).with_name("bpmn-bridge"))


def _table(stdout: str) -> dict[str, list[str]]:
    """Summary rows by title: ``{"completed": ["5", "5"], ...}``."""
    lines = stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if line.lstrip().startswith("Camunda 8"))
    rows: dict[str, list[str]] = {"": lines[start].split("  ")}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        title, *cells = [part.strip() for part in line.split("  ") if part.strip()]
        rows[title] = cells
    return rows


def test_demo_runs_every_path_on_both_engines_and_exits_0(tmp_path: Path) -> None:
    done = subprocess.run(
        [_console_script(), "demo", "--instances", "5"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip() == "", done.stderr  # no warnings, no leftover-task noise
    table = _table(done.stdout)
    orders = sample_orders(5, prefix="any")
    paths = Counter(expected_end(order).path for order in orders)
    retried = sum(expected_end(order).retried for order in orders)
    assert table["instances started"] == ["5", "5"]
    assert table["completed"] == ["5", "5"]
    assert table["as expected"] == ["5", "5"]
    assert table["shipped express"] == [str(paths["express"])] * 2
    assert table["shipped standard"] == [str(paths["standard"])] * 2
    assert table["payment declined"] == [str(paths["payment-declined"])] * 2
    assert table["out of stock"] == [str(paths["out-of-stock"])] * 2
    assert table["BPMN errors handled"] == [str(paths["payment-declined"])] * 2
    assert table["retries (engine backoff)"] == [str(retried)] * 2
    assert table["incidents"] == ["0", "0"]
    assert all(float(cell) > 0 for cell in table["throughput (instances/s)"])
    assert set(paths) == {"express", "standard", "payment-declined", "out-of-stock"}
    assert "ended, " in done.stdout  # live progress lines were printed
    assert done.stdout.rstrip().endswith(
        "All 10 instances ended as expected, on both engines, with one set of connectors."
    )
