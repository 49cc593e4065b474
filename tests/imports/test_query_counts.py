"""Issue 18: the import pages with rows in them run the same queries for a few rows as for
many, within the budget of 10 (tests/perf seeds no files, feeds or drafts)."""

from __future__ import annotations

import io

from sqlalchemy import select

from nominee.contributions.models import ContributionType
from nominee.contributions.services import seed_contribution_types
from nominee.imports.models import ContributionDraft, Feed, ImportBatch
from tests.queries import count_queries


def _page(client, connection, url: str) -> int:
    client.get(url)  # warm-up
    with count_queries(connection) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def _fill(db, make, owner, n: int) -> None:
    post = db.scalar(select(ContributionType).where(ContributionType.slug == "blog-post"))
    category = make.category()
    for i in range(n):
        feed = Feed(
            owner_id=owner.id,
            url=f"https://x.example.org/{owner.id}/{i}.xml",
            type_id=post.id,
            primary_category_id=category.id,
        )
        db.add(feed)
        db.flush()
        db.add(
            ContributionDraft(
                owner_id=owner.id,
                feed_id=feed.id,
                item_key=f"{owner.id}-{i}",
                title=f"Item {i}",
                contributed_on=make.contribution().contributed_on,
                type_id=post.id,
                primary_category_id=category.id,
            )
        )
    db.commit()


def test_feeds_drafts_and_preview_pages_stay_flat(app, client, auth, connection, db, make):
    seed_contribution_types(db)
    make.category(name="Developer Tools")
    few, many = make.user(), make.user()
    _fill(db, make, few, 2)
    _fill(db, make, many, 18)
    counts = {}
    for who, rows in ((few, 3), (many, 300)):
        auth.login(who)
        text = "type,title,date,category,role\n" + "".join(
            f"Blog post,{'Post' if i % 2 else 'X'} {i},2024-05-01,Developer Tools,Author\n"
            for i in range(rows)
        )
        client.post(
            "/contributions/import",
            data={"file": (io.BytesIO(text.encode()), "f.csv")},
            content_type="multipart/form-data",
        )
        batch = db.scalar(select(ImportBatch).where(ImportBatch.uploader_id == who.id))
        counts[who.id] = [
            _page(client, connection, "/contributions/feeds"),
            _page(client, connection, "/contributions/drafts"),
            _page(client, connection, f"/contributions/import/{batch.id}"),
            _page(client, connection, f"/contributions/import/{batch.id}?show=valid"),
        ]
        auth.logout()
    assert counts[few.id] == counts[many.id]
    assert max(counts[many.id]) <= 10, counts
