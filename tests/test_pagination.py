"""``paginate``: a page past the middle read from the other end is the same page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nominee.categories.models import Category
from nominee.pagination import paginate


@pytest.mark.parametrize("count", [0, 1, 4, 5, 11, 23])
def test_a_page_read_backwards_is_the_page_read_forwards(db, make, count):
    for _ in range(count):
        make.category()
    ids = select(Category.id)
    for page in range(0, count // 5 + 3):
        forwards = paginate(db, ids.order_by(Category.id.desc()), page, 5)
        backwards = paginate(
            db, ids.order_by(Category.id.desc()), page, 5, backwards=ids.order_by(Category.id)
        )
        assert backwards == forwards
        assert len(forwards.items) == min(5, count - (forwards.page - 1) * 5)
