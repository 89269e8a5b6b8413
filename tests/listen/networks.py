"""Hand-made conversations with known camps, known cross-camp replies and known answers."""

from __future__ import annotations

from hustings.listen import Corpus, CorpusBuilder, EdgeKind

T0 = 1_700_000_000
CAMP_A = [f"a{i}" for i in range(8)]
CAMP_B = [f"b{i}" for i in range(8)]


def two_camps(bridge_reposts: int = 1) -> Corpus:
    """Two camps of eight (hub ``a0`` / ``b0``), each reposting inside itself, plus replies.

    Replies (author → addressee, time offset, depth):
      a1 → b1 (cross, answered by b1 → a1), a2 → b2 (cross, one-shot),
      a3 → a4 (within, one-shot), b3 → a0 (cross, one-shot), b1 → a1 (cross, answers a1).
    So: 4 of 5 replies cross camps; only a1 → b1 got a reply back (b1 → a1 came after it and
    nothing answered b1), so 1 of 5 is two-way and a1 is the one bridge.
    """
    b = CorpusBuilder()
    for camp in (CAMP_A, CAMP_B):
        for i, who in enumerate(camp):
            for target in (camp[0], camp[(i + 1) % len(camp)], camp[(i + 3) % len(camp)]):
                m = b.message(f"rt-{who}-{target}", who, T0 + i, "RT", repost=True)
                b.edge(m, target, EdgeKind.REPOST)
    for k in range(bridge_reposts):
        m = b.message(f"rt-bridge-{k}", "a5", T0 + 50 + k, "RT", repost=True)
        b.edge(m, "b6", EdgeKind.REPOST)
    replies = [
        ("a1", "b1", 100, 1, "Why do you think so?"),
        ("a2", "b2", 110, 1, "Nonsense."),
        ("a3", "a4", 120, 2, "Agreed"),
        ("b3", "a0", 130, 1, "Will you answer?"),
        ("b1", "a1", 140, 2, "Because of the figures, @a1"),
    ]
    for who, to, dt, depth, text in replies:
        m = b.message(f"re-{who}-{to}", who, T0 + dt, text, depth=depth)
        b.edge(m, to, EdgeKind.REPLY)
        if "@a1" in text:
            b.edge(m, "a1", EdgeKind.MENTION)
    q = b.message("q-lonely", "undecided1", T0 + 200, "Who should I vote for?")
    b.edge(q, "a0", EdgeKind.MENTION)
    b.track("a0", "leader", "Party A")
    b.track("b0", "party", "Party B")
    return b.build()
