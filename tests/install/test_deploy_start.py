"""``bpmn-bridge deploy`` and ``bpmn-bridge start --wait`` from the installed wheel, on both
protocols of the embedded engine and on a real Camunda 7."""

from __future__ import annotations

from pathlib import Path

import anyio
import httpx
import pytest

from bpmn_bridge.devengine import DevEngine
from tests.support.camunda7_engine import Camunda7Engine

from .conftest import Installed

C8 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://example.com">
  <bpmn:process id="{pid}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>
"""
C7 = C8.replace(
    'isExecutable="true"', 'isExecutable="true" camunda:historyTimeToLive="P1D"'
).replace('id="d"', 'id="d" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"')


async def _cli(installed: Installed, cwd: Path, *args: str) -> tuple[int, str, str]:
    done = await anyio.run_process(
        [str(installed.script), *args], cwd=cwd, check=False, env={"PATH": "/usr/bin:/bin"}
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


async def test_deploy_and_start_wait_on_both_protocols_of_the_embedded_engine(
    installed_wheel: Installed, tmp_path: Path
) -> None:
    (tmp_path / "hello.c8.bpmn").write_text(C8.format(pid="hello"))
    (tmp_path / "hello.c7.bpmn").write_text(C7.format(pid="hello"))
    async with DevEngine(camunda7_port=None) as c8, DevEngine(zeebe_port=None) as c7:
        zeebe = ("--engine", "zeebe", "--zeebe-address", c8.zeebe_address, "--zeebe-insecure")
        camunda7 = ("--engine", "camunda7", "--camunda7-url", c7.camunda7_url)
        code, out, err = await _cli(installed_wheel, tmp_path, "deploy", "hello.c8.bpmn", *zeebe)
        assert (code, err) == (0, "")
        assert out == (
            f"deployed hello.c8.bpmn to zeebe at {c8.zeebe_address}: process hello version 1\n"
        )
        code, out, err = await _cli(installed_wheel, tmp_path, "deploy", "hello.c7.bpmn", *camunda7)
        assert (code, err) == (0, "")
        assert out == (
            f"deployed hello.c7.bpmn to camunda7 at {c7.camunda7_url}: process hello version 1\n"
        )
        for engine in (zeebe, camunda7):
            code, out, err = await _cli(
                installed_wheel,
                tmp_path,
                "start",
                "hello",
                "--var",
                "amount=12.5",
                "--var",
                "name=Ada",
                "--wait",
                *engine,
            )
            assert (code, err) == (0, ""), out
            assert out.startswith(f"hello on {engine[1]}: instance "), out
            assert out.endswith(' completed; variables {"amount": 12.5, "name": "Ada"}\n'), out


@pytest.mark.camunda7
async def test_deploy_and_start_wait_on_a_real_camunda7(
    installed_wheel: Installed, camunda7_engine: Camunda7Engine, tmp_path: Path
) -> None:
    url = camunda7_engine.url
    pid = f"hello_{tmp_path.name.replace('-', '_')}"
    (tmp_path / "hello.bpmn").write_text(C7.format(pid=pid))
    camunda7 = ("--engine", "camunda7", "--camunda7-url", url)
    code, out, err = await _cli(installed_wheel, tmp_path, "deploy", "hello.bpmn", *camunda7)
    assert (code, err) == (0, "")
    assert out == f"deployed hello.bpmn to camunda7 at {url}: process {pid} version 1\n"
    code, out, err = await _cli(
        installed_wheel, tmp_path, "start", pid, "--var", "n=3", "--wait", *camunda7
    )
    assert (code, err) == (0, ""), out
    assert out.endswith(' completed; variables {"n": 3}\n'), out
    key = out.split("instance ")[1].split(" ")[0]
    async with httpx.AsyncClient() as client:
        state = (await client.get(f"{url}/history/process-instance/{key}")).json()["state"]
    assert state == "COMPLETED"
