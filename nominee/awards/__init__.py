"""Decisions, awards, their public verification, revocation, expiry and renewal."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Jinja globals for the member page's awards partial, and the ``expire-awards`` command."""
    from nominee.awards.cli import expire_awards_command
    from nominee.awards.services import awards_for_member, today
    from nominee.db import get_session

    app.jinja_env.globals["member_awards"] = lambda member_id: awards_for_member(
        get_session(), member_id
    )
    app.jinja_env.globals["awards_today"] = today
    app.cli.add_command(expire_awards_command)
