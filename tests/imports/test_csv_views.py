"""Issue 18: the CSV import pages, as a member and as an organizer sees them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from nominee.contributions.models import Contribution
from nominee.contributions.services import seed_contribution_types
from nominee.imports.models import ImportBatch


@pytest.fixture
def programme(db, make):
    seed_contribution_types(db)
    make.category(name="Developer Tools", slug="developer-tools")
    db.commit()


def upload(client, text: str, url="/contributions/import", name="mine.csv"):
    return client.post(
        url,
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def count(db, user) -> int:
    return db.scalar(select(func.count()).where(Contribution.owner_id == user.id))


def test_my_contributions_links_to_the_import_pages(client, auth, make):
    auth.login(make.user())
    page = client.get("/contributions/mine").text
    for link in ("/contributions/import", "/contributions/feeds", "/contributions/drafts"):
        assert f'href="{link}"' in page


def test_upload_preview_and_import(client, auth, make, db, programme):
    nina = make.user()
    auth.login(nina)
    page = client.get("/contributions/import").text
    assert "Talk at a conference" in page and "Sessions (required)" in page
    assert 'href="/contributions/import/template.csv"' in page
    text = (
        "type,title,date,category,role\n"
        "Blog post,Indexes for humans,2024-05-01,Developer Tools,Author\n"
        "Blog post,B,2024-13-01,Developer Tools,Author\n"
    )
    response = upload(client, text)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).text
    assert "2 rows read" in preview and "1 ready to import" in preview
    assert "1 with problems" in preview
    assert "Title: The title must be 3 to 200 characters long." in preview
    assert "Date: “2024-13-01” is not a date" in preview
    assert count(db, nina) == 0
    ready = client.get(response.headers["Location"] + "?show=valid").text
    assert "Indexes for humans" in ready
    batch_id = db.scalar(select(ImportBatch.id))
    done = client.post(f"/contributions/import/{batch_id}/import", follow_redirects=True)
    assert "1 contribution imported." in done.text
    assert count(db, nina) == 1
    # Its rows are gone; the page says what was imported; no second import.
    assert "1 contribution imported." in client.get(f"/contributions/import/{batch_id}").text
    again = client.post(f"/contributions/import/{batch_id}/import", follow_redirects=True)
    assert "This file has no row to import." in again.text and count(db, nina) == 1


def test_cancel_logs_nothing(client, auth, make, db, programme):
    nina = make.user()
    auth.login(nina)
    upload(
        client,
        "type,title,date,category,role\nBlog post,A post,2024-05-01,developer-tools,Author\n",
    )
    batch_id = db.scalar(select(ImportBatch.id))
    page = client.post(f"/contributions/import/{batch_id}/cancel", follow_redirects=True).text
    assert "Import cancelled: nothing was logged." in page
    assert count(db, nina) == 0
    assert db.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_a_bad_file_and_no_file_say_so(client, auth, make, programme):
    auth.login(make.user())
    response = client.post("/contributions/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the CSV file to upload." in response.text
    response = upload(client, "\x00\x01binary")
    page = client.get(response.headers["Location"]).text
    assert "This is not a CSV file" in page and "Nothing was logged" in page


def test_a_file_too_large_is_refused_next_to_the_field(app, client, auth, make, programme):
    app.config["IMPORT_MAX_BYTES"] = 1000
    auth.login(make.user())
    response = upload(client, "type,title\n" + "x" * 2000)
    assert response.status_code == 413
    assert "The file is larger than" in response.text


def test_another_members_file_is_not_found(client, auth, make, db, programme):
    nina, paul = make.user(), make.user()
    auth.login(nina)
    upload(client, "type,title,date,category\n")
    batch_id = db.scalar(select(ImportBatch.id))
    auth.logout()
    auth.login(paul)
    assert client.get(f"/contributions/import/{batch_id}").status_code == 404
    assert client.post(f"/contributions/import/{batch_id}/import").status_code == 404


def test_the_template_names_every_column(client, auth, make, programme):
    auth.login(make.user())
    response = client.get("/contributions/import/template.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["type", "title", "date", "url"]
    assert "Sessions" in rows[0] and "Attendees" in rows[0] and "email" not in rows[0]
    assert rows[1][0] == "Blog post"


def test_the_template_round_trips(client, auth, make, db, programme):
    nina = make.user()
    auth.login(nina)
    template = client.get("/contributions/import/template.csv").text
    upload(client, template)
    batch = db.scalar(select(ImportBatch))
    assert (batch.total_rows, batch.valid_rows, batch.file_error) == (1, 1, None)


def test_an_organizer_imports_for_members(client, auth, make, db, programme):
    olive, nina = make.organizer(display_name="Olive Organizer"), make.user(display_name="Nina")
    db.commit()
    auth.login(olive)
    page = client.get("/admin/imports").text
    assert "email" in page and "members=1" in page
    template = client.get("/contributions/import/template.csv?members=1").text
    assert template.lstrip("\ufeff").startswith("email,type,")
    response = upload(
        client,
        f"email,type,title,date,category,role\n{nina.email},Blog post,Nina's post,2024-05-01,"
        "Developer Tools,Author\n",
        url="/admin/imports",
        name="group.csv",
    )
    preview = client.get(response.headers["Location"]).text
    assert "Nina" in preview and "1 ready to import" in preview
    batch_id = db.scalar(select(ImportBatch.id))
    done = client.post(f"/contributions/import/{batch_id}/import", follow_redirects=True).text
    assert "1 contribution imported for 1 member." in done
    assert count(db, nina) == 1
    log = client.get("/admin/audit").text
    assert "Olive Organizer imported 1 contribution for 1 member from group.csv." in log
    assert "Olive Organizer logged “Nina&#39;s post” by Nina." in log


def test_a_member_cannot_use_the_organizers_import(client, auth, make, programme):
    auth.login(make.user())
    assert client.get("/admin/imports").status_code == 403
    template = client.get("/contributions/import/template.csv?members=1").text
    assert "email" not in template.splitlines()[0]


def test_a_file_over_the_request_limit_but_under_the_import_limit_passes_csrf(
    app, client, auth, make, db, programme
):
    """The app-wide limit (MAX_CONTENT_LENGTH) is smaller than a file may be; the upload's
    CSRF check reads the body under IMPORT_MAX_BYTES."""
    nina = make.user()
    db.commit()
    auth.login(nina)
    app.config.update(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=2000)
    page = client.get("/contributions/import").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    rows = "".join(f"Blog post,Post {i},2024-05-01,Developer Tools,Author\n" for i in range(100))
    text = "type,title,date,category,role\n" + rows
    assert len(text) > 2000
    forged = client.post(
        "/contributions/import",
        data={"file": (io.BytesIO(text.encode()), "f.csv"), "csrf_token": "forged"},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400 and "CSRF" in forged.text
    response = client.post(
        "/contributions/import",
        data={"file": (io.BytesIO(text.encode()), "f.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.scalar(select(ImportBatch.valid_rows)) == 100


def test_a_large_file_is_followed_on_its_page(app, client, auth, make, db, programme, monkeypatch):
    from nominee.imports import rules, services

    monkeypatch.setattr(rules, "INLINE_ROWS", 1)
    nina = make.user()
    auth.login(nina)
    rows = "".join(f"Blog post,Post {i},2024-05-01,Developer Tools,Author\n" for i in range(3))
    upload(client, "type,title,date,category,role\n" + rows)
    batch_id = db.scalar(select(ImportBatch.id))
    page = client.post(f"/contributions/import/{batch_id}/import", follow_redirects=True).text
    assert "Importing 3 contributions" in page and 'http-equiv="refresh"' in page
    services.import_for_job(db, batch_id)
    db.commit()
    page = client.get(f"/contributions/import/{batch_id}").text
    assert "3 contributions imported." in page and 'http-equiv="refresh"' not in page
