"""``flask --app nominee ...`` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from nominee.db import commit, get_session
from nominee.web import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(create_organizer)


@click.command("create-organizer")
@click.argument("email")
@click.option("--name", "display_name", help="Display name for a new account.")
@click.option(
    "--password",
    envvar="NOMINEE_ORGANIZER_PASSWORD",
    help="Password for a new account (asked for when missing).",
)
@with_appcontext
def create_organizer(email: str, display_name: str | None, password: str | None) -> None:
    """Make EMAIL an organizer, creating the account when it does not exist."""
    from nominee.accounts.services import create_or_promote_organizer, find_by_email

    session = get_session()
    if find_by_email(session, email) is None and not password:
        password = click.prompt(
            "Password for the new account", hide_input=True, confirmation_prompt=True
        )
    try:
        user, created = create_or_promote_organizer(
            session, email, display_name=display_name, password=password
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    commit()
    verb = "Created" if created else "Promoted"
    click.echo(f"{verb} organizer {user.email} ({user.display_name}).")
