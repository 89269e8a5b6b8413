"""Items over a replayed month of real releases: one item per release however it arrives,
silent edits and deletions kept as versions with a diff; alerts of each kind by mail."""

from __future__ import annotations

import email
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from hustings import policy
from hustings.connectors.http import Http
from hustings.store import Store
from tests.policy.conftest import mailbox, workspace
from tests.policy.replay import PressServer, Release
from tests.servers.fixtures import ImapServer, SmtpServer


def _newsletter(release: Release, sender: str, to: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = release.title
    mail["Date"] = format_datetime(release.published_at)
    mail["Message-ID"] = f"<release-{release.n}@press.test>"
    mail.set_content(release.text)
    return bytes(mail)


def test_the_same_release_by_feed_and_by_newsletter_is_one_item(
    store: Store, press: PressServer, http: Http, imap_server: ImapServer,
    smtp_server: SmtpServer,
) -> None:
    actor = workspace(store)
    office, connection = mailbox(store, actor, imap_server, smtp_server)
    release = next(r for r in press.releases if r.party == "Democrat")
    press.state.now = release.published_at + timedelta(minutes=5)
    imap_server.deliver(office, _newsletter(release, "press@dems.test", office.name))
    with store.begin() as conn:
        feed = policy.add_source(conn, actor, "feed", "Democrats", "Democrat",
                                 f"{press.url}/party/D.xml")
        letter = policy.add_source(conn, actor, "email", "Democrats' newsletter", "Democrat",
                                   settings={"connection_id": connection,
                                             "sender": "@dems.test"})
    by_feed = policy.fetch_source(store, actor, feed, press.state.now, http)
    by_mail = policy.fetch_source(store, actor, letter, press.state.now, http)
    assert by_mail.error is None and (by_mail.new, by_mail.merged) == (0, 1)
    with store.begin() as conn:
        items = policy.list_items(conn, actor)
        item = policy.get_item(conn, actor, by_mail.item_ids[0])
    assert len(items) == by_feed.new
    assert {s["kind"] for s in item["sources"]} == {"feed", "email"}
    assert item["url"] == f"{press.url}/release/{release.n}"


def test_a_silent_edit_and_a_deletion_are_versions_with_a_diff_and_times(
    store: Store, press: PressServer, http: Http,
) -> None:
    actor = workspace(store)
    first, second = [r for r in press.releases if r.party == "Republican"][:2]
    press.state.now = second.published_at + timedelta(minutes=1)
    with store.begin() as conn:
        feed = policy.add_source(conn, actor, "feed", "Republicans", "Republican",
                                 f"{press.url}/party/R.xml")
    policy.fetch_source(store, actor, feed, press.state.now, http)
    edited_at = press.state.now + timedelta(hours=1)
    press.state.edited[first.n] = first.text.replace(".", ". We stand firm.", 1)
    press.state.deleted.add(second.n)
    report = policy.fetch_source(store, actor, feed, edited_at, http)
    assert (report.edited, report.deleted) == (1, 1)
    with store.begin() as conn:
        by_url = {i["url"]: i for i in policy.list_items(conn, actor)}
        edited = policy.get_item(conn, actor, int(by_url[f"{press.url}/release/{first.n}"]["id"]))
        gone = policy.get_item(conn, actor, int(by_url[f"{press.url}/release/{second.n}"]["id"]))
    assert edited["state"] == "edited" and edited["changed_at"] == edited_at
    assert [v["change"] for v in edited["versions"]] == ["first", "edit"]
    assert any(line.startswith("+") and "We stand firm." in line
               for line in edited["versions"][1]["diff"])
    assert gone["state"] == "deleted" and gone["versions"][-1]["change"] == "delete"
    assert gone["versions"][-1]["seen_at"] == edited_at
    assert gone["text"] == second.text  # the evidence stays


def test_each_alert_kind_fires_and_is_mailed_once(
    store: Store, press: PressServer, http: Http, imap_server: ImapServer,
    smtp_server: SmtpServer,
) -> None:
    actor = workspace(store)
    _office, connection = mailbox(store, actor, imap_server, smtp_server)
    press.state.now = press.releases[0].published_at + timedelta(days=3)
    with store.begin() as conn:
        feed = policy.add_source(conn, actor, "feed", "Democrats", "Democrat",
                                 f"{press.url}/party/D.xml")
    policy.fetch_source(store, actor, feed, press.state.now, http)
    with store.begin() as conn:
        coded = [i for i in policy.list_items(conn, actor) if i["topic_code"]]
        topic = int(coded[0]["topic_code"])
        rules = {
            "any_party": policy.add_rule(conn, actor, "any_party", topics_=[topic],
                                         email="gr@watch.test", connection_id=connection),
            "owned": policy.add_rule(conn, actor, "owned", topics_=[topic],
                                     party="Republican", email="gr@watch.test",
                                     connection_id=connection),
            "first": policy.add_rule(conn, actor, "first", party="Republican",
                                     email="gr@watch.test", connection_id=connection),
        }
        republicans = policy.add_source(conn, actor, "feed", "Republicans", "Republican",
                                        f"{press.url}/party/R.xml")
    before = len(smtp_server.received)
    later = press.state.now + timedelta(days=4)
    press.state.now = later
    report = policy.fetch_source(store, actor, republicans, later, http)
    policy.fetch_source(store, actor, republicans, later + timedelta(minutes=15), http)
    with store.begin() as conn:
        alerts = policy.list_alerts(conn, actor)
    fired = {a["kind"] for a in alerts}
    assert report.alerts == len(alerts) and fired == set(rules)
    received = smtp_server.wait_for(before + len(alerts))[before:]
    assert len(received) == len(alerts)  # one mail each, none twice after a re-fetch
    assert all(a["mail"] == "sent" for a in alerts)
    subjects = {str(email.message_from_bytes(bytes(m)).get("Subject", "")) if isinstance(
        m, bytes) else str(m["Subject"]) for m in received}
    assert all(s.startswith("Policy watch: Republican") for s in subjects)


def test_a_partys_first_item_on_a_topic_alerts_even_when_one_fetch_brings_several(
    store: Store, press: PressServer, http: Http,
) -> None:
    """Items of one fetch share their first-seen time: the earliest published is the first."""
    actor = workspace(store)
    press.state.now = press.releases[0].published_at + timedelta(days=5)
    with store.begin() as conn:
        policy.add_rule(conn, actor, "first")
        feed = policy.add_source(conn, actor, "feed", "Democrats", "Democrat",
                                 f"{press.url}/party/D.xml")
    policy.fetch_source(store, actor, feed, press.state.now, http)
    with store.begin() as conn:
        alerts = policy.list_alerts(conn, actor)
        items = policy.list_items(conn, actor)
    topics = {int(i["topic_code"]) for i in items if i["topic_code"]}
    assert len(alerts) == len(topics) > 0


def test_an_edit_and_a_deletion_after_the_item_left_the_feed_are_still_detected(
    store: Store, press: PressServer, http: Http,
) -> None:
    """A feed lists only its newest entries: a release edited or deleted a day later is no
    longer in it, and is caught on its own page."""
    actor = workspace(store)
    press.state.window = 2
    r1, r2, _r3, r4 = [r for r in press.releases if r.party == "Republican"][:4]
    with store.begin() as conn:
        feed = policy.add_source(conn, actor, "feed", "Republicans", "Republican",
                                 f"{press.url}/party/R.xml")
    for moment in (r2.published_at, r4.published_at):
        press.state.now = moment + timedelta(minutes=1)
        policy.fetch_source(store, actor, feed, press.state.now, http)
    press.state.edited[r1.n] = r1.text.replace(".", ". Quietly changed.", 1)
    press.state.deleted.add(r2.n)
    later = r4.published_at + policy.RECHECK + timedelta(hours=1)
    press.state.now = later
    report = policy.fetch_source(store, actor, feed, later, http)
    assert (report.edited, report.deleted) == (1, 1)
    with store.begin() as conn:
        by_url = {i["url"]: i for i in policy.list_items(conn, actor)}
        edited = policy.get_item(conn, actor, int(by_url[f"{press.url}/release/{r1.n}"]["id"]))
    assert edited["versions"][-1]["seen_at"] == later
    assert any("Quietly changed." in line for line in edited["versions"][-1]["diff"])
    assert by_url[f"{press.url}/release/{r2.n}"]["state"] == "deleted"


def test_newsletter_alerts_wait_for_the_daily_digest_and_leave_in_one_mail_once(
    store: Store, press: PressServer, imap_server: ImapServer, smtp_server: SmtpServer,
) -> None:
    """Two newsletters in the IMAP mailbox raise "any party" alerts at night; the digest
    leaves after 07:00 UTC with both, and a later delivery run sends nothing again."""
    actor = workspace(store)
    office, connection = mailbox(store, actor, imap_server, smtp_server)
    letters = [r for r in press.releases if r.party == "Democrat"][:2]
    for release in letters:
        imap_server.deliver(office, _newsletter(release, "news@dems.test", office.name))
    with store.begin() as conn:
        source = policy.add_source(conn, actor, "email", "Newsletter", "Democrat",
                                   settings={"connection_id": connection,
                                             "sender": "news@dems.test"})
        every_topic = sorted(policy.topics())
        policy.add_rule(conn, actor, "any_party", topics_=every_topic, delivery="digest",
                        email="gr@watch.test", connection_id=connection)
    night = letters[-1].published_at.replace(hour=3, minute=0) + timedelta(days=1)
    before = len(smtp_server.received)
    report = policy.fetch_source(store, actor, source, night)
    assert report.new == 2 and report.alerts == 2
    assert policy.deliver_alerts(store, actor.workspace_id, night) == {}
    morning = night.replace(hour=policy.DIGEST_HOUR, minute=5)
    sent = policy.deliver_alerts(store, actor.workspace_id, morning)
    assert list(sent.values()) == ["sent"]
    assert policy.deliver_alerts(store, actor.workspace_id, morning + timedelta(hours=1)) == {}
    (digest,) = smtp_server.wait_for(before + 1)[before:]
    body = digest.get_payload(decode=True).decode() if not digest.is_multipart() else str(
        digest)
    assert "digest: 2 alert(s)" in str(digest["Subject"])
    assert all(r.title.split()[0] in body for r in letters)
