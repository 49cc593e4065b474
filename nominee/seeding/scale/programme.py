"""A synthetic programme at scale, generated in memory and written in bulk.

Everything derives from one ``random.Random(seed)`` and from today's date (the anchor):
the same seed on the same day gives the same database. Stored counters
(``Contribution.endorsement_count``, the ``Nomination`` aggregates) are computed here
from the rows written, the same way the services compute them, so pages that read
counters and pages that aggregate rows agree.

Shape of the data, on purpose:

- contribution counts per member follow a Zipf-like law: member1 is the heaviest
  (about 0.7 % of all contributions), most members have a handful;
- endorsements per contribution are Pareto-distributed and scaled by the owner's
  heavy-tailed popularity (a few members endorsed by thousands); most endorsers come
  from the work's category and lean towards active members; organic look-alikes of
  arranged groups: prolific friends who endorse half of each other's work, fans who
  endorse most of one member's, regional user groups (the clusters) who endorse each
  other's recent work and are endorsed more from outside, newcomers (the last ids,
  registered in the last half year) who endorse a few pieces since they came;
- with ``plant`` (``seed-scale --rings``): arranged groups among low-activity members
  (reciprocal pairs, cliques, directed cycles, puppet stars, camouflaged cliques, burst
  rings before the close of the cycle under review), and their ground truth;
- three cycles: one published with decisions and awards, one in review (the big one:
  nominations with evidence inside its look-back window, reviewers, assignments,
  submitted and draft reviews), one open;
- ids grow with time, as in a real database, so rows of one member are scattered.
"""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from operator import itemgetter

from nominee.accounts.models import Role, User, user_categories
from nominee.audit import AuditEvent
from nominee.awards.models import Award, AwardStatus
from nominee.categories.models import Category
from nominee.contributions.models import Contribution, ContributionFigure, contribution_categories
from nominee.cycles.models import DEFAULT_RUBRIC, Cycle, CycleStatus, RubricCriterion, add_months
from nominee.endorsements.models import Endorsement
from nominee.linkchecks.models import LinkCheck
from nominee.nominations.models import (
    Decision,
    Nomination,
    NominationEvent,
    NominationEvidence,
    NominationKind,
    NominationStatus,
)
from nominee.notifications.kinds import LEGACY
from nominee.notifications.models import Notification
from nominee.outbox.models import OutboxMessage
from nominee.reviews.models import (
    Assignment,
    Confidence,
    Recommendation,
    Review,
    ReviewerAppointment,
    ReviewScore,
    ReviewStatus,
)
from nominee.seeding.scale.loader import BulkWriter
from nominee.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

DAY = 86_400
# Contributions span this many days before the anchor; accounts are a little older.
HISTORY_DAYS = 3 * 365
ACCOUNT_AGE_DAYS = HISTORY_DAYS + 60
# The last ids: members who registered in the last half year.
NEWCOMER_PERCENT = 8
# The shapes ``--rings`` plants, as the ground truth names them.
SHAPES = (
    "reciprocal_pair",
    "clique",
    "cycle",
    "puppet_star",
    "camouflaged_clique",
    "burst_ring",
)


@dataclass(frozen=True)
class Scale:
    name: str
    members: int  # every account: the organizer and the reviewers included
    contributions: int
    endorsements: int
    nominations: int  # in review, in the cycle under review
    reviewers: int
    reviews: int  # submitted, in the cycle under review
    clusters: int  # dense groups of members endorsing each other
    cluster_size: int


SCALES = {
    "large": Scale("large", 20_000, 300_000, 1_500_000, 3_000, 40, 9_000, 5, 24),
    "medium": Scale("medium", 2_000, 30_000, 150_000, 300, 8, 900, 3, 12),
    "small": Scale("small", 200, 3_000, 15_000, 30, 6, 90, 1, 6),
}

CATEGORIES = [
    "Developer Tools",
    "Data Platform",
    "Cloud and Datacenter",
    "AI Platform",
    "Security",
    "Web Development",
    "Mobile Development",
    "DevOps",
    "Business Applications",
    "Windows and Devices",
    "Productivity",
    "Gaming",
]
# Relative popularity of the categories (member primary categories and contributions).
CATEGORY_WEIGHTS = [12, 10, 9, 8, 6, 9, 4, 7, 3, 3, 5, 2]
# Relative frequency of each default contribution type, by position in DEFAULT_TYPES.
TYPE_WEIGHTS = [20, 8, 1, 4, 6, 3, 7, 3, 22, 5, 6, 3, 2, 4, 2, 3, 1]
FIRST_NAMES = (
    "Ada Alan Grace Linus Margaret Dennis Barbara Ken Frances Guido Radia Bjarne Anita Tim "
    "Hedy Donald Katherine John Sophie Yukihiro Leslie Edsger Jean Niklaus Shafi Whitfield "
    "Mary Vint Lynn Anders Amara Kofi Priya Mateo Ingrid Tomas Aiko Farid Zanele Olu"
).split()
LAST_NAMES = (
    "Lovelace Turing Hopper Torvalds Hamilton Ritchie Liskov Thompson Allen Rossum Perlman "
    "Stroustrup Borg Berners Lamarr Knuth Johnson Backus Wilson Matsumoto Lamport Dijkstra "
    "Sammet Wirth Goldwasser Diffie Shaw Cerf Conway Hejlsberg Okafor Mensah Raman Silva "
    "Lindqvist Novak Tanaka Haddad Dlamini Adeyemi"
).split()
TOPICS = (
    "Kubernetes,PostgreSQL,TypeScript,Rust,Python,GraphQL,Power BI,Azure Functions,Blazor,"
    "SQLite,Terraform,WebAssembly,Observability,Zero trust,Accessibility,LLM evaluation,"
    "Event sourcing,CI pipelines,Edge caching,Data lakes,OAuth,Unit testing,Performance tuning"
).split(",")
TITLE_PATTERNS = [
    "Getting started with {}",
    "{} in production: lessons learned",
    "A practical guide to {}",
    "What's new in {}",
    "Ten mistakes to avoid with {}",
    "{} for beginners",
    "Deep dive: {} internals",
    "Answering the community's {} questions",
]
COMMENTS = [
    "Clear and practical, thank you.",
    "This saved our team a week.",
    "Great session, the demos were excellent.",
    "I share this with every newcomer.",
    "Thorough and well explained.",
    "Helped me pass my certification.",
]
LOCATIONS = ["Lisbon", "Nairobi", "Osaka", "Toronto", "Berlin", "Sao Paulo", "Pune", "Oslo", ""]
# The country (ISO 3166-1 alpha-2) of each location, for the awardee directory's filter.
COUNTRY_OF = {
    "Lisbon": "PT",
    "Nairobi": "KE",
    "Osaka": "JP",
    "Toronto": "CA",
    "Berlin": "DE",
    "Sao Paulo": "BR",
    "Pune": "IN",
    "Oslo": "NO",
    "": "",
}
# One member in this many keeps a private profile (out of the public directory).
PRIVATE_PROFILE_EVERY = 12


S = NominationStatus
# The audit action the services write for each status move of a nomination.
NOMINATION_ACTIONS = {
    (None, S.AWAITING_ACCEPTANCE): "nomination.created",
    (None, S.SUBMITTED): "nomination.created",
    (S.AWAITING_ACCEPTANCE, S.SUBMITTED): "nomination.accepted",
    (S.AWAITING_ACCEPTANCE, S.LAPSED): "nomination.lapsed",
    (S.SUBMITTED, S.WITHDRAWN): "nomination.withdrawn",
    (S.SUBMITTED, S.IN_REVIEW): "nomination.entered_review",
    (S.IN_REVIEW, S.AWARDED): "nomination.decided",
    (S.IN_REVIEW, S.DECLINED): "nomination.decided",
}


@dataclass
class Planted:
    """One arranged group: ``user_ids`` receive its endorsements (a star's beneficiary,
    every member of the other shapes); a star's ``puppets`` only give them."""

    shape: str
    user_ids: list[int]
    puppets: list[int] = field(default_factory=list)
    changed_address: list[int] = field(default_factory=list)

    def as_json(self) -> dict:
        found: dict = {"shape": self.shape, "user_ids": sorted(self.user_ids)}
        if self.puppets:
            found["puppets"] = sorted(self.puppets)
        return found


@dataclass
class CycleDates:
    id: int
    name: str
    status: CycleStatus
    opens: date
    closes: date
    review_closes: date
    lookback_start: date
    award_starts: date
    award_ends: date
    published_day: int | None = None  # days before the anchor


@dataclass
class NominationPlan:
    id: int
    cycle: CycleDates
    nominee: int
    nominator: int | None
    kind: NominationKind
    status: NominationStatus
    category_id: int
    evidence: list[int]
    created_day: int  # days before the anchor
    quality: float
    reviewers: list[int] = field(default_factory=list)
    submitted_reviews: list[int] = field(default_factory=list)
    decision: Decision | None = None


class Programme:
    """Generates and writes one programme. ``run()`` answers the row counts per table."""

    def __init__(
        self,
        writer: BulkWriter,
        scale: Scale,
        seed: int,
        anchor: date,
        password_hash: str,
        plant: bool = False,
    ):
        self.w = writer
        self.plant = plant
        self.scale = scale
        self.rng = random.Random(seed)
        self.anchor = anchor
        self.password_hash = password_hash
        self.days = [
            (anchor - timedelta(days=i)).isoformat() for i in range(ACCOUNT_AGE_DAYS + 400)
        ]
        # " HH:MM:SS..." for every second of a day: timestamps are day + clock[second].
        self.clock = [writer.time_of_day(second) for second in range(DAY)]
        self.audit: list[tuple] = []

    # -- helpers -----------------------------------------------------------------------

    def ts(self, days_ago: int) -> str:
        """A time ``days_ago`` days before the anchor; never later than yesterday."""
        return self.days[max(days_ago, 1)] + self.clock[int(self.rng.random() * DAY)]

    def days_ago(self, day: date) -> int:
        return (self.anchor - day).days

    def record(self, days_ago: int, actor: int | None, action: str, kind: str, oid: int, after):
        self.audit.append((self.ts(days_ago), actor, action, kind, oid, after))

    # -- the steps ---------------------------------------------------------------------

    def run(
        self,
        # id, its quantity and audience metrics' ids, roles, its other metrics (id, maximum)
        contribution_types: list[
            tuple[int, int | None, int | None, list[str], list[tuple[int, int]]]
        ],
        first_audit_id: int,
    ) -> None:
        self.types = contribution_types
        self.first_audit_id = first_audit_id
        self.categories()
        self.accounts()
        self.plan_contributions()
        self.cycles()
        self.plan_nominations()
        self.endorsements()
        self.contributions()  # before their endorsements: the foreign keys hold on PostgreSQL
        self.write_endorsements()
        self.nominations()
        self.reviews()
        self.notifications()
        self.failed_mail()
        self.webhooks()
        self.link_checks()
        self.audit_events()

    def categories(self) -> None:
        rows = [
            (
                i,
                name,
                name.lower().replace(" ", "-"),
                f"{name}: community work.",
                False,
                self.ts(1500),
            )
            for i, name in enumerate(CATEGORIES, start=1)
        ]
        self.w.write(
            Category.__table__,
            ("id", "name", "slug", "description", "retired", "created_at"),
            rows,
        )
        self.category_ids = [row[0] for row in rows]
        self.category_cum = list(accumulate(CATEGORY_WEIGHTS))

    def pick_category(self) -> int:
        return self.rng.choices(self.category_ids, cum_weights=self.category_cum)[0]

    def accounts(self) -> None:
        """The organizer (id 1), reviewers (ids 2..), then members, heaviest first; the
        last ids are newcomers, registered in the last half year."""
        scale, rng = self.scale, self.rng
        n = scale.members
        self.organizer = 1
        self.reviewers = list(range(2, 2 + scale.reviewers))
        self.members = list(range(2 + scale.reviewers, n + 1))
        reviewer_set = set(self.reviewers)
        # Activity weight: Zipf over the member rank; reviewers and the organizer sit in
        # the middle of the pack.
        middle = 1 / (len(self.members) // 5 + 20)
        self.activity = [0.0] * (n + 1)
        self.activity[self.organizer] = middle / 4
        for reviewer in self.reviewers:
            self.activity[reviewer] = middle
        for rank, member in enumerate(self.members, start=1):
            self.activity[member] = 1 / (rank + 20)
        # How much others endorse a member's work, beyond how much work there is: heavy
        # tailed (a few members draw crowds to everything they publish).
        self.popularity = [0.0] + [rng.lognormvariate(0, 0.75) for _ in range(n)]
        for staff in (self.organizer, *self.reviewers):
            self.popularity[staff] = 0.5  # busy reviewing, they log less that draws crowds
        # Newcomers: the least active members, registered days ago (user -> days ago).
        self.registered_day = [ACCOUNT_AGE_DAYS - rng.randrange(60) for _ in range(n + 1)]
        self.young = self.members[len(self.members) - n * NEWCOMER_PERCENT // 100 :]
        for user in self.young:
            self.registered_day[user] = rng.randint(3, 180)
            self.popularity[user] *= 0.5
        # Those who never confirmed their address: they cannot endorse nor nominate.
        self.unverified = {user for user in self.young if rng.random() < 0.2}
        self.organic_groups()
        self.puppets: set[int] = set()
        self.puppet_rank: dict[int, int] = {}
        self.ring_members: set[int] = set()
        # A ring member -> the other members of its group.
        self.ring_of: dict[int, set[int]] = defaultdict(set)
        self.camouflaged: list[int] = []
        # (endorser, endorsee, how): ("quick", percent) that share of the work, a day or
        # two after it appears, ("burst", 0) in the two days before the cycle under review
        # closed, ("star", day) right after the puppets' accounts were made on ``day``.
        self.arranged: list[tuple[int, int, tuple[str, int]]] = []
        self.planted: list[Planted] = []
        if self.plant:
            self.plan_rings()
        self.primary_category = [0] * (n + 1)
        self.categories_of: list[tuple[int, ...]] = [()] * (n + 1)
        verified_late = {p for planted in self.planted for p in planted.changed_address}
        rows: list[tuple] = []
        extra_categories: list[tuple[int, int]] = []
        for user in range(1, n + 1):
            if user == self.organizer:
                email, role = "organizer@example.org", Role.ORGANIZER
            elif user in reviewer_set:
                email, role = f"reviewer{user - 1}@example.org", Role.REVIEWER
            else:
                email, role = f"member{user - 1 - scale.reviewers}@example.org", Role.MEMBER
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            category = self.pick_category()
            self.primary_category[user] = category
            heavy = self.activity[user] > 1 / 60
            bio = f"{name} writes and speaks about {rng.choice(TOPICS)}." if heavy else ""
            registered_day = self.registered_day[user]
            if user in self.puppets:
                # Made in a burst, one every few minutes, the morning of the same day.
                registered = (
                    self.days[registered_day] + self.clock[9 * 3600 + self.puppet_rank[user] * 240]
                )
            else:
                registered = self.ts(registered_day)
            location = rng.choice(LOCATIONS)
            group = self.cluster_of.get(user)
            if group is not None:
                location = LOCATIONS[group % (len(LOCATIONS) - 1)]
            if user in self.unverified:
                verified = None
            elif user in verified_late:
                # Confirmed the throwaway address to endorse, then changed it for good.
                verified = None
            elif user in self.puppets:
                verified = (
                    registered[:10] + self.clock[9 * 3600 + self.puppet_rank[user] * 240 + 90]
                )
            else:
                verified = registered  # the address confirmed as the account was made
            rows.append(
                (
                    user,
                    email,
                    name,
                    self.password_hash,
                    role.value,
                    True,
                    f"{rng.getrandbits(128):032x}",
                    bio,
                    f"<p>{bio}</p>" if bio else "",
                    location,
                    COUNTRY_OF[location],
                    user % PRIVATE_PROFILE_EVERY != 5,
                    json.dumps([f"https://example.org/{user}"] if heavy else []),
                    category,
                    registered,
                    self.ts(rng.randrange(1, min(60, registered_day))),
                    verified,
                )
            )
            extra = tuple(
                other
                for other in rng.sample(self.category_ids, rng.choice((0, 0, 1, 2)))
                if other != category
            )
            extra_categories.extend((user, other) for other in extra)
            self.categories_of[user] = (category, *extra)
            self.audit.append((registered, user, "account.registered", "user", user, None))
        self.w.write(
            User.__table__,
            (
                "id",
                "email",
                "display_name",
                "password_hash",
                "role",
                "active",
                "session_token",
                "bio_md",
                "bio_html",
                "location",
                "country",
                "profile_public",
                "links",
                "primary_category_id",
                "created_at",
                "last_login_at",
                "email_verified_at",
            ),
            rows,
        )
        self.w.write(user_categories, ("user_id", "category_id"), extra_categories)

    def organic_groups(self) -> None:
        """Regional user groups and friendships: members who endorse each other a lot, and
        are endorsed from outside as much or more (nothing arranged about them)."""
        scale, rng = self.scale, self.rng
        # User groups: mid-ranked members of one city who endorse much of each other's
        # recent work (their talks, their meetups' recordings), within days.
        start = max(10, len(self.members) // 50)
        pool = self.members[start : start + scale.clusters * scale.cluster_size * 3]
        picked = rng.sample(pool, scale.clusters * scale.cluster_size)
        self.clusters = [
            picked[i * scale.cluster_size : (i + 1) * scale.cluster_size]
            for i in range(scale.clusters)
        ]
        self.cluster_of = {member: c for c, group in enumerate(self.clusters) for member in group}
        for member in self.cluster_of:
            self.popularity[member] *= 4  # they speak, so they are known well beyond
        # Friends: two prolific members who endorse each other's work often, for years,
        # while crowds endorse both.
        top = [
            m for m in self.members[: max(10, len(self.members) // 20)] if m not in self.cluster_of
        ]
        pairs = min(len(top) // 2, len(self.members) // 100)
        chosen = rng.sample(top, 2 * pairs)
        self.friends = [(chosen[2 * i], chosen[2 * i + 1]) for i in range(pairs)]
        # Fans (a colleague, a mentor, a devoted reader): one member who endorses most of
        # another's work, not returned, for one in thirty members of the middle ranks.
        busy = set(self.cluster_of) | set(chosen)
        middle = [
            m
            for m in self.members[len(self.members) // 10 : len(self.members) * 9 // 10]
            if m not in busy and self.registered_day[m] > 365
        ]
        self.fans: list[tuple[int, int]] = []
        for member in rng.sample(middle, len(self.members) // 30):
            fan = rng.choice(middle)
            if fan != member:
                self.fans.append((fan, member))

    def plan_rings(self) -> None:
        """Arranged groups among the organic members (``--rings``): their members, their
        arranged endorsements (``self.arranged``) and the ground truth (``self.planted``)."""
        rng = self.rng
        per_shape = max(1, min(12, self.scale.members // 400))
        busy = set(self.cluster_of) | {m for pair in self.friends + self.fans for m in pair}
        young = set(self.young)
        lo, hi = len(self.members) * 3 // 10, len(self.members) * 9 // 10
        pool = [m for m in self.members[lo:hi] if m not in busy and m not in young]
        rng.shuffle(pool)
        # Puppets: consecutive newcomer ids (they registered one after the other).
        candidates = [m for m in self.young if m not in self.unverified]
        step = len(candidates) // per_shape

        def members(size: int) -> list[int]:
            return [pool.pop() for _ in range(size)]

        def clique(group: list[int], how: tuple[str, int]) -> None:
            self.arranged.extend((a, b, how) for a in group for b in group if a != b)

        def quick() -> tuple[str, int]:
            """Each group endorses from three quarters to all of the others' recent work
            (percent), within days."""
            return ("quick", rng.randint(75, 100))

        for index in range(per_shape):
            pair = members(2)
            clique(pair, quick())
            self.planted.append(Planted("reciprocal_pair", pair))

            group = members(rng.randint(3, 8))
            clique(group, quick())
            self.planted.append(Planted("clique", group))

            group = members(rng.randint(4, 8))
            cycle = quick()
            self.arranged.extend(
                (a, group[(i + 1) % len(group)], cycle) for i, a in enumerate(group)
            )
            self.planted.append(Planted("cycle", group))

            size = min(rng.randint(5, 10), step)
            start = index * step + rng.randrange(max(1, step - size + 1))
            puppets = candidates[start : start + size]
            beneficiary = members(1)
            day = rng.randint(30, 170)
            for rank, puppet in enumerate(puppets):
                self.registered_day[puppet] = day
                self.puppet_rank[puppet] = rank
                self.arranged.append((puppet, beneficiary[0], ("star", day)))
            self.puppets.update(puppets)
            # Half of the stars' puppets changed their address after endorsing.
            changed = [] if index % 2 else puppets
            self.planted.append(Planted("puppet_star", beneficiary, puppets, changed))

            group = members(rng.randint(4, 8))
            clique(group, quick())
            self.camouflaged.extend(group)
            self.planted.append(Planted("camouflaged_clique", group))

            group = members(rng.randint(4, 6))
            clique(group, ("burst", 0))
            self.planted.append(Planted("burst_ring", group))
        for planted in self.planted:
            self.ring_members.update(planted.user_ids)
        for member in self.ring_members:
            self.popularity[member] = 0.2  # a few organic endorsements, no more
        # Within a group, only the arranged endorsements: a cycle keeps no mutual pair.
        for planted in self.planted:
            for member in planted.user_ids:
                self.ring_of[member].update(m for m in planted.user_ids if m != member)

    def plan_contributions(self) -> None:
        """Owner, date, type and visibility of every contribution, ids in date order."""
        rng, total = self.rng, self.scale.contributions
        users = list(range(1, self.scale.members + 1))
        weight_sum = sum(self.activity[u] for u in users)
        counts = [int(total * self.activity[u] / weight_sum) for u in users]
        for index in rng.sample(range(len(users)), total - sum(counts)):
            counts[index] += 1
        # Badge hunters log a lot of recent work (``extra``); puppets log none. The total
        # stays the scale's: the difference comes from (or goes to) the busiest members.
        extra = {member: rng.randint(6, 14) for member in sorted(self.ring_members)}
        shift = sum(extra.values())
        for puppet in self.puppets:
            shift -= counts[puppet - 1]
            counts[puppet - 1] = 0
        busiest = [m - 1 for m in self.members[:200] if m not in self.ring_members]
        while shift:
            index = rng.choice(busiest)
            if shift > 0 and counts[index] > 3:
                counts[index] -= 1
                shift -= 1
            elif shift < 0:
                counts[index] += 1
                shift += 1
        type_cum = list(
            accumulate(
                TYPE_WEIGHTS[i] if i < len(TYPE_WEIGHTS) else 1 for i in range(len(self.types))
            )
        )
        plans = []
        heaviest = self.members[0]
        for user, count in zip(users, counts, strict=True):
            # Nothing before the account was made.
            span = min(HISTORY_DAYS, self.registered_day[user] - 1)
            for i in range(count):
                # Recent work is more frequent than old work.
                days_ago = int(span * rng.random() ** 1.6)
                if user == heaviest and i < len(self.types):
                    type_index = i  # every type appears, on the heaviest member at least
                else:
                    type_index = bisect_left(type_cum, rng.random() * type_cum[-1])
                plans.append((-days_ago, rng.random(), user, type_index, rng.random() < 0.05))
            for _ in range(extra.get(user, 0)):
                # Inside the look-back window of the cycle under review, before it closed.
                days_ago = rng.randint(21, 340)
                type_index = bisect_left(type_cum, rng.random() * type_cum[-1])
                plans.append((-days_ago, rng.random(), user, type_index, False))
        plans.sort()
        self.c_owner = [0]
        self.c_days = [0]
        self.c_type = [0]
        self.c_private = [False]
        self.by_owner: dict[int, list[int]] = defaultdict(list)
        for cid, (neg_days, _, user, type_index, private) in enumerate(plans, start=1):
            self.c_owner.append(user)
            self.c_days.append(-neg_days)
            self.c_type.append(type_index)
            self.c_private.append(private)
            self.by_owner[user].append(cid)
        self.c_count = [0] * len(self.c_owner)

    def cycles(self) -> None:
        anchor = self.anchor
        review_closes = anchor + timedelta(days=30)
        closes = anchor - timedelta(days=20)
        published_closes = add_months(closes, -12)
        specs = [
            (
                f"Awards {published_closes.year}",
                CycleStatus.PUBLISHED,
                published_closes - timedelta(days=60),
                published_closes,
                published_closes + timedelta(days=45),
            ),
            (
                f"Awards {closes.year}",
                CycleStatus.IN_REVIEW,
                closes - timedelta(days=60),
                closes,
                review_closes,
            ),
            (
                f"Awards {closes.year + 1}",
                CycleStatus.OPEN,
                anchor - timedelta(days=10),
                anchor + timedelta(days=50),
                anchor + timedelta(days=90),
            ),
        ]
        self.cycle_list: list[CycleDates] = []
        rows: list[tuple] = []
        criteria: list[tuple] = []
        scope: list[tuple[int, int]] = []
        self.criteria: dict[int, list[tuple[int, float]]] = {}
        criterion_id = 0
        for cycle_id, (name, status, opens, closes_on, review_on) in enumerate(specs, start=1):
            award_starts = review_on + timedelta(days=1)
            dates = CycleDates(
                id=cycle_id,
                name=name,
                status=status,
                opens=opens,
                closes=closes_on,
                review_closes=review_on,
                lookback_start=add_months(closes_on, -12),
                award_starts=award_starts,
                award_ends=add_months(award_starts, 12) - timedelta(days=1),
            )
            if status is CycleStatus.PUBLISHED:
                dates.published_day = self.days_ago(review_on) - 5
            self.cycle_list.append(dates)
            rows.append(
                (
                    cycle_id,
                    name,
                    status.value,
                    opens.isoformat(),
                    closes_on.isoformat(),
                    review_on.isoformat(),
                    12,
                    12,
                    3,
                    30,
                    3,
                    3,
                    self.ts(self.days_ago(opens) + 20),
                    self.ts(dates.published_day) if dates.published_day else None,
                    1,
                )
            )
            scope.extend((cycle_id, category) for category in self.category_ids)
            self.criteria[cycle_id] = []
            for position, (criterion, description, weight) in enumerate(DEFAULT_RUBRIC):
                criterion_id += 1
                # The cycle under review weighs impact double, so weighted means matter.
                if status is CycleStatus.IN_REVIEW and position == 0:
                    weight = 2.0
                criteria.append((criterion_id, cycle_id, criterion, description, weight, position))
                self.criteria[cycle_id].append((criterion_id, weight))
        # Awards of the published cycle end before the next award term: no renewals due.
        assert self.cycle_list[0].award_ends < self.cycle_list[1].award_starts
        self.w.write(
            Cycle.__table__,
            (
                "id",
                "name",
                "status",
                "nominations_open_on",
                "nominations_close_on",
                "review_close_on",
                "lookback_months",
                "award_term_months",
                "min_evidence",
                "max_evidence",
                "peer_nomination_limit",
                "reviewers_per_nomination",
                "created_at",
                "published_at",
                "version",
            ),
            rows,
        )
        from nominee.cycles.models import cycle_categories

        self.w.write(cycle_categories, ("cycle_id", "category_id"), scope)
        self.w.write(
            RubricCriterion.__table__,
            ("id", "cycle_id", "name", "description", "weight", "position"),
            criteria,
        )

    def in_window(self, user: int, cycle: CycleDates) -> list[int]:
        newest, oldest = (
            self.days_ago(min(cycle.closes, self.anchor)),
            self.days_ago(cycle.lookback_start),
        )
        return [c for c in self.by_owner.get(user, ()) if newest <= self.c_days[c] <= oldest]

    def plan_nominations(self) -> None:
        """Nominees, nominators and evidence of every cycle (before endorsements, whose
        endorsers the evidence counters need)."""
        rng, scale = self.rng, self.scale
        published, in_review, open_cycle = self.cycle_list
        self.plans: list[NominationPlan] = []
        next_id = 1

        def add(cycle, nominee, kind, status, evidence_size, created_day) -> NominationPlan:
            nonlocal next_id
            window = self.in_window(nominee, cycle)
            evidence = rng.sample(window, min(len(window), evidence_size)) if evidence_size else []
            nominator = nominee
            if kind is NominationKind.PEER:
                nominator = rng.choice(nominators)
                while nominator == nominee:
                    nominator = rng.choice(nominators)
            plan = NominationPlan(
                id=next_id,
                cycle=cycle,
                nominee=nominee,
                nominator=nominator,
                kind=kind,
                status=status,
                category_id=self.primary_category[nominee],
                evidence=sorted(evidence),
                created_day=created_day,
                quality=rng.uniform(1.6, 4.6),
            )
            next_id += 1
            self.plans.append(plan)
            return plan

        # Newcomers nominate nobody: they were not around when most nominations were made.
        young = set(self.young)
        nominators = [m for m in self.members if m not in young]

        def eligible(cycle) -> list[int]:
            return [
                m
                for m in self.members
                if m not in self.unverified and len(self.in_window(m, cycle)) >= 3
            ]

        def kind() -> NominationKind:
            return NominationKind.SELF if rng.random() < 0.6 else NominationKind.PEER

        def evidence_size(nominee: int) -> int:
            return 30 if nominee == self.members[0] else rng.randint(3, 30)

        # The published cycle: a tenth as many nominations (at least a dozen, so that the
        # tiny test programmes have awards to show, the directory a few cards), decided, a
        # third awarded.
        candidates = eligible(published)
        # At least a dozen, the first awarded: even the tiny test programmes have awards
        # to show, verify and list in the directory.
        count = min(len(candidates), max(12, scale.nominations // 10))
        for position, nominee in enumerate(rng.sample(candidates, count)):
            plan = add(
                published,
                nominee,
                kind(),
                NominationStatus.IN_REVIEW,
                evidence_size(nominee),
                self.days_ago(published.opens) - rng.randrange(50),
            )
            awarded = plan.quality > 3.4 or position == 0
            plan.decision = Decision.AWARD if awarded else Decision.DECLINE
            plan.status = (
                NominationStatus.AWARDED
                if plan.decision is Decision.AWARD
                else NominationStatus.DECLINED
            )

        # The cycle under review: the heaviest member, half of every cluster, then others.
        candidates = eligible(in_review)
        eligible_set = set(candidates)
        # The arranged groups' members too: they arranged them for this cycle.
        first = [self.members[0]] + [
            m for group in self.clusters for m in group[: len(group) // 2] if m in eligible_set
        ]
        first += sorted(self.ring_members)
        first = [m for m in dict.fromkeys(first) if m in eligible_set]
        rest = [m for m in candidates if m not in set(first)]
        wanted = scale.nominations + scale.nominations // 20
        more = rng.sample(rest, max(0, min(len(rest), wanted - len(first))))
        chosen = (first + more)[:wanted]
        opened = self.days_ago(in_review.opens)
        for index, nominee in enumerate(chosen):
            created = opened - rng.randrange(55)
            if index < scale.nominations:
                add(
                    in_review,
                    nominee,
                    kind(),
                    NominationStatus.IN_REVIEW,
                    evidence_size(nominee),
                    created,
                )
            elif index % 2:
                add(in_review, nominee, NominationKind.SELF, NominationStatus.WITHDRAWN, 5, created)
            else:
                add(in_review, nominee, NominationKind.PEER, NominationStatus.LAPSED, 0, created)

        # The open cycle: a few self nominations submitted, a few peer ones awaiting.
        candidates = eligible(open_cycle)
        for nominee in rng.sample(candidates, min(len(candidates), scale.nominations // 20)):
            if rng.random() < 0.5:
                add(open_cycle, nominee, NominationKind.SELF, NominationStatus.SUBMITTED, 6, 5)
            else:
                add(
                    open_cycle,
                    nominee,
                    NominationKind.PEER,
                    NominationStatus.AWAITING_ACCEPTANCE,
                    0,
                    5,
                )

        self.evidence_of: dict[int, set[int]] = defaultdict(set)
        for plan in self.plans:
            for contribution in plan.evidence:
                self.evidence_of[contribution].add(plan.id)
        self.endorsers_of: dict[int, set[int]] = defaultdict(set)

    def endorsements(self) -> None:
        rng, scale = self.rng, self.scale
        n = scale.members
        owners, days, private = self.c_owner, self.c_days, self.c_private
        reviewer_set = set(self.reviewers)
        # (reviewer, member) and (member, reviewer) -> days ago of their latest endorsement.
        self.reviewer_pairs: dict[tuple[int, int], int] = {}
        public = [c for c in range(1, len(owners)) if not private[c]]
        # Endorsements whose endorser and day are decided before the crowd's:
        # contribution -> endorser -> days ago.
        base = self.decided_endorsements(public)
        young = set(self.young)
        # Who endorses: active members more; reviewers, busy reviewing, less; newcomers
        # only since they came (decided above); badge hunters hardly outside their group.
        weight = [0.0] * (n + 1)
        for u in range(1, n + 1):
            if u in young:
                continue
            weight[u] = self.activity[u] ** (1.0 if u in reviewer_set else 0.5)
        camouflaged = set(self.camouflaged)
        for u in self.ring_members:
            if u not in camouflaged:
                weight[u] *= 0.2
        users = list(range(1, n + 1))
        endorser_cum = list(accumulate(weight[1:]))
        # Communities: most endorsements come from members of the work's category
        # (reviewers, who read every category, less than others).
        community: dict[int, tuple[list[int], list[float]]] = {}
        members = [u for u in self.members if weight[u]]
        for category in self.category_ids:
            people = [u for u in members if category in self.categories_of[u]]
            community[category] = (people, list(accumulate(weight[u] for u in people)))
        endorsers = sum(1 for u in users if weight[u])
        wanted = self.endorsement_counts(public, base, endorsers)
        ring_of = self.ring_of
        rand, expo, clock, day_text = rng.random, rng.expovariate, self.clock, self.days
        comments = len(COMMENTS)
        pairs = self.reviewer_pairs
        choices = rng.choices
        primary = self.primary_category
        # Rows go in (contribution, endorser) order, the order of the unique index, which
        # keeps the load fast; contribution ids follow time, so endorsement ids nearly do.
        rows: list[tuple] = []
        for c, count in zip(public, wanted, strict=True):
            owner, age = owners[c], days[c]
            decided = base.get(c, {})
            taken = set(decided)
            taken.add(owner)
            blocked = ring_of.get(owner, ())
            people, people_cum = community[primary[owner]]
            added = 0
            while added < count:
                need = count - added
                picks = choices(users, cum_weights=endorser_cum, k=need * 2 // 5 + 2)
                if people:
                    picks += choices(people, cum_weights=people_cum, k=need * 3 // 5 + 1)
                for u in picks:
                    if u not in taken and u not in blocked and added < count:
                        taken.add(u)
                        added += 1
            taken.discard(owner)
            tracked = c in self.evidence_of
            for endorser in sorted(taken):
                fixed = decided.get(endorser)
                if fixed is not None:
                    day = fixed
                else:
                    # The crowd endorses over the weeks after the work appears.
                    delay = int(expo(1 / 15))
                    day = age - delay if delay < age else 0
                    if day < 1:
                        day = 1
                # Contributions are logged in the morning, endorsed in the afternoon.
                created = day_text[day] + clock[43_200 + int(rand() * 43_200)]
                withdrawn = None
                if fixed is None and day > 2 and rand() < 0.02:
                    withdrawn = day_text[1 + int(rand() * (day - 1))] + clock[int(rand() * DAY)]
                comment = COMMENTS[int(rand() * comments)] if rand() < 0.3 else ""
                rows.append((c, endorser, owner, comment, created, withdrawn))
                if withdrawn is None:
                    self.c_count[c] += 1
                    if tracked:
                        self.endorsers_of[c].add(endorser)
                if endorser in reviewer_set or owner in reviewer_set:
                    for pair in ((endorser, owner), (owner, endorser)):
                        pairs[pair] = min(day, pairs.get(pair, day))
        audit = self.audit
        for eid, (c, endorser, _owner, _comment, created, withdrawn) in enumerate(rows, start=1):
            after = f'{{"contribution_id": {c}}}'
            audit.append((created, endorser, "endorsement.created", "endorsement", eid, after))
            if withdrawn is not None:
                audit.append(
                    (withdrawn, endorser, "endorsement.withdrawn", "endorsement", eid, None)
                )
        self.endorsement_rows = rows
        month = self.days[30]
        self.recent_endorsements = [(row[2], row[4]) for row in rows if row[4] >= month]

    def decided_endorsements(self, public: list[int]) -> dict[int, dict[int, int]]:
        """The endorsements that are not the crowd's, contribution -> endorser -> days
        ago: user groups and friends, newcomers since they came, and the arranged groups
        (``--rings``). A day is never before the work nor before the endorser's account."""
        rng = self.rng
        owners, days = self.c_owner, self.c_days
        expo, randint = rng.expovariate, rng.randint
        base: dict[int, dict[int, int]] = defaultdict(dict)
        public_of: dict[int, list[int]] = defaultdict(list)
        for c in public:
            public_of[owners[c]].append(c)

        def after(c: int, mean_delay: float) -> int:
            return max(1, days[c] - int(expo(1 / mean_delay)))

        # User groups: each piece of recent work gets two endorsements from the group on
        # average (a third of a small group's members, a twelfth of a large one's).
        for group in self.clusters:
            share = min(0.3, 2 / len(group))
            for owner in group:
                for c in public_of[owner]:
                    if days[c] <= 365:
                        for member in group:
                            if member != owner and rng.random() < share:
                                base[c][member] = after(c, 3)
        # Fans: seven in ten of the member's pieces, a few days after each appears.
        for fan, owner in self.fans:
            for c in public_of[owner]:
                if rng.random() < 0.7:
                    base[c][fan] = after(c, 3)
        # Friends: half of each other's work, for years.
        for a, b in self.friends:
            for endorser, owner in ((a, b), (b, a)):
                for c in public_of[owner]:
                    if rng.random() < 0.5:
                        base[c][endorser] = after(c, 4)

        def stray(endorser: int, since: int, pick: int) -> None:
            """``pick`` endorsements of others' public work, since ``since`` days ago, of
            the more popular of two (newcomers look at what is popular)."""
            total = len(owners) - 1
            for _ in range(pick * 3):
                if not pick:
                    return
                a, b = randint(1, total), randint(1, total)
                c = a if self.popularity[owners[a]] >= self.popularity[owners[b]] else b
                if self.c_private[c] or owners[c] == endorser or endorser in base[c]:
                    continue
                if days[c] < since:
                    base[c][endorser] = after(c, 5)
                else:
                    base[c][endorser] = randint(1, since - 1)
                pick -= 1

        for member in self.young:
            if member not in self.unverified and member not in self.puppets:
                stray(member, self.registered_day[member], rng.randint(0, 6))
        if not self.plant:
            return base

        for endorser, owner, (how, day) in self.arranged:
            for c in public_of[owner]:
                age = days[c]
                if how == "quick" and age <= 365:
                    if rng.random() * 100 < day:  # ``day`` is the share endorsed here
                        base[c][endorser] = after(c, 2)
                elif how == "burst" and 21 <= age <= 380:
                    # Within the two days before the cycle under review closed.
                    base[c][endorser] = 20 + rng.randrange(2)
                elif how == "star" and age <= 365:
                    # Right after the puppets' accounts were made, or as the work appears.
                    base[c][endorser] = day - randint(1, 2) if age >= day - 1 else after(c, 1)
        for puppet in self.puppets:
            if rng.random() < 0.5:
                stray(puppet, self.registered_day[puppet] - 1, 1)
        # The camouflage: popular members' recent work, 15 to 40 pieces each.
        popular = [
            c
            for m in self.members[: max(20, len(self.members) // 50)]
            for c in public_of[m]
            if days[c] <= 365
        ]
        for member in self.camouflaged:
            for c in rng.sample(popular, min(len(popular), rng.randint(15, 40))):
                if owners[c] != member:
                    base[c][member] = after(c, 3)
        return base

    def ground_truth(self) -> dict:
        """The arranged groups (empty without ``--rings``) and the organic look-alikes."""
        return {
            "planted": [planted.as_json() for planted in self.planted],
            "organic": {
                "friends": [sorted(pair) for pair in self.friends],
                "fans": [[fan, member] for fan, member in self.fans],
                "user_groups": [sorted(group) for group in self.clusters],
                "newcomers": [m for m in self.young if m not in self.puppets],
            },
        }

    def write_endorsements(self) -> None:
        # ``public`` as the services keep it: the contribution is public and its owner's
        # account active (every seeded account is).
        private = self.c_private
        self.w.write(
            Endorsement.__table__,
            (
                "id",
                "contribution_id",
                "endorser_id",
                "endorsee_id",
                "comment",
                "created_at",
                "withdrawn_at",
                "public",
            ),
            (
                (eid, *row, not private[row[0]])
                for eid, row in enumerate(self.endorsement_rows, start=1)
            ),
        )
        del self.endorsement_rows

    def endorsement_counts(
        self, public: list[int], base: dict[int, dict[int, int]], endorsers: int
    ) -> list[int]:
        """How many endorsers each public contribution gets beyond the decided ones: Pareto
        distributed, more for popular owners, capped at a tenth of the members (and at
        the ``endorsers`` there are), summing to the scale's total."""
        rng, n = self.rng, self.scale.members
        budget = max(0, self.scale.endorsements - sum(len(v) for v in base.values()))
        owners, popularity = self.c_owner, self.popularity
        # A ring member's work draws a few endorsements, never a crowd by chance.
        ring = self.ring_members
        weights = [
            min(rng.paretovariate(1.2), 2.0 if owners[c] in ring else 1e9) * popularity[owners[c]]
            for c in public
        ]
        blocked = self.ring_of
        caps = [
            max(
                0,
                min(
                    max(10, n // 10),
                    endorsers - 2 - len(base.get(c, ())) - len(blocked.get(owners[c], ())),
                ),
            )
            for c in public
        ]
        factor = budget / sum(weights)
        for _ in range(20):  # raise the others until the capped ones' shortfall is spread
            total = sum(min(cap, w * factor) for w, cap in zip(weights, caps, strict=True))
            if total >= budget * 0.999:
                break
            factor *= budget / total
        return [
            min(cap, int(w * factor + rng.random())) for w, cap in zip(weights, caps, strict=True)
        ]

    def contributions(self) -> None:
        rng = self.rng
        self.c_quantity = [0] * len(self.c_owner)
        self.c_audience = [0] * len(self.c_owner)

        def rows():
            for c in range(1, len(self.c_owner)):
                type_id, quantity_metric, audience_metric, roles, _ = self.types[self.c_type[c]]
                topic = rng.choice(TOPICS)
                title = rng.choice(TITLE_PATTERNS).format(topic)
                quantity = rng.randint(1, 40) if quantity_metric else 0
                audience = int(rng.lognormvariate(4.5, 1.3)) if audience_metric else 0
                self.c_quantity[c], self.c_audience[c] = quantity, audience
                owner, age = self.c_owner[c], self.c_days[c]
                category = (
                    self.primary_category[owner] if rng.random() < 0.8 else self.pick_category()
                )
                audience_place = rng.choice(LOCATIONS) or "everyone"
                description = f"Notes, code and slides about {topic}, for {audience_place}."
                created = self.days[max(age, 1)] + self.clock[int(rng.random() * 43_200)]
                self.audit.append((created, owner, "contribution.created", "contribution", c, None))
                yield (
                    c,
                    owner,
                    type_id,
                    rng.choice(roles) if roles else "",
                    title,
                    self.days[age],
                    f"https://example.org/{owner}/{c}" if rng.random() < 0.8 else None,
                    description,
                    f"<p>{description}</p>",
                    category,
                    quantity,
                    audience,
                    "private" if self.c_private[c] else "public",
                    self.c_count[c],
                    created,
                    created,
                )

        self.w.write(
            Contribution.__table__,
            (
                "id",
                "owner_id",
                "type_id",
                "role",
                "title",
                "contributed_on",
                "url",
                "description_md",
                "description_html",
                "primary_category_id",
                "quantity",
                "audience",
                "visibility",
                "endorsement_count",
                "created_at",
                "updated_at",
            ),
            rows(),
        )
        self.w.write(
            ContributionFigure.__table__,
            ("contribution_id", "metric_id", "value"),
            self.figure_rows(),
        )
        extra = []
        for c in range(1, len(self.c_owner)):
            if rng.random() < 0.25:
                for category in rng.sample(self.category_ids, rng.randint(1, 2)):
                    extra.append((c, category))
        self.w.write(contribution_categories, ("contribution_id", "category_id"), extra)

    def figure_rows(self):
        """Each contribution's figures: its headline quantity and audience under their
        metrics, and for the type's other metrics (recording views, downloads...) a value
        up to its audience, three times in four. Drawn from a generator of their own, so
        the rest of the programme stays as it was."""
        rng = random.Random(len(self.c_owner))
        for c in range(1, len(self.c_owner)):
            _, quantity_metric, audience_metric, _, extras = self.types[self.c_type[c]]
            if quantity_metric:
                yield (c, quantity_metric, self.c_quantity[c])
            if audience_metric:
                yield (c, audience_metric, self.c_audience[c])
            for metric_id, maximum in extras:
                if rng.random() < 0.75:
                    yield (
                        c,
                        metric_id,
                        min(maximum, int(rng.random() * (self.c_audience[c] + 10))),
                    )

    def assign_reviewers(self) -> None:
        """Three reviewers per nomination in review (four for a fifth of them), never a
        conflicted one, the least loaded first."""
        rng = self.rng
        load = {r: 0 for r in self.reviewers}
        for plan in self.plans:
            if plan.status not in (
                NominationStatus.IN_REVIEW,
                NominationStatus.AWARDED,
                NominationStatus.DECLINED,
            ):
                continue
            wanted = 4 if rng.random() < 0.2 else 3
            # Conservative: any endorsement since the look-back start is a conflict.
            window_start = self.days_ago(plan.cycle.lookback_start)
            free = [
                r
                for r in self.reviewers
                if r not in (plan.nominee, plan.nominator)
                and self.reviewer_pairs.get((r, plan.nominee), window_start + 1) > window_start
            ]
            rng.shuffle(free)
            free.sort(key=load.__getitem__)
            plan.reviewers = free[:wanted]
            for r in plan.reviewers:
                load[r] += 1

    def nominations(self) -> None:
        self.assign_reviewers()
        rng = self.rng
        in_review = self.cycle_list[1]
        # Which assignments have a submitted review: all of them in the published cycle,
        # ``scale.reviews`` of them in the cycle under review.
        pending = [
            (plan, r) for plan in self.plans if plan.cycle is in_review for r in plan.reviewers
        ]
        # At least one is left to write, whatever the conflicts left to assign.
        submitted = set(
            (plan.id, r)
            for plan, r in rng.sample(pending, max(0, min(len(pending) - 1, self.scale.reviews)))
        )
        for plan in self.plans:
            plan.submitted_reviews = [
                r
                for r in plan.reviewers
                if plan.cycle is not in_review or (plan.id, r) in submitted
            ]
        # Scores: per review and criterion around the nominee's quality; a few contested.
        self.scores: dict[tuple[int, int], list[int]] = {}
        for plan in self.plans:
            contested = rng.random() < 0.05
            for index, reviewer in enumerate(plan.reviewers):
                shift = (2.2 if plan.quality < 3 else -2.2) if contested and index == 0 else 0
                self.scores[plan.id, reviewer] = [
                    min(5, max(1, round(plan.quality + shift + rng.gauss(0, 0.35))))
                    for _ in self.criteria[plan.cycle.id]
                ]
        self.recommendations: dict[tuple[int, int], Recommendation] = {}
        for key, scores in self.scores.items():
            mean = sum(scores) / len(scores)
            if rng.random() < 0.06:
                self.recommendations[key] = Recommendation.ABSTAIN
            elif mean >= 3.5:
                self.recommendations[key] = Recommendation.AWARD
            elif mean <= 2.5:
                self.recommendations[key] = Recommendation.DECLINE
            else:
                self.recommendations[key] = rng.choice(list(Recommendation))

        rows: list[tuple] = []
        evidence_rows: list[tuple] = []
        events: list[tuple] = []
        awards: list[tuple] = []
        event_id = award_id = 0
        for plan in self.plans:
            cycle = plan.cycle
            counters = self.counters(plan)
            submitted_day = None
            if plan.status not in (NominationStatus.AWAITING_ACCEPTANCE, NominationStatus.LAPSED):
                submitted_day = max(
                    plan.created_day - rng.randint(0, 5), self.days_ago(cycle.closes) + 1, 1
                )
            statement = (
                "Consistently shares deep, practical knowledge with the community: talks, posts "
                f"and answers about {rng.choice(TOPICS)} that newcomers rely on every week."
            )
            decided_day = None
            if plan.decision is not None:
                decided_day = self.days_ago(cycle.review_closes) + 1
            rows.append(
                (
                    plan.id,
                    cycle.id,
                    plan.category_id,
                    plan.nominee,
                    plan.nominator,
                    plan.kind.value,
                    plan.status.value,
                    statement,
                    f"<p>{statement}</p>",
                    "",
                    "",
                    "",
                    False,
                    self.ts(plan.created_day),
                    self.ts(submitted_day) if submitted_day else None,
                    *counters,
                    plan.decision.value if plan.decision else None,
                    "Strong, sustained evidence." if plan.decision else "",
                    "Thank you for your work for the community." if plan.decision else "",
                    self.organizer if plan.decision else None,
                    self.ts(decided_day) if decided_day else None,
                    1,
                )
            )
            added = self.ts(submitted_day or plan.created_day)
            evidence_rows.extend((plan.id, c, added) for c in plan.evidence)
            # The status history, as the services write it.
            steps: list[tuple[int, int | None, NominationStatus | None, NominationStatus]] = []
            if plan.kind is NominationKind.PEER:
                steps.append(
                    (plan.created_day, plan.nominator, None, NominationStatus.AWAITING_ACCEPTANCE)
                )
                if submitted_day:
                    steps.append(
                        (
                            submitted_day,
                            plan.nominee,
                            NominationStatus.AWAITING_ACCEPTANCE,
                            NominationStatus.SUBMITTED,
                        )
                    )
            else:
                steps.append((plan.created_day, plan.nominee, None, NominationStatus.SUBMITTED))
            close_day = self.days_ago(cycle.closes)
            if plan.status is NominationStatus.LAPSED:
                steps.append(
                    (close_day, None, NominationStatus.AWAITING_ACCEPTANCE, NominationStatus.LAPSED)
                )
            elif plan.status is NominationStatus.WITHDRAWN:
                steps.append(
                    (
                        max(1, plan.created_day - 3),
                        plan.nominee,
                        NominationStatus.SUBMITTED,
                        NominationStatus.WITHDRAWN,
                    )
                )
            elif plan.status is not NominationStatus.SUBMITTED and submitted_day:
                steps.append(
                    (
                        close_day,
                        self.organizer,
                        NominationStatus.SUBMITTED,
                        NominationStatus.IN_REVIEW,
                    )
                )
                if decided_day is not None:  # decided
                    steps.append(
                        (decided_day, self.organizer, NominationStatus.IN_REVIEW, plan.status)
                    )
            for day, actor, before, after in steps:
                event_id += 1
                stamp = self.ts(day)
                events.append(
                    (
                        event_id,
                        plan.id,
                        actor,
                        before.value if before else None,
                        after.value,
                        "",
                        stamp,
                    )
                )
                self.audit.append(
                    (
                        stamp,
                        actor,
                        NOMINATION_ACTIONS[before, after],
                        "nomination",
                        plan.id,
                        f'{{"status": "{after.value}"}}',
                    )
                )
            if plan.status is NominationStatus.AWARDED:
                assert cycle.published_day is not None  # only a published cycle awards
                award_id += 1
                awards.append(
                    (
                        award_id,
                        plan.nominee,
                        plan.category_id,
                        cycle.id,
                        plan.id,
                        cycle.award_starts.isoformat(),
                        cycle.award_ends.isoformat(),
                        AwardStatus.ACTIVE.value,
                        f"{rng.getrandbits(144):036x}",
                        "",
                        self.ts(cycle.published_day),
                        award_id,  # its place in the status lists, as granting sets it
                    )
                )
                self.record(
                    cycle.published_day, self.organizer, "award.created", "award", award_id, None
                )
        self.w.write(
            Nomination.__table__,
            (
                "id",
                "cycle_id",
                "category_id",
                "nominee_id",
                "nominator_id",
                "kind",
                "status",
                "statement_md",
                "statement_html",
                "nominee_statement_md",
                "nominee_statement_html",
                "withdrawn_reason",
                "no_activity",
                "created_at",
                "submitted_at",
                "evidence_count",
                "distinct_endorsers",
                "total_quantity",
                "total_audience",
                "reviews_submitted",
                "score_mean",
                "recommend_award",
                "recommend_decline",
                "recommend_abstain",
                "disagreement",
                "decision",
                "decision_rationale",
                "decision_feedback",
                "decided_by_id",
                "decided_at",
                "version",
            ),
            rows,
        )
        self.w.write(
            NominationEvidence.__table__,
            ("nomination_id", "contribution_id", "added_at"),
            evidence_rows,
        )
        self.w.write(
            NominationEvent.__table__,
            ("id", "nomination_id", "actor_id", "from_status", "to_status", "note", "created_at"),
            events,
        )
        self.w.write(
            Award.__table__,
            (
                "id",
                "member_id",
                "category_id",
                "cycle_id",
                "nomination_id",
                "starts_on",
                "ends_on",
                "status",
                "verification_id",
                "revoked_reason",
                "created_at",
                "status_index",
            ),
            awards,
        )

    def counters(self, plan: NominationPlan) -> tuple:
        """The stored aggregates of a nomination, as the services keep them."""
        endorsers: set[int] = set()
        for c in plan.evidence:
            endorsers |= self.endorsers_of.get(c, set())
        keys = [(plan.id, r) for r in plan.submitted_reviews]
        criteria = self.criteria[plan.cycle.id]
        score_mean, disagreement = None, False
        if keys:
            weighted = 0.0
            for index, (_criterion, weight) in enumerate(criteria):
                values = [self.scores[key][index] for key in keys]
                weighted += weight * sum(values) / len(values)
                disagreement = disagreement or max(values) - min(values) >= 2
            score_mean = weighted / sum(weight for _, weight in criteria)
        recommendations = [self.recommendations[key] for key in keys]
        return (
            len(plan.evidence),
            len(endorsers),
            sum(self.c_quantity[c] for c in plan.evidence),
            sum(self.c_audience[c] for c in plan.evidence),
            len(keys),
            score_mean,
            recommendations.count(Recommendation.AWARD),
            recommendations.count(Recommendation.DECLINE),
            recommendations.count(Recommendation.ABSTAIN),
            disagreement,
        )

    def reviews(self) -> None:
        rng = self.rng
        appointments, assignments, reviews, scores = [], [], [], []
        appointment_id = review_id = 0
        for cycle in self.cycle_list:
            for reviewer in self.reviewers:
                appointment_id += 1
                appointments.append(
                    (appointment_id, cycle.id, reviewer, None, self.ts(self.days_ago(cycle.opens)))
                )
        for plan in self.plans:
            cycle = plan.cycle
            assigned_day = self.days_ago(cycle.closes)
            review_end = max(1, self.days_ago(min(cycle.review_closes, self.anchor)))
            for reviewer in plan.reviewers:
                assignments.append((plan.id, reviewer, self.organizer, self.ts(assigned_day)))
                submitted = reviewer in plan.submitted_reviews
                if not submitted and rng.random() < 0.5:
                    continue  # not started yet
                review_id += 1
                day = rng.randint(review_end, max(review_end, assigned_day - 1))
                stamp = self.ts(day)
                recommendation = self.recommendations[plan.id, reviewer] if submitted else None
                reviews.append(
                    (
                        review_id,
                        plan.id,
                        reviewer,
                        (ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT).value,
                        rng.choice(list(Confidence)).value,
                        recommendation.value if recommendation else None,
                        "Evidence is solid and endorsed by a broad set of peers.",
                        "Keep going, your talks help many people." if rng.random() < 0.4 else "",
                        stamp,
                        stamp,
                        stamp if submitted else None,
                        submitted,  # every criterion is scored: it reads the others
                        1,
                    )
                )
                for (criterion_id, _weight), score in zip(
                    self.criteria[cycle.id], self.scores[plan.id, reviewer], strict=True
                ):
                    scores.append((review_id, criterion_id, score))
                if submitted:
                    self.record(day, reviewer, "review.submitted", "review", review_id, None)
        self.w.write(
            ReviewerAppointment.__table__,
            ("id", "cycle_id", "reviewer_id", "category_id", "created_at"),
            appointments,
        )
        self.w.write(
            Assignment.__table__,
            ("nomination_id", "reviewer_id", "assigned_by_id", "created_at"),
            assignments,
        )
        self.w.write(
            Review.__table__,
            (
                "id",
                "nomination_id",
                "reviewer_id",
                "status",
                "confidence",
                "recommendation",
                "panel_comment",
                "nominee_feedback",
                "created_at",
                "updated_at",
                "submitted_at",
                "reads_others",
                "version",
            ),
            reviews,
        )
        self.w.write(ReviewScore.__table__, ("review_id", "criterion_id", "score"), scores)

    def notifications(self) -> None:
        """Endorsements of the last 30 days, and every nomination of a member. Their
        sentences are kept as written (the ``legacy`` kind): the benchmark reads them, it
        does not follow them."""

        def said(kind: str, text: str) -> str:
            return json.dumps({"kind": kind, "text": text, "path": ""})

        rows = []
        week = self.days[7]
        for owner, created in self.recent_endorsements:
            read = created if created < week else None
            rows.append(
                (
                    owner,
                    LEGACY,
                    said("endorsement", "Someone endorsed your contribution."),
                    created,
                    read,
                )
            )
        for plan in self.plans:
            if plan.kind is NominationKind.PEER:
                stamp = self.ts(plan.created_day)
                text = f"You were nominated for {plan.cycle.name}."
                rows.append((plan.nominee, LEGACY, said("nominated", text), stamp, None))
        rows.sort(key=lambda row: row[3])
        self.w.write(
            Notification.__table__,
            ("id", "user_id", "kind", "params", "created_at", "read_at"),
            ((i, *row) for i, row in enumerate(rows, start=1)),
        )

    def failed_mail(self) -> None:
        """Mail the server refused for good, one in a hundred members' confirmations, so
        the organizers' mail page has pages to read (no random draw: the rest of the
        programme stays as it was)."""
        rows = []
        for member in self.members[::100]:
            failed = self.ts(member % 30 + 1)
            payload = json.dumps({"user_id": member, "template": "verify_email"})
            rows.append(
                ("mail.account", payload, failed, failed, 6, "550 5.1.1 No such user", failed)
            )
        self.w.write(
            OutboxMessage.__table__,
            (
                "id", "topic", "payload", "created_at", "available_at", "attempts",
                "last_error", "failed_at",
            ),
            ((i, *row) for i, row in enumerate(rows, start=1)),
        )  # fmt: skip

    def webhooks(self) -> None:
        """Two endpoints and, for the first, two deliveries per member (delivered, a few
        retried or failed), with their attempts, so its page has pages to read. No random
        draw: the rest of the programme stays as it was."""
        endpoints = [
            (1, "https://crm.example.org/nominee", '["award.granted", "cycle.moved"]', True),
            (2, "https://hooks.example.net/in", '["nomination.submitted"]', False),
        ]
        self.w.write(
            WebhookEndpoint.__table__,
            ("id", "url", "events", "enabled", "description", "secret", "created_at"),
            (
                (i, url, events, on, "", f"whsec_seed{i}", self.days[400] + self.clock[0])
                for i, url, events, on in endpoints
            ),
        )
        deliveries, attempts = [], []
        for n in range(1, 2 * len(self.members) + 1):
            day = self.days[n % 300 + 1] + self.clock[(n * 7919) % DAY]
            failed = n % 17 == 0
            status = "failed" if failed else "delivered"
            body = json.dumps(
                {"id": f"evt_seed{n}", "type": "cycle.moved", "created": day, "data": {"n": n}}
            )
            tries = 6 if failed else 1 + (n % 11 == 0)
            deliveries.append(
                (n, 1, f"evt_seed{n}", "cycle.moved", body, status, tries,
                 503 if failed else 200, "The endpoint answered 503." if failed else None,
                 day, None if failed else day)
            )  # fmt: skip
            for number in range(1, tries + 1):
                good = not failed and number == tries
                attempts.append(
                    (n, number, day, 120 + n % 300, "delivered" if good else "failed",
                     200 if good else 503, None if good else "The endpoint answered 503.")
                )  # fmt: skip
        self.w.write(
            WebhookDelivery.__table__,
            ("id", "endpoint_id", "event_id", "event_type", "body", "status", "attempts",
             "response_code", "last_error", "created_at", "delivered_at"),
            deliveries,
        )  # fmt: skip
        self.w.write(
            WebhookAttempt.__table__,
            ("id", "delivery_id", "number", "started_at", "duration_ms", "outcome",
             "response_code", "error"),
            ((i, *row) for i, row in enumerate(attempts, start=1)),
        )  # fmt: skip

    def link_checks(self) -> None:
        """Every seventh contribution's link checked, one in five of them broken (the
        links need not exist: a check is per URL). No random draw."""
        rows = []
        for n, c in enumerate(range(1, len(self.c_owner), 7), start=1):
            url = f"https://example.org/{self.c_owner[c]}/{c}"
            day = self.days[n % 20 + 1] + self.clock[0]
            broken = n % 5 == 0
            rows.append(
                (n, hashlib.sha256(url.encode()).hexdigest(), url, day,
                 404 if broken else 200, "The page answered 404." if broken else None,
                 None if broken else day, day if broken else None, int(broken),
                 day if broken else None, day if broken else None)
            )  # fmt: skip
        self.w.write(
            LinkCheck.__table__,
            ("id", "url_hash", "url", "checked_at", "status_code", "error", "ok_at",
             "failing_since", "failures", "broken_since", "notified_at"),
            rows,
        )  # fmt: skip

    def audit_events(self) -> None:
        self.audit.sort(key=itemgetter(0))
        self.w.write(
            AuditEvent.__table__,
            ("id", "created_at", "actor_id", "action", "object_type", "object_id", "after"),
            ((i, *row) for i, row in enumerate(self.audit, start=self.first_audit_id)),
        )
