"""One person (or party) on several platforms is one account in the network.

Kept apart, a party's X and Mastodon accounts drew their own camps: in the demo, camp 3 was
simply "the Mastodon accounts". Here two parties each post on X and on Mastodon and their
followers on each platform pass the posts on: the camps must be the two parties, each
spanning both platforms, not four platform-pure groups.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings.listen import ListenQuery, listen
from hustings.model import Message, MessageKind, Role, TrackedAccount
from hustings.store import Store
from hustings.store.records import write_messages, write_tracked
from hustings.store.schema import people, person_identities
from hustings.workspace import create_workspace

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
HOSTS = {"x": "{}", "mastodon": "{}@m.example"}


def _post(platform: str, pid: str, author: str, handle: str, minute: int, **kw: object) -> Message:
    return Message(  # type: ignore[arg-type]
        platform=platform,
        platform_id=pid,
        author_id=author,
        author_handle=handle,
        created_at=T0 + timedelta(minutes=minute),
        text=kw.pop("text", "RT"),
        kind=kw.pop("kind", MessageKind.REPOST),
        **kw,
    )


def _campaign(store: Store) -> None:
    """Parties A and B on X and Mastodon; five followers per party and platform repost them."""
    messages, tracked = [], []
    for party in ("A", "B"):
        for platform, form in HOSTS.items():
            handle = form.format(f"Party{party}")
            tracked.append(
                TrackedAccount(platform, handle, Role.PARTY, name=f"Party {party}", party=party)
            )
            post = f"{platform}-{party}-post"
            messages.append(
                _post(
                    platform,
                    post,
                    f"{platform}-{party}",
                    handle,
                    0,
                    text="Vote for us #vote",
                    kind=MessageKind.POST,
                    hashtags=("vote",),
                )
            )
            for i in range(5):
                who = form.format(f"fan{party}{i}")
                messages.append(
                    _post(
                        platform,
                        f"{post}-rt{i}",
                        f"{platform}-{party}{i}",
                        who,
                        i + 1,
                        repost_of_id=post,
                    )
                )
    with store.begin() as conn:
        write_messages(conn, messages, None)
        write_tracked(conn, tracked)


def _platforms_per_camp(store: Store) -> list[set[str]]:
    result = listen(store, ListenQuery.parse("#vote"), classify=False)
    corpus = result.corpus
    return [
        {corpus.names[i].partition(":")[0] for i in range(corpus.n_accounts) if result.camp[i] == c}
        for c in range(len(result.camps))
    ]


def test_a_party_on_two_platforms_is_one_camp_not_two(any_store: Store) -> None:
    _campaign(any_store)
    assert _platforms_per_camp(any_store) == [{"x", "mastodon"}, {"x", "mastodon"}]


def test_the_registry_merges_a_partys_accounts_into_one_node(any_store: Store) -> None:
    _campaign(any_store)
    result = listen(any_store, ListenQuery.parse("#vote"), classify=False)
    corpus = result.corpus
    assert "mastodon:partya@m.example" not in corpus.names
    merged = corpus.names.index("x:partya")
    assert corpus.aliases[merged] == ("mastodon:partya@m.example",)


def test_a_workspace_person_with_two_accounts_is_one_node(any_store: Store) -> None:
    _campaign(any_store)
    north = create_workspace(any_store, "North")
    with any_store.begin() as conn:
        person = conn.execute(
            people.insert().values(
                workspace_id=north.id, name="Fan", created_at=T0
            )
        ).inserted_primary_key[0]
        for platform, account, handle in (
            ("x", "x-A0", "fanA0"),
            ("mastodon", "mastodon-A0", "fanA0@m.example"),
        ):
            conn.execute(
                person_identities.insert().values(
                    workspace_id=north.id,
                    person_id=person,
                    platform=platform,
                    account_id=account,
                    handle=handle,
                    verified=False,
                    linked=[],
                )
            )
    alone = listen(any_store, ListenQuery.parse("#vote"), classify=False).corpus
    together = listen(any_store, ListenQuery.parse("#vote"), classify=False, workspace="North")
    assert together.corpus.n_accounts == alone.n_accounts - 1
    assert (
        "mastodon:fana0@m.example"
        in together.corpus.aliases[together.corpus.names.index("x:fana0")]
    )
