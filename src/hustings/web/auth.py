"""Sessions, CSRF tokens and rate-limited login for the web app.

A session is a random token: the browser holds it in a cookie signed with the app's secret
(``itsdangerous``), the database holds only its SHA-256, so a leaked database cannot be
replayed as cookies and a forged cookie fails before any query. The cookie is HttpOnly,
SameSite=Lax, and Secure whenever the request came over https.

Every session has a CSRF token. Forms carry it in a hidden ``csrf_token`` field, htmx and API
clients in an ``X-CSRF-Token`` header; every unsafe method checks it. The login form, which
has no session yet, uses a signed double-submit cookie instead.

Login is limited per address and per client: after ``_MAX_PER_EMAIL`` failures for an
address (or ``_MAX_PER_IP`` from one client) within ``_WINDOW``, attempts are refused with
429 until the window passes, whether or not the password is right. The limit holds under
concurrency because each attempt is recorded before it is counted (``_claim_attempt``). The
client is the TCP peer unless the operator lists trusted proxies (``web/proxies.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection, bindparam, delete, func, select

from hustings.connectors.secrets import load_secret
from hustings.errors import AuthError, InvalidInputError, RateLimitedError
from hustings.store import Store
from hustings.store.schema import login_attempts, memberships, users, web_sessions, workspaces
from hustings.workspace import (
    Actor,
    Role,
    User,
    audit,
    check_password,
    memberships_of,
)

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "Session",
    "Sessions",
    "load_secret",
]

SESSION_COOKIE = "hustings_session"
LOGIN_CSRF_COOKIE = "hustings_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)
_WINDOW = timedelta(minutes=15)
_MAX_PER_EMAIL = 5
_MAX_PER_IP = 30


@dataclass(frozen=True, slots=True)
class Session:
    actor: Actor
    csrf_token: str
    workspace_name: str


# ``load_secret`` lives beside the credentials it also keys (one secret, one loader).


# Built once: every request reads its session, and a prebuilt statement skips rebuilding
# the four-table join and recomputing its cache key each time.
_SESSION_QUERY = (
    select(
        web_sessions.c.user_id,
        web_sessions.c.workspace_id,
        web_sessions.c.csrf_token,
        web_sessions.c.expires_at,
        users.c.email,
        users.c.disabled,
        memberships.c.role,
        workspaces.c.name,
    )
    .join(users, users.c.id == web_sessions.c.user_id)
    .join(
        memberships,
        (memberships.c.user_id == web_sessions.c.user_id)
        & (memberships.c.workspace_id == web_sessions.c.workspace_id),
    )
    .join(workspaces, workspaces.c.id == web_sessions.c.workspace_id)
    .where(web_sessions.c.token_hash == bindparam("token_hash"))
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Issue, read and end sessions; sign and check CSRF tokens."""

    def __init__(self, secret: str) -> None:
        self._cookie = URLSafeTimedSerializer(secret, salt="hustings.session")
        self._login = URLSafeTimedSerializer(secret, salt="hustings.login-csrf")

    def _claim_attempt(self, store: Store, email: str, ip: str, now: datetime) -> int:
        """Record the attempt, then count it: its id if within the limits, else 429.

        The attempt is inserted (as a failure) and committed *before* anything is counted
        or checked, and the count includes it. Of attempts committed one after another the
        k-th sees at least k rows, so however many arrive at once, at most the limit are
        let through to the password check: counting first and writing after the check let
        60 parallel guesses have 18 checked. A refused attempt's row is removed again, so
        refusals do not count as failures of their own.
        """
        with store.begin() as conn:
            attempt = conn.execute(
                login_attempts.insert()
                .values(email=email, ip=ip[:64], at=now, ok=False)
                .returning(login_attempts.c.id)
            ).scalar_one()
        since = now - _WINDOW
        with store.begin() as conn:
            over = any(
                conn.execute(
                    select(func.count())
                    .select_from(login_attempts)
                    .where(column == value, login_attempts.c.at >= since, ~login_attempts.c.ok)
                ).scalar_one()
                > limit
                for column, value, limit in (
                    (login_attempts.c.email, email, _MAX_PER_EMAIL),
                    (login_attempts.c.ip, ip[:64], _MAX_PER_IP),
                )
            )
            if over:
                conn.execute(delete(login_attempts).where(login_attempts.c.id == attempt))
        if over:
            raise RateLimitedError("too many failed logins: wait 15 minutes and try again")
        return int(attempt)

    def login(self, store: Store, email: str, password: str, ip: str) -> tuple[str, Session]:
        """Check the password and open a session; return the signed cookie value and it.

        The attempt is committed on its own before the password is checked (see
        ``_claim_attempt``) and stays a failure unless the password is right.
        """
        now = datetime.now(UTC)
        email = email.strip().lower()[:320]
        attempt = self._claim_attempt(store, email, ip, now)
        with store.begin() as conn:
            user = check_password(conn, email, password)
            if user is None:
                raise AuthError("wrong e-mail address or password")
            conn.execute(
                login_attempts.update().where(login_attempts.c.id == attempt).values(ok=True)
            )
            return self._open(conn, user, now)

    def _open(self, conn: Connection, user: User, now: datetime) -> tuple[str, Session]:
        member = memberships_of(conn, user.id)
        if not member:
            raise AuthError("this user belongs to no workspace")
        workspace, role = member[0]
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        conn.execute(
            web_sessions.insert().values(
                token_hash=_digest(token),
                user_id=user.id,
                workspace_id=workspace.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
        actor = Actor(workspace_id=workspace.id, user_id=user.id, role=role, email=user.email)
        audit(conn, actor, "user.login", "user", user.id)
        return self._cookie.dumps(token), Session(actor, csrf, workspace.name)

    def token(self, cookie: str | None) -> str | None:
        """The session token inside a validly signed, unexpired cookie; no database needed."""
        if not cookie:
            return None
        try:
            token = self._cookie.loads(cookie, max_age=int(SESSION_LIFETIME.total_seconds()))
        except BadSignature:
            return None
        return token if isinstance(token, str) else None

    def read(self, conn: Connection, cookie: str | None) -> Session | None:
        """The live session behind a cookie, with the user's *current* role."""
        token = self.token(cookie)
        return None if token is None else self.lookup(conn, token)

    def lookup(self, conn: Connection, token: str) -> Session | None:
        """The live session of a token from ``token()``, with the user's *current* role."""
        row = conn.execute(_SESSION_QUERY, {"token_hash": _digest(token)}).first()
        if row is None or row.disabled or row.expires_at < datetime.now(UTC):
            return None
        actor = Actor(row.workspace_id, row.user_id, Role(row.role), row.email)
        return Session(actor, row.csrf_token, row.name)

    def switch(self, conn: Connection, cookie: str | None, workspace_id: int) -> None:
        """Point the session at another workspace the user belongs to."""
        token = self.token(cookie)
        session = self.read(conn, cookie)
        if token is None or session is None:
            raise AuthError("not signed in")
        ids = {w.id for w, _ in memberships_of(conn, int(session.actor.user_id or 0))}
        if workspace_id not in ids:
            raise InvalidInputError(f"you are not a member of workspace {workspace_id}")
        conn.execute(
            web_sessions.update()
            .where(web_sessions.c.token_hash == _digest(token))
            .values(workspace_id=workspace_id)
        )

    def logout(self, conn: Connection, cookie: str | None) -> None:
        token = self.token(cookie)
        if token is not None:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _digest(token)))

    def new_login_csrf(self) -> tuple[str, str]:
        """A token for the login form and the signed cookie that vouches for it."""
        token = secrets.token_urlsafe(32)
        return token, self._login.dumps(token)

    def check_login_csrf(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        try:
            expected = self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return isinstance(expected, str) and hmac.compare_digest(expected, token)


def csrf_ok(session: Session, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(session.csrf_token, token)
