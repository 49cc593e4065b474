"""Issue 18: a CSV file of contributions is checked into a preview (per-row errors in
plain words), then imported in one step through the contribution services."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution, Visibility
from nominee.contributions.services import seed_contribution_types
from nominee.errors import DomainError, PermissionDenied
from nominee.imports import rules, services
from nominee.imports.models import BatchStatus, ImportBatch, ImportRow

BLOG, DT = "https://blog.example.org", "Developer Tools"
HEADER = (
    "type,title,date,url,role,category,other_categories,visibility,description,"
    "Readers,Sessions,Attendees\n"
)


@pytest.fixture
def programme(db, make):
    seed_contribution_types(db)
    return make.category(name="Developer Tools", slug="developer-tools"), make.category(
        name="Data Platform", slug="data-platform"
    )


def stage(db, user, text: str | bytes, **kw) -> ImportBatch:
    data = text.encode() if isinstance(text, str) else text
    return services.stage_file(db, user, io.BytesIO(data), "mine.csv", **kw)


def rows_of(db, batch):
    return {
        row.line: row for row in db.scalars(select(ImportRow).where(ImportRow.batch_id == batch.id))
    }


def contributions_of(db, user) -> int:
    return db.scalar(select(func.count()).where(Contribution.owner_id == user.id))


def test_a_file_is_checked_row_by_row_in_plain_words(db, make, programme):
    nina = make.user()
    make.contribution(nina, url=f"{BLOG}/old")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    future = (date.today() + timedelta(days=30)).isoformat()
    text = HEADER + "\n".join(
        [
            f"Blog post,Indexes for humans,{yesterday},{BLOG}/a,Author,{DT},Data Platform,,"
            "Why **indexes**,1200,,",
            f"Podcast episode,Unknown type,{yesterday},,,{DT},,,,,,",
            f"Blog post,Bad date,31/05/2024,,Author,{DT},,,,,,",
            f"Blog post,Future,{future},,Author,{DT},,,,,,",
            f"Blog post,Logged before,{yesterday},{BLOG}/old,Author,{DT},,,,,,",
            f"Blog post,Twice in the file,{yesterday},{BLOG}/a,Author,{DT},,,,,,",
            f"Talk at a conference,No sessions,{yesterday},,Speaker,{DT},,,,,,40",
            f"Blog post,{'x' * 201},{yesterday},,Author,{DT},,,,,,",
            f"Blog post,=cmd|' /C calc'!A0,{yesterday},,Author,{DT},,private,,,,",
            f"Blog post,Sessions on a post,{yesterday},,Author,{DT},,,,,2,",
            f"Blog post,Not a number,{yesterday},,Author,{DT},,,,lots,,",
            f"Blog post,No role,{yesterday},,,Nowhere,,secret,,,,",
        ]
    )
    batch = stage(db, nina, text)
    assert batch.file_error is None
    assert (batch.total_rows, batch.valid_rows) == (12, 2)
    rows = rows_of(db, batch)
    assert rows[2].valid and rows[2].data["figures"]
    assert rows[3].errors[0].startswith("Type: “Podcast episode” is not a type of contribution")
    assert rows[4].errors == [
        "Date: “31/05/2024” is not a date: write it as YYYY-MM-DD, e.g. 2024-05-31."
    ]
    assert rows[5].errors == ["Date: The date cannot be in the future."]
    assert rows[6].errors == ["Link: You have logged a contribution with this link already."]
    assert rows[7].errors == ["Link: an earlier row of the file has the same link."]
    assert rows[8].errors == ["Sessions: Enter the sessions."]
    assert rows[9].errors == ["Title: The title must be 3 to 200 characters long."]
    assert rows[10].valid  # a formula is only text
    assert rows[11].errors[0].startswith("Sessions: a Blog post does not count this")
    assert rows[12].errors == ["Readers: “lots” is not a whole number, such as 0 or 12."]
    assert "Category: “Nowhere” is not an active category." in rows[13].errors
    assert "Visibility: “secret” must be public or private." in rows[13].errors
    assert contributions_of(db, nina) == 1  # nothing logged by the preview

    services.import_batch(db, nina, batch)
    assert (batch.imported, batch.members, batch.skipped) == (2, 1, 0)
    formula = db.scalar(select(Contribution).where(Contribution.title.startswith("=cmd")))
    assert formula.title == "=cmd|' /C calc'!A0" and formula.visibility is Visibility.PRIVATE
    post = db.scalar(select(Contribution).where(Contribution.title == "Indexes for humans"))
    assert post.audience == 1200 and [c.name for c in post.categories] == ["Data Platform"]
    assert "<strong>indexes</strong>" in post.description_html
    assert db.scalar(select(func.count()).select_from(ImportRow)) == 0
    assert batch.status is BatchStatus.IMPORTED
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "contribution.imported"))
    assert event.after["count"] == 2


def test_cancel_writes_nothing_and_forgets_the_file(db, make, programme):
    nina = make.user()
    batch = stage(db, nina, HEADER + f"Blog post,A post,2024-05-01,,Author,{DT},,,,,,\n")
    services.cancel_batch(db, nina, batch)
    assert contributions_of(db, nina) == 0
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert db.scalar(select(func.count()).select_from(ImportRow)) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV file"),
        ("type,title\n".encode("utf-16"), "UTF-16"),
        (b"type,title,date,category\nBlog post,\xff\xfe caf\xe9,2024-01-01,x\n", "is not UTF-8"),
        (b"type,title,date,category\n" + b"a" * (rules.MAX_LINE + 10) + b"\n", "longer than"),
        (b'type,title,date,category\nBlog post,"unclosed,2024-01-01,x\n', "cannot be read as CSV"),
        (b"name,when\nx,y\n", "Unknown columns"),
        (b"title,date\nx,y\n", "must name the columns category, type"),
    ],
)
def test_a_hostile_file_is_refused_whole_without_a_crash(db, make, programme, data, message):
    batch = stage(db, make.user(), data)
    assert message in batch.file_error
    assert batch.total_rows == 0


def test_utf8_with_a_byte_order_mark_and_crlf(db, make, programme):
    nina = make.user()
    text = (
        "\ufeffType,Title,Date,Category,Role\r\n"
        "Blog post,Café “quoted”,2024-05-01,developer-tools,Author\r\n"
    )
    batch = stage(db, nina, text.encode("utf-8"))
    assert batch.file_error is None and batch.valid_rows == 1
    services.import_batch(db, nina, batch)
    assert db.scalar(select(Contribution.title).where(Contribution.owner_id == nina.id)) == (
        "Café “quoted”"
    )


def test_an_organizer_imports_for_several_members_by_email(db, make, programme):
    olive, nina, paul = make.organizer(), make.user(), make.user()
    gone = make.user(is_active_account=False)
    text = "email,type,title,date,category,role\n" + "\n".join(
        [
            f"{nina.email.upper()},Blog post,Nina's post,2024-05-01,{DT},Author",
            f"{paul.email},Blog post,Paul's post,2024-05-02,{DT},Author",
            f"nobody@example.org,Blog post,Nobody's post,2024-05-02,{DT},Author",
            f"{gone.email},Blog post,Gone's post,2024-05-02,{DT},Author",
            f",Blog post,No email,2024-05-02,{DT},Author",
        ]
    )
    batch = stage(db, olive, text, for_members=True)
    rows = rows_of(db, batch)
    assert batch.valid_rows == 2
    assert rows[4].errors == ["Email: no active member has the address “nobody@example.org”."]
    assert rows[5].errors[0].startswith("Email: no active member")
    assert rows[6].errors == ["Email: enter the email address of the member."]
    services.import_batch(db, olive, batch)
    assert (batch.imported, batch.members) == (2, 2)
    created = db.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "contribution.created",
            AuditEvent.after["title"].as_string() == "Paul's post",
        )
    )
    assert created.actor_id == olive.id


def test_only_organizers_import_for_members_and_only_the_uploader_uses_a_file(db, make, programme):
    nina, paul = make.user(), make.user()
    with pytest.raises(PermissionDenied):
        stage(db, nina, "email,type,title,date,category\n", for_members=True)
    batch = stage(db, nina, HEADER)
    with pytest.raises(PermissionDenied):
        services.import_batch(db, paul, batch)
    with pytest.raises(PermissionDenied):
        services.cancel_batch(db, paul, batch)


def test_a_link_logged_between_preview_and_import_is_skipped(db, make, programme):
    nina = make.user()
    batch = stage(
        db,
        nina,
        HEADER + f"Blog post,A post,2024-05-01,https://x.example.org/a,Author,{DT},,,,,,\n",
    )
    make.contribution(nina, url="https://x.example.org/a")
    services.import_batch(db, nina, batch)
    assert (batch.imported, batch.skipped) == (0, 1)


def test_old_staged_files_expire(db, make, programme):
    from nominee import clock

    nina = make.user()
    batch = stage(db, nina, HEADER)
    assert services.expire_batches(db, clock.now()) == 0
    assert services.expire_batches(db, clock.now() + timedelta(hours=25)) == 1
    assert db.get(ImportBatch, batch.id) is None


def test_a_large_file_is_imported_by_a_job(app, db, make, programme, monkeypatch):
    from nominee.contributions.models import ContributionType
    from nominee.outbox.models import OutboxMessage

    monkeypatch.setattr(rules, "INLINE_ROWS", 1)
    nina = make.user()
    rows = "".join(f"Blog post,Post {i},2024-05-01,,Author,{DT},,,,,,\n" for i in range(3))
    batch = stage(db, nina, HEADER + rows)
    assert services.start_import(db, nina, batch) is False
    assert batch.status is BatchStatus.IMPORTING and contributions_of(db, nina) == 0
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.topic == "imports.csv"))
    assert message.payload == {"batch_id": batch.id}
    with pytest.raises(DomainError):  # no second import, no cancel meanwhile
        services.start_import(db, nina, batch)
    with pytest.raises(DomainError):
        services.cancel_batch(db, nina, batch)
    services.import_for_job(db, batch.id)
    assert batch.status is BatchStatus.IMPORTED and contributions_of(db, nina) == 3

    # A row refused at import (its type retired since the preview): nothing logged.
    other = stage(db, nina, HEADER + rows.replace("Post", "Other"))
    assert services.start_import(db, nina, other) is False
    post = db.scalar(select(ContributionType).where(ContributionType.slug == "blog-post"))
    post.retired = True
    db.flush()
    services.import_for_job(db, other.id)
    assert other.status is BatchStatus.FAILED
    assert other.failure.startswith("Line 2: Choose a type from the list. Nothing was imported")
    assert contributions_of(db, nina) == 3
