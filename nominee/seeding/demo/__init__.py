"""``flask --app nominee seed-demo``: a believable community to try Nominee with.

The data is deterministic (one ``random.Random(seed)``) and built by one step per
domain, in order (``STEPS``). A later feature adds its own step (cycles, nominations,
reviews...) at the end of the list. People are created directly, sharing one password
hash (hashing is deliberately slow); contributions go through the
services (and are then back-dated), so they obey every rule a member's would;
endorsements are added directly, by the same rules, for speed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from nominee import audit, clock
from nominee.accounts.models import Role, User
from nominee.categories.models import Category
from nominee.categories.services import slugify
from nominee.contributions.models import Contribution, ContributionType, Visibility
from nominee.contributions.services import (
    ContributionInput,
    create_contribution,
    seed_contribution_types,
)
from nominee.cycles.models import Cycle
from nominee.endorsements.models import Endorsement
from nominee.markdown import render
from nominee.outbox import services as outbox
from nominee.seeding.demo import awards as awards_demo
from nominee.seeding.demo import nominations as nominations_demo
from nominee.seeding.demo import reviews as reviews_demo

DEFAULT_SEED = 2024
MEMBER_COUNT = 44
REVIEWER_COUNT = 3
MIN_CONTRIBUTIONS = 420
HISTORY_DAYS = 545  # about 18 months
PRIVATE_SHARE = 0.08

ORGANIZER_EMAIL = "organizer@example.org"


def reviewer_email(n: int) -> str:
    return f"reviewer{n}@example.org"


def member_email(n: int) -> str:
    return f"member{n}@example.org"


CATEGORIES: dict[str, tuple[str, list[str]]] = {
    "Developer Tools": (
        "Editors, source control, debuggers and everything that makes developers faster.",
        [
            "VS Code extensions",
            "Git workflows",
            "debugging",
            "developer productivity",
            "code review",
            "dev containers",
            "monorepos",
            "static analysis",
        ],
    ),
    "Data Platform": (
        "Databases, data engineering and analytics.",
        [
            "PostgreSQL",
            "query tuning",
            "data pipelines",
            "Apache Spark",
            "data modelling",
            "dbt",
            "streaming with Kafka",
            "lakehouse design",
        ],
    ),
    "Cloud & DevOps": (
        "Infrastructure, delivery pipelines and running software in production.",
        [
            "Kubernetes",
            "Terraform",
            "GitHub Actions",
            "observability",
            "cloud cost optimisation",
            "serverless functions",
            "platform engineering",
            "incident response",
        ],
    ),
    "AI": (
        "Machine learning, language models and putting them to responsible use.",
        [
            "retrieval-augmented generation",
            "prompt evaluation",
            "fine-tuning small models",
            "ML in production",
            "vector search",
            "responsible AI",
            "computer vision",
            "LLM agents",
        ],
    ),
    "Security": (
        "Application, cloud and supply-chain security.",
        [
            "threat modelling",
            "supply-chain security",
            "OAuth and OpenID Connect",
            "secrets management",
            "secure code review",
            "zero trust",
            "incident forensics",
            "SBOMs",
        ],
    ),
    "Web": (
        "The web platform: front ends, accessibility and performance.",
        [
            "accessibility",
            "web performance",
            "TypeScript",
            "React server components",
            "CSS layout",
            "progressive web apps",
            "htmx",
            "design systems",
        ],
    ),
}

NAMES = [
    "Priya Raman", "Lukas Becker", "Amara Okafor", "Mateo García", "Sofia Rossi",
    "Kenji Watanabe", "Chloé Martin", "Oluwaseun Adeyemi", "Hannah Schmidt", "Rafael Costa",
    "Mei Lin", "Aditya Kulkarni", "Fatima Zahra Benali", "Jonas Lindqvist", "Isabella Moreno",
    "Tomasz Nowak", "Aisha Mohammed", "Daniel O'Connor", "Yuki Tanaka", "Elena Petrova",
    "Kwame Mensah", "Laura Fernández", "Arjun Mehta", "Nora Haugen", "Diego Álvarez",
    "Sara Cohen", "Minh Nguyen", "Zeynep Yılmaz", "Marcus Johnson", "Ingrid Nilsson",
    "Carlos Mendoza", "Ana Ribeiro", "Samuel Osei", "Julia Kowalska", "Hiroshi Sato",
    "Leila Haddad", "Ethan Brooks", "Valentina Bianchi", "Chen Wei", "Grace Mwangi",
    "Pablo Ruiz", "Emma Dubois", "Ravi Shankar", "Olga Ivanova", "Tariq Hassan",
    "Lucía Navarro", "Finn Murphy", "Anjali Desai", "Kofi Boateng", "Marta Silva",
    "Noah Fischer", "Haruka Kobayashi", "Andrés Castillo", "Maya Goldberg",
]  # fmt: skip
ORGANIZER_NAME = "Morgan Ellis"

CITIES = [
    "Lisbon, Portugal", "Lagos, Nigeria", "Pune, India", "Berlin, Germany",
    "São Paulo, Brazil", "Osaka, Japan", "Toronto, Canada", "Nairobi, Kenya",
    "Kraków, Poland", "Melbourne, Australia", "Madrid, Spain", "Accra, Ghana",
    "Stockholm, Sweden", "Buenos Aires, Argentina", "Seattle, USA", "Dublin, Ireland",
    "Singapore", "Cairo, Egypt", "Montréal, Canada", "Ho Chi Minh City, Vietnam",
    "Istanbul, Türkiye", "Oslo, Norway", "Casablanca, Morocco", "Bengaluru, India",
]  # fmt: skip
# Each city's country (ISO 3166-1 alpha-2), for the awardee directory's filter.
COUNTRY_OF_CITY = {
    "Lisbon, Portugal": "PT", "Lagos, Nigeria": "NG", "Pune, India": "IN",
    "Berlin, Germany": "DE", "São Paulo, Brazil": "BR", "Osaka, Japan": "JP",
    "Toronto, Canada": "CA", "Nairobi, Kenya": "KE", "Kraków, Poland": "PL",
    "Melbourne, Australia": "AU", "Madrid, Spain": "ES", "Accra, Ghana": "GH",
    "Stockholm, Sweden": "SE", "Buenos Aires, Argentina": "AR", "Seattle, USA": "US",
    "Dublin, Ireland": "IE", "Singapore": "SG", "Cairo, Egypt": "EG",
    "Montréal, Canada": "CA", "Ho Chi Minh City, Vietnam": "VN", "Istanbul, Türkiye": "TR",
    "Oslo, Norway": "NO", "Casablanca, Morocco": "MA", "Bengaluru, India": "IN",
}  # fmt: skip
# Members who keep their profile private: out of the public directory (member numbers).
PRIVATE_MEMBERS = (44,)
JOBS = [
    "Staff engineer", "Developer advocate", "Data engineer", "Cloud architect",
    "Security researcher", "Front-end developer", "Machine-learning engineer",
    "Site reliability engineer", "Independent consultant", "CTO", "Platform engineer",
    "Trainer", "Software engineer", "Engineering manager", "Solutions architect",
]  # fmt: skip
EMPLOYERS = [
    "Northwind Labs", "Contoso", "Fabrikam", "Tailspin Toys", "Woodgrove Bank", "Adatum",
    "Litware", "Proseware", "a small consultancy", "a hospital group",
    "a public-sector agency", "an online retailer", "a fintech start-up", "a university",
]  # fmt: skip
BIO_EXTRAS = [
    "Co-organizer of the {city} {topic} meetup.",
    "Maintainer of a couple of small open-source tools nobody should depend on (people do).",
    "Mentor in a bootcamp for career changers.",
    "Speaks at conferences in English, and at local user groups in two other languages.",
    "Answers questions on the community forum most evenings.",
    "Writes a monthly newsletter about {topic}.",
    "Believes every demo should work offline.",
    "Previously a physics teacher; still explains everything with a whiteboard.",
]

TITLES: dict[str, list[str]] = {
    "blog-post": [
        "Getting started with {topic}",
        "{Topic}: lessons from a year in production",
        "Five mistakes I made with {topic}",
        "Why our team moved to {topic}",
        "A practical checklist for {topic}",
    ],
    "article": [
        "A field guide to {topic}",
        "{Topic} for teams that are short on time",
        "What nobody tells you about {topic}",
    ],
    "book": ["{Topic} in Action", "Practical {topic}", "The {topic} handbook"],
    "talk-at-a-conference": [
        "{Topic} at scale: what broke and what we fixed",
        "From zero to {topic} in one sprint",
        "The hard parts of {topic}",
    ],
    "talk-at-a-local-event": [
        "{Topic} in 30 minutes",
        "Live demo: {topic} from scratch",
        "Our first year with {topic}",
    ],
    "workshop": [
        "Hands-on {topic} workshop",
        "{Topic} bootcamp for beginners",
        "Half-day lab: {topic}",
    ],
    "video-or-live-stream": [
        "Live coding: {topic}",
        "{Topic} explained in 10 minutes",
        "Friday stream: exploring {topic}",
    ],
    "podcast": ["Episode: the state of {topic}", "Talking {topic} with the community"],
    "forum-answers": ["Answers on {topic} this month", "Helping newcomers with {topic}"],
    "open-source-project": [
        "A toolkit for {topic}",
        "Open-source starter kit for {topic}",
        "Maintaining a {topic} library",
    ],
    "code-sample": ["Sample: {topic} end to end", "Reference implementation for {topic}"],
    "event-organizing": [
        "{Topic} community day",
        "Organizing the regional {topic} conference",
        "Hackathon on {topic}",
    ],
    "user-group-leadership": [
        "Leading the {city} {topic} user group",
        "Monthly {topic} meetups",
    ],
    "mentoring": ["Mentoring new contributors in {topic}", "Career mentoring on {topic}"],
    "translation": [
        "Translating the {topic} documentation",
        "Localising the {topic} tutorial",
    ],
    "product-feedback": [
        "Feedback on the {topic} preview",
        "Bug reports and repros for {topic}",
    ],
}
GENERIC_TITLES = ["Community work on {topic}", "Sharing what I learned about {topic}"]

# (quantity low, high), (audience low, high): drawn log-uniformly, like real reach figures.
REACH: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "blog-post": ((1, 1), (150, 12_000)),
    "article": ((1, 2), (500, 30_000)),
    "book": ((8, 20), (200, 5_000)),
    "talk-at-a-conference": ((1, 2), (40, 800)),
    "talk-at-a-local-event": ((1, 1), (15, 120)),
    "workshop": ((1, 3), (10, 60)),
    "video-or-live-stream": ((1, 6), (200, 50_000)),
    "podcast": ((1, 4), (300, 8_000)),
    "forum-answers": ((10, 300), (1, 1)),
    "open-source-project": ((1, 12), (20, 5_000)),
    "code-sample": ((1, 5), (20, 3_000)),
    "event-organizing": ((1, 3), (50, 1_500)),
    "user-group-leadership": ((2, 12), (80, 2_500)),
    "mentoring": ((3, 24), (1, 8)),
    "translation": ((1, 10), (100, 5_000)),
    "product-feedback": ((1, 15), (1, 1)),
}
GENERIC_REACH = ((1, 5), (10, 500))
# How common each kind is among members' favourites (default 1).
TYPE_FREQUENCY = {
    "blog-post": 3.0,
    "talk-at-a-local-event": 2.0,
    "forum-answers": 1.5,
    "video-or-live-stream": 1.5,
    "book": 0.2,
    "translation": 0.5,
    "product-feedback": 0.5,
    "other": 0.3,
}
OFFLINE_TYPES = {"mentoring", "product-feedback"}

DESCRIPTIONS = [
    "Covered {topic} from first principles, with a worked example people can copy.",
    "Focused on the questions that came up most often in the community about {topic}.",
    "Shared the slides and the code afterwards; several attendees sent pull requests.",
    "Compared three approaches to {topic} and when each one pays off.",
    "Built on feedback from the previous edition: shorter intro, more hands-on time.",
]
DESCRIPTION_POINTS = [
    "common pitfalls and how to spot them early",
    "a checklist for production readiness",
    "links to the follow-up material",
    "a Q&A with the audience",
    "a small benchmark anyone can rerun",
]

COMMENTS = [
    "Clear and practical: I used this at work the next day.",
    "The best explanation of this I have found.",
    "Great session, the live demo sealed it.",
    "Helped our team avoid a painful migration mistake.",
    "Thanks for answering so patiently!",
    "Shared it with my whole team.",
    "Solid, well-researched and honest about the trade-offs.",
    "This got me started; thank you.",
    "Generous with your time, as always.",
    "Exactly the level of detail I needed.",
]
COMMENT_SHARE = 0.6
WITHDRAWN_SHARE = 0.03


class DemoRefused(Exception):
    """The database is not empty: the demo would mix with real data."""


@dataclass
class Demo:
    """What the steps have built so far, for the steps that follow."""

    session: Session
    rng: random.Random
    password_hash: str
    today: date
    categories: list[Category] = field(default_factory=list)
    topics: dict[int, list[str]] = field(default_factory=dict)  # category id -> topics
    types: list[ContributionType] = field(default_factory=list)
    organizer: User | None = None
    reviewers: list[User] = field(default_factory=list)
    members: list[User] = field(default_factory=list)
    cities: dict[int, str] = field(default_factory=dict)  # user id -> city
    contributions: list[Contribution] = field(default_factory=list)
    endorsement_count: int = 0
    cycle_in_review: Cycle | None = None
    open_cycle: Cycle | None = None
    published_cycle: Cycle | None = None
    reviews: reviews_demo.ReviewSeed | None = None

    def at(self, day: date, latest: datetime | None = None) -> datetime:
        """A moment during ``day`` (UTC), never later than ``latest`` (default: now)."""
        moment = datetime.combine(day, time(self.rng.randint(7, 21), self.rng.randint(0, 59)))
        return min(moment.replace(tzinfo=UTC), latest or clock.now())

    def logins(self) -> list[tuple[str, str]]:
        people = [self.organizer, *self.reviewers, *self.members]
        return [(user.email, user.role.label) for user in people if user is not None]


def seed_categories(demo: Demo) -> None:
    for name, (description, topics) in CATEGORIES.items():
        category = Category(name=name, slug=slugify(name), description=description)
        demo.session.add(category)
        demo.session.flush()
        demo.categories.append(category)
        demo.topics[category.id] = topics


def seed_types(demo: Demo) -> None:
    seed_contribution_types(demo.session)
    demo.types = list(
        demo.session.scalars(
            select(ContributionType)
            .where(ContributionType.retired.is_(False))
            .order_by(ContributionType.position)
        )
    )


def _bio(demo: Demo, city: str, category: Category) -> str:
    rng = demo.rng
    topics = rng.sample(demo.topics[category.id], 2)
    lines = [
        f"{rng.choice(JOBS)} at {rng.choice(EMPLOYERS)}. "
        f"I write and speak about **{topics[0]}** and {topics[1]}.",
    ]
    extra = rng.choice(BIO_EXTRAS).format(city=city.split(",")[0], topic=topics[0])
    lines.append(extra)
    return "\n\n".join(lines)


def _person(demo: Demo, name: str, email: str, role: Role) -> User:
    rng = demo.rng
    city = rng.choice(CITIES)
    primary = rng.choice(demo.categories)
    others = rng.sample([c for c in demo.categories if c is not primary], rng.randint(0, 2))
    handle = slugify(name).replace("-", "")
    bio = _bio(demo, city, primary)
    joined = demo.today - timedelta(days=rng.randint(HISTORY_DAYS + 30, HISTORY_DAYS + 400))
    user = User(
        email=email,
        display_name=name,
        password_hash=demo.password_hash,
        role=role,
        bio_md=bio,
        bio_html=render(bio),
        location=city,
        country=COUNTRY_OF_CITY[city],
        links=[f"https://github.com/{handle}", f"https://{handle}.dev"][: rng.randint(1, 2)],
        primary_category=primary,
        categories=others,
        created_at=demo.at(joined),
        email_verified_at=demo.at(joined),
    )
    demo.session.add(user)
    demo.session.flush()
    demo.cities[user.id] = city
    return user


def seed_people(demo: Demo) -> None:
    """One organizer, the reviewers, then the members (member1 onwards)."""
    names = list(NAMES)
    demo.rng.shuffle(names)
    demo.organizer = _person(demo, ORGANIZER_NAME, ORGANIZER_EMAIL, Role.ORGANIZER)
    for n in range(1, REVIEWER_COUNT + 1):
        demo.reviewers.append(_person(demo, names.pop(), reviewer_email(n), Role.REVIEWER))
    for n in range(1, MEMBER_COUNT + 1):
        member = _person(demo, names.pop(), member_email(n), Role.MEMBER)
        member.profile_public = n not in PRIVATE_MEMBERS
        demo.members.append(member)


def _log_uniform(rng: random.Random, low: int, high: int) -> int:
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _contribution_input(demo: Demo, owner: User, kind: ContributionType) -> ContributionInput:
    rng = demo.rng
    category = owner.primary_category if rng.random() < 0.7 else rng.choice(demo.categories)
    assert category is not None  # every demo member has a primary category
    topic = rng.choice(demo.topics[category.id])
    title = rng.choice(TITLES.get(kind.slug, GENERIC_TITLES)).format(
        topic=topic, Topic=topic[0].upper() + topic[1:], city=demo.cities[owner.id].split(",")[0]
    )
    description = rng.choice(DESCRIPTIONS).format(topic=topic)
    if rng.random() < 0.4:
        points = rng.sample(DESCRIPTION_POINTS, rng.randint(2, 3))
        description += "\n\nIncluded:\n\n" + "\n".join(f"- {point}" for point in points)
    (q_low, q_high), (a_low, a_high) = REACH.get(kind.slug, GENERIC_REACH)
    handle = slugify(owner.display_name).replace("-", "")
    extra = [c.id for c in demo.categories if c is not category and rng.random() < 0.12][:3]
    return ContributionInput(
        type_id=kind.id,
        role=rng.choice(kind.roles) if kind.roles else "",
        title=title[:200],
        contributed_on=demo.today - timedelta(days=rng.randint(1, HISTORY_DAYS)),
        primary_category_id=category.id,
        category_ids=extra,
        url="" if kind.slug in OFFLINE_TYPES else f"https://{handle}.dev/{slugify(title)}",
        description_md=description,
        figures=_figures(
            rng, kind, _log_uniform(rng, q_low, q_high), _log_uniform(rng, a_low, a_high)
        ),
        visibility=Visibility.PRIVATE if rng.random() < PRIVATE_SHARE else Visibility.PUBLIC,
    )


def _figures(
    rng: random.Random, kind: ContributionType, quantity: int, audience: int
) -> dict[int, int | None]:
    """A value for each active metric of the type: the headline ones from the drawn
    quantity and audience, the others (recording views, accepted answers...) a share of
    the audience or quantity; an optional one is left out now and then."""
    figures: dict[int, int | None] = {}
    for metric in kind.active_metrics:
        if metric.legacy_slot == "quantity":
            value = quantity
        elif metric.legacy_slot == "audience":
            value = audience
        elif not metric.required and rng.random() < 0.3:
            continue
        else:
            value = _log_uniform(rng, 1, max(2, audience if audience > 1 else quantity))
        figures[metric.id] = min(value, metric.maximum)
    return figures


def _favourite_types(demo: Demo) -> list[ContributionType]:
    """Two to four types a member mostly does, common kinds (blog posts) more often."""
    weights = [TYPE_FREQUENCY.get(kind.slug, 1.0) for kind in demo.types]
    picks = demo.rng.choices(demo.types, weights, k=demo.rng.randint(2, 4))
    return list(dict.fromkeys(picks))


def seed_contributions(demo: Demo) -> None:
    """Every type at least once; each member favours a few types, some are busier."""
    rng = demo.rng
    favourites = {m.id: _favourite_types(demo) for m in demo.members}
    activity = {m.id: rng.lognormvariate(0, 0.55) for m in demo.members}
    total_activity = sum(activity.values())
    plan: list[tuple[User, ContributionType]] = [
        (rng.choice(demo.members), kind) for kind in demo.types
    ]
    for member in demo.members:
        count = max(2, round(MIN_CONTRIBUTIONS * activity[member.id] / total_activity))
        for _ in range(count):
            kind = rng.choice(favourites[member.id]) if rng.random() < 0.85 else None
            plan.append((member, kind or rng.choice(demo.types)))
    while len(plan) < MIN_CONTRIBUTIONS:
        member = rng.choice(demo.members)
        plan.append((member, rng.choice(favourites[member.id])))
    titles: set[tuple[int, str]] = set()
    for owner, kind in plan:
        for _ in range(5):  # a member rarely reuses a title
            data = _contribution_input(demo, owner, kind)
            if (owner.id, data.title) not in titles:
                break
        titles.add((owner.id, data.title))
        contribution = create_contribution(demo.session, owner, data)
        contribution.created_at = contribution.updated_at = demo.at(
            contribution.contributed_on + timedelta(days=rng.randint(0, 10))
        )
        demo.contributions.append(contribution)
    demo.session.flush()


def seed_endorsements(demo: Demo) -> None:
    """Peers endorse public work, some with a comment; a few endorsements were withdrawn.

    Rows are added directly (a service call each would make the seed slow), never on
    one's own or a private contribution and at most one per endorser and contribution;
    the stored counts are then recomputed from the rows.
    """
    rng = demo.rng
    endorsers = [*demo.members, *demo.reviewers]
    for contribution in demo.contributions:
        if contribution.visibility is not Visibility.PUBLIC:
            continue
        count = min(int(rng.expovariate(1 / 3)), 12)
        candidates = [u for u in endorsers if u.id != contribution.owner_id]
        for endorser in rng.sample(candidates, count):
            created_at = min(
                contribution.created_at + timedelta(hours=rng.randint(2, 24 * 45)), clock.now()
            )
            withdrawn = rng.random() < WITHDRAWN_SHARE
            demo.session.add(
                Endorsement(
                    contribution_id=contribution.id,
                    endorser_id=endorser.id,
                    endorsee_id=contribution.owner_id,
                    comment=rng.choice(COMMENTS) if rng.random() < COMMENT_SHARE else "",
                    created_at=created_at,
                    withdrawn_at=min(created_at + timedelta(days=3), clock.now())
                    if withdrawn
                    else None,
                )
            )
            demo.endorsement_count += 0 if withdrawn else 1
    demo.session.flush()
    active = (
        select(func.count(Endorsement.id))
        .where(Endorsement.contribution_id == Contribution.id, Endorsement.withdrawn_at.is_(None))
        .scalar_subquery()
    )
    demo.session.execute(
        update(Contribution)
        .values(endorsement_count=active, updated_at=Contribution.updated_at)
        .execution_options(synchronize_session=False)
    )
    for contribution in demo.contributions:
        demo.session.expire(contribution, ["endorsement_count"])


def seed_cycles(demo: Demo) -> None:
    """A cycle in review and an open one, with their nominations."""
    assert demo.organizer is not None  # seed_people ran
    demo.cycle_in_review, demo.open_cycle = nominations_demo.seed_cycles(
        demo.session,
        demo.rng,
        demo.members,
        demo.organizer,
        today=demo.today,
        categories=demo.categories,
    )


def seed_reviews(demo: Demo) -> None:
    """The reviewers appointed to the cycle in review, assigned, most reviews written."""
    assert demo.cycle_in_review is not None  # seed_cycles ran
    demo.reviews = reviews_demo.seed_reviews(
        demo.session, demo.rng, demo.cycle_in_review, demo.reviewers
    )


def seed_awards(demo: Demo) -> None:
    """An earlier, published cycle with its decisions and awards, up for renewal now."""
    assert demo.organizer is not None  # seed_people ran
    demo.published_cycle = awards_demo.seed_awards(
        demo.session,
        demo.rng,
        today=demo.today,
        organizer=demo.organizer,
        members=demo.members,
        categories=demo.categories,
        reviewers=demo.reviewers,
        renew_in=demo.open_cycle,
    )


Step = Callable[[Demo], None]
# In order; a later feature appends its step.
STEPS: list[Step] = [
    seed_categories,
    seed_types,
    seed_people,
    seed_contributions,
    seed_endorsements,
    seed_cycles,
    seed_reviews,
    seed_awards,
]


def seed(
    session: Session, *, password_hash: str, seed: int = DEFAULT_SEED, today: date | None = None
) -> Demo:
    """Fill an empty database with the demo community; the caller commits."""
    accounts = session.scalar(select(func.count(User.id)))
    if accounts:
        raise DemoRefused(
            f"The database already has {accounts} account(s): seed-demo only fills an empty "
            "database, so the demo never mixes with real members."
        )
    demo = Demo(
        session=session,
        rng=random.Random(seed),
        password_hash=password_hash,
        today=today or clock.now().date(),
    )
    for step in STEPS:
        step(demo)
    settle_mail(demo)
    audit.record(
        session,
        None,
        "demo.seeded",
        object_type="system",
        after={
            "seed": seed,
            "accounts": len(demo.logins()),
            "contributions": len(demo.contributions),
            "endorsements": demo.endorsement_count,
        },
    )
    return demo


def settle_mail(demo: Demo) -> None:
    """The demo's history happened in the past: none of the mail its steps wrote to the
    outbox (nominations, lapses, assignments, renewals) goes out when the demo is served
    with a mail server."""
    outbox.settle(demo.session)
