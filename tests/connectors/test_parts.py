"""The connector layer's parts: secrets, the plugin registry, rate-limit headers, the
shared parser, and the CLI."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.connectors.base import Connector
from hustings.connectors.http import Http, RetryPolicy
from hustings.connectors.mastodon import MastodonConnector
from hustings.connectors.secrets import Secret, decrypt, encrypt
from hustings.errors import CredentialsError, PlatformUnavailableError, PluginError
from hustings.hookspecs import hookimpl
from hustings.ingest.base import Where
from hustings.ingest.mastodon import MastodonImporter
from hustings.plugins import connectors, plugin_manager
from tests.connectors.replay import Fault, ReplayServer


def test_a_secret_is_masked_wherever_it_could_be_printed() -> None:
    secret = Secret("hunter2-token")
    assert "hunter2" not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert secret.reveal() == "hunter2-token"


def test_credentials_are_encrypted_and_need_the_same_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "one key")
    stored = encrypt(Secret("hunter2-token"))
    assert "hunter2" not in stored
    assert decrypt(stored).reveal() == "hunter2-token"
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "another key")
    with pytest.raises(CredentialsError, match="cannot be decrypted"):
        decrypt(stored)


def test_the_key_file_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUSTINGS_SECRET_KEY", raising=False)
    encrypt(Secret("x"))
    (key,) = (tmp_path / "home").rglob("secret_key")
    assert key.stat().st_mode & 0o777 == 0o600


class _Impostor(MastodonConnector):
    name: ClassVar[str] = "mastodon"


class _Plugin:
    @hookimpl
    def register_connectors(self) -> list[type[Connector]]:
        return [_Impostor]


def test_two_connectors_with_one_name_raise() -> None:
    manager = plugin_manager()
    plugin = _Plugin()
    manager.register(plugin, "impostor")
    try:
        with pytest.raises(PluginError, match="two connectors are named 'mastodon'"):
            connectors()
    finally:
        manager.unregister(plugin)
    assert connectors()["mastodon"] is MastodonConnector


@pytest.mark.parametrize("cls", list(connectors().values()))
def test_every_connector_describes_itself(cls: type[Connector]) -> None:
    assert cls.title and cls.description[0].isupper() and cls.requires and cls.platform
    assert cls.description.split()[0].endswith("s")  # starts with a verb


def test_429_waits_as_long_as_the_server_says(mastodon: ReplayServer) -> None:
    waited: list[float] = []
    mastodon.state.faults["/api/v1/accounts/verify_credentials"].append(
        Fault(429, b"{}", headers={"Retry-After": "7"})
    )
    http = Http(mastodon.url, lambda: {"Authorization": "Bearer good-token"},
                RetryPolicy(tries=3, base=0.5), "Mastodon", sleep=waited.append)
    assert http.request("GET", "/api/v1/accounts/verify_credentials").status_code == 200
    assert len(waited) == 1 and 7 <= waited[0] <= 7.5


def test_a_spent_window_waits_for_its_reset(mastodon: ReplayServer) -> None:
    waited: list[float] = []
    mastodon.state.faults["/api/v1/accounts/verify_credentials"].append(
        Fault(200, b"{}", headers={"X-RateLimit-Remaining": "0", "RateLimit-Reset": "30"})
    )
    http = Http(mastodon.url, lambda: {"Authorization": "Bearer good-token"},
                RetryPolicy(tries=3), "Mastodon", sleep=waited.append)
    http.request("GET", "/api/v1/accounts/verify_credentials")
    http.request("GET", "/api/v1/accounts/verify_credentials")
    assert len(waited) == 1 and 25 < waited[0] <= 30


def test_network_errors_after_every_try_are_unavailable() -> None:
    http = Http("http://127.0.0.1:9", dict, RetryPolicy(tries=2, base=0.0), "Mastodon")
    with pytest.raises(PlatformUnavailableError, match="failed 2 times"):
        http.request("GET", "/api/v1/notifications")


def test_live_objects_and_recorded_files_parse_the_same(shared_data: Path) -> None:
    path = shared_data / "fixtures" / "mastodon" / "notifications_mention.json"
    importer = MastodonImporter()
    recorded = [
        m for unit in importer.parse(io.BytesIO(path.read_bytes()), "file") for m in unit.messages
    ]
    body = json.loads(path.read_text())[1]["response"]["body"]
    live = importer.parse_value(body, Where("live", 1, "item", "127.0.0.1:1"))
    key = [(m.platform_id, m.text, m.kind, m.reply_to_id, m.mentions) for m in live.messages]
    assert key and set(key) <= {
        (m.platform_id, m.text, m.kind, m.reply_to_id, m.mentions) for m in recorded
    }


def test_an_unknown_object_is_quarantined_not_raised() -> None:
    unit = MastodonImporter().parse_value({"hello": "world"}, Where("live", 3))
    assert not unit.messages and "not a Mastodon status" in unit.quarantined[0].reason


def _invoke(db: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db, *args], env=env)
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_cli_connects_lists_and_detaches(
    tmp_path: Path, mastodon: ReplayServer
) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    from hustings.store import Store
    from hustings.workspace import create_workspace

    Store.open(db)
    create_workspace(Store.open(db), "HQ")
    code, out = _invoke(db, "connect", "mastodon", "-w", "HQ", "--server", mastodon.url,
                        "--json", env={"HUSTINGS_MASTODON_TOKEN": "good-token"})
    assert code == 0, out
    assert json.loads(out)["account"] == "mastodonpy_test@localhost:3000"
    code, out = _invoke(db, "connections", "-w", "HQ", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["status"], row["platform"]) == ("ok", "mastodon")
    code, out = _invoke(db, "accounts", "attach", "-w", "HQ", "--platform", "bluesky",
                        "jane.bsky.social")
    assert code == 0, out
    code, out = _invoke(db, "accounts", "detach", "-w", "HQ", "--platform", "mastodon",
                        "mastodonpy_test@localhost:3000")
    assert code == 0, out
    code, out = _invoke(db, "connections", "-w", "HQ", "--json")
    assert out.strip() == ""


def test_cli_refuses_an_unknown_workspace_in_one_line(tmp_path: Path) -> None:
    code, out = _invoke(f"sqlite:///{tmp_path / 'x.db'}", "connections", "-w", "Nope")
    assert code == 1 and "no workspace 'Nope'" in out


def test_cli_sync_exits_1_when_a_connection_fails(
    tmp_path: Path, mastodon: ReplayServer
) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    from hustings.store import Store
    from hustings.workspace import create_workspace

    create_workspace(Store.open(db), "HQ")
    token = tmp_path / "t"
    token.write_text("good-token")
    assert _invoke(db, "connect", "mastodon", "-w", "HQ", "--server", mastodon.url,
                   "--token-file", str(token))[0] == 0
    mastodon.state.tokens.clear()
    code, out = _invoke(db, "sync", "--once", "--json")
    assert code == 1
    assert "refused the credentials" in json.loads(out.splitlines()[0])["error"]

