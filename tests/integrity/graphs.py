"""Small endorsement graphs for the integrity tests: an organic background and the
planted shapes, built as plain edges (no database) and analysed by ``rules.analyse``."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

from nominee.integrity import rules

DAY = rules.DAY
START = 1_767_225_600  # 2026-01-01 00:00 UTC
YEAR = 365 * DAY
CLOSE = START + 300 * DAY


@dataclass
class Plan:
    seed: int = 7
    edges: list[tuple[int, int, int]] = field(default_factory=list)
    accounts: dict[int, rules.Account] = field(default_factory=dict)
    next_id: int = 1

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def members(self, k: int, *, young: bool = False, created: int | None = None) -> list[int]:
        ids = list(range(self.next_id, self.next_id + k))
        self.next_id += k
        for uid in ids:
            if young:
                at = created if created is not None else CLOSE - 20 * DAY
                self.accounts[uid] = rules.Account(at, False, False, f"Puppet {uid}")
            else:
                self.accounts[uid] = rules.Account(START - 2 * YEAR, True, True, f"Member {uid}")
        return ids

    def endorse(self, endorser: int, recipient: int, times: int = 1, *, at=None, span=None):
        for _ in range(times):
            when = at if at is not None else START + self.rng.randrange(span or 280 * DAY)
            if span is not None and at is not None:
                when = at + self.rng.randrange(span)
            self.edges.append((endorser, recipient, when))

    def background(self, k: int = 80) -> list[int]:
        """Organic members: each endorsed a few times by random others, spread over the
        year."""
        crowd = self.members(k)
        for r in crowd:
            for e in self.rng.sample([m for m in crowd if m != r], self.rng.randint(3, 8)):
                self.endorse(e, r)
        self.crowd = crowd
        return crowd

    def organic_for(self, members: list[int], k: int = 2) -> None:
        for m in members:
            for e in self.rng.sample(self.crowd, k):
                self.endorse(e, m)

    def analyse(self, reviews=None) -> dict[int, rules.MemberResult]:
        edges = sorted(self.edges, key=lambda x: (x[1], x[2]))
        graph = rules.Graph(
            array("q", (e for e, _, _ in edges)),
            array("q", (r for _, r, _ in edges)),
            array("q", (t for _, _, t in edges)),
        )
        window = rules.Window(START, START + YEAR, [CLOSE])
        return {r.user_id: r for r in rules.analyse(graph, self.accounts, window, reviews)}


def signal(result: rules.MemberResult, name: str) -> rules.Signal | None:
    return next((s for s in result.signals if s.name == name), None)
