"""Issue 18: feeds polled through the outbound guard into drafts, which their owner
confirms, edits or discards in one list; an item is never imported twice. Feeds are
served by a real HTTP server on 127.0.0.1 (allowed by OUTBOUND_ALLOW_HOSTS)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nominee import clock
from nominee.contributions.models import Contribution, ContributionType
from nominee.contributions.services import seed_contribution_types
from nominee.imports import polling, services
from nominee.imports.models import ContributionDraft, DraftStatus, Feed
from nominee.outbox.models import OutboxMessage
from nominee.schedule import services as schedule
from tests.webserver import Received, Reply, WebServer

LOCAL = frozenset({"127.0.0.1"})


def rss(*items: tuple[str, str, str]) -> bytes:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        "<pubDate>Tue, 05 Nov 2024 10:00:00 GMT</pubDate>"
        "<description>&lt;p&gt;About &lt;b&gt;indexes&lt;/b&gt;&lt;/p&gt;</description></item>"
        for guid, title, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Nina writes</title>'
        f"<link>https://nina.example.org/</link>{entries}</channel></rss>"
    ).encode()


POST_1 = ("post-1", "Query plans for humans", "https://nina.example.org/query-plans")
POST_2 = ("post-2", "Indexes, gently", "https://nina.example.org/indexes")
POST_3 = ("post-3", "Vacuum explained", "https://nina.example.org/vacuum")


class Blog:
    """A blog whose feed answers 304 to a matching If-None-Match."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __call__(self, request: Received) -> Reply:
        etag = '"' + hashlib.sha1(self.body).hexdigest() + '"'
        if request.header("If-None-Match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(
            200,
            self.body,
            {
                "ETag": etag,
                "Last-Modified": "Tue, 05 Nov 2024 10:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
            },
        )


@pytest.fixture
def blog():
    feed = Blog(rss(POST_1, POST_2))
    with WebServer({"/feed.xml": feed}) as server:
        server.blog = feed
        yield server


@pytest.fixture
def setup(app, db, make):
    app.config["OUTBOUND_ALLOW_HOSTS"] = ("127.0.0.1",)
    seed_contribution_types(db)
    category = make.category(name="Developer Tools", slug="developer-tools")
    post = db.scalar(select(ContributionType).where(ContributionType.slug == "blog-post"))
    nina = make.user(display_name="Nina")
    db.commit()
    return nina, post, category


def add_feed(db, nina, post, category, url) -> Feed:
    feed = services.add_feed(
        db, nina, services.FeedInput(url, post.id, category.id), allow_hosts=LOCAL
    )
    db.commit()
    return feed


def poll(app, feed_id=None, every=timedelta(0)):
    return polling.poll_feeds(
        app.extensions["nominee.sessionmaker"], polling.fetcher(LOCAL), feed_id, every
    )


def drafts(db, nina, status=DraftStatus.PENDING) -> list[ContributionDraft]:
    db.expire_all()
    return list(
        db.scalars(
            select(ContributionDraft)
            .where(ContributionDraft.owner_id == nina.id, ContributionDraft.status == status)
            .order_by(ContributionDraft.id)
        )
    )


def test_polls_with_etag_add_only_new_items(app, db, setup, blog):
    nina, post, category = setup
    feed = add_feed(db, nina, post, category, blog.url("/feed.xml"))
    [first] = poll(app)
    assert (first.result.status, first.result.added) == (200, 2)
    pending = drafts(db, nina)
    assert [d.title for d in pending] == ["Query plans for humans", "Indexes, gently"]
    assert pending[0].summary == "About indexes" and str(pending[0].contributed_on) == "2024-11-05"
    db.refresh(feed)
    assert feed.title == "Nina writes" and feed.etag and feed.last_modified

    [second] = poll(app)
    assert (second.result.status, second.result.added) == (304, 0)
    assert blog.received[-1].header("If-None-Match") == feed.etag
    assert blog.received[-1].header("If-Modified-Since") == "Tue, 05 Nov 2024 10:00:00 GMT"

    blog.blog.body = rss(POST_3, POST_2, POST_1)
    [third] = poll(app)
    assert (third.result.status, third.result.added) == (200, 1)
    assert [d.title for d in drafts(db, nina)][-1] == "Vacuum explained"


def test_a_discarded_or_confirmed_item_is_never_imported_again(app, db, setup, blog):
    nina, post, category = setup
    add_feed(db, nina, post, category, blog.url("/feed.xml"))
    poll(app)
    first, second = drafts(db, nina)
    services.discard_draft(db, nina, first)
    services.confirm_draft(db, nina, second)
    db.commit()
    # The feed changes every item's guid (a blog moved platforms): the links still match.
    blog.blog.body = rss(("new-1", *POST_1[1:]), ("new-2", *POST_2[1:]))
    [again] = poll(app)
    assert again.result.added == 0
    # A link the member logged by hand is not proposed either.
    Contribution_url = "https://nina.example.org/by-hand"
    services.contributions.create_contribution(
        db,
        nina,
        services.ContributionInput(
            type_id=post.id,
            title="Logged by hand",
            contributed_on=clock.today(),
            primary_category_id=category.id,
            role="Author",
            url=Contribution_url,
        ),
    )
    db.commit()
    blog.blog.body = rss(("by-hand", "Logged by hand", Contribution_url))
    assert poll(app)[0].result.added == 0


def test_drafts_count_nowhere_until_confirmed(app, client, auth, db, setup, blog):
    nina, post, category = setup
    add_feed(db, nina, post, category, blog.url("/feed.xml"))
    poll(app)
    assert db.scalar(select(func.count()).select_from(Contribution)) == 0
    auth.login(nina)
    mine = client.get("/contributions/mine").text
    assert "Query plans for humans" not in mine
    assert "Query plans for humans" not in client.get(f"/members/{nina.id}").text
    page = client.get("/contributions/drafts").text
    assert "Query plans for humans" in page and "Indexes, gently" in page


def test_confirm_and_discard_selected_in_one_list(app, client, auth, db, setup, blog):
    nina, post, category = setup
    add_feed(db, nina, post, category, blog.url("/feed.xml"))
    poll(app)
    first, second = drafts(db, nina)
    auth.login(nina)
    page = client.post(
        "/contributions/drafts",
        data={"draft_id": [str(first.id)], "confirm": "Confirm selected"},
        follow_redirects=True,
    ).text
    assert "1 draft confirmed: it is now a contribution." in page
    logged = db.scalar(select(Contribution).where(Contribution.owner_id == nina.id))
    assert (logged.title, logged.url, logged.role) == (
        "Query plans for humans",
        POST_1[2],
        "Author",
    )
    page = client.post(
        "/contributions/drafts",
        data={"draft_id": [str(second.id)], "discard": "Discard selected"},
        follow_redirects=True,
    ).text
    assert "1 draft discarded." in page and "No draft waiting." in page
    assert [d.id for d in drafts(db, nina, DraftStatus.DISCARDED)] == [second.id]
    # Nothing ticked: said, nothing done.
    page = client.post("/contributions/drafts", data={"confirm": "1"}, follow_redirects=True)
    assert "Tick the drafts to confirm or discard first." in page.text


def test_edit_a_draft_then_confirm_it(app, client, auth, db, setup, blog):
    nina, post, category = setup
    add_feed(db, nina, post, category, blog.url("/feed.xml"))
    poll(app)
    draft = drafts(db, nina)[0]
    auth.login(nina)
    form = client.get(f"/contributions/drafts/{draft.id}/edit").text
    assert 'value="Query plans for humans"' in form
    data = {
        "type_id": str(post.id),
        "role": "Co-author",
        "title": "Query plans, for humans",
        "contributed_on": "2024-11-05",
        "url": POST_1[2],
        "description_md": "Edited",
        "primary_category_id": str(category.id),
        "visibility": "private",
    }
    bad = client.post(f"/contributions/drafts/{draft.id}/edit", data={**data, "title": "Q"})
    assert bad.status_code == 400 and "The title must be 3 to 200 characters long." in bad.text
    done = client.post(f"/contributions/drafts/{draft.id}/edit", data=data, follow_redirects=True)
    assert "The draft is confirmed: it is now a contribution." in done.text
    logged = db.scalar(select(Contribution).where(Contribution.owner_id == nina.id))
    assert (logged.title, logged.role, logged.visibility.value) == (
        "Query plans, for humans",
        "Co-author",
        "private",
    )
    again = client.get(f"/contributions/drafts/{draft.id}/edit", follow_redirects=True)
    assert "This draft was confirmed or discarded already." in again.text


def test_another_members_drafts_and_feeds_are_not_theirs(app, client, auth, db, make, setup, blog):
    nina, post, category = setup
    feed = add_feed(db, nina, post, category, blog.url("/feed.xml"))
    poll(app)
    draft = drafts(db, nina)[0]
    paul = make.user()
    db.commit()
    auth.login(paul)
    assert client.get(f"/contributions/drafts/{draft.id}/edit").status_code == 404
    assert client.post(f"/contributions/feeds/{feed.id}/delete").status_code == 404
    client.post("/contributions/drafts", data={"draft_id": [str(draft.id)], "confirm": "1"})
    assert drafts(db, nina)[0].status is DraftStatus.PENDING


def test_the_feeds_page_adds_checks_and_removes(app, client, auth, db, setup, blog):
    nina, post, category = setup
    auth.login(nina)
    page = client.post(
        "/contributions/feeds",
        data={
            "url": blog.url("/feed.xml"),
            "type_id": str(post.id),
            "primary_category_id": str(category.id),
        },
        follow_redirects=True,
    ).text
    assert "Feed added" in page and blog.url("/feed.xml") in page
    feed = db.scalar(select(Feed))
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == "feeds.poll"))
    assert message.payload == {"feed_id": feed.id}
    again = client.post(
        "/contributions/feeds",
        data={"url": blog.url("/feed.xml"), "type_id": str(post.id),
              "primary_category_id": str(category.id)},
    )  # fmt: skip
    assert again.status_code == 400 and "You follow this feed already." in again.text
    poll(app)
    client.post(f"/contributions/feeds/{feed.id}/poll")
    page = client.post(f"/contributions/feeds/{feed.id}/delete", follow_redirects=True).text
    assert "Feed removed" in page
    assert db.scalar(select(func.count()).select_from(Feed)) == 0
    assert drafts(db, nina) == []  # its pending drafts went with it


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/feed.xml", "This address cannot be followed"),
        ("http://169.254.169.254/latest/meta-data", "This address cannot be followed"),
        ("http://localhost/feed", "loopback"),
        ("ftp://example.org/feed", "Enter a full web address"),
        ("https://example.org:8443/feed", "only ports 80 and 443"),
    ],
)
def test_a_feed_at_a_private_address_is_refused(app, client, auth, db, setup, url, message):
    nina, post, category = setup
    app.config["OUTBOUND_ALLOW_HOSTS"] = ()
    auth.login(nina)
    response = client.post(
        "/contributions/feeds",
        data={"url": url, "type_id": str(post.id), "primary_category_id": str(category.id)},
    )
    assert response.status_code == 400 and message in response.text
    assert db.scalar(select(func.count()).select_from(Feed)) == 0


def test_a_poll_refused_by_the_guard_is_shown_on_the_feed(app, client, auth, db, setup):
    nina, post, category = setup
    app.config["OUTBOUND_ALLOW_HOSTS"] = ()
    # Added while the setting allowed the address, polled after it no longer does.
    feed = services.add_feed(
        db,
        nina,
        services.FeedInput("http://169.254.169.254/feed.xml", post.id, category.id),
        allow_hosts=frozenset({"169.254.169.254"}),
    )
    db.commit()
    [polled] = polling.poll_feeds(
        app.extensions["nominee.sessionmaker"], polling.fetcher(frozenset()), feed.id
    )
    assert "could not be fetched" in polled.result.error
    auth.login(nina)
    assert "The feed could not be fetched" in client.get("/contributions/feeds").text


def test_youtube_and_podcast_feeds(app, db, make, setup):
    nina, post, category = setup
    video = db.scalar(
        select(ContributionType).where(ContributionType.slug == "video-or-live-stream")
    )
    youtube = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:yt="http://www.youtube.com/xml/schemas/2015"><title>Nina on video</title>'
        b"<entry><id>yt:video:abc123</id><yt:videoId>abc123</yt:videoId>"
        b"<title>Live: tuning queries</title>"
        b'<link rel="alternate" href="https://www.youtube.com/watch?v=abc123"/>'
        b"<published>2024-10-01T12:00:00+00:00</published></entry></feed>"
    )
    podcast = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Nina talks</title>'
        b"<item><title>Episode 1</title><guid>ep-1</guid>"
        b'<enclosure url="https://cdn.example.org/ep1.mp3" type="audio/mpeg" length="1"/>'
        b"<pubDate>Mon, 02 Sep 2024 08:00:00 GMT</pubDate></item></channel></rss>"
    )
    with WebServer({"/yt": Reply(200, youtube), "/pod": Reply(200, podcast)}) as server:
        services.add_feed(db, nina, services.FeedInput(server.url("/yt"), video.id, category.id),
                          allow_hosts=LOCAL)  # fmt: skip
        services.add_feed(db, nina, services.FeedInput(server.url("/pod"), post.id, category.id),
                          allow_hosts=LOCAL)  # fmt: skip
        db.commit()
        poll(app)
    by_title = {d.title: d for d in drafts(db, nina)}
    assert by_title["Live: tuning queries"].url == "https://www.youtube.com/watch?v=abc123"
    assert by_title["Episode 1"].url == "https://cdn.example.org/ep1.mp3"
    # A video's required figure (Videos) is proposed as 1: one item, one video.
    result = services.decide_drafts(db, nina, [d.id for d in by_title.values()], confirm=True)
    assert (result.done, result.refused) == (2, [])
    videos = db.scalar(select(Contribution).where(Contribution.type_id == video.id))
    assert videos.quantity == 1


def test_garbage_and_errors_are_recorded_not_raised(app, db, setup):
    nina, post, category = setup
    routes = {"/html": Reply(200, b"<html><body>hello</body></html>"), "/gone": Reply(410, b"")}
    with WebServer(routes) as server:
        html = add_feed(db, nina, post, category, server.url("/html"))
        gone = add_feed(db, nina, post, category, server.url("/gone"))
        results = {p.feed_id: p.result for p in poll(app)}
    assert results[html.id].error == "The address does not answer with an RSS or Atom feed."
    assert results[gone.id].error == "The feed answered 410."


def test_the_scheduler_asks_for_a_poll_every_hour_and_the_cli_polls(app, db, runner, setup, blog):
    nina, post, category = setup
    add_feed(db, nina, post, category, blog.url("/feed.xml"))
    now = clock.now()
    ran = schedule.tick(db, now)
    assert f"imports:{now:%Y-%m-%dT%H}" in ran
    messages = db.scalars(select(OutboxMessage.payload).where(OutboxMessage.topic == "feeds.poll"))
    assert {"feed_id": None} in list(messages)
    result = runner.invoke(args=["feeds", "poll", "--all"])
    assert "2 new draft(s)" in result.output, result.output
    result = runner.invoke(args=["feeds", "poll"])
    assert "No feed was due." in result.output


def test_the_hourly_tick_deletes_previews_left_for_a_day(db, setup):
    import io

    from nominee.imports.models import ImportBatch

    nina, _, _ = setup
    batch = services.stage_file(db, nina, io.BytesIO(b"type,title,date,category\n"), "old.csv")
    now = clock.now()
    assert not any(key.startswith("imports:") for key in schedule.tick(db, now))
    later = now + timedelta(hours=25)
    assert f"imports:{later:%Y-%m-%dT%H}" in schedule.tick(db, later)
    assert db.get(ImportBatch, batch.id) is None


def test_the_jobs_handle_feed_polls_and_large_imports(app, db, setup, blog, monkeypatch):
    import io

    from nominee.imports import rules
    from nominee.imports.models import BatchStatus, ImportBatch
    from nominee.jobs import handlers
    from nominee.outbox import sender

    nina, post, category = setup
    assert sender.HANDLERS[services.POLL_TOPIC] is handlers.feeds_poll
    assert sender.HANDLERS[services.IMPORT_TOPIC] is handlers.csv_import
    feed = add_feed(db, nina, post, category, blog.url("/feed.xml"))
    with app.app_context():
        assert handlers.feeds_poll(db, {"feed_id": feed.id}) == []
    assert len(drafts(db, nina)) == 2

    monkeypatch.setattr(rules, "INLINE_ROWS", 0)
    text = "type,title,date,category,role\nBlog post,A post,2024-05-01,Developer Tools,Author\n"
    batch = services.stage_file(db, nina, io.BytesIO(text.encode()), "f.csv")
    services.start_import(db, nina, batch)
    db.commit()
    with app.app_context():
        assert handlers.csv_import(db, {"batch_id": batch.id}) == []
    db.expire_all()
    assert db.get(ImportBatch, batch.id).status is BatchStatus.IMPORTED
    assert db.scalar(select(func.count()).where(Contribution.owner_id == nina.id)) == 1
