"""Failed authentication, throttled per client address.

A client address that fails to authenticate ``limit`` times within ``window``
seconds must wait ``backoff`` seconds: meanwhile its requests without a
valid key are answered 429 with ``Retry-After`` instead of 401 (and are not
counted again). A valid key always passes: a client behind the same proxy or
NAT as a shop cannot lock the shop out. Failures are logged once per
``window``, summed per address, not once per request.

Per worker process, in memory; at most ``MAX_ADDRESSES`` addresses are
tracked (the table is cleared when full, which only forgets back-offs).
Behind a reverse proxy the address is the proxy's unless uvicorn's proxy
headers are trusted for it (``--forwarded-allow-ips``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Final

log = logging.getLogger("padron.api")

MAX_ADDRESSES: Final = 100_000


@dataclass(slots=True)
class _Address:
    window_start: float
    failures: int = 0
    blocked_until: float = 0.0


class AuthThrottle:
    def __init__(self, limit: int, backoff: float, window: float = 10.0) -> None:
        self.limit = limit  # 0: never throttled
        self.backoff = backoff
        self.window = window
        self._clock = time.monotonic
        self._addresses: dict[str, _Address] = {}
        self._unlogged: Counter[str] = Counter()
        self._last_log = self._clock()
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """Seconds ``address`` must still wait before it may try a key (0: none)."""
        if self.limit <= 0:
            return 0.0
        entry = self._addresses.get(address)
        if entry is None:
            return 0.0
        return max(0.0, entry.blocked_until - self._clock())

    def failed(self, address: str) -> None:
        """Count one failed authentication of ``address``."""
        moment = self._clock()
        with self._lock:
            self._unlogged[address] += 1
            if moment - self._last_log >= self.window:
                self._log(moment)
            if self.limit <= 0:
                return
            entry = self._addresses.get(address)
            if entry is None:
                if len(self._addresses) >= MAX_ADDRESSES:
                    self._addresses.clear()
                entry = self._addresses[address] = _Address(moment)
            if moment - entry.window_start > self.window:
                entry.window_start, entry.failures = moment, 0
            entry.failures += 1
            if entry.failures >= self.limit:
                entry.blocked_until = moment + self.backoff
                entry.window_start, entry.failures = moment, 0

    def _log(self, moment: float) -> None:
        top = self._unlogged.most_common(5)
        total = sum(self._unlogged.values())
        shown = ", ".join(f"{address} ({n})" for address, n in top)
        rest = len(self._unlogged) - len(top)
        more = f" and {rest} more addresses" if rest > 0 else ""
        log.warning(
            "%d failed authentications in the last %.0f s: %s%s",
            total,
            moment - self._last_log,
            shown,
            more,
        )
        self._unlogged.clear()
        self._last_log = moment
