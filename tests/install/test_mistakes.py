"""The classic mistakes, each as a user makes it: the console script in a subprocess, one
line on stderr that names the fix, exit status 2, nothing half-written."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bpmn_bridge.connectors import BUILTIN_CONNECTORS
from bpmn_bridge.core import (
    ChainSecretProvider,
    DirectorySecretProvider,
    EnvSecretProvider,
    SecretNotFoundError,
    get_spec,
    resolve_secrets,
)

SCRIPT = str(Path(sys.executable).with_name("bpmn-bridge"))


def _fails(cwd: Path, *args: str) -> str:
    """Run the command; it must exit 2 with exactly one line on stderr, which is returned."""
    done = subprocess.run(
        [SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_dev_engine_deploy_of_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "broken.bpmn").write_text("<definitions")
    line = _fails(
        tmp_path,
        "dev-engine",
        "--zeebe-port=0",
        "--camunda7-port=0",
        "--camunda8-rest-port=0",
        "--deploy",
        "broken.bpmn",
    )
    assert line.startswith("bpmn-bridge dev-engine: BPMN resource is not well-formed XML"), line


@pytest.mark.parametrize("flag", ["--zeebe-port", "--camunda7-port", "--camunda8-rest-port"])
def test_dev_engine_port_in_use(tmp_path: Path, flag: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {"--zeebe-port": "0", "--camunda7-port": "0", "--camunda8-rest-port": "0"}
        ports[flag] = str(port)
        line = _fails(tmp_path, "dev-engine", *(f"{k}={v}" for k, v in ports.items()))
    assert line == (
        f"bpmn-bridge dev-engine: {flag} {port}: cannot listen on 127.0.0.1:{port} (Address "
        f"already in use); is another engine running? Choose a free port with {flag} (0: any "
        "free one)"
    )


def test_templates_clash_writes_nothing_and_a_connector_named_twice_is_written_once(
    tmp_path: Path,
) -> None:
    rest_type = get_spec(BUILTIN_CONNECTORS[0]).type
    (tmp_path / "mine.py").write_text(
        "from pydantic import BaseModel\n"
        "from bpmn_bridge import connector\n"
        "from bpmn_bridge.connectors import BUILTIN_CONNECTORS\n\n"
        "class In(BaseModel):\n    x: int = 1\n\n"
        f"@connector(type={rest_type!r}, name='Mine')\n"
        "async def mine(data: In) -> dict[str, int]:\n    return {}\n\n"
        "WITH_BUILTINS = [*BUILTIN_CONNECTORS]\n"
        "CLASH = [mine]\n"
    )
    line = _fails(tmp_path, "templates", "--builtin", "mine:CLASH")
    assert line == (
        f"bpmn-bridge templates: Connectors '{rest_type}' and '{rest_type}' have the same "
        "template id 'io.bpmn-bridge.http-json.v1'; give one of them another id"
    )
    assert not (tmp_path / "element-templates").exists()
    done = subprocess.run(
        [SCRIPT, "templates", "--builtin", "mine:WITH_BUILTINS"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(done.stdout.splitlines()) == 2 * len(BUILTIN_CONNECTORS)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "import requestz\n",
            "importing broken failed ({path}, line 1): ModuleNotFoundError: No module named "
            "'requestz'",
        ),
        ("x = 1\nraise RuntimeError('boom')\n", "importing broken failed ({path}, line 2): "),
        ("def f(:\n", "importing broken failed ({path}, line 1): SyntaxError: "),
    ],
)
def test_an_error_inside_the_users_module_is_shown_as_such(
    tmp_path: Path, source: str, message: str
) -> None:
    (tmp_path / "broken.py").write_text(source)
    line = _fails(tmp_path, "run", "--engine", "zeebe", "--connector", "broken:X")
    expected = message.format(path=tmp_path / "broken.py")
    assert line.startswith(f"bpmn-bridge run: Connector reference 'broken:X': {expected}"), line


def test_a_reference_to_no_module_says_so(tmp_path: Path) -> None:
    line = _fails(tmp_path, "run", "--engine", "zeebe", "--connector", "nothere:X")
    assert line == (
        "bpmn-bridge run: Connector reference 'nothere:X': there is no module 'nothere' "
        "(references are found from the current folder and the installed packages)"
    )


def test_deploy_of_a_missing_file_and_a_malformed_var(tmp_path: Path) -> None:
    line = _fails(tmp_path, "deploy", "nope.bpmn", "--engine", "camunda7")
    assert line == ("bpmn-bridge deploy: cannot read nope.bpmn: No such file or directory")
    line = _fails(tmp_path, "start", "p", "--var", "novalue", "--engine", "camunda7")
    assert line == "bpmn-bridge start: --var 'novalue' must look like NAME=VALUE"


def test_start_against_an_engine_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    line = _fails(
        tmp_path,
        "start",
        "p",
        "--engine",
        "zeebe",
        "--zeebe-address",
        f"127.0.0.1:{port}",
        "--zeebe-insecure",
    )
    assert line.startswith(f"bpmn-bridge start: zeebe at 127.0.0.1:{port} cannot be reached ("), (
        line
    )
    assert line.endswith(
        "is the engine running, and is ZEEBE_INSECURE_CONNECTION right for it (plaintext vs TLS)?"
    )


def test_a_missing_secret_names_the_variable_to_set(tmp_path: Path) -> None:
    provider = ChainSecretProvider(
        EnvSecretProvider("SECRET_", {}), DirectorySecretProvider(tmp_path)
    )
    with pytest.raises(SecretNotFoundError) as caught:
        resolve_secrets({"apiKey": "{{secrets.FX_API_KEY}}"}, provider)
    assert str(caught.value) == (
        "Secret 'FX_API_KEY' not found (in 'apiKey'): set the environment variable "
        f"SECRET_FX_API_KEY or put it in the file {tmp_path / 'FX_API_KEY'}"
    )
