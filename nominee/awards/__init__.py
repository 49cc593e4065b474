"""Decisions, awards, their public verification, revocation, expiry and renewal."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Jinja globals for the member page's awards partial and for nomination statuses
    (a revoked award shows on its nomination), and the ``expire-awards`` command."""
    from nominee.awards.cli import expire_awards_command
    from nominee.awards.services import awards_for_member, today
    from nominee.nominations.rules import revoked_label, status_text
    from nominee.uow import get_session

    app.jinja_env.globals["member_awards"] = lambda member_id: awards_for_member(
        get_session(), member_id
    )
    app.jinja_env.globals["awards_today"] = today
    app.jinja_env.globals["status_text"] = status_text
    app.jinja_env.globals["revoked_label"] = revoked_label
    app.cli.add_command(expire_awards_command)
