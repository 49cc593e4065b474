from __future__ import annotations

from sqlalchemy import select

from nominee.categories.models import Category
from tests.security.helpers import client_for


def categories(db) -> dict[str, str]:
    return {c.name: c.slug for c in db.scalars(select(Category))}


def test_names_with_the_same_slug_are_both_saved(app, make, db):
    """Found by wapiti: "|env" after "env" was a 500 (unique slug) instead of a category."""
    organizer = client_for(app, make.organizer())
    for name in ("C#", "C++", "C!", "|env", "env", "C 2"):
        response = organizer.post("/admin/categories/new", data={"name": name})
        assert response.status_code == 302, (name, response.status_code)
    assert categories(db) == {
        "C#": "c",
        "C++": "c-2",
        "C!": "c-3",
        "|env": "env",
        "env": "env-2",
        "C 2": "c-2-2",
    }


def test_renaming_onto_a_taken_slug_works_and_keeps_its_own(app, make, db):
    first = make.category(name="Go", slug="go")
    second = make.category(name="Rust", slug="rust")
    organizer = client_for(app, make.organizer())
    response = organizer.post(f"/admin/categories/{second.id}/edit", data={"name": "Go!"})
    assert response.status_code == 302
    db.refresh(second)
    assert (second.name, second.slug) == ("Go!", "go-2")
    organizer.post(f"/admin/categories/{second.id}/edit", data={"name": "Go!", "retired": "y"})
    db.refresh(second)
    assert second.slug == "go-2" and second.retired
    db.refresh(first)
    assert first.slug == "go"


def test_the_same_name_in_other_case_is_refused_next_to_the_field(app, make, db):
    make.category(name="Data Platform")
    organizer = client_for(app, make.organizer())
    response = organizer.post("/admin/categories/new", data={"name": "data platform"})
    assert response.status_code == 400
    assert "A category with this name exists already." in response.text
    assert list(categories(db)) == ["Data Platform"]
