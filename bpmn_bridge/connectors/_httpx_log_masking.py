"""Keeps a job's secrets out of httpx's own log lines.

httpx logs every request at INFO as ``HTTP Request: GET <full URL> "HTTP/1.1 200 OK"``; a
URL may carry resolved secrets in its path or query, and that logger is not the job's masked
one. While a connector sends a request it sets the masker for its task; a filter on the
``httpx`` logger masks records emitted in that task and leaves every other record alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bpmn_bridge import SecretMasker

__all__ = ["masking_httpx_logs"]

_current: ContextVar[SecretMasker | None] = ContextVar("bpmn_bridge_httpx_masker", default=None)


class _MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        masker = _current.get()
        if masker is not None:
            record.msg = masker.mask(record.getMessage())
            record.args = None
        return True


_FILTER = _MaskingFilter()


@contextmanager
def masking_httpx_logs(masker: SecretMasker) -> Iterator[None]:
    """Mask httpx's log records emitted by the current task with ``masker``.

    Args:
        masker: Knows the values to mask.

    Yields:
        Nothing; masking stops when the block ends.
    """
    logger = logging.getLogger("httpx")
    if _FILTER not in logger.filters:  # installed on first use, not at import
        logger.addFilter(_FILTER)
    token = _current.set(masker)
    try:
        yield
    finally:
        _current.reset(token)
