"""Log lines: every one with a UTC timestamp, as plain text or one JSON object per line.

``PADRON_LOG_FORMAT=json`` gives ``{"time", "level", "logger", "message", ...}``
objects (extra fields such as the access log's ``status`` are added as keys);
plain lines read ``2026-11-30T21:40:34.123Z INFO padron.access message``.
Errors in the settings raise :class:`padron.config.ConfigError`.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import Any, Final

from padron.config import log_format, log_level

#: Attributes every LogRecord has; anything else was passed with ``extra=`` and is a field.
_STANDARD: Final = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def _timestamp(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


def fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra=`` fields of a record."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = f"{_timestamp(record)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(fields(record))
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure(default_level: str, env: Mapping[str, str] = os.environ) -> str:
    """Send padron's and uvicorn's log lines to stderr in the configured format.

    Returns the level name (lower case). Raises ConfigError for an unknown level
    or format, before anything is changed.
    """
    level = log_level(env, default_level)
    formatter: logging.Formatter = (
        JsonFormatter() if log_format(env) == "json" else PlainFormatter()
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn's own loggers go through ours (timestamps, format) instead of its handlers.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    return level
