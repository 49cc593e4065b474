"""``flask --app nominee expire-awards``: run it daily (cron, a scheduled job)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from nominee.uow import commit, get_session


@click.command("expire-awards")
@with_appcontext
def expire_awards_command() -> None:
    """Mark active awards whose term has ended as expired."""
    from nominee.awards.services import expire_awards

    count = expire_awards(get_session())
    commit()
    click.echo(f"{count} award{'' if count == 1 else 's'} expired.")
