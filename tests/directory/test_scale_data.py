"""The scale seeding gives the directory's filters something to find."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from nominee.accounts.models import User
from nominee.seeding.scale.pages import cast_of_characters
from tests.perf.helpers import SMALL, seeded


def test_seeded_members_have_countries_and_some_private_profiles(app, connection):
    with seeded(connection, SMALL) as session:
        countries = session.scalar(select(func.count(func.distinct(User.country))))
        private = session.scalar(select(func.count()).where(User.profile_public.is_(False)))
        cast = cast_of_characters(session, endorsements=1)
        assert countries >= 5
        assert 0 < private < session.scalar(select(func.count(User.id))) / 5
        assert set(cast.directory) == {"category", "country", "year", "cycle", "q"}
        client = app.test_client()
        with app.test_request_context():
            filtered = url_for(
                "directory.current", **{k: cast.directory[k] for k in ("category", "country")}
            )
            named = url_for("directory.current", cycle=cast.directory["cycle"], q="")
        assert client.get(filtered).text.count('<li class="awardee">') >= 1
        assert client.get(named).text.count('<li class="awardee">') >= 1
        assert cast.published_cycle
