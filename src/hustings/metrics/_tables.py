"""The audit's base tables, built once per run as Ibis expressions and reduced by every metric.

All times are integer epoch seconds (``ts``), and weeks, days and hours are integer
arithmetic on them, so that DuckDB and Spark cannot disagree about time zones or calendars.

* ``own``: the audited accounts' own public messages in the period, with the reply target
  class and the call-to-action flag. Context records (``partial``: seen only as a tweet
  another one refers to) are left out: they were not collected as the account's output, and
  counting them inflates its volume. They stay evidence of responses, but are never inbound
  messages either: a context record exists because something refers to it, usually the very
  answer, so counting it would make a timeline-only collection look as if every message had
  been answered.
* ``gaps``: the same messages with the gap since the previous one (or the period's start),
  the silence until the next one (``tail``, or to the period's end) and whether a call to
  action ends a silence. A week grouping cuts both at the week's edges (see
  ``hustings.metrics._scorecard``).
* ``inbound``: messages addressed to an audited account (replies to it, mentions of it, DMs,
  comments, e-mails) in the period, each with its first human response and the flags the
  response-rate denominators need.
* ``answers``: the inbound messages the denominator counts that were answered, with the time
  to their first response: what every quantile reads.
* ``dialogues``: one row per (account, person, conversation) with the turns each side took.
* ``people``: one row per (account, person) who wrote or was answered.
* ``days``: one row per (account, active day), with the on/off switches it contributes.

Each row names its account by its number, ``aid``, alone (the number fixes the platform too);
the account's attributes (``akey``, platform, handle, party, role, district) are the small
``attrs`` table, joined only by the groupings that need them. Carried on every row, they made
the cached tables several times wider, and a 10-million-message audit spilled to disk.

**What counts as a response** to inbound message *m* for account *A*: the earliest message at
or after *m* by *A* or one of *A*'s staff accounts that is not automation and either replies
to *m* directly, or is a public reply to *m*'s author in the same conversation (one answer
covers several messages a person left in a thread), or is a later private message (DM,
e-mail, chat) in the same private conversation. A message answered twice counts once, at
its first answer. Replies whose format names only the account replied to (CSV exports) have
no conversation and so never count as responses.

**Automation** is recognised by the client a reply was sent from and by auto-responder texts
(see ``AUTOMATION_CLIENT_PATTERN`` and ``AUTOMATION_TEXT_PATTERN``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from hustings.metrics._directory import (
    PRIVATE_KINDS,
    Directory,
    own_output,
)
from hustings.metrics._engine import AuditInput, drop, materialize_all, upload
from hustings.metrics._params import AuditParams, Denominator

__all__ = ["DAY", "RESPONSE_WINDOWS", "Bases", "build_bases", "business_seconds", "week_of"]

DAY = 86_400
RESPONSE_WINDOWS = {"24h": DAY, "72h": 3 * DAY, "7d": 7 * DAY}

Col = Any  # Ibis value expressions: precise types fight the operator overloads


@dataclass(frozen=True)
class Bases:
    """The base tables, the resolved period (epoch seconds) and the observation horizon."""

    own: ir.Table
    gaps: ir.Table
    inbound: ir.Table
    answers: ir.Table
    dialogues: ir.Table
    people: ir.Table
    days: ir.Table
    attrs: ir.Table
    lo: int
    hi: int
    as_of: int
    directory: Directory
    params: AuditParams

    def get(self, name: str) -> ir.Table:
        table: ir.Table = getattr(self, name)
        return table


def week_of(ts: Col) -> Col:
    """Epoch second of the Monday 00:00 UTC that starts the week of ``ts``.

    1970-01-01 was a Thursday, hence the 3 days' shift.
    """
    return ts - ((ts // DAY + 3) % 7) * DAY - ts % DAY


def business_seconds(ts: Col, p: AuditParams) -> Col:
    """Business seconds elapsed from a fixed Monday up to ``ts``; differences give durations.

    Business days are Monday to Friday, ``business_start_hour`` to ``business_end_hour`` at
    the fixed ``utc_offset_hours``.
    """
    local = ts + p.utc_offset_hours * 3600
    day = (local // DAY).cast("int64")
    monday_based = day + 3
    weekday = monday_based % 7
    start, end = p.business_start_hour * 3600, p.business_end_hour * 3600
    seconds = local - day * DAY
    in_day = ibis.ifelse(weekday < 5, ibis.greatest(ibis.least(seconds, end) - start, 0), 0)
    days_before = (monday_based // 7).cast("int64") * 5 + ibis.least(weekday, 5)
    return days_before * (end - start) + in_day


def _rx(value: Col, pattern: str) -> Col:
    """Whether ``pattern`` occurs in ``value``, ignoring case; false for a missing value.

    Case is ignored by the ``(?i)`` flag, which RE2 (DuckDB) and Java (Spark) both read,
    rather than by lower-casing: a lower-cased copy of every text cost a third of the match.
    """
    return ibis.coalesce(value.re_search(f"(?i){pattern}"), False)


def _conv(t: ir.Table, fallback: Col) -> Col:
    return ibis.coalesce(t.conversation_id, t.root_id, fallback)


def _target_key(t: ir.Table) -> Col:
    return ibis.coalesce(t.reply_to_account_id, "@" + t.reply_to_handle.lower())


def _keyed_audited(con: BaseBackend | None, directory: Directory) -> ir.Table:
    """Audited accounts keyed both by id and by ``@handle``, for joins on either."""
    rows = []
    for a in directory.audited.to_pylist():
        handle = (a["handle"] or "").lower()
        for key in {a["account_id"], f"@{handle}"} - {"@"}:
            rows.append(
                {
                    "platform": a["platform"],
                    "target_key": key,
                    "aid": a["aid"],
                    "a_id": a["account_id"],
                    "a_handle": f"@{handle}",
                }
            )
    schema = pa.schema(
        [(n, pa.string()) for n in ("platform", "target_key", "a_id", "a_handle")]
        + [("aid", pa.int64())]
    )
    return upload(con, pa.Table.from_pylist(rows, schema=schema), "keyed")


def _own(m: ir.Table, aud: ir.Table, targets: ir.Table, b: dict[str, Any]) -> ir.Table:
    """Own messages with their reply target's class; the call-to-action test is a flag here,
    for :func:`_gaps`, which orders them."""
    p: AuditParams = b["params"]
    lo, hi = b["lo"], b["hi"]
    a = aud.select("platform", "account_id", "aid", "handle", "party")
    msgs = m.filter(own_output(m), m.ts >= lo, m.ts <= hi)
    target_key = _target_key(msgs)
    own = msgs.join(a, [msgs.platform == a.platform, msgs.author_id == a.account_id]).left_join(
        targets, [msgs.platform == targets.platform, target_key == targets.target_key]
    )
    authored = msgs.kind != "repost"
    is_reply = authored & (
        msgs.kind.isin(["reply", "comment"])
        | msgs.reply_to_id.notnull()
        | msgs.reply_to_account_id.notnull()
    )
    same_party = a.party.notnull() & (targets.target_party == a.party)
    target = ibis.cases(
        (~is_reply, None),
        (target_key.isnull(), "unknown"),
        ((target_key == a.account_id) | (target_key == "@" + a.handle.lower()), "self"),
        (targets.target_principal == a.aid, "own_party"),
        (targets.target_role == "media", "media"),
        (same_party, "own_party"),
        (targets.target_party.notnull(), "other_parties"),
        else_="citizens",
    )
    return own.select(
        aid=a.aid,
        platform_id=msgs.platform_id,
        ts=msgs.ts,
        kind=msgs.kind,
        authored=authored,
        is_reply=is_reply,
        ask=authored & _rx(msgs.text, p.ask_pattern),
        week=week_of(msgs.ts),
        target=target,
    )


def _gaps(own: ir.Table, b: dict[str, Any]) -> ir.Table:
    """The silences around each own message, by a window over four narrow columns.

    A window sorts every column it carries: over the whole of ``own`` (the reply targets,
    the kinds) it took half as long again, so the gaps are a table of their own.
    """
    p: AuditParams = b["params"]
    lo, hi = b["lo"], b["hi"]
    t = own.select("aid", "platform_id", "ts", "ask")
    w = ibis.window(group_by=t.aid, order_by=[t.ts, t.platform_id])
    prev, nxt = t.ts.lag().over(w), t.ts.lead().over(w)
    gap = t.ts - ibis.coalesce(prev, lo)
    return t.select(
        "aid",
        "ts",
        gap=gap,
        tail=ibis.coalesce(nxt, hi) - t.ts,
        ask_after_silence=t.ask & prev.notnull() & (gap >= p.silence_days * DAY),
        week=week_of(t.ts),
    )


_INBOUND_COLUMNS = ("platform_id", "aid", "author_id", "ts")


def _private(t: ir.Table) -> Col:
    return t.kind.isin(PRIVATE_KINDS) | (t.visibility == "direct")


def _period_messages(m: ir.Table, keyed: ir.Table, b: dict[str, Any]) -> ir.Table:
    """The period's messages that can be inbound, narrowed to what the candidates need.

    Every kind of candidate (replies, mentions, private messages) is picked from this one
    table, stored for the purpose: the text is reduced here to the needs-reply flag
    (``nr_text``), and the conversation to one column. Shared as whole message rows
    instead, the period was held in memory with its text and at 10 million messages
    spilled 1.7 GB to disk; read from Parquet once per kind instead, it cost as much.
    """
    lo, hi, pattern = b["lo"], b["hi"], b["params"].needs_reply_pattern
    # A context record is there because something refers to it (often the account's own
    # answer), so counting it would fill the denominator with answered messages only.
    period = m.filter(m.ts >= lo, m.ts <= hi, m.kind != "repost", ~ibis.coalesce(m.partial, False))
    narrow = period.select(
        "platform",
        "platform_id",
        "author_id",
        "ts",
        "kind",
        "mentions",
        "reply_to_account_id",
        "reply_to_handle",
        is_private=_private(period),
        target_key=_target_key(period),
        conv=_conv(period, period.platform_id),
        nr_text=_rx(period.text, pattern),
    )
    # Only a message that replies to an audited account, mentions someone or is private can
    # be inbound: the rest (two fifths of a campaign's messages: its posts, and its answers
    # to the people who wrote) is not stored at all.
    return narrow.filter(
        narrow.target_key.isin(keyed.target_key).fill_null(False)
        | (narrow.mentions.length() > 0).fill_null(False)
        | narrow.is_private
    )


def _inbound_candidates(m: ir.Table, period: ir.Table, keyed: ir.Table, resp: ir.Table) -> ir.Table:
    """Messages addressed to an audited account, without their text.

    The text is read once, for the needs-reply heuristic (``nr_text``, see
    :func:`_period_messages`), and then left behind: carried on, it would be the widest
    column of every sort and join that follows (the waiting list looks it up again for the
    few messages it shows).
    """

    def pick(t: ir.Table, public_kind: Col) -> ir.Table:
        """The candidate's columns."""
        ikind = ibis.cases((t.kind == "email", "email"), (t.is_private, "dm"), else_=public_kind)
        return t.select(*_INBOUND_COLUMNS, ikind=ikind, conv=t.conv, nr_text=t.nr_text)

    # Replies (public or private) to the account, by id or by handle.
    replied = period.join(keyed, ["platform", "target_key"])
    replies = pick(replied, ibis.ifelse(replied.kind == "comment", "comment", "reply"))
    # Mentions that are not already a reply to the same account.
    mentioned = period.filter(period.mentions.length() > 0)
    mentioned = mentioned.mutate(mention=mentioned.mentions.unnest())  # Spark: explode alone
    mentioned = mentioned.mutate(target_key="@" + mentioned.mention.lower()).join(
        keyed, ["platform", "target_key"]
    )
    replied_to = (mentioned.reply_to_account_id == mentioned.a_id).fill_null(False) | (
        "@" + mentioned.reply_to_handle.lower() == mentioned.a_handle
    ).fill_null(False)
    mentions = pick(mentioned.filter(~replied_to), ibis.literal("mention"))
    # Private conversations the account (or its staff) takes part in.
    priv_all = m.filter(_private(m))
    joined = priv_all.mutate(conv=_conv(priv_all, priv_all.platform_id)).join(
        resp, [priv_all.platform == resp.platform, priv_all.author_id == resp.responder_id]
    )
    taking_part = joined.select("platform", "conv", "aid").distinct()
    private = period.filter(period.is_private)
    in_private = pick(private.join(taking_part, ["platform", "conv"]), ibis.literal("dm"))
    # A public reply is found once; a message found twice (a private reply in a private
    # conversation, a handle mentioned twice) is in the smaller rest, deduplicated there.
    rest = replies.filter(replies.ikind.isin(["dm", "email"])).union(mentions, in_private)
    everything = replies.filter(~replies.ikind.isin(["dm", "email"])).union(rest.distinct())
    own_side = everything.join(
        resp,
        [everything.author_id == resp.responder_id, everything.aid == resp.aid],
        how="anti",
    )
    return own_side


def _responses(m: ir.Table, resp: ir.Table, p: AuditParams, lo: int) -> ir.Table:
    """Messages by responders that can answer someone: not automation, not reposts, and
    addressed to someone (a reply, or a private message).

    A post that replies to nobody answers nothing (see "What counts as a response"): kept,
    the posts were three fifths of these rows in a campaign, and every join that looks for
    answers built its hash table over them.
    """
    addressed = m.reply_to_id.notnull() | m.reply_to_account_id.notnull() | _private(m)
    r = m.filter(m.ts >= lo, m.kind != "repost", addressed).join(
        resp, [m.platform == resp.platform, m.author_id == resp.responder_id]
    )
    human = ~(_rx(r.client, p.automation_client_pattern) | _rx(r.text, p.automation_text_pattern))
    return r.filter(human).select(
        "aid",
        r_ts=r.ts,
        r_parent=r.reply_to_id,
        r_person=r.reply_to_account_id,
        r_conv=_conv(r, r.reply_to_id),
        r_private=_private(r),
    )


def _per_message(inb: ir.Table, r: ir.Table, silence: int) -> ir.Table:
    """Each inbound message's first response (``first_ts``) and whether the same person wrote
    to the same account less than ``silence`` seconds before (``recent``), keyed by
    ``(platform_id, aid)``; a message with neither has no row.

    ``recent`` is what Facebook's denominator needs (the first message after a silence), put
    as "an earlier message within the silence" rather than as the gap to the previous one:
    the same thing, since the previous message is the latest earlier one, but an equi-join
    on (account, person) and a filter instead of a window. The window had to partition six
    million messages among nearly as many people, carrying every column: 4.5 s of CPU at
    ten million messages, against 3.2 s for the join and the filter.

    No join or grouping here names the platform: the account key already fixes it, for the
    inbound message and the responder alike, and each extra string key cost a fifth of the
    hashing.
    """
    key = ("platform_id", "aid")
    i = inb.select(*key, "ts", "conv", "author_id")
    direct = i.join(r, [i.aid == r.aid, i.platform_id == r.r_parent]).filter(
        lambda t: t.r_ts >= t.ts
    )
    rp = r.filter(~r.r_private)
    public = i.join(rp, [i.aid == rp.aid, i.conv == rp.r_conv, i.author_id == rp.r_person]).filter(
        lambda t: t.r_ts > t.ts
    )
    rq = r.filter(r.r_private)
    private = i.join(rq, [i.aid == rq.aid, i.conv == rq.r_conv]).filter(lambda t: t.r_ts > t.ts)
    e = i.select("aid", "author_id", e_ts="ts", e_id="platform_id")
    # The cheap tests first: most pairs are a message and itself, or far apart in time.
    earlier = i.join(e, [i.aid == e.aid, i.author_id == e.author_id]).filter(
        lambda t: (
            (t.ts - t.e_ts < silence)
            & (t.e_ts <= t.ts)
            & ((t.e_ts < t.ts) | (t.e_id < t.platform_id))
        )
    )
    no_time = ibis.null("int64")
    found = (
        direct.select(*key, "r_ts", recent=False)
        .union(public.select(*key, "r_ts", recent=False))
        .union(private.select(*key, "r_ts", recent=False))
        .union(earlier.select(*key, r_ts=no_time, recent=True))
    )
    return found.group_by(list(key)).aggregate(first_ts=found.r_ts.min(), recent=found.recent.any())


def _needs_reply(inp: AuditInput, inb: ir.Table, aud: ir.Table, p: AuditParams) -> ir.Table:
    """The classifier's verdict where it scored the message, else the heuristic's."""
    if inp.needs_reply is None:
        return inb.mutate(needs_reply=inb.nr_text).drop("nr_text")
    scores = inp.needs_reply.select("platform", "platform_id", nr_score="score")
    placed = inb.join(aud.select("aid", "platform"), "aid")
    joined = placed.left_join(scores, ["platform", "platform_id"]).select(
        ~(ibis.selectors.endswith("_right") | ibis.selectors.cols("platform"))
    )
    return joined.mutate(
        needs_reply=ibis.ifelse(
            joined.nr_score.isnull(), joined.nr_text, joined.nr_score >= p.needs_reply_threshold
        )
    ).drop("nr_score", "nr_text")


def _inbound_core(
    inp: AuditInput, cand: ir.Table, r: ir.Table, aud: ir.Table, p: AuditParams
) -> ir.Table:
    """Inbound messages with their first response, needs-reply and after-silence flags."""
    found = _per_message(cand, r, p.facebook_silence_hours * 3600)
    inb = cand.left_join(found, ["platform_id", "aid"]).select(~ibis.selectors.endswith("_right"))
    inb = _needs_reply(inp, inb, aud, p)
    inb = inb.mutate(after_silence=~inb.recent.fill_null(False)).drop("recent")
    return inb.rename(person_id="author_id")


def _inbound_flags(inb: ir.Table, p: AuditParams, as_of: int) -> ir.Table:
    """The columns the inbound metrics reduce, derived from the stored core when read.

    Stored with the core they more than doubled its width, and writing them cost more than
    deriving them: the scorecard reads all of them in one query (the account cells roll up
    from the week cells, see :mod:`hustings.metrics._scorecard`), and the waiting list and
    ``answers`` only for the rows they keep.
    """
    counted = {
        Denominator.ALL: ibis.literal(True),
        Denominator.NEEDS_REPLY: inb.needs_reply,
        Denominator.FACEBOOK: inb.after_silence,
    }[p.denominator]
    wait = inb.first_ts - inb.ts
    extra: dict[str, Col] = {
        "counted": counted,
        "answered": inb.first_ts.notnull(),
        "response_min": wait.cast("float64") / 60,
        "response_business_min": (
            business_seconds(inb.first_ts, p) - business_seconds(inb.ts, p)
        ).cast("float64")
        / 60,
        "waiting": inb.needs_reply & inb.first_ts.isnull(),
        "wait_hours": ibis.coalesce(wait, as_of - inb.ts).cast("float64") / 3600,
        "week": week_of(inb.ts),
    }
    for label, seconds in RESPONSE_WINDOWS.items():
        extra[f"in_{label}"] = (wait <= seconds).fill_null(False)
        extra[f"seen_{label}"] = inb.ts <= as_of - seconds
    return inb.mutate(**extra)


def _answers(inbound: ir.Table) -> ir.Table:
    """The counted, answered inbound messages, narrowed to the response times.

    Every grouping computes its quantiles from these rows; read from ``inbound`` instead,
    each of them filtered all of its rows again (and joined them to the account attributes
    first, for a party or a role), which cost twice as much.
    """
    answered = inbound.filter(inbound.counted & inbound.answered)
    return answered.select("aid", "week", "response_min", "response_business_min")


def _dialogues(inb: ir.Table, r: ir.Table, resp: ir.Table, lo: int, hi: int) -> ir.Table:
    """One row per (account, person, conversation); keyed without the platform, which the
    account key fixes (see :func:`_per_message`)."""
    ins = inb.select("aid", "person_id", "conv", n_in=ibis.literal(1), n_out=ibis.literal(0))
    out = r.filter(r.r_ts >= lo, r.r_ts <= hi, r.r_person.notnull())
    out = out.join(
        resp, [out.r_person == resp.responder_id, out.aid == resp.aid], how="anti"
    ).select(
        "aid",
        person_id="r_person",
        conv="r_conv",
        n_in=ibis.literal(0),
        n_out=ibis.literal(1),
    )
    both = ins.union(out)
    return both.group_by(["aid", "person_id", "conv"]).aggregate(
        n_in=both.n_in.sum(), n_out=both.n_out.sum()
    )


def _people(dialogues: ir.Table) -> ir.Table:
    """One row per (account, person), reduced from ``dialogues``; cache that first, or the
    dialogues' own grouping runs again inside this one."""
    return dialogues.group_by(["aid", "person_id"]).aggregate(
        wrote=dialogues.n_in.sum() > 0,
        replied=dialogues.n_out.sum() > 0,
        exchanges=((dialogues.n_in > 0) & (dialogues.n_out > 0)).cast("int64").sum(),
    )


def _days(own: ir.Table, lo: int, hi: int) -> ir.Table:
    days = own.select("aid", day=(own.ts // DAY).cast("int64")).distinct()
    w = ibis.window(group_by=days.aid, order_by=days.day)
    prev, nxt = days.day.lag().over(w), days.day.lead().over(w)
    first_day, last_day = lo // DAY, hi // DAY
    switches = (
        ibis.ifelse((days.day - prev > 1).fill_null(False), 2, 0)
        + ibis.ifelse(prev.isnull() & (days.day > first_day), 1, 0)
        + ibis.ifelse(nxt.isnull() & (days.day < last_day), 1, 0)
    )
    return days.mutate(switches=switches, week=week_of(days.day * DAY))


def build_bases(
    inp: AuditInput,
    directory: Directory,
    params: AuditParams,
    lo: int,
    hi: int,
    as_of: int,
    cache: bool = True,
) -> Bases:
    """Build (and, by default, cache on the engine) every base table for one audit.

    The tables are built in stages, each stage's tables side by side (see
    :func:`hustings.metrics._engine.materialize_all`): one query at a time left a core idle
    whenever a query was down to one thread (finishing a hash table, compiling the next).
    Intermediate tables (the period's messages, the candidates, the responses) are released
    as soon as the tables built from them are cached: kept, they held a third of the
    engine's memory to the end.
    """
    m = inp.messages
    aud, resp, targets = directory.tables(inp.con)
    b = {"params": params, "lo": lo, "hi": hi}

    def keep(*exprs: ir.Table) -> list[ir.Table]:
        return materialize_all(inp.con, exprs) if cache else list(exprs)

    def release(*tables: ir.Table) -> None:
        for table in tables if cache else ():
            drop(inp.con, table)

    keyed = _keyed_audited(inp.con, directory)
    r, own, period = keep(
        _responses(m, resp, params, lo), _own(m, aud, targets, b), _period_messages(m, keyed, b)
    )
    # The candidates are read four times by the core: stored, or each read recomputes them.
    cand = _inbound_candidates(m, period, keyed, resp)
    gaps, days, cand = keep(_gaps(own, b), _days(own, lo, hi), cand)
    release(period)
    # The conversations need the candidates alone, not their answers: made beside the core.
    conversations = _dialogues(cand.rename(person_id="author_id"), r, resp, lo, hi)
    core, dialogues = keep(_inbound_core(inp, cand, r, aud, params), conversations)
    release(cand, r)
    inbound = _inbound_flags(core, params, as_of)
    answers, people = keep(_answers(inbound), _people(dialogues))
    return Bases(
        own=own,
        gaps=gaps,
        inbound=inbound,
        answers=answers,
        dialogues=dialogues,
        people=people,
        days=days,
        attrs=aud,
        lo=lo,
        hi=hi,
        as_of=as_of,
        directory=directory,
        params=params,
    )
