"""Rate limits on the public auth endpoints: a sliding window per key, in memory.

Why in memory, per process: counting every request in the database would
turn an attack into write load on the database the whole hub needs, and
these limits only have to blunt bursts (a password sprayer, a script
hammering sign-up). The cost: each hub process counts on its own (N
processes allow N times the limit) and a restart forgets. The durable
defence is the per-account lockout, which *is* in the database
(``hub/accounts/lockout.py``). Keys are bounded (the least recently used
are forgotten first), so a flood of new IPs cannot exhaust memory.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque

MAX_KEYS = 100_000


class SlidingWindowLimiter:
    def __init__(self, max_keys: int = MAX_KEYS) -> None:
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._max_keys = max_keys
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_s: int, now: float) -> int | None:
        """Count one request for ``key`` at ``now`` (seconds). None: allowed;
        else the whole seconds until the next would be (refusals do not count)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + window_s - now))
            hits.append(now)
            while len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)
            return None
