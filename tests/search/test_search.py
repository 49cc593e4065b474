"""Search: both engines' full-text indexes, through the page members use."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nominee.contributions.models import Visibility
from nominee.search import queries
from nominee.search.rules import Scope, fts5_match, terms, tsquery


def found(client, q: str, scope: str = "contributions") -> str:
    response = client.get("/search", query_string={"q": q, "scope": scope})
    assert response.status_code == 200
    return response.text


def check_index(db) -> None:
    """SQLite: FTS5 compares each index with its content (a wrong delete corrupts it)."""
    if db.get_bind().dialect.name == "sqlite":
        for name in ("contribution_search", "member_search"):
            db.execute(text(f"INSERT INTO {name}({name}) VALUES ('integrity-check')"))


@pytest.fixture
def member(make, auth):
    user = make.user(display_name="Grace Reader")
    auth.login(user)
    return user


def test_terms_are_words_made_safe():
    assert terms('"Docker" NEAR(a b) *:&! dock-er_x') == [
        "docker",
        "near",
        "a",
        "b",
        "dock",
        "er",
        "x",
    ]
    assert terms("!!! *** :::") == []
    assert terms("a " * 50) == ["a"]
    assert len(terms(" ".join(f"w{i}" for i in range(30)))) == 8
    assert fts5_match(["dock", "er", "c"]) == '"dock"* "er"* "c"'
    assert tsquery(["dock", "er", "c"]) == "dock:* & er:* & c"


def test_a_prefix_finds_the_contribution_and_the_title_ranks_first(client, make, member):
    category = make.category(name="Containers")
    owner = make.user(display_name="Ada")
    by_title = make.contribution(owner, title="Docker in production", primary_category=category)
    by_text = make.contribution(
        owner,
        title="Shipping images",
        description_md="We moved everything to Docker.",
        primary_category=category,
    )
    make.contribution(owner, title="Unrelated talk", primary_category=make.category(name="Data"))
    page = found(client, "dock")
    assert "Docker in production" in page and "Shipping images" in page
    assert "Unrelated talk" not in page
    assert page.index("Docker in production") < page.index("Shipping images")
    assert "2 contributions found for “dock”" in page
    assert f'href="/contributions/{by_title.id}"' in page
    assert f'href="/contributions/{by_text.id}"' in page


def test_categories_are_searched_and_every_word_must_match(client, db, make, member):
    data = make.category(name="Data Platform")
    extra = make.category(name="Observability")
    owner = make.user()
    talk = make.contribution(owner, title="Query plans", primary_category=data)
    talk.categories = [extra]
    make.contribution(owner, title="Query tuning", primary_category=make.category(name="Web"))
    db.flush()
    assert "Query plans" in found(client, "observ")
    page = found(client, "query platf")
    assert "Query plans" in page and "Query tuning" not in page


def test_private_contributions_are_never_found_even_after_being_made_private(
    client, db, make, member
):
    owner = make.user()
    secret = make.contribution(owner, title="Zanzibar secret plans", visibility=Visibility.PRIVATE)
    assert "Zanzibar" not in found(client, "zanzib")
    public = make.contribution(owner, title="Zanzibar public notes")
    assert "Zanzibar public notes" in found(client, "zanzib")
    public.visibility = Visibility.PRIVATE
    db.flush()
    page = found(client, "zanzib")
    assert "Zanzibar" not in page and "0 contributions found" in page
    secret.visibility = Visibility.PUBLIC
    db.flush()
    assert "Zanzibar secret plans" in found(client, "zanzib")
    check_index(db)


def test_edits_renames_and_deletes_keep_the_index_in_step(client, db, make, member):
    category = make.category(name="Kubernetes")
    owner = make.user()
    talk = make.contribution(owner, title="Helm charts", primary_category=category)
    talk.categories = [make.category(name="Serverless")]
    db.flush()
    assert "Helm charts" in found(client, "kube")
    talk.title = "Operators explained"
    db.flush()
    assert "Operators explained" in found(client, "operat")
    assert "Operators" not in found(client, "helm")
    category.name = "Orchestration"
    db.flush()
    assert "Operators" not in found(client, "kube")
    assert "Operators" in found(client, "orchestr")
    talk.categories = []
    db.flush()
    assert "Operators" not in found(client, "serverl")
    check_index(db)
    db.delete(talk)
    db.flush()
    assert "Operators" not in found(client, "operat")
    check_index(db)


def test_members_by_name_location_and_bio_active_only(client, db, make, member):
    lin = make.user(display_name="Linus Lindqvist", location="Oslo", bio_md="Kernel hacker")
    gone = make.user(display_name="Linnea Gone", is_active_account=False)
    page = found(client, "lin", "members")
    assert "Linus Lindqvist" in page and "Linnea Gone" not in page
    assert f'href="/members/{lin.id}"' in page
    assert "Linus" in found(client, "osl", "members")
    assert "Linus" in found(client, "kern", "members")
    lin.display_name = "Torvald"
    db.flush()
    assert "Linus" not in found(client, "linus", "members")
    assert "Torvald" in found(client, "torv", "members")
    assert gone.id
    check_index(db)


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unbalanced',
        "*",
        "dock*",
        "NEAR(a b",
        "title:docker",
        "a & b | !c",
        "!!!",
        "-",
        "AND OR NOT",
        "^x",
        "'; DROP TABLE users; --",
        "x" * 5000,
        "word " * 300,
        "   ",
        "",
        "é̀",
        "日本語",
        "a_b",
        "\u0301",
    ],
)
def test_hostile_queries_never_error(client, make, member, q):
    make.contribution(make.user(), title="Docker and NEAR things")
    for scope in ("contributions", "members"):
        response = client.get("/search", query_string={"q": q, "scope": scope})
        assert response.status_code == 200


def test_too_long_a_query_says_so_and_a_bad_scope_falls_back(client, make, member):
    page = found(client, "x" * 300)
    assert "Shorten the search to 200 characters." in page
    response = client.get("/search", query_string={"q": "dock", "scope": "nope"})
    assert response.status_code == 200


@pytest.mark.parametrize("probe", [2, 50])
def test_the_window_caps_the_ranked_matches(db, make, monkeypatch, probe):
    """The newest WINDOW matches are ranked, whether PostgreSQL's probe of the newest
    rows finds them (50) or the GIN index does (2: the probe sees too few)."""
    monkeypatch.setattr(queries, "WINDOW", 3)
    monkeypatch.setattr(queries, "PROBE", probe)
    owner = make.user()
    for n in range(5):
        make.contribution(owner, title=f"Rust tip {n}")
        make.contribution(owner, title=f"Go tip {n}")
    results = queries.search(db, Scope.CONTRIBUTIONS, "rust", 1, 2)
    assert results.capped and results.total == 3 and results.pages == 2
    assert [c.title for c in results.items] == ["Rust tip 4", "Rust tip 3"]
    rare = queries.search(db, Scope.CONTRIBUTIONS, "go tip 1", 1, 2)
    assert [c.title for c in rare.items] == ["Go tip 1"] and not rare.capped


def test_search_pages(client, make, member):
    owner = make.user()
    for n in range(30):
        make.contribution(owner, title=f"Terraform module {n}")
    page = found(client, "terra")
    assert "Page 1 of 2 (30 in all)" in page
    second = client.get("/search", query_string={"q": "terra", "page": 2}).text
    assert "Page 2 of 2" in second
    past = client.get("/search", query_string={"q": "terra", "page": 9}).text
    assert "Page 2 of 2" in past and "Terraform module 0" in past


def test_a_single_letter_is_a_whole_word(client, make, member):
    owner = make.user()
    make.contribution(owner, title="Modern C tooling")
    make.contribution(owner, title="Cargo workspaces")
    page = found(client, "c")
    assert "Modern C tooling" in page and "Cargo" not in page


def test_members_address_leads_to_member_search(client, member):
    response = client.get("/members")
    assert response.status_code == 302
    assert response.headers["Location"] == "/search?scope=members"


def test_search_needs_a_login(client):
    response = client.get("/search?q=x")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_accents_do_not_matter_on_sqlite(client, db, make, member):
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL's simple configuration keeps accents")
    make.user(display_name="José Núñez")
    assert "José Núñez" in found(client, "jose nun", "members")


def test_the_scale_seeder_bulk_load_fills_the_index(connection):
    """The seeder writes with executemany (SQLite) or COPY (PostgreSQL): the triggers
    index what it writes, the public contributions only."""
    from sqlalchemy import func, select

    from nominee.contributions.models import Contribution
    from tests.perf.helpers import SMALL, seeded

    with seeded(connection, SMALL) as session:
        results = queries.search(session, Scope.CONTRIBUTIONS, "not slid", 1, 5)
        public = session.scalar(
            select(func.count())
            .select_from(Contribution)
            .where(Contribution.visibility == Visibility.PUBLIC)
        )
        assert results.total == min(public, queries.WINDOW) and results.items
        assert all(c.is_public for c in results.items)
        check_index(session)
