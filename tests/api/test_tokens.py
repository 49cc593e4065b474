"""Personal access tokens: made, hashed, scoped, used, expired, revoked, and ended with
the account's sessions."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from nominee import clock
from nominee.accounts import services as accounts
from nominee.accounts.models import Role
from nominee.audit import AuditEvent
from nominee.auditlog.sentences import SENTENCES
from nominee.errors import DomainError, PermissionDenied
from nominee.tokens import services
from nominee.tokens.models import ApiToken
from tests.api.conftest import Api
from tests.factories import PASSWORD
from tests.security.helpers import client_for


def _links():
    return accounts.MailLinks(
        secret="s", verify=lambda t: "/v", reset=lambda t: "/r", login="/login", forgot="/f"
    )


def test_a_token_is_stored_hashed_with_a_recognisable_prefix(db, make):
    member = make.user()
    token, secret = services.create_token(
        db, member, name="blog import", scopes=["read"], expires_in_days=30
    )
    assert re.fullmatch(r"nmn_[A-Za-z0-9_-]{43}", secret)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.secret_hash, token.prefix, token.name}
    assert secret.startswith(token.prefix) and len(token.prefix) == 10
    assert token.expires_at - clock.now() > timedelta(days=29)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event.object_id == token.id and "api_token.created" in SENTENCES
    assert "api_token.revoked" in SENTENCES


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.MEMBER, "reviews:write"), (Role.MEMBER, "admin"), (Role.REVIEWER, "admin")],
)
def test_a_scope_beyond_the_role_is_refused(db, make, role, scope):
    with pytest.raises(PermissionDenied, match=scope):
        services.create_token(
            db, make.user(role), name="x", scopes=["read", scope], expires_in_days=None
        )


def test_a_token_needs_a_name_a_scope_and_a_listed_expiry(db, make):
    member = make.user()
    for kwargs in (
        {"name": " ", "scopes": ["read"], "expires_in_days": 30},
        {"name": "x", "scopes": [], "expires_in_days": 30},
        {"name": "x", "scopes": ["read"], "expires_in_days": 3650},
        {"name": "a\x00b", "scopes": ["read"], "expires_in_days": 30},
    ):
        with pytest.raises(DomainError):
            services.create_token(db, member, **kwargs)


def test_the_api_answers_a_live_token_and_refuses_an_expired_or_revoked_one(
    app, db, make, token_for, freeze_clock
):
    member = make.user()
    secret = token_for(member, ["read"], days=7)
    api = Api(app.test_client(), secret)
    assert api.get("/me").json["id"] == member.id
    freeze_clock(clock.now() + timedelta(days=8))
    assert api.get("/me").status_code == 401
    freeze_clock(clock.now() - timedelta(days=8))
    token = db.scalar(select(ApiToken))
    services.revoke_token(db, member, token)
    db.flush()
    answer = api.get("/me")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_last_use_is_written_at_most_once_a_minute(app, db, make, token_for, freeze_clock):
    member = make.user()
    api = Api(app.test_client(), token_for(member, ["read"]))
    start = clock.now()
    freeze_clock(start)
    api.get("/me")
    token = db.scalar(select(ApiToken))
    db.refresh(token)
    assert token.last_used_at == start
    freeze_clock(start + timedelta(seconds=30))
    api.get("/me")
    db.refresh(token)
    assert token.last_used_at == start
    freeze_clock(start + timedelta(seconds=61))
    api.get("/me")
    db.refresh(token)
    assert token.last_used_at == start + timedelta(seconds=61)


@pytest.mark.parametrize("change", ["password", "email", "role", "deactivated", "reset"])
def test_tokens_die_with_the_sessions_when_the_account_changes(app, db, make, token_for, change):
    member = make.user(Role.REVIEWER)
    organizer = make.organizer()
    api = Api(app.test_client(), token_for(member, ["read"]))
    assert api.get("/me").status_code == 200
    if change == "password":
        accounts.change_password(db, member, PASSWORD, "a brand new passphrase", _links())
    elif change == "email":
        accounts.change_email(db, member, PASSWORD, "moved@example.org", _links())
    elif change == "role":
        accounts.change_role(db, organizer, member, Role.MEMBER)
    elif change == "deactivated":
        accounts.set_active(db, organizer, member, False)
    else:
        member.reset_generation = 0
        secret = _links().secret
        accounts.reset_password(
            db, secret, accounts.reset_token(secret, member), "a brand new passphrase", _links()
        )
    db.flush()
    assert api.get("/me").status_code == 401
    token = db.scalar(select(ApiToken))
    db.refresh(token)
    assert token.revoked_reason == ("password" if change == "reset" else change)


def test_logging_out_of_the_browser_leaves_tokens_working(app, db, make, token_for):
    member = make.user()
    api = Api(app.test_client(), token_for(member, ["read"]))
    accounts.log_out_everywhere(db, member)
    db.flush()
    assert api.get("/me").status_code == 200


def test_a_demoted_organizers_admin_scope_stops_at_once(app, db, make, token_for):
    organizer = make.organizer()
    cycle = make.cycle()
    secret = token_for(organizer, ["read", "admin"])
    api = Api(app.test_client(), secret)
    assert api.get(f"/cycles/{cycle.id}/decisions").status_code == 200
    organizer.role = Role.MEMBER  # as if demoted without the token being revoked
    db.flush()
    assert api.get("/me").status_code == 200
    refused = api.get(f"/cycles/{cycle.id}/decisions")
    assert refused.status_code == 403
    assert refused.json["type"] == "urn:nominee:problem:insufficient-scope"


# The account page -----------------------------------------------------------------


def test_the_page_creates_a_token_shows_it_once_and_revokes_it(app, db, make):
    member = make.user()
    client = client_for(app, member)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    assert b"reviews:write" not in page.data and b"admin:" not in page.data
    created = client.post(
        "/account/tokens", data={"name": "blog import", "scopes": ["read"], "expires": "30"}
    )
    assert created.status_code == 201
    secret = re.search(rb"nmn_[A-Za-z0-9_-]{43}", created.data).group().decode()
    assert Api(app.test_client(), secret).get("/me").status_code == 200
    again = client.get("/account/tokens")
    assert secret.encode() not in again.data and secret[:10].encode() in again.data
    token = db.scalar(select(ApiToken))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert Api(app.test_client(), secret).get("/me").status_code == 401
    assert b"Revoked" in client.get("/account/tokens").data


def test_the_page_refuses_a_scope_beyond_the_role_next_to_the_field(app, make):
    client = client_for(app, make.user())
    answer = client.post(
        "/account/tokens", data={"name": "x", "scopes": ["read", "admin"], "expires": "30"}
    )
    assert answer.status_code == 400
    assert b"Your role does not allow: admin." in answer.data


def test_nobody_revokes_another_members_token(app, db, make, token_for):
    owner, other = make.user(), make.user()
    token_for(owner, ["read"])
    token = db.scalar(select(ApiToken))
    answer = client_for(app, other).post(f"/account/tokens/{token.id}/revoke")
    assert answer.status_code == 404
    db.refresh(token)
    assert token.revoked_at is None


def test_the_profile_page_links_to_the_tokens(app, make):
    page = client_for(app, make.user()).get("/account/profile")
    assert b'href="/account/tokens"' in page.data


def test_the_page_says_which_tokens_expired_or_died_with_a_password_change(
    app, db, make, token_for, freeze_clock
):
    member = make.user()
    token_for(member, ["read"], days=7)
    client = client_for(app, member)
    freeze_clock(clock.now() + timedelta(days=8))
    assert "Expired" in client.get("/account/tokens").text
    accounts.change_password(db, member, PASSWORD, "a brand new passphrase", _links())
    db.flush()
    page = client_for(app, member).get("/account/tokens").text
    assert "(password changed)" in page
