"""A connector whose input model uses every pydantic feature the template writers map."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, constr
from pydantic.alias_generators import to_camel

from bpmn_bridge import connector


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Server(BaseModel):
    host: str = Field(title="Host", description="Where to connect.")
    port: int = Field(default=25, title="Port")


class TokenAuth(BaseModel):
    kind: Literal["token"] = "token"
    token: SecretStr = Field(title="Token", description="The API token.")


class UserAuth(BaseModel):
    kind: Literal["user"]
    user_name: str = Field(title="User", alias="userName")


class Everything(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)

    name: str = Field(title="Name", description="Who it is for.", pattern=r"^[a-z]+$")
    code: constr(pattern=r"^[A-Z]{3}$", min_length=3, max_length=3)  # type: ignore[valid-type]
    count: int = Field(default=5, title="Count")
    ratio: float | None = None
    enabled: bool = Field(default=True, title="Enabled")
    color: Color = Color.GREEN
    speed_mode: Literal["fast", "slow"] = "slow"
    password: SecretStr = Field(title="Password")
    server: Server = Field(title="Server")
    auth: Annotated[TokenAuth | UserAuth, Field(discriminator="kind")] = Field(
        default_factory=lambda: UserAuth(kind="user", userName="bob"), title="Authentication"
    )
    tags: list[str] = Field(default_factory=list, title="Tags")
    labels: dict[str, str] = Field(default={"env": "prod"}, title="Labels")
    sender: str = Field(alias="from", title="From")


@connector(
    type="io.example:everything:2",
    name="Everything",
    version=2,
    errors=["NOT_FOUND", "RATE_LIMITED"],
)
def everything(request: Everything) -> dict[str, str]:
    """Exercise every mapped feature."""
    return {"name": request.name}


@connector(type="no-input")
def no_input() -> None:
    """Take nothing."""
