"""The tokens the account page lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nominee.accounts.models import User
from nominee.tokens.models import ApiToken


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens, live ones first, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def token_of(session: Session, user: User, token_id: int) -> ApiToken | None:
    token = session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None
