"""Structured logs, text or JSON, with secrets masked in every line."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal, TextIO

from bpmn_bridge.core import JobInfo, SecretMasker

__all__ = ["CURRENT_JOB", "JsonFormatter", "MaskingFilter", "configure_logging"]

_BOUND = ("job_id", "instance", "connector", "engine")

CURRENT_JOB: ContextVar[JobInfo | None] = ContextVar("bpmn_bridge_current_job", default=None)
"""The job the current task works on (the runtime sets it in each job's task): every line
logged there carries its engine, job and process instance, whoever logs it."""


class MaskingFilter(logging.Filter):
    """Masks known secret values in a record's message and exception text.

    Attach it to handlers: it then covers every logger, including libraries' (an HTTP
    client logging a URL with a token in it).
    """

    def __init__(self, masker: SecretMasker) -> None:
        super().__init__()
        self.masker = masker

    def filter(self, record: logging.LogRecord) -> bool:
        job = CURRENT_JOB.get()
        if job is not None:
            for name, value in (
                ("job_id", job.id),
                ("engine", job.engine),
                ("instance", job.process_instance_id),
            ):
                if getattr(record, name, None) is None and value:
                    setattr(record, name, value)
        message = record.getMessage()
        masked = self.masker.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.masker.mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the job's bound fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _BOUND:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        bound = " ".join(f"{n}={getattr(record, n)}" for n in _BOUND if hasattr(record, n))
        return f"{text} [{bound}]" if bound else text


def configure_logging(
    masker: SecretMasker,
    *,
    level: int | str = logging.INFO,
    format: Literal["text", "json"] = "text",
    stream: TextIO | None = None,
) -> logging.Handler:
    """Install one masked handler on the root logger (the CLI calls this).

    Args:
        masker: The runtime's masker; values it learns later are masked too.
        level: The root level.
        format: ``text`` for people, ``json`` for log pipelines.
        stream: Where to write; stderr by default.

    Returns:
        The installed handler.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(MaskingFilter(masker))
    if format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_bpmn_bridge", False)]:
        root.removeHandler(old)
    handler._bpmn_bridge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler
