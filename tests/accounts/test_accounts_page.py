"""The organizers' account list: a page in the second half is read backwards from the
list's end, and every page holds what reading forwards would."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.accounts import queries
from nominee.accounts.models import Role, User


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 7, 10])
def test_every_page_holds_the_accounts_in_order(db, make, per_page):
    for name in ["Bea", "Ann", "Cid", "Ann", "Dot", "Bea", "Eve", "Ann"]:
        make.user(display_name=name)
    everyone = list(db.scalars(select(User).order_by(User.display_name, User.id)))
    pages = []
    page_number = 1
    while True:
        page = queries.accounts_page(
            db, search=None, role=None, page=page_number, per_page=per_page
        )
        pages.extend(page.items)
        if not page.has_next:
            break
        page_number += 1
    assert pages == everyone
    past = queries.accounts_page(db, search=None, role=None, page=10_000, per_page=per_page)
    assert past.page == page.page and list(past.items) == list(page.items)


def test_filters_count_and_page_the_same_set(db, make):
    for name in ["Ann", "Bob", "Ann", "Cid"]:
        make.user(display_name=name, role=Role.REVIEWER)
    make.user(display_name="Ann")
    page = queries.accounts_page(db, search="ann", role=Role.REVIEWER, page=2, per_page=1)
    assert page.total == 2 and [u.display_name for u in page.items] == ["Ann"]
    empty = queries.accounts_page(db, search="nobody", role=None, page=3, per_page=5)
    assert empty.total == 0 and list(empty.items) == [] and empty.page == 1
