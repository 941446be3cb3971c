"""Connectors the reliability suite serves, in process and from ``bpmn-bridge run``.

``work`` records every call by the instance's ``tag`` variable, in memory and, when
``RELIABILITY_LEDGER`` names a file, as one appended line per event, so the test process
can count deliveries made by worker processes (one ``write`` to an ``O_APPEND`` file is
atomic for lines this short, across processes).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta

import anyio
from pydantic import BaseModel

from bpmn_bridge import connector

TASK_TYPE = os.environ.get("RELIABILITY_TASK_TYPE", "reliability-work")

CALLS: Counter[str] = Counter()


class Work(BaseModel):
    tag: str
    seconds: float = 0.0


def _ledger(event: str, tag: str) -> None:
    path = os.environ.get("RELIABILITY_LEDGER")
    if not path:
        return
    line = f"{event} {tag} {os.getpid()} {time.time():.3f}\n".encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


@connector(
    type=TASK_TYPE,
    retries=3,
    retry_backoff=timedelta(milliseconds=200),
    timeout=timedelta(seconds=60),
)
async def work(item: Work) -> dict[str, object]:
    """Takes ``seconds``, then completes; every call is counted by ``tag``."""
    CALLS[item.tag] += 1
    _ledger("start", item.tag)
    await anyio.sleep(item.seconds)
    _ledger("done", item.tag)
    return {"doneBy": os.getpid()}
