"""What the Meta connectors (Facebook, Instagram, Threads) share: credentials, the Graph
API's errors and its cursor pages.

Credentials. The secret a user stores is a Page (or Instagram, or Threads) access token,
alone, or a JSON object ``{"access_token": ..., "app_secret": ..., "verify_token": ...}``:
the app secret signs every request (``appsecret_proof``, which Meta requires when the app
has "Require App Secret" on) and verifies webhook deliveries (``X-Hub-Signature-256``);
the verify token is the one the user typed in the app's webhook settings. All three stay
encrypted with the connection; none is ever put in a URL (the token travels in the
``Authorization`` header, and ``paging.next`` URLs, which carry it, are never followed:
pages are asked for again with their ``after`` cursor).

Errors. The Graph API answers most failures with HTTP 400 and an error code: 190 (the
token expired or was revoked) is a ``CredentialsError`` the health page shows; 4, 17, 32
and 613 (application, user, Page and custom rate limits) and 80001–80014 (business use
case limits) back off like a 429, for as long as ``X-Business-Use-Case-Usage``'s
``estimated_time_to_regain_access`` says when it says.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from hustings.connectors.http import Http, RetryPolicy, json_of
from hustings.connectors.secrets import Secret
from hustings.errors import CredentialsError, PlatformResponseError

__all__ = ["GraphClient", "MetaCredentials", "classify", "position_of", "signature_ok"]

_RATE_CODES = frozenset({4, 17, 32, 613})
_BUC_CODES = frozenset(range(80001, 80015))
_TOKEN_CODES = frozenset({190, 102})


@dataclass(frozen=True, slots=True)
class MetaCredentials:
    """The parts of a Meta secret, each masked like a ``Secret``."""

    token: Secret
    app_secret: Secret | None = None
    verify_token: Secret | None = None

    @classmethod
    def of(cls, secret: Secret) -> MetaCredentials:
        value = secret.reveal()
        if not value.startswith("{"):
            return cls(secret)
        try:
            parts = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise CredentialsError(
                "the Meta credentials look like JSON but do not parse: give the access "
                "token alone, or {\"access_token\": ..., \"app_secret\": ..., "
                "\"verify_token\": ...}"
            ) from None
        if not isinstance(parts, dict) or not isinstance(parts.get("access_token"), str):
            raise CredentialsError("the Meta credentials need an \"access_token\"")
        extra = {k: Secret(v) for k in ("app_secret", "verify_token")
                 if isinstance(v := parts.get(k), str) and v.strip()}
        return cls(Secret(parts["access_token"]), **extra)


def classify(response: httpx.Response) -> tuple[str, float | None] | None:
    """What a Graph answer means when its status code does not say (``Http``'s hook)."""
    if response.status_code < 400:
        return None
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    code = error.get("code")
    if code in _TOKEN_CODES:
        return ("credentials", None)
    if code in _RATE_CODES or code in _BUC_CODES:
        return ("limited", _regain(response.headers))
    return None


def _regain(headers: Mapping[str, str]) -> float | None:
    """Seconds until access returns, from ``X-Business-Use-Case-Usage`` (minutes)."""
    raw = headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    waits = [float(entry.get("estimated_time_to_regain_access") or 0) * 60
             for entries in (usage.values() if isinstance(usage, dict) else [])
             for entry in (entries if isinstance(entries, list) else [])
             if isinstance(entry, dict)]
    return max(waits) if waits else None


def signature_ok(app_secret: Secret, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (``sha256=<hex>``) is the HMAC-SHA256 of ``body`` under the app
    secret, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.reveal().encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def position_of(value: Any) -> int:
    """A stable place for a live object (a digest of its id), for raw references and the
    quarantine's once-per-place rule."""
    found = value.get("id") if isinstance(value, dict) else None
    key = orjson.dumps(found if found is not None else value, option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(key, digest_size=7).digest(), "big")


class GraphClient:
    """``Http`` bound to a Graph host and version, with ``appsecret_proof`` on every call."""

    def __init__(self, base: str, credentials: MetaCredentials, policy: RetryPolicy,
                 platform: str) -> None:
        self.credentials = credentials
        self.platform = platform
        token = credentials.token
        self.http = Http(base.rstrip("/"), lambda: {"Authorization": f"Bearer {token.reveal()}"},
                         policy, platform, classify=classify)

    def close(self) -> None:
        self.http.close()

    def _proof(self) -> dict[str, str]:
        app = self.credentials.app_secret
        if app is None:
            return {}
        proof = hmac.new(app.reveal().encode(), self.credentials.token.reveal().encode(),
                         hashlib.sha256).hexdigest()
        return {"appsecret_proof": proof}

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.request("GET", path, params={**params, **self._proof()})
        return json_of(response, self.platform)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        response = self.http.request("POST", path, params=self._proof(), json=dict(body))
        return json_of(response, self.platform)

    def pages(self, path: str, after: str | None = None, *, with_next: bool = True,
              **params: Any) -> Iterator[tuple[list[Any], str | None, bool]]:
        """``(items, after cursor, more)`` page by page, asking again with each page's
        ``after`` cursor (never the ``next`` URL, which carries the token). Threads gives
        no ``next`` at all (``with_next=False``): there a page with an ``after`` cursor
        may have more after it, until one comes back empty."""
        while True:
            query = dict(params)
            if after:
                query["after"] = after
            body = self.get(path, **query)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise PlatformResponseError(
                    f"{self.platform} answered {path} without a data list"
                )
            paging: dict[str, Any] = body["paging"] if isinstance(body.get("paging"), dict) else {}
            cursors: dict[str, Any] = (paging["cursors"] if isinstance(paging.get("cursors"), dict)
                                       else {})
            found = cursors.get("after") if isinstance(cursors.get("after"), str) else None
            more = (bool(paging.get("next")) or not with_next) and bool(found) and bool(
                body["data"])
            yield body["data"], found or after, more
            if not more:
                return
            after = found
