from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from nominee import clock, create_app
from nominee.audit import AuditEvent
from nominee.contributions.models import Contribution, Visibility
from nominee.endorsements.models import Endorsement
from nominee.extensions import limiter
from nominee.notifications.models import Notification
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD, shown

JSON = {"Accept": "application/json"}


def endorsements(db) -> list[Endorsement]:
    return db.scalars(select(Endorsement).order_by(Endorsement.id)).all()


def actions(db, action: str) -> list[AuditEvent]:
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def count(db, contribution: Contribution) -> int:
    db.refresh(contribution)
    return contribution.endorsement_count


@pytest.fixture
def endorser(make, auth):
    user = make.user(display_name="Grace")
    auth.login(user)
    return user


@pytest.fixture
def talk(make) -> Contribution:
    return make.contribution(make.user(display_name="Ada"), title="Indexes explained")


def endorse(client, contribution, comment="", **kw):
    return client.post(f"/contributions/{contribution.id}/endorse", data={"comment": comment}, **kw)


def withdraw(client, contribution, **kw):
    return client.post(f"/contributions/{contribution.id}/endorsement/withdraw", **kw)


def test_endorse_with_comment_shows_on_the_page_and_is_audited(client, db, endorser, talk):
    page = client.get(f"/contributions/{talk.id}")
    assert f'action="/contributions/{talk.id}/endorse"' in page.text
    assert "0 endorsements" in page.text
    response = endorse(client, talk, "  Cleared up my week.  ")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contributions/{talk.id}"
    [endorsement] = endorsements(db)
    assert (endorsement.endorser_id, endorsement.endorsee_id) == (endorser.id, talk.owner_id)
    assert endorsement.comment == "Cleared up my week."
    assert endorsement.is_active
    assert count(db, talk) == 1
    [event] = actions(db, "endorsement.created")
    assert (event.actor_id, event.object_id) == (endorser.id, endorsement.id)
    assert event.after["reactivated"] is False
    page = client.get(f"/contributions/{talk.id}")
    assert "Thank you: your endorsement is recorded." in page.text
    assert "1 endorsement<" in page.text
    assert "Grace" in page.text
    assert "Cleared up my week." in page.text
    assert "Withdraw my endorsement" in page.text


def test_endorsers_are_listed_with_their_comments(client, make, talk):
    make.endorsement(talk, make.user(display_name="Linus"), comment="Solid work")
    make.endorsement(talk, make.user(display_name="Barbara"))
    make.endorsement(talk, make.user(display_name="Withdrawn Will"), withdrawn_at=clock.now())
    page = client.get(f"/contributions/{talk.id}")
    assert "2 endorsements" in page.text
    assert "Linus" in page.text and "Solid work" in page.text
    assert "Barbara" in page.text
    assert "Withdrawn Will" not in page.text


def test_many_endorsements_are_paged_newest_first(app, client, make, talk):
    app.config["PER_PAGE"] = 2
    for name, day in (("Old Olga", 1), ("Middle Mo", 2), ("New Nia", 3)):
        make.endorsement(
            talk, make.user(display_name=name), created_at=datetime(2026, 3, day, tzinfo=UTC)
        )
    first = client.get(f"/contributions/{talk.id}").text
    assert "3 endorsements" in first
    assert "3 in all" in first and "Newest" not in first
    assert first.index("New Nia") < first.index("Middle Mo")
    assert "Old Olga" not in first
    older = re.search(r'href="([^"]+)" rel="next">Older', first).group(1).replace("&amp;", "&")
    assert "endorsers_after=" in older
    second = client.get(older).text
    assert "Old Olga" in second and "New Nia" not in second
    assert "3 in all" in second and "Newest" in second and 'rel="next"' not in second
    # A cursor that is not one reads as the first page.
    assert "New Nia" in client.get(f"/contributions/{talk.id}?endorsers_after=x_y").text


def test_own_contribution_cannot_be_endorsed(client, make, auth, db):
    owner = make.user()
    contribution = make.contribution(owner)
    auth.login(owner)
    page = client.get(f"/contributions/{contribution.id}")
    assert "/endorse" not in page.text
    response = endorse(client, contribution)
    assert response.status_code == 403
    assert "You cannot endorse your own contribution." in response.text
    assert endorsements(db) == []
    assert count(db, contribution) == 0


def test_private_contribution_cannot_be_endorsed(client, make, auth, db):
    contribution = make.contribution(visibility=Visibility.PRIVATE)
    auth.login(make.user())
    assert endorse(client, contribution).status_code == 404
    auth.login(make.reviewer())
    page = client.get(f"/contributions/{contribution.id}")
    assert "/endorse" not in page.text
    response = endorse(client, contribution)
    assert response.status_code == 403
    assert "Private contributions cannot be endorsed." in response.text
    assert endorsements(db) == []


def test_second_endorsement_is_refused_with_a_message(client, db, endorser, talk):
    assert endorse(client, talk, "first").status_code == 302
    response = endorse(client, talk, "second")
    assert response.status_code == 409
    assert "You have already endorsed this contribution." in response.text
    [endorsement] = endorsements(db)
    assert endorsement.comment == "first"
    assert count(db, talk) == 1
    assert len(actions(db, "endorsement.created")) == 1


def test_comment_longer_than_280_is_refused_next_to_the_field(client, db, endorser, talk):
    response = endorse(client, talk, "x" * 281)
    assert response.status_code == 400
    error = response.text.split('id="comment-error">', 1)[1].split("</p>", 1)[0]
    assert "A comment can be at most 280 characters long." in error
    assert endorsements(db) == []
    assert endorse(client, talk, "x" * 280).status_code == 302


def test_withdraw_keeps_the_row_and_endorsing_again_reactivates_it(client, db, endorser, talk):
    endorse(client, talk, "first")
    response = withdraw(client, talk)
    assert response.status_code == 302
    [endorsement] = endorsements(db)
    assert endorsement.withdrawn_at is not None
    assert count(db, talk) == 0
    [event] = actions(db, "endorsement.withdrawn")
    assert event.object_id == endorsement.id
    page = client.get(f"/contributions/{talk.id}")
    assert "Your endorsement is withdrawn." in page.text
    assert "0 endorsements" in page.text
    assert "Endorse again" in page.text
    assert endorse(client, talk, "back again").status_code == 302
    [again] = endorsements(db)
    db.refresh(again)
    assert again.id == endorsement.id
    assert again.is_active
    assert again.comment == "back again"
    assert count(db, talk) == 1
    assert [e.after["reactivated"] for e in actions(db, "endorsement.created")] == [False, True]
    # The owner was told once: endorsing again is not news (issue 20).
    told = db.scalars(
        select(Notification).where(
            Notification.user_id == talk.owner_id, Notification.kind == "endorsed"
        )
    ).all()
    assert len(told) == 1


def test_withdraw_without_an_endorsement_is_refused(client, db, endorser, talk):
    response = withdraw(client, talk)
    assert response.status_code == 400
    assert "You have not endorsed this contribution." in response.text
    endorse(client, talk)
    withdraw(client, talk)
    twice = withdraw(client, talk)
    assert twice.status_code == 409
    assert "Your endorsement is already withdrawn." in twice.text
    assert count(db, talk) == 0


def test_endorsing_is_post_only_and_needs_login(client, db, talk):
    assert client.get(f"/contributions/{talk.id}/endorse").status_code == 405
    response = endorse(client, talk)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert withdraw(client, talk).status_code == 302
    assert endorsements(db) == []


def test_deactivated_members_contribution_cannot_be_endorsed(client, make, auth, db):
    contribution = make.contribution(make.user(is_active_account=False))
    auth.login(make.organizer())
    response = endorse(client, contribution)
    assert response.status_code == 403
    assert "This member&#39;s account is deactivated." in response.text
    assert endorsements(db) == []


def test_json_endorse_answers_201_then_problem_documents(client, db, endorser, talk):
    created = endorse(client, talk, "via the API", headers=JSON)
    assert created.status_code == 201
    body = created.get_json()
    assert body["endorsement_count"] == 1
    assert body["endorsement"]["comment"] == "via the API"
    assert body["endorsement"]["endorser_id"] == endorser.id
    again = endorse(client, talk, headers=JSON)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.get_json()["detail"] == "You have already endorsed this contribution."
    too_long = endorse(client, talk, "x" * 281, headers=JSON)
    assert too_long.status_code == 400
    assert too_long.get_json()["errors"] == {
        "comment": ["A comment can be at most 280 characters long."]
    }
    withdrawn = withdraw(client, talk, headers=JSON)
    assert withdrawn.status_code == 200
    assert withdrawn.get_json() == {"withdrawn": True, "endorsement_count": 0}


def test_json_body_is_accepted(client, db, endorser, talk):
    response = client.post(
        f"/contributions/{talk.id}/endorse", json={"comment": "JSON body"}, headers=JSON
    )
    assert response.status_code == 201
    assert endorsements(db)[0].comment == "JSON body"


def test_json_refusals(client, make, auth, db):
    owner = make.user()
    own = make.contribution(owner)
    private = make.contribution(visibility=Visibility.PRIVATE)
    assert endorse(client, own, headers=JSON).status_code == 401
    auth.login(owner)
    refused = endorse(client, own, headers=JSON)
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "You cannot endorse your own contribution."
    assert endorse(client, private, headers=JSON).status_code == 404
    assert endorsements(db) == []


@pytest.fixture
def limited_app(app, database_url, connection):
    # After ``app``: every create_app re-configures the one global limiter.
    limited = create_app(
        {
            **BASE_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_ENDORSE": "2 per minute",
        }
    )
    limited.extensions["nominee.sessionmaker"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    limiter.reset()
    yield limited
    limiter.reset()
    limited.extensions["nominee.engine"].dispose()


def test_endorse_posts_are_rate_limited(limited_app, make, db):
    user = make.user()
    targets = [make.contribution() for _ in range(3)]
    client = limited_app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert [endorse(client, c).status_code for c in targets] == [302, 302, 429]
    assert len(endorsements(db)) == 2


def test_endorsing_notifies_the_owner(app, client, make, auth, db):
    from sqlalchemy import select

    from nominee.notifications.models import Notification

    owner = make.user()
    contribution = make.contribution(owner=owner, title="Window functions explained")
    endorser = make.user(display_name="Grace")
    auth.login(endorser)
    client.post(f"/contributions/{contribution.id}/endorse", data={"comment": "Great"})
    (note,) = db.scalars(select(Notification).where(Notification.user_id == owner.id)).all()
    assert shown(app, note).text == "Grace endorsed your contribution “Window functions explained”."
    assert shown(app, note).url == f"/contributions/{contribution.id}"
