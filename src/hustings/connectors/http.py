"""The one place connectors meet HTTP: rate limits, back-off, and what errors mean.

Every connector request goes through :meth:`Http.request`, which

* waits before a request while the last answer said the window is spent
  (``X-RateLimit-Remaining: 0`` / ``RateLimit-Remaining: 0`` with a reset time in future);
* on 429 waits for ``Retry-After``, else the rate-limit reset, else exponential back-off;
  on 5xx and network errors backs off exponentially with full jitter; after ``tries``
  attempts raises ``PlatformUnavailableError`` saying what the platform last answered;
* turns 401/403 into ``CredentialsError`` (revoked or wrong credentials: retrying is futile);
* never retries a request that is not idempotent after a timeout: the request may have been
  acted on, so it raises ``SendOutcomeUnknownError`` and the caller asks the platform first.

``json_of`` refuses an answer that is not JSON (an HTML maintenance page, a truncated body)
with a ``PlatformResponseError`` instead of letting a parser guess.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import orjson

from hustings.errors import (
    CredentialsError,
    PlatformResponseError,
    PlatformUnavailableError,
    SendOutcomeUnknownError,
)

__all__ = ["Http", "RetryPolicy", "json_of", "link_params"]

_log = logging.getLogger(__name__)
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``tries`` attempts; back-off ``base * 2**n`` seconds (full jitter), at most ``cap``."""

    tries: int = 5
    base: float = 1.0
    cap: float = 60.0
    timeout: float = 20.0

    def backoff(self, attempt: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**attempt))


def _reset_in(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until the rate-limit window resets, from whichever header the server sent."""
    retry = headers.get("retry-after")
    if retry:
        try:
            return max(0.0, float(retry))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(retry).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in ("ratelimit-reset", "x-ratelimit-reset"):
        value = headers.get(name)
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            try:  # Mastodon: an ISO 8601 time
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return max(0.0, when.astimezone(UTC).timestamp() - now)
        # A small number is seconds from now (IETF draft); a large one an epoch time.
        return max(0.0, number - now if number > 1e9 else number)
    return None


def _remaining(headers: Mapping[str, str]) -> int | None:
    for name in ("ratelimit-remaining", "x-ratelimit-remaining"):
        value = headers.get(name)
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _error_text(response: httpx.Response) -> str:
    """The platform's own error message, short, for the health page."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return f"HTTP {response.status_code}: {body['error'][:200]}"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):  # Meta's Graph API
        error = body["error"]
        return (f"HTTP {response.status_code}: error {error.get('code')}: "
                f"{str(error.get('message', ''))[:200]}")
    return f"HTTP {response.status_code}"


class Http:
    """A client bound to one platform account; ``auth`` is put on every request."""

    def __init__(
        self,
        base_url: str,
        auth: Callable[[], Mapping[str, str]],
        policy: RetryPolicy,
        platform: str,
        sleep: Callable[[float], None] = time.sleep,
        refine: Callable[[httpx.Response], Exception | None] | None = None,
        classify: Callable[[httpx.Response], tuple[str, float | None] | None] | None = None,
    ) -> None:
        """``refine`` reads a 4xx answer first and may name what it means on this platform
        (YouTube's 403 for a spent quota is not a refused credential)."""
        self.client = httpx.Client(base_url=base_url, timeout=policy.timeout)
        self.classify = classify
        """A platform whose errors are not in the status code (Meta's Graph API answers a
        rate limit or an expired token as HTTP 400 with an error code) says what an answer
        means: ``("limited", wait or None)`` backs off like a 429, ``("credentials",
        None)`` raises ``CredentialsError`` like a 401."""
        self.auth = auth
        self.policy = policy
        self.platform = platform
        self.sleep = sleep
        self.refine = refine
        self._pause_until = 0.0

    def close(self) -> None:
        self.client.close()

    def _wait_for_window(self) -> None:
        delay = self._pause_until - time.time()
        if delay > 0:
            _log.info("%s rate limit spent: waiting %.1f s", self.platform, delay)
            self.sleep(min(delay, self.policy.cap))

    def _note_limits(self, response: httpx.Response) -> None:
        if _remaining(response.headers) == 0:
            reset = _reset_in(response.headers, time.time())
            if reset:
                self._pause_until = time.time() + min(reset, self.policy.cap)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A successful (2xx/3xx/404-for-the-caller) response, after limits and retries."""
        method = method.upper()
        headers = {**self.auth(), **kwargs.pop("headers", {})}
        last = "no answer"
        for attempt in range(self.policy.tries):
            self._wait_for_window()
            try:
                response = self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TimeoutException as exc:
                if method not in _IDEMPOTENT:
                    raise SendOutcomeUnknownError(
                        f"{self.platform}: {method} {url} timed out after it was sent; "
                        "checking the platform before any retry"
                    ) from exc
                last = "timed out"
            except httpx.TransportError as exc:
                if method not in _IDEMPOTENT and not isinstance(exc, httpx.ConnectError):
                    raise SendOutcomeUnknownError(
                        f"{self.platform}: {method} {url} broke off after it was sent "
                        f"({type(exc).__name__}); checking the platform before any retry"
                    ) from exc
                last = f"network error ({type(exc).__name__})"
            else:
                self._note_limits(response)
                status = response.status_code
                meant = self.refine(response) if self.refine and 400 <= status < 500 else None
                if meant is not None:
                    raise meant
                verdict = self.classify(response) if self.classify is not None else None
                if verdict is not None and verdict[0] == "credentials":
                    raise CredentialsError(
                        f"{self.platform} refused the credentials ({_error_text(response)}): "
                        "they expired, were revoked or are wrong; connect the account again"
                    )
                if verdict is not None and verdict[0] == "limited":
                    last = f"rate limited ({_error_text(response)})"
                    wait = verdict[1]
                    delay = self.policy.backoff(attempt) if wait is None else wait
                    delay = min(delay + random.uniform(0, self.policy.base), self.policy.cap)
                    if attempt + 1 < self.policy.tries:
                        _log.info("%s: rate limited, waiting %.2f s", self.platform, delay)
                        self.sleep(delay)
                    continue
                if status in (401, 403):
                    raise CredentialsError(
                        f"{self.platform} refused the credentials ({_error_text(response)}): "
                        "they were revoked or are wrong; connect the account again"
                    )
                if status == 429:
                    last = "429 Too Many Requests"
                    wait = _reset_in(response.headers, time.time())
                    delay = self.policy.backoff(attempt) if wait is None else wait
                    delay = min(delay + random.uniform(0, self.policy.base), self.policy.cap)
                    if attempt + 1 < self.policy.tries:
                        _log.info("%s: 429, waiting %.2f s", self.platform, delay)
                        self.sleep(delay)
                    continue
                if status >= 500:
                    last = _error_text(response)
                else:
                    return response
            if attempt + 1 < self.policy.tries:
                self.sleep(self.policy.backoff(attempt))
        if self.policy.tries == 1:  # a check someone waits on: no "later" to promise
            raise PlatformUnavailableError(f"{self.platform}: {method} {url} failed ({last})")
        raise PlatformUnavailableError(
            f"{self.platform}: {method} {url} failed {self.policy.tries} times "
            f"(last: {last}); will retry later"
        )


def json_of(response: httpx.Response, platform: str) -> Any:
    """The decoded JSON body, or a ``PlatformResponseError`` naming what came instead."""
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    if response.status_code >= 400:
        raise PlatformResponseError(f"{platform} answered {_error_text(response)}")
    if "json" not in kind:
        raise PlatformResponseError(
            f"{platform} answered {kind} instead of JSON (HTTP {response.status_code}): "
            "is the server URL right, or is it down for maintenance?"
        )
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise PlatformResponseError(f"{platform} answered malformed JSON: {exc}") from None


def link_params(response: httpx.Response, rel: str) -> dict[str, str] | None:
    """The query of the ``Link`` header's ``rel`` URL (pagination), if there is one."""
    link = response.links.get(rel)
    if not link or "url" not in link:
        return None
    return dict(httpx.URL(link["url"]).params)
