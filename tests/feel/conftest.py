"""The Camunda FEEL engine peer, started once per test session (see ``camunda_feel``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from .camunda_feel import CamundaFeel, PeerUnavailable, run_peer, unavailable


@pytest.fixture(scope="session")
def camunda_feel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CamundaFeel]:
    """Camunda's FEEL engine (feel-scala 1.19.3) in one JVM for the whole session.

    Built with its ``build.sh`` when missing. Skips without Java locally; fails when ``CI=true``.
    """
    with contextlib.ExitStack() as stack:
        try:
            peer = stack.enter_context(run_peer(tmp_path_factory.mktemp("feel-engine-peer")))
        except PeerUnavailable as error:
            unavailable(str(error))
        yield peer
