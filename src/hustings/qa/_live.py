"""Live sources polled inside ``hustings serve``: a running server fills each event's queue
without a separate command.

Every round also reads the replies to each running event's Bluesky or Mastodon post
(``take_replies``: the connectors' worker has pulled them into the store).

``run_polling`` looks for running events every ``every`` seconds: an event whose sources
include ``youtube``, whose ``youtube_chat_id`` is set, and whose time (from ``lead`` before
its start to its end) includes now. Each gets a thread of its own reading the chat with
``poll_pages``, so it honours ``pollingIntervalMillis`` and the event's quota budget (its
length within half of a 10,000-unit day), and puts each page's questions and "+1" votes
into the queue in one transaction. The thread ends with the chat (YouTube says it ended),
with the budget, or with ``QuotaExhaustedError``; the event is then not polled again by
this server. Any other failure (network, a 5xx) is logged and the event is polled again on
the next round (replayed messages land once, by their chat id). ``status`` says which, for
the moderator's page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

import httpx
from sqlalchemy import or_, select

from hustings.errors import HustingsError, QuotaExhaustedError
from hustings.qa._replies import take_replies
from hustings.qa._youtube import QuotaBudget, poll_pages, take_questions
from hustings.store import Store
from hustings.store.schema import qa_events

__all__ = ["ENDED_STATES", "LivePolling", "YouTubeAccess"]

_log = logging.getLogger(__name__)
ENDED_STATES: Final = ("chat ended", "quota spent", "budget spent")
DEFAULT_API: Final = "https://www.googleapis.com"


@dataclass(frozen=True)
class YouTubeAccess:
    """Where the Data API is and the key to call it with (``HUSTINGS_YOUTUBE_API_KEY``)."""

    api_key: str
    base_url: str = DEFAULT_API


@dataclass
class LivePolling:
    """The per-event polling threads of one server; ``stop`` ends them all."""

    store: Store
    youtube: YouTubeAccess | None = None
    lead: timedelta = timedelta(minutes=15)
    stop: threading.Event = field(default_factory=threading.Event)
    _threads: dict[int, threading.Thread] = field(default_factory=dict)
    _status: dict[int, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, event_id: int) -> str | None:
        """ "polling", one of ``ENDED_STATES``, "error: ..." or ``None`` (never polled)."""
        with self._lock:
            return self._status.get(event_id)

    def _set(self, event_id: int, state: str) -> None:
        with self._lock:
            self._status[event_id] = state

    def round(self, now: datetime | None = None) -> list[int]:
        """Read the replies to each running event's post, and start a thread for each
        running event's YouTube chat not polled yet; return the ids of those started."""
        now = now or datetime.now(UTC)
        with self.store.begin() as conn:
            rows = conn.execute(
                select(qa_events).where(
                    or_(qa_events.c.youtube_chat_id.is_not(None),
                        qa_events.c.post_platform.is_not(None)),
                    qa_events.c.starts_at <= now + self.lead,
                    qa_events.c.ends_at >= now,
                )
            ).all()  # fmt: skip
        for row in rows:
            if row.post_platform is not None:
                with self.store.begin() as conn:
                    take_replies(conn, int(row.workspace_id), int(row.id))
        started = []
        for row in rows:
            if row.youtube_chat_id is None or self.youtube is None:
                continue
            if "youtube" not in row.sources or self.status(row.id) in ENDED_STATES:
                continue
            running = self._threads.get(row.id)
            if running is not None and running.is_alive():
                continue
            thread = threading.Thread(
                target=self._follow,
                args=(int(row.workspace_id), int(row.id), str(row.youtube_chat_id),
                      (row.ends_at - row.starts_at).total_seconds()),
                name=f"hustings-qa-{row.id}", daemon=True,
            )  # fmt: skip
            self._threads[row.id] = thread
            self._set(row.id, "polling")
            thread.start()
            started.append(int(row.id))
        return started

    def _follow(self, workspace_id: int, event_id: int, chat_id: str, length_s: float) -> None:
        state = "budget spent"
        assert self.youtube is not None
        try:
            with httpx.Client(
                base_url=self.youtube.base_url, params={"key": self.youtube.api_key}, timeout=15
            ) as client:
                pages = poll_pages(
                    client, chat_id, QuotaBudget(length_s), sleep=self.stop.wait, stop=self.stop
                )
                for page in pages:
                    if page.lines:
                        with self.store.begin() as conn:
                            take_questions(conn, workspace_id, event_id, page.lines)
                    if page.ended:
                        state = "chat ended"
            if self.stop.is_set() and state == "budget spent":
                state = "stopped"
        except QuotaExhaustedError:
            state = "quota spent"
        except HustingsError as exc:
            _log.warning("live Q&A event %s: %s; polling again next round", event_id, exc)
            state = f"error: {exc}"
        except Exception as exc:  # a database hiccup must not end polling for good
            _log.exception("live Q&A event %s failed; polling again next round", event_id)
            state = f"error: {exc}"
        self._set(event_id, state)

    def join(self, event_id: int, timeout: float | None = None) -> None:
        """Wait for the event's thread to end (tests; ``close`` at shutdown)."""
        thread = self._threads.get(event_id)
        if thread is not None:
            thread.join(timeout)

    def run(self, every: float = 30.0) -> None:
        """Look for running events every ``every`` seconds until ``stop`` is set."""
        while not self.stop.is_set():
            try:
                self.round()
            except Exception:
                _log.exception("live Q&A polling round failed; trying again")
            self.stop.wait(every)

    def start(self, every: float = 30.0) -> threading.Thread:
        """``run`` in a daemon thread."""
        thread = threading.Thread(target=self.run, args=(every,), name="hustings-qa", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop every thread and wait for them."""
        self.stop.set()
        for thread in list(self._threads.values()):
            thread.join(timeout=20)
