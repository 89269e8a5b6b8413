"""The X connector's transport: tweepy's ``Client``, its one network method replaced.

tweepy builds every X API v2 request (routes, parameter names, field lists, OAuth 1.0a
signatures through ``requests-oauthlib``); this subclass only replaces ``request``, where
tweepy talks to the network, because the stock one

* always calls ``https://api.twitter.com`` (the API address is a setting here, so the
  tests run the real tweepy against a loopback server);
* has no timeout (a send that hangs would hold the worker for ever);
* writes the ``Authorization`` header to its debug log (a credential in the logs);
* on 429 either raises or sleeps until the window resets, for up to 15 minutes.

Here, instead: a 429 waits for ``x-rate-limit-reset`` when that is within ``max_wait``
seconds, else fails at once with the reset time (the next sync tries again); a 429 whose
body says ``usage-capped`` (the monthly cap; X's own words, see
https://github.com/xdevplatform/xdk/issues/25) and a 402 (pay-per-use credits spent) raise
``QuotaExhaustedError`` without retrying, since no wait within a sync helps; 5xx and
network errors back off with jitter (``RetryPolicy``); 401 is ``CredentialsError`` (an
expired or revoked token); a request that is not a GET and times out after it left is
``SendOutcomeUnknownError``, never retried blindly. ``x-rate-limit-remaining: 0`` pauses
that route until its reset, remembered per process and account.

``Usage`` counts what a sync read, priced at the connection's rates, for the health page.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from hustings.connectors.http import RetryPolicy
from hustings.connectors.secrets import Secret
from hustings.errors import (
    ConfigError,
    CredentialsError,
    PlatformResponseError,
    PlatformUnavailableError,
    QuotaExhaustedError,
    SendOutcomeUnknownError,
)

__all__ = ["OAUTH1_KEYS", "Usage", "XClient", "credentials"]

_log = logging.getLogger(__name__)
# requests-oauthlib and oauthlib write the consumer key and the access token (in the
# signature base string and the signed headers) to their DEBUG logs: never below INFO.
for _name in ("oauthlib", "requests_oauthlib"):
    logging.getLogger(_name).setLevel(max(logging.getLogger(_name).level, logging.INFO))
OAUTH1_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
_paused: dict[tuple[str, str], float] = {}
_paused_lock = threading.Lock()


def credentials(secret: Secret) -> dict[str, str] | str:
    """The four OAuth 1.0a keys (a JSON object), or an OAuth 2.0 user access token."""
    raw = secret.reveal()
    if not raw.startswith("{"):
        return raw
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise CredentialsError(
            "the X credentials are neither an access token nor a JSON object of "
            f"{', '.join(OAUTH1_KEYS)}"
        ) from None
    missing = [k for k in OAUTH1_KEYS if not isinstance(value.get(k), str) or not value[k]]
    if missing:
        raise CredentialsError(f"the X credentials lack {', '.join(missing)}")
    return {k: str(value[k]) for k in OAUTH1_KEYS}


@dataclass
class Usage:
    """What one sync read, in the resources X bills (posts, users, DM events)."""

    posts: int = 0
    users: int = 0
    dm_events: int = 0
    requests: int = 0

    def count(self, body: Any) -> None:
        if not isinstance(body, dict):
            return
        data = body.get("data")
        items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        found = body.get("includes")
        includes: dict[str, Any] = found if isinstance(found, dict) else {}
        for item in items:
            if isinstance(item, dict) and "event_type" in item:
                self.dm_events += 1
            elif isinstance(item, dict) and "username" in item:
                self.users += 1
            else:
                self.posts += 1
        self.posts += len(includes.get("tweets") or [])
        self.users += len(includes.get("users") or [])


def _problem(response: requests.Response) -> tuple[str, str]:
    """X's problem ``type`` and its own words (``detail``/``title``), never a credential."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return "", f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return "", f"HTTP {response.status_code}"
    if isinstance(body.get("errors"), list) and body["errors"] and not body.get("detail"):
        first = body["errors"][0]
        body = first if isinstance(first, dict) else body
    words = next((str(body[k]) for k in ("detail", "title", "message") if body.get(k)), "")
    kind = str(body.get("type") or body.get("title") or "")
    return kind, f"HTTP {response.status_code}: {words[:200]}" if words else (
        f"HTTP {response.status_code}")


def _reset(response: requests.Response) -> float | None:
    value = response.headers.get("x-rate-limit-reset")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


class XClient(tweepy.Client):  # type: ignore[misc]  # tweepy is untyped
    """tweepy's v2 client against ``api``, answering with the API's JSON (``dict``)."""

    def __init__(self, api: str, secret: Secret, policy: RetryPolicy, max_wait: float,
                 sleep: Any = time.sleep) -> None:
        found = credentials(secret)
        if isinstance(found, dict):
            super().__init__(**found, return_type=dict)
            self._auth: Any = OAuth1UserHandler(*(found[k] for k in OAUTH1_KEYS)).apply_auth()
            self._bearer: str | None = None
        else:
            super().__init__(bearer_token=found, return_type=dict)
            self._auth, self._bearer = None, found
        if not api.startswith(("http://", "https://")):
            raise ConfigError(f"api must be a URL such as https://api.x.com: {api!r}")
        self.api = api.rstrip("/")
        self.policy = policy
        self.max_wait = max_wait
        self.sleep = sleep
        self.usage = Usage()
        self._account = hashlib.blake2b(secret.reveal().encode(), digest_size=12).hexdigest()

    def close(self) -> None:
        self.session.close()

    def _route_key(self, route: str) -> tuple[str, str]:
        return (self._account, route)

    def _wait_for_window(self, route: str) -> None:
        with _paused_lock:
            until = _paused.get(self._route_key(route), 0.0)
        delay = until - time.time()
        if delay <= 0:
            return
        if delay > self.max_wait:
            raise PlatformUnavailableError(
                f"X rate limit for {route} spent until {_clock(until)}; will retry then"
            )
        self.sleep(delay)

    def _note(self, route: str, response: requests.Response) -> None:
        reset = _reset(response)
        if response.headers.get("x-rate-limit-remaining") == "0" and reset:
            with _paused_lock:
                _paused[self._route_key(route)] = reset

    def request(self, method: str, route: str, params: Any = None, json: Any = None,
                user_auth: bool = False) -> requests.Response:
        """One X API call, whichever credentials this client holds (see the module)."""
        headers = {"User-Agent": self.user_agent}
        if self._bearer is not None:
            headers["Authorization"] = f"Bearer {self._bearer}"
        last = "no answer"
        for attempt in range(self.policy.tries):
            self._wait_for_window(route)
            try:
                response = self.session.request(
                    method, self.api + route, params=params, json=json, headers=headers,
                    auth=self._auth, timeout=self.policy.timeout,
                )
            except requests.RequestException as exc:
                before = isinstance(exc, requests.ConnectTimeout)
                if method != "GET" and not before:
                    raise SendOutcomeUnknownError(
                        f"X: {method} {route} broke off after it was sent "
                        f"({type(exc).__name__}); checking X before any retry"
                    ) from None
                last = f"network error ({type(exc).__name__})"
            else:
                self._note(route, response)
                if method == "GET" and response.status_code < 300:
                    self.usage.requests += 1
                done = self._answer(method, route, response, attempt)
                if done is not None:
                    return done
                last = _problem(response)[1]
            if attempt + 1 < self.policy.tries:
                self.sleep(self.policy.backoff(attempt))
        if self.policy.tries == 1:
            raise PlatformUnavailableError(f"X: {method} {route} failed ({last})")
        raise PlatformUnavailableError(
            f"X: {method} {route} failed {self.policy.tries} times (last: {last}); "
            "will retry later"
        )

    def _answer(self, method: str, route: str, response: requests.Response,
                attempt: int) -> requests.Response | None:
        """The response to return, None to retry, or the error it means."""
        status = response.status_code
        kind, said = _problem(response)
        if status < 300:
            return response
        if status == 401:
            raise CredentialsError(
                f"X refused the credentials ({said}): the token expired or was revoked; "
                "connect the account again"
            )
        words = (kind + " " + said).lower()
        if status == 402 or (status == 429 and ("usage-capped" in words
                                                or "usagecapexceeded" in words)):
            raise QuotaExhaustedError(
                f"X usage cap reached ({said}): nothing more can be read or sent until the "
                "plan's cap resets or credits are added in the X developer console"
            )
        if status == 429:
            reset = _reset(response)
            wait = (reset - time.time()) if reset else self.policy.backoff(attempt)
            if wait > self.max_wait:
                if reset:
                    with _paused_lock:
                        _paused[self._route_key(route)] = reset
                raise PlatformUnavailableError(
                    f"X rate limit for {route} spent (HTTP 429) until "
                    f"{_clock(reset or time.time())}; will retry then"
                )
            if attempt + 1 < self.policy.tries:
                _log.info("X: 429 on %s, waiting %.1f s", route, max(wait, 0.0))
                self.sleep(max(wait, 0.0))
            return None
        if status >= 500:
            return None
        if status == 403 and "not-enrolled" in kind.lower() + said.lower():
            raise CredentialsError(
                f"X refused the app ({said}): attach the app to a project in the developer "
                "console, then connect again"
            )
        raise PlatformResponseError(f"X answered {method} {route} with {said}")
