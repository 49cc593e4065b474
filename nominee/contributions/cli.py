"""``flask --app nominee seed-types``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from nominee.contributions.services import seed_contribution_types
from nominee.db import commit, get_session


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_types)


@click.command("seed-types")
@with_appcontext
def seed_types() -> None:
    """Add the default contribution types that are missing."""
    added = seed_contribution_types(get_session())
    commit()
    if added:
        click.echo(f"Added {len(added)} contribution types: {', '.join(t.name for t in added)}.")
    else:
        click.echo("Every default contribution type exists already.")
