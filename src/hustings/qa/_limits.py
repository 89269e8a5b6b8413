"""How often one visitor may post to an event's public question form.

A sliding window per (visitor address, event), kept in the web process's memory: the form is
anonymous, so there is no account to count against, and storing visitors' addresses in the
database to count them would keep personal data for no other use. A server restart forgets
the counts, which only ever lets a visitor ask a few more questions.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from hustings.errors import RateLimitedError

__all__ = ["AskLimiter"]


@dataclass
class AskLimiter:
    """At most ``limit`` questions per ``window_s`` seconds per visitor and event."""

    limit: int = 5
    window_s: float = 600.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[tuple[str, int], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, visitor: str, event_id: int) -> None:
        """Count one question, or raise ``RateLimitedError`` when the visitor is over."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault((visitor, event_id), deque())
            while times and now - times[0] >= self.window_s:
                times.popleft()
            if len(times) >= self.limit:
                wait = int(self.window_s - (now - times[0])) + 1
                raise RateLimitedError(f"too many questions from you: try again in {wait} s")
            times.append(now)
