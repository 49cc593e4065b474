"""``flask --app nominee seed-types``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import exists, select

from nominee.contributions.models import ContributionType
from nominee.contributions.services import seed_contribution_types
from nominee.uow import commit, get_session


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_types)


@click.command("seed-types")
@click.option(
    "--missing",
    is_flag=True,
    help="Also on a database that has types: add the defaults missing by name.",
)
@with_appcontext
def seed_types(missing: bool) -> None:
    """Give a new database the default contribution types (``make run`` does, every time:
    types an organizer renamed or deleted later are not brought back)."""
    session = get_session()
    if not missing and session.scalar(select(exists().select_from(ContributionType))):
        click.echo("Contribution types exist already; --missing adds the defaults missing.")
        return
    added = seed_contribution_types(session)
    commit()
    if added:
        click.echo(f"Added {len(added)} contribution types: {', '.join(t.name for t in added)}.")
    else:
        click.echo("Every default contribution type exists already.")
