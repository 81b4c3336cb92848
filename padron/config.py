"""Settings, from command-line flags and ``PADRON_*`` environment variables.

A flag given on the command line wins over the environment; the environment
wins over the defaults below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from padron.errors import PadronError

DEFAULT_MAX_BODY_BYTES: Final = 8 * 1024 * 1024
DEFAULT_MAX_BUFFERED_BYTES: Final = 64 * 1024 * 1024


class ConfigError(PadronError, ValueError):
    """A set-up mistake (a setting, a folder): padron says it in one line and exits 2."""


#: What ``PADRON_LOG_LEVEL`` accepts (any case).
LOG_LEVELS: Final = ("debug", "info", "warning", "error", "critical")
#: What ``PADRON_LOG_FORMAT`` accepts.
LOG_FORMATS: Final = ("plain", "json")


def log_level(env: Mapping[str, str], default: str) -> str:
    """``PADRON_LOG_LEVEL`` (lower case), or ``default``; ConfigError when unknown."""
    raw = env.get("PADRON_LOG_LEVEL", "").strip().lower() or default
    if raw not in LOG_LEVELS:
        raise ConfigError(f"PADRON_LOG_LEVEL={raw!r} is not one of {', '.join(LOG_LEVELS)}")
    return raw


def log_format(env: Mapping[str, str]) -> str:
    """``PADRON_LOG_FORMAT``: ``plain`` (default) or ``json``; ConfigError otherwise."""
    raw = env.get("PADRON_LOG_FORMAT", "").strip().lower() or "plain"
    if raw not in LOG_FORMATS:
        raise ConfigError(f"PADRON_LOG_FORMAT={raw!r} is not one of {', '.join(LOG_FORMATS)}")
    return raw


def metrics_enabled(env: Mapping[str, str]) -> bool:
    """``PADRON_METRICS``: ``on`` (default) or ``off``; ConfigError otherwise."""
    raw = env.get("PADRON_METRICS", "").strip().lower() or "on"
    if raw not in ("on", "off"):
        raise ConfigError(f"PADRON_METRICS={raw!r} must be on or off")
    return raw == "on"


def check_data_dir(path: Path, *, writable: bool) -> None:
    """Make sure ``path`` is a folder padron can use (creating it when missing).

    Raises ConfigError with one line when it is a file, cannot be created, or
    (``writable``) cannot be written to.
    """
    if path.exists() and not path.is_dir():
        raise ConfigError(f"the data folder {path} is a file, not a folder (PADRON_DATA_DIR)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the data folder {path}: {exc.strerror}") from None
    if writable and not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"the data folder {path} is not writable (PADRON_DATA_DIR)")


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("PADRON_DATA_DIR"):
        return Path(env["PADRON_DATA_DIR"]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "padron"


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} may not be negative")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Sustained requests per second allowed per key (0: no limit), and the burst above it.
    rate_limit: float = 0.0
    rate_burst: int = 0
    environment: str = "prod"
    #: Seconds a client has to send a request head (from its first byte, or from
    #: connecting), and the body's minimum rate in bytes a second over windows of
    #: ``body_timeout`` seconds; seconds an idle keep-alive connection stays open.
    head_timeout: float = 10.0
    body_timeout: float = 10.0
    body_min_rate: int = 1024
    keepalive_timeout: float = 5.0
    #: Open connections per worker process before new ones are refused (503).
    max_connections: int = 1000
    #: Bytes of request bodies held in memory at once per worker (503 past it).
    max_buffered_bytes: int = DEFAULT_MAX_BUFFERED_BYTES
    #: Failed authentications from one client address before it must wait
    #: ``auth_backoff`` seconds (429); 0: never throttled.
    auth_failures: int = 10
    auth_backoff: float = 5.0
    #: Customers a project may hold (0: no quota); past it writes get 403.
    quota_customers: int = 0

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ConfigError("the host to listen on is empty (--host, PADRON_HOST)")
        if not 0 <= self.port <= 65535:
            raise ConfigError(
                f"port {self.port} is out of range: 1 to 65535, or 0 for any free port "
                "(--port, PADRON_PORT)"
            )
        if self.workers < 1:
            raise ConfigError(f"workers {self.workers}: at least 1 (--workers, PADRON_WORKERS)")

    @property
    def url(self) -> str:
        """Where the server answers (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **flags: object) -> Settings:
        """Settings from the environment, with non-None ``flags`` overriding it."""
        data_dir = Path(str(flags["data_dir"])) if flags.get("data_dir") else default_data_dir(env)
        database_url = (
            flags.get("database_url")
            or env.get("PADRON_DATABASE_URL")
            or f"sqlite:///{data_dir / 'padron.db'}"
        )
        rate = _float(env, "PADRON_RATE_LIMIT", 0.0)
        values: dict[str, object] = {
            "data_dir": data_dir,
            "database_url": str(database_url),
            "host": env.get("PADRON_HOST", "127.0.0.1"),
            "port": _int(env, "PADRON_PORT", 8000, 0),
            "workers": _int(env, "PADRON_WORKERS", 1, 1),
            "max_body_bytes": _int(env, "PADRON_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024),
            "rate_limit": rate,
            "rate_burst": _int(env, "PADRON_RATE_BURST", max(1, int(rate * 2)) if rate else 0, 0),
            "environment": env.get("PADRON_ENVIRONMENT", "prod"),
            "head_timeout": _float(env, "PADRON_HEAD_TIMEOUT", 10.0),
            "body_timeout": _float(env, "PADRON_BODY_TIMEOUT", 10.0),
            "body_min_rate": _int(env, "PADRON_BODY_MIN_RATE", 1024, 0),
            "keepalive_timeout": _float(env, "PADRON_KEEPALIVE_TIMEOUT", 5.0),
            "max_connections": _int(env, "PADRON_MAX_CONNECTIONS", 1000, 1),
            "max_buffered_bytes": _int(
                env, "PADRON_MAX_BUFFERED_BYTES", DEFAULT_MAX_BUFFERED_BYTES, 1024
            ),
            "auth_failures": _int(env, "PADRON_AUTH_FAILURES", 10, 0),
            "auth_backoff": _float(env, "PADRON_AUTH_BACKOFF", 5.0),
            "quota_customers": _int(env, "PADRON_QUOTA_CUSTOMERS", 0, 0),
        }
        for name in ("host", "port", "workers", "max_body_bytes", "rate_limit", "rate_burst"):
            if flags.get(name) is not None:
                values[name] = flags[name]
        return cls(**values)  # type: ignore[arg-type]
