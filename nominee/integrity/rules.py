"""The integrity scan's analysis: pure functions over plain arrays, no database.

Input: the window's active endorsements as three parallel sequences sorted by
(recipient, time): ``endorser``, ``recipient`` (the contribution's owner) and ``at``
(whole seconds since the epoch); the accounts' facts (``Account``); the window and the
nominations-close moments inside it. Output: one ``MemberResult`` per member who
received an endorsement, with its signals, combined score, flag and effective
endorsers. The formulas are documented in the README ("Integrity of endorsements") and
next to each constant below; everything here is linear in the endorsements, with
dict lookups only (20,000 members and 1.5M endorsements scan in well under a minute).

Signals (strength 0..1 each):

- ``reciprocity``: share of the endorsements received that the member returned to the
  same endorser within 30 days (either order), ramped from 20% to 70%, times the share
  of the endorsements given that were returned, ramped from 10% to 40% (someone who
  endorses nearly everyone returns much by habit), times a confidence of
  (returned / 3, at most 1).
- ``closed_group``: the member's group is found by following each member's main
  endorsers backwards (those giving at least 5% of its endorsements and at least the
  average per endorser; 12 per account, ``GROUP_MAX`` accounts in all), then peeling
  off every account that receives less than half of its endorsements from inside the
  group, and less than a third from inside members who endorsed it more than once,
  until all left do, and, while the group as a whole receives less than half of its
  endorsements from inside, its least tied account (``peel``). The
  strength ramps the average of the member's own and the group's inside share from 35%
  to 80%, times a confidence of (inside endorsements / 3). Directed rings
  (A->B->C->D->A) are found like cliques: no mutual pair is needed, and a ring member
  whose work also drew a few outsiders does not break the ring (it has no second path
  around that member, as a clique has).
  A big community is never "closed": its members receive from far more than 16
  accounts.
- ``thin_base``: Discourse's rule of thumb (distinct endorsers >= 1/4 of the
  endorsements, distinct days >= 1/3 of them but at most 10; each shortfall, as a share
  of the endorsements, ramps to full strength at 20 and 25 points) and the share of
  the top 3 endorsers (ramped 50% -> 100%); from 5 endorsements received.
- ``puppets``: endorsers created at most 30 days before their first endorsement, with
  no public contribution, giving at least 80% of their endorsements to one member (or
  to one member and that member's main endorsers: a group);
  the strength ramps their share of the endorsements received from 10% to 50%, times
  (puppets / 3); unverified addresses and registrations within 7 days of each other
  are told in the explanation.
- ``burst``: more than half of the endorsements inside 48 hours (ramped 50% -> 90%),
  at full strength when the 48 hours end at most 3 days before nominations close,
  60% otherwise; from 4 endorsements received.

Combined score: 1 - prod(1 - weight x strength), weights in ``WEIGHTS``; a member is
flagged at ``FLAG_THRESHOLD``. Reciprocity, a thin base or a burst alone never flags.

Effective endorsers: each distinct endorser counts 1, times 0.2 when a puppet, times
(1 - closed-group strength) when inside the member's closed group, times 0.5 when the
member returned their endorsement within 30 days; 0 when an organizer confirmed a flag
naming them. A member an organizer marked legitimate keeps the raw count.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from heapq import nlargest
from math import ceil

DAY = 86400
RETURN_WINDOW = 30 * DAY
BURST_WINDOW = 2 * DAY
BURST_NEAR_CLOSE = 3 * DAY
PUPPET_AGE = 30 * DAY
PUPPET_CONCENTRATION = 0.8
REGISTRATION_BURST = 7 * DAY
THIN_DAYS = 10  # distinct days a thin base needs at most

GROUP_MAX = 16  # accounts followed backwards from one member
MAIN_ENDORSERS = 12  # per account, the endorsers followed
MAIN_SHARE = 0.05  # ... giving at least this share of its endorsements
GROUP_SHARE = 0.5  # peeling: the group keeps at least this share of its endorsements inside,
# and so does each account, or at least this share from devoted inside endorsers:
MEMBER_SHARE = 1 / 3

WEIGHTS = {
    "closed_group": 1.0,
    "puppets": 1.0,
    "reciprocity": 0.55,
    "burst": 0.5,
    "thin_base": 0.5,
}
FLAG_THRESHOLD = 0.6
PUPPET_WEIGHT = 0.2
RETURNED_WEIGHT = 0.5
NAMED_ACCOUNTS = 6  # accounts named in one explanation; the rest are counted


@dataclass(frozen=True)
class Account:
    created_at: int  # seconds since the epoch
    verified: bool
    public_contributions: bool
    name: str = ""


@dataclass
class Signal:
    name: str
    strength: float
    explanation: str
    accounts: list[int]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "strength": round(self.strength, 3),
            "explanation": self.explanation,
            "accounts": self.accounts,
        }


@dataclass
class MemberResult:
    user_id: int
    received: int
    distinct_endorsers: int
    score: float
    flagged: bool
    effective_endorsers: float
    signals: list[Signal] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "user_id": self.user_id,
            "flagged": self.flagged,
            "score": round(self.score, 3),
            "effective_endorsers": self.effective_endorsers,
            "signals": [s.as_dict() for s in self.signals],
        }


@dataclass(frozen=True)
class Review:
    """An organizer's standing word on a member's flag."""

    legitimate: bool
    accounts: frozenset[int] = frozenset()  # confirmed: these endorsers count 0


def ramp(value: float, low: float, high: float) -> float:
    if value <= low:
        return 0.0
    if value >= high:
        return 1.0
    return (value - low) / (high - low)


def combine(strengths: Iterable[tuple[str, float]]) -> float:
    keep = 1.0
    for name, strength in strengths:
        keep *= 1.0 - WEIGHTS[name] * strength
    return 1.0 - keep


def percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole) if whole else 0}%"


def day_text(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


class Names:
    def __init__(self, accounts: Mapping[int, Account]) -> None:
        self.accounts = accounts

    def one(self, uid: int) -> str:
        account = self.accounts.get(uid)
        name = account.name if account is not None and account.name else "member"
        return f"{name} (#{uid})"

    def some(self, uids: Sequence[int]) -> str:
        named = [self.one(u) for u in uids[:NAMED_ACCOUNTS]]
        rest = len(uids) - len(named)
        if rest > 0:
            named.append(f"{rest} more")
        if len(named) == 1:
            return named[0]
        return ", ".join(named[:-1]) + " and " + named[-1]


class Graph:
    """The window's endorsements, aggregated once."""

    def __init__(
        self, endorser: Sequence[int], recipient: Sequence[int], at: Sequence[int]
    ) -> None:
        self.endorser = endorser
        self.recipient = recipient
        self.at = at
        # recipient -> {endorser: endorsements}; recipient -> slice of the arrays.
        self.into: dict[int, dict[int, int]] = {}
        self.span: dict[int, tuple[int, int]] = {}
        self.given: dict[int, int] = {}
        self.top_given: dict[int, tuple[int, int]] = {}  # endorser -> (recipient, n)
        self.first_given: dict[int, int] = {}
        n = len(recipient)
        i = 0
        into = self.into
        given = self.given
        first = self.first_given
        while i < n:
            r = recipient[i]
            j = i
            counts: dict[int, int] = {}
            while j < n and recipient[j] == r:
                e = endorser[j]
                counts[e] = counts.get(e, 0) + 1
                given[e] = given.get(e, 0) + 1
                t = at[j]
                if t < first.get(e, t + 1):
                    first[e] = t
                j += 1
            if r in self.span:
                raise ValueError("endorsements must be sorted by recipient")
            into[r] = counts
            self.span[r] = (i, j)
            i = j
        top = self.top_given
        for r, counts in into.items():
            for e, c in counts.items():
                best = top.get(e)
                if best is None or c > best[1]:
                    top[e] = (r, c)
        self.received = {r: hi - lo for r, (lo, hi) in self.span.items()}
        self._pair_times: dict[tuple[int, int], list[int]] | None = None

    def pair_times(self) -> dict[tuple[int, int], list[int]]:
        """(endorser, recipient) -> the times of its endorsements, sorted, for the pairs
        that endorsed each other (both ways) inside the window: one pass."""
        if self._pair_times is None:
            into = self.into
            pairs: dict[tuple[int, int], list[int]] = {}
            endorser, recipient, at = self.endorser, self.recipient, self.at
            for k in range(len(recipient)):
                e, r = endorser[k], recipient[k]
                back = into.get(e)
                if back is not None and r in back:
                    key = (e, r)
                    times = pairs.get(key)
                    if times is None:
                        pairs[key] = [at[k]]
                    else:
                        times.append(at[k])
            self._pair_times = pairs
        return self._pair_times

    def main_endorsers(self, r: int) -> list[int]:
        counts = self.into.get(r)
        if not counts:
            return []
        total = self.received[r]
        floor = max(MAIN_SHARE * total, total / len(counts))
        chosen = [e for e, c in counts.items() if c >= floor]
        if len(chosen) > MAIN_ENDORSERS:
            chosen = nlargest(MAIN_ENDORSERS, chosen, key=counts.__getitem__)
        return chosen


@dataclass
class Window:
    since: int
    until: int
    closes: Sequence[int] = ()  # nominations close moments inside the window


def analyse(
    graph: Graph,
    accounts: Mapping[int, Account],
    window: Window,
    reviews: Mapping[int, Review] | None = None,
) -> list[MemberResult]:
    reviews = reviews or {}
    names = Names(accounts)
    main: dict[int, list[int]] = {}
    puppets = find_puppets(graph, accounts, main)
    results = []
    for r in sorted(graph.into):
        signals: list[Signal] = []
        returned_from = reciprocity(graph, r, names, signals)
        group, group_strength = closed_group(graph, r, main, names, signals)
        thin_base(graph, r, names, signals)
        puppet_signal(graph, r, puppets, accounts, names, signals)
        burst(graph, r, window, names, signals)
        score = combine((s.name, s.strength) for s in signals)
        review = reviews.get(r)
        counts = graph.into[r]
        weights = {}
        for e in counts:
            w = 1.0
            if review is not None and review.legitimate:
                weights[e] = w
                continue
            if e in puppets:
                w *= PUPPET_WEIGHT
            if e in group:
                w *= 1.0 - group_strength
            if e in returned_from:
                w *= RETURNED_WEIGHT
            if review is not None and e in review.accounts:
                w = 0.0
            weights[e] = w
        flagged = score >= FLAG_THRESHOLD and not (review is not None and review.legitimate)
        results.append(
            MemberResult(
                user_id=r,
                received=graph.received[r],
                distinct_endorsers=len(counts),
                score=score,
                flagged=flagged,
                effective_endorsers=round(sum(weights.values()), 1),
                signals=[s for s in signals if s.strength > 0],
            )
        )
    return results


def reciprocity(graph: Graph, r: int, names: Names, signals: list[Signal]) -> set[int]:
    """The endorsers whose endorsement ``r`` returned within 30 days."""
    into = graph.into
    counts = into[r]
    given_back = [e for e in counts if r in into.get(e, ())]
    if not given_back:
        return set()
    returned_from: set[int] = set()
    returned_received = 0
    returned_given = 0
    pair_times = graph.pair_times()
    for e in given_back:
        received_at = pair_times[(e, r)]
        given_at = pair_times[(r, e)]
        hits = sum(1 for t in received_at if near(given_at, t, RETURN_WINDOW))
        if hits:
            returned_from.add(e)
            returned_received += hits
            returned_given += sum(1 for t in given_at if near(received_at, t, RETURN_WINDOW))
    if not returned_from:
        return returned_from
    received = graph.received[r]
    given = graph.given.get(r, 0)
    share = returned_received / received
    # A member who endorses nearly everyone returns much by habit, not as a favour.
    strength = (
        ramp(share, 0.2, 0.7)
        * ramp(returned_given / given if given else 0.0, 0.1, 0.4)
        * min(1.0, returned_received / 3)
    )
    partners = sorted(returned_from, key=lambda e: (-counts[e], e))
    signals.append(
        Signal(
            "reciprocity",
            strength,
            f"{returned_received} of {received} endorsements received "
            f"({percent(returned_received, received)}) were returned within 30 days, "
            f"and {returned_given} of {given} given ({percent(returned_given, given)}) were "
            f"returned, with {names.some(partners)}.",
            partners,
        )
    )
    return returned_from


def near(sorted_times: list[int], t: int, distance: int) -> bool:
    k = bisect_left(sorted_times, t - distance)
    return k < len(sorted_times) and sorted_times[k] <= t + distance


def closed_group(
    graph: Graph,
    r: int,
    main: dict[int, list[int]],
    names: Names,
    signals: list[Signal],
) -> tuple[set[int], float]:
    into = graph.into
    received = graph.received
    counts = into[r]
    # Even all of its main endorsers together may give too little to keep r inside.
    top = main.get(r)
    if top is None:
        top = main[r] = graph.main_endorsers(r)
    if sum(counts[e] for e in top) < MEMBER_SHARE * received[r]:
        return set(), 0.0
    group = [r]
    seen = {r}
    k = 0
    while k < len(group) and len(group) < GROUP_MAX:
        x = group[k]
        k += 1
        followed = main.get(x)
        if followed is None:
            followed = main[x] = graph.main_endorsers(x)
        if not followed:
            continue
        weights = into[x]
        for e in sorted(followed, key=weights.__getitem__, reverse=True):
            if e not in seen and len(group) < GROUP_MAX:
                seen.add(e)
                group.append(e)
    members = peel(into, received, set(group))
    if r not in members:
        return set(), 0.0
    inside = {m: inside_count(into.get(m, {}), members) for m in members}
    if len(members) < 2:
        return set(), 0.0
    own = inside[r] / received[r]
    group_inside = sum(inside.values())
    group_received = sum(received[m] for m in members)
    group_share = group_inside / group_received
    strength = ramp((own + group_share) / 2, 0.35, 0.8) * min(1.0, inside[r] / 3)
    others = sorted(members - {r})
    endorsing = [e for e in counts if e in members]
    signals.append(
        Signal(
            "closed_group",
            strength,
            f"{len(endorsing)} of {len(counts)} endorsers ({inside[r]} of {received[r]} "
            f"endorsements, {percent(inside[r], received[r])}) belong to a group of "
            f"{len(members)} members who receive {percent(group_inside, group_received)} "
            f"of their endorsements from each other: {names.some(others)}.",
            others,
        )
    )
    return members - {r}, strength


def peel(
    into: Mapping[int, Mapping[int, int]], received: Mapping[int, int], members: set[int]
) -> set[int]:
    """The closed core of ``members``. An account stays while at least ``GROUP_SHARE``
    (half) of its endorsements come from the others, or at least ``MEMBER_SHARE`` (a
    third) from others who endorsed several of its pieces (a devoted inside endorser:
    what an arrangement looks like, unlike a chance endorsement); the others leave, and
    again, until all left stay. Then, while the group as a whole receives less
    than ``GROUP_SHARE`` from inside, its least tied account leaves too, and again. A
    ring's member whose work also drew a few outsiders stays in the ring (which has no
    second path around it, as a clique has); a group that takes most of its endorsements
    from outside, or that only chance endorsements hold together, comes apart."""
    while members:
        inside: dict[int, int] = {}
        leaving = []
        for m in members:
            counts = into.get(m, {})
            total = received.get(m, 0)
            inside[m] = n = inside_count(counts, members)
            if n >= GROUP_SHARE * total and n:
                continue
            devoted = sum(c for e, c in counts.items() if c > 1 and e in members)
            if not devoted or devoted < MEMBER_SHARE * total:
                leaving.append(m)
        if leaving:
            members = members.difference(leaving)
            continue
        total = sum(received.get(m, 0) for m in members)
        if sum(inside.values()) >= GROUP_SHARE * total:
            break
        weakest = min(members, key=lambda m: (inside[m] / received[m], m))
        members = members - {weakest}
    return members


def inside_count(counts: Mapping[int, int], members: set[int]) -> int:
    if len(counts) <= len(members):
        return sum(c for e, c in counts.items() if e in members)
    return sum(counts.get(e, 0) for e in members)


def find_puppets(
    graph: Graph, accounts: Mapping[int, Account], main: dict[int, list[int]]
) -> set[int]:
    """Endorsers that look like accounts made to endorse: young at their first
    endorsement, no public contribution, and at least 80% of their endorsements to one
    member, or to one member and that member's main endorsers (a group)."""
    young: set[int] = set()
    found = set()
    for e, n in graph.given.items():
        account = accounts.get(e)
        if account is None or account.public_contributions:
            continue
        if graph.first_given[e] - account.created_at > PUPPET_AGE:
            continue
        if graph.top_given[e][1] >= PUPPET_CONCENTRATION * n:
            found.add(e)
        else:
            young.add(e)
    if not young:
        return found
    given_to: dict[int, dict[int, int]] = {}
    for r, counts in graph.into.items():
        for e, c in counts.items():
            if e in young:
                given_to.setdefault(e, {})[r] = c
    for e, counts in given_to.items():
        top = graph.top_given[e][0]
        group = main.get(top)
        if group is None:
            group = main[top] = graph.main_endorsers(top)
        inside = counts[top] + sum(counts.get(m, 0) for m in group)
        if inside >= PUPPET_CONCENTRATION * graph.given[e]:
            found.add(e)
    return found


def puppet_signal(
    graph: Graph,
    r: int,
    puppets: set[int],
    accounts: Mapping[int, Account],
    names: Names,
    signals: list[Signal],
) -> None:
    counts = graph.into[r]
    among = sorted(e for e in counts if e in puppets)
    if len(among) < 2:
        return
    received = graph.received[r]
    from_puppets = sum(counts[e] for e in among)
    strength = ramp(from_puppets / received, 0.1, 0.5) * min(1.0, len(among) / 3)
    created = sorted(accounts[e].created_at for e in among)
    best = 0
    lo = 0
    for hi, t in enumerate(created):
        while t - created[lo] > REGISTRATION_BURST:
            lo += 1
        best = max(best, hi - lo + 1)
    unverified = sum(1 for e in among if not accounts[e].verified)
    registered = f"; {best} of them registered within 7 days of each other" if best >= 3 else ""
    signals.append(
        Signal(
            "puppets",
            strength,
            f"{from_puppets} of {received} endorsements "
            f"({percent(from_puppets, received)}) come from {len(among)} accounts created "
            f"at most 30 days before endorsing, with no public contribution, that give at "
            f"least 80% of their endorsements to one member or group ({unverified} unverified"
            f"{registered}): {names.some(among)}.",
            among,
        )
    )


def thin_base(graph: Graph, r: int, names: Names, signals: list[Signal]) -> None:
    received = graph.received[r]
    if received < 5:
        return
    counts = graph.into[r]
    lo, hi = graph.span[r]
    at = graph.at
    days = len({at[k] // DAY for k in range(lo, hi)})
    distinct = len(counts)
    top3 = nlargest(3, counts, key=lambda e: (counts[e], -e))
    top_share = sum(counts[e] for e in top3) / received
    # Days: a third of the endorsements, but never more than ``THIN_DAYS``: a popular
    # member's talk is endorsed by hundreds the same evening.
    wanted_days = min(received / 3, THIN_DAYS)
    rule = max(
        ramp(0.25 - distinct / received, 0, 0.2),
        ramp((wanted_days - days) / received, 0, 0.25),
    )
    strength = max(rule, ramp(top_share, 0.5, 1.0))
    if strength <= 0:
        return
    signals.append(
        Signal(
            "thin_base",
            strength,
            f"{received} endorsements come from {distinct} distinct endorsers "
            f"({percent(distinct, received)}, rule of thumb at least 25%) on {days} distinct "
            f"days (rule of thumb at least {ceil(wanted_days)}); the top 3, "
            f"{names.some(top3)}, gave {percent(top_share, 1)}.",
            top3,
        )
    )


def burst(graph: Graph, r: int, window: Window, names: Names, signals: list[Signal]) -> None:
    received = graph.received[r]
    if received < 4:
        return
    lo, hi = graph.span[r]
    at = graph.at
    best, best_lo = 0, lo
    k = lo
    for j in range(lo, hi):
        while at[j] - at[k] > BURST_WINDOW:
            k += 1
        if j - k + 1 > best:
            best, best_lo = j - k + 1, k
    if best * 2 <= received:
        return
    start, end = at[best_lo], at[best_lo + best - 1]
    close = next((c for c in window.closes if 0 <= c - end <= BURST_NEAR_CLOSE), None)
    strength = ramp(best / received, 0.5, 0.9) * (1.0 if close is not None else 0.6)
    endorser = graph.endorser
    involved = sorted({endorser[k] for k in range(best_lo, best_lo + best)})
    before = (
        f", {round((close - end) / 3600)} hours before nominations closed"
        if close is not None
        else ""
    )
    signals.append(
        Signal(
            "burst",
            strength,
            f"{best} of {received} endorsements ({percent(best, received)}) arrived within "
            f"48 hours, from {day_text(start)} to {day_text(end)} UTC{before}, from "
            f"{names.some(involved)}.",
            involved,
        )
    )


def can_see_integrity(user: object) -> bool:
    """Reviewers and organizers read the signals (the panel judges with them)."""
    return bool(getattr(user, "is_reviewer", False))


def can_review_flags(user: object) -> bool:
    return bool(getattr(user, "is_organizer", False))
