"""Secret placeholders, providers and masking."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bpmn_bridge import (
    ChainSecretProvider,
    ConnectorContext,
    DirectorySecretProvider,
    EnvSecretProvider,
    Failed,
    MappingSecretProvider,
    SecretMasker,
    SecretNotFoundError,
    connector,
)
from bpmn_bridge.core import resolve_secrets
from bpmn_bridge.core._secrets import MASK, MAX_NESTING
from bpmn_bridge.testing import run_connector

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True)
secret_values = st.text(min_size=1, max_size=20).filter(lambda v: v not in MASK)
json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
)


def nest(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=5), children, max_size=4),
        ),
        max_leaves=20,
    )


def replace_markers(value: Any, secrets: dict[str, str]) -> tuple[Any, Any]:
    """Returns (input with placeholders, expected output)."""
    if isinstance(value, dict):
        pairs = {k: replace_markers(v, secrets) for k, v in value.items()}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if isinstance(value, list):
        pairs_list = [replace_markers(v, secrets) for v in value]
        return [p[0] for p in pairs_list], [p[1] for p in pairs_list]
    if isinstance(value, tuple) and value and value[0] == "SECRET":
        name, prefix, suffix, whole = value[1], value[2], value[3], value[4]
        if whole:
            return f"secrets.{name}", secrets[name]
        return f"{prefix}{{{{secrets.{name}}}}}{suffix}", prefix + secrets[name] + suffix
    return value, value


@settings(max_examples=200)
@given(data=st.data(), secrets=st.dictionaries(names, secret_values, min_size=1, max_size=4))
def test_placeholders_replaced_at_any_depth(data: st.DataObject, secrets: dict[str, str]) -> None:
    safe_text = st.text(max_size=6).filter(
        lambda t: "secrets." not in t and "{" not in t and "}" not in t
    )
    marker = st.tuples(
        st.just("SECRET"), st.sampled_from(sorted(secrets)), safe_text, safe_text, st.booleans()
    )
    tree = data.draw(
        nest(
            st.one_of(
                json_leaves.filter(lambda v: not isinstance(v, str) or "secrets." not in v), marker
            )
        )
    )
    given_value, expected = replace_markers(tree, secrets)
    used: set[str] = set()
    provider = MappingSecretProvider(secrets)
    assert resolve_secrets(given_value, provider, used=used, bare_names=True) == expected
    assert used <= set(secrets.values())


@settings(max_examples=300)
@given(
    secrets=st.lists(secret_values, min_size=1, max_size=4),
    pieces=st.lists(st.text(max_size=10), max_size=6),
)
def test_masking_removes_every_secret(secrets: list[str], pieces: list[str]) -> None:
    masker = SecretMasker(secrets)
    text = "".join(p + secrets[i % len(secrets)] for i, p in enumerate(pieces)) + secrets[0]
    masked = masker.mask(text)
    for secret in secrets:
        # a secret that is a fragment of another is masked inside the longer one's mask
        assert secret not in masked or secret in MASK


def test_secret_containing_another_is_masked_whole() -> None:
    masker = SecretMasker(["abc", "abcdef"])
    assert masker.mask("x abcdef y abc") == "x **** y ****"


def test_masking_a_tree_masks_every_string_and_keeps_every_other_value() -> None:
    class Text(str):
        pass

    masker = SecretMasker(["s3cret"])
    value = {
        "s3cret-key": ["a s3cret", 1, 2.5, None, True, ("s3cret",), {"k": Text("s3cret!")}],
        "n": 7,
    }
    assert masker.mask_value(value) == {
        "****-key": ["a ****", 1, 2.5, None, True, ["****"], {"k": "****!"}],
        "n": 7,
    }


def test_masking_refuses_a_tree_past_its_depth_limit_even_at_a_scalar() -> None:
    def nested(levels: int, leaf: Any) -> Any:
        for _ in range(levels):
            leaf = [leaf]
        return leaf

    masker = SecretMasker(["s3cret"])
    limit = MAX_NESTING * 4
    assert masker.mask_value(nested(limit, 1)) == nested(limit, 1)
    assert masker.mask_value(nested(limit + 1, "s3cret")) == nested(limit + 1, MASK)
    with pytest.raises(ValueError, match=f"deeper than {limit} levels"):
        masker.mask_value(nested(limit + 1, 1))
    with pytest.raises(ValueError, match=f"deeper than {limit} levels"):
        masker.mask_value(nested(limit, {"n": 1}))


def test_missing_secret_names_secret_and_location_not_values() -> None:
    with pytest.raises(SecretNotFoundError) as caught:
        resolve_secrets({"auth": {"password": "{{secrets.DB_PASS}}"}}, MappingSecretProvider({}))
    assert "'DB_PASS'" in str(caught.value) and "auth.password" in str(caught.value)


def test_placeholders_in_lists_and_str_subclasses_resolve_and_name_their_place() -> None:
    class Text(str):
        pass

    provider = MappingSecretProvider({"K": "v1"})
    value = {"n": 1, "items": [2.5, None, Text("{{secrets.K}}"), {"x": ["{{secrets.K}}"]}]}
    assert resolve_secrets(value, provider) == {"n": 1, "items": [2.5, None, "v1", {"x": ["v1"]}]}
    with pytest.raises(SecretNotFoundError) as caught:
        resolve_secrets({"items": [True, {"x": ["{{secrets.GONE}}"]}]}, provider)
    assert "items[1].x[0]" in str(caught.value)


def test_placeholders_in_one_string_resolve_in_order_naming_the_first_unknown() -> None:
    provider = MappingSecretProvider({"A": "1", "B": "22"})
    used: set[str] = set()
    text = "{{secrets.A}}/x/{{ secrets.B }}?{{secrets.A}}"
    assert resolve_secrets({"url": text}, provider, used=used) == {"url": "1/x/22?1"}
    assert used == {"1", "22"}
    with pytest.raises(SecretNotFoundError) as caught:
        resolve_secrets({"url": "{{secrets.A}}{{secrets.GONE}}{{secrets.LOST}}"}, provider)
    assert "'GONE'" in str(caught.value) and "'url'" in str(caught.value)


def test_literal_text_without_placeholder_is_untouched() -> None:
    value = {"note": "see secrets.md", "s": "{{ other.thing }}", "n": 3}
    assert resolve_secrets(value, MappingSecretProvider({})) == value


def test_env_provider_with_prefix() -> None:
    provider = EnvSecretProvider("BB_SECRET_", environ={"BB_SECRET_TOKEN": "t0k", "TOKEN": "no"})
    assert provider.get("TOKEN") == "t0k"
    assert provider.get("OTHER") is None


def test_directory_provider_reads_files_and_stays_inside(tmp_path: Path) -> None:
    (tmp_path / "db-password").write_text("hunter2\n")
    (tmp_path / "outside").mkdir()
    provider = DirectorySecretProvider(tmp_path)
    assert provider.get("db-password") == "hunter2"
    assert provider.get("missing") is None
    assert provider.get("../etc/passwd") is None
    assert provider.get("outside") is None


def test_chain_takes_first_known() -> None:
    chain = ChainSecretProvider(
        MappingSecretProvider({"A": "1"}), MappingSecretProvider({"A": "2", "B": "3"})
    )
    assert (chain.get("A"), chain.get("B"), chain.get("C")) == ("1", "3", None)


class Login(BaseModel):
    user: str
    password: str


@connector
async def login(creds: Login, context: ConnectorContext) -> None:
    context.logger.warning("login failed for %s with %s", creds.user, creds.password)
    raise RuntimeError(f"server said no to password {creds.password}")


async def test_secret_never_in_failure_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        outcome = await run_connector(
            login,
            variables={"user": "ann", "password": "{{secrets.PW}}"},
            secrets={"PW": "correct-horse"},
        )
    assert isinstance(outcome, Failed)
    assert "correct-horse" not in outcome.message and "correct-horse" not in outcome.details
    assert outcome.message == "RuntimeError: server said no to password ****"
    assert "correct-horse" not in caplog.text


async def test_missing_secret_is_an_incident_naming_it() -> None:
    outcome = await run_connector(login, variables={"user": "a", "password": "{{secrets.NOPE}}"})
    assert isinstance(outcome, Failed) and outcome.retries == 0
    assert "Secret 'NOPE' not found" in outcome.message and "password" in outcome.message
