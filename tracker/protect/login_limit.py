"""Failed logins per client address for ``tracker serve``: a few tries, then a lockout that doubles each time.

The :attr:`LoginLimiter.max_failures`-th failure of an address within :attr:`LoginLimiter.window` seconds locks
it out for :attr:`LoginLimiter.lockout` seconds, each further lockout twice as long, up to
:attr:`LoginLimiter.max_lockout`.  A successful login forgets the address.  At most :data:`MAX_CLIENTS`
addresses are remembered (the ones idle longest are forgotten first), so a flood of addresses cannot fill the
memory.  Thread-safe: the server handles each connection in its own thread.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_CLIENTS = 10_000


@dataclass
class _Client:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lockouts: int = 0


@dataclass
class LoginLimiter:
    """Counts failed logins per client address and says how long an address must wait."""

    max_failures: int = 5
    window: float = 600.0
    lockout: float = 60.0
    max_lockout: float = 3600.0
    clock: Callable[[], float] = time.monotonic
    _clients: OrderedDict[str, _Client] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _client(self, address: str) -> _Client:
        client = self._clients.pop(address, None) or _Client()
        self._clients[address] = client  # most recently seen last
        while len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)
        return client

    def retry_after(self, address: str) -> float:
        """Seconds ``address`` must still wait before it may try again (0: it may)."""
        with self._lock:
            client = self._clients.get(address)
            return max(0.0, client.locked_until - self.clock()) if client else 0.0

    def failed(self, address: str) -> tuple[int, float]:
        """Count a failed login: (failures within the window, seconds of the lockout it starts or 0)."""
        with self._lock:
            now = self.clock()
            client = self._client(address)
            client.failures.append(now)
            while client.failures and client.failures[0] <= now - self.window:
                client.failures.popleft()
            count = len(client.failures)
            if count < self.max_failures:
                return count, 0.0
            wait = min(self.lockout * 2**client.lockouts, self.max_lockout)
            client.lockouts += 1
            client.locked_until = now + wait
            client.failures.clear()
            return count, wait

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._clients.pop(address, None)
