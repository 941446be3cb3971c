"""The @connector decorator and the spec it records."""

from __future__ import annotations

import ast
import types
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

import bpmn_bridge
from bpmn_bridge import ConnectorContext, ConnectorDefinitionError, connector, get_spec


class In(BaseModel):
    a: int
    b: str = Field(alias="bee")


def test_bare_decorator_defaults() -> None:
    @connector
    def plain(x: In) -> None:
        """Does plain things.

        More text."""

    spec = get_spec(plain)
    assert (spec.type, spec.name, spec.version) == ("plain", "plain", 1)
    assert spec.description == "Does plain things."
    assert spec.input_model is In and spec.input_parameter == "x"
    assert spec.context_parameter is None and spec.is_async is False
    assert spec.fetch_variables == ("a", "bee")


class Server(BaseModel):
    host: str
    port: int = Field(default=25, alias="portNumber")


class Token(BaseModel):
    kind: Literal["token"]
    token: str


class User(BaseModel):
    kind: Literal["user"]
    token: str | None = None
    name: str


class Tree(BaseModel):
    label: str
    child: Tree | None = None


class Nested(BaseModel):
    server: Server
    auth: Annotated[Token | User, Field(discriminator="kind")]
    backup: Server | None = None
    tree: Tree | None = None
    servers: list[Server] = []


def test_default_fetch_names_nested_fields_by_dotted_path() -> None:
    # Camunda 7 hands out only the variables named, and a template binds nested fields as
    # flat 'server.host' parameters.
    @connector
    def nested(x: Nested) -> None:
        """Nested input."""

    assert get_spec(nested).fetch_variables == (
        "server",
        "server.host",
        "server.portNumber",
        "auth",
        "auth.kind",
        "auth.token",
        "auth.name",
        "backup",
        "backup.host",
        "backup.portNumber",
        "tree",
        "tree.label",
        "tree.child",
        "servers",
    )


def test_decorator_with_arguments() -> None:
    @connector(
        type="io.example:thing:1",
        name="Thing",
        version=3,
        description="d",
        timeout=timedelta(seconds=9),
        retries=5,
        retry_backoff=timedelta(seconds=2),
        max_concurrency=4,
    )
    async def thing(ctx: ConnectorContext, data: In) -> dict[str, int]:
        return {}

    spec = get_spec(thing)
    assert spec.type == "io.example:thing:1" and spec.name == "Thing" and spec.version == 3
    assert spec.timeout == timedelta(seconds=9) and spec.retries == 5
    assert spec.retry_backoff == timedelta(seconds=2) and spec.max_concurrency == 4
    assert spec.context_parameter == "ctx" and spec.input_parameter == "data"
    assert spec.is_async


def test_unannotated_parameter_is_rejected_with_its_name() -> None:
    with pytest.raises(ConnectorDefinitionError, match="parameter 'x' must be annotated"):

        @connector
        def bad(x) -> None:  # type: ignore[no-untyped-def]
            pass


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"retries": -1}, "retries must be >= 0"),
        ({"max_concurrency": 0}, "max_concurrency must be >= 1"),
        ({"timeout": timedelta(0)}, "timeout must be positive"),
    ],
)
def test_bad_arguments_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConnectorDefinitionError, match=message):
        connector(**kwargs)(lambda: None)  # type: ignore[call-overload]


def test_get_spec_of_plain_function_explains() -> None:
    def nothing() -> None: ...

    with pytest.raises(ConnectorDefinitionError, match="decorate it with @connector"):
        get_spec(nothing)


def test_public_names_match_all() -> None:
    # "@py_*" names are pytest's assertion rewriting (the package ships a pytest plugin);
    # subpackages imported elsewhere become attributes but are not public members
    public = {
        name
        for name, value in vars(bpmn_bridge).items()
        if not name.startswith(("_", "@")) and not isinstance(value, types.ModuleType)
    }
    assert public == set(bpmn_bridge.__all__) - {"__version__"}


def test_core_imports_no_engine_client() -> None:
    core = Path(bpmn_bridge.__file__).parent / "core"
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"pyzeebe", "camunda", "grpc"}, f"{path.name} imports {name}"
                assert not name.startswith("bpmn_bridge.adapters"), f"{path.name} imports {name}"
