"""``flask --app nominee ...`` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from nominee.contributions.cli import init_cli as init_contributions_cli
from nominee.db import commit, get_engine, get_session
from nominee.seeding.scale.commands import seed_scale
from nominee.web import DomainError


def init_app(app: Flask) -> None:
    app.cli.add_command(create_organizer)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale)
    init_contributions_cli(app)


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


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the live SQLite database to PATH, consistently, while the app keeps running."""
    from nominee.ops.backup import BackupError, backup

    try:
        source = backup(current_app.config["DATABASE_URL"], path, overwrite=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {source} to {path.resolve()} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(
    "--yes",
    prompt="This replaces the live database with the backup. Is the server stopped?",
    help="Do not ask for confirmation.",
)
@with_appcontext
def restore_command(path: Path) -> None:
    """Check the backup at PATH, then make it the live SQLite database (server stopped)."""
    from alembic.script import ScriptDirectory

    from nominee.migrate import alembic_config
    from nominee.ops.backup import BackupError, restore

    get_engine().dispose()
    try:
        live, revision = restore(current_app.config["DATABASE_URL"], path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {path.resolve()} to {live} (schema revision {revision}).")
    if revision != ScriptDirectory.from_config(alembic_config()).get_current_head():
        click.echo("The backup predates the current schema: run `flask --app nominee db upgrade`.")


@click.command("seed-demo")
@click.option("--seed", default=None, type=int, help="Random seed (default: the fixed demo seed).")
@click.option(
    "--if-empty",
    is_flag=True,
    help="On a database with accounts, say so and exit with status 0 instead of failing.",
)
@with_appcontext
def seed_demo_command(seed: int | None, if_empty: bool) -> None:
    """Fill an empty database with a demo community (password: DEMO_PASSWORD)."""
    from nominee import demo
    from nominee.accounts.passwords import hash_password

    password = str(current_app.config["DEMO_PASSWORD"])
    session = get_session()
    try:
        result = demo.seed(
            session,
            password_hash=hash_password(password),
            seed=demo.DEFAULT_SEED if seed is None else seed,
        )
    except demo.DemoRefused as exc:
        if if_empty:
            click.echo(f"Not seeding: {exc}")
            return
        raise click.ClickException(str(exc)) from None
    commit()
    click.echo(
        f"Demo community ready: {len(result.logins())} accounts, "
        f"{len(result.contributions)} contributions, {result.endorsement_count} endorsements."
    )
    cycles = [result.published_cycle, result.cycle_in_review, result.open_cycle]
    if all(cycles):
        click.echo(
            "Cycles: " + ", ".join(f"{c.name} ({c.status.value.replace('_', ' ')})" for c in cycles)
        )
    if result.reviews:
        click.echo(
            f"Reviews: {result.reviews.submitted} submitted and {result.reviews.drafts} drafts "
            f"for {result.reviews.assignments} assignments."
        )
    click.echo(f"Every account's password is {password!r}. Logins:")
    staff = [result.organizer, *result.reviewers]
    for user in staff:
        click.echo(f"  {user.email:<26} {user.role.label:<10} {user.display_name}")
    first, last = result.members[0], result.members[-1]
    click.echo(f"  {first.email} to {last.email}   Members")
