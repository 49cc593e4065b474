"""``flask --app nominee ...`` commands."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from nominee import clock
from nominee.errors import DomainError
from nominee.jobs.worker import worker_command
from nominee.seeding.cli import init_cli as init_seeding_cli
from nominee.uow import get_engine, unit_of_work


def init_app(app: Flask) -> None:
    app.cli.add_command(create_organizer)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_types)
    app.cli.add_command(expire_awards_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(tick_command)
    app.cli.add_command(integrity_group)
    app.cli.add_command(feeds_group)
    app.cli.add_command(check_links_command)
    app.cli.add_command(credentials_group)
    init_seeding_cli(app)


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

    with unit_of_work() as session:
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
    verb = "Created" if created else "Promoted"
    click.echo(f"{verb} organizer {user.email} ({user.display_name}).")


@click.group("credentials")
def credentials_group() -> None:
    """The Open Badges credentials' issuer key (see the README, "Credentials")."""


@credentials_group.command("show-key")
@with_appcontext
def credentials_show_key() -> None:
    """Print the issuer's DID and its public keys, the signing one first (made when none)."""
    from flask import current_app

    from nominee.credentials import services as credentials

    with unit_of_work() as session:
        issuer = credentials.Issuer.from_config(current_app.config)
        document = credentials.did_document(session, issuer)
    click.echo(document["id"])
    for method in document["verificationMethod"]:
        click.echo(f"  {method['publicKeyMultibase']}")


@credentials_group.command("rotate-key")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def credentials_rotate_key(yes: bool) -> None:
    """Retire the signing key and make a new one; the old public keys stay published, so
    the credentials signed before still verify."""
    from nominee.credentials import services as credentials

    if not yes:
        click.confirm("Sign every credential with a new key from now on?", abort=True)
    with unit_of_work() as session:
        key = credentials.rotate_key(session)
        public = key.public_key_multibase
    click.echo(f"New signing key {public}; the old ones stay in /.well-known/did.json.")


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
    from nominee.contributions.services import has_types, seed_contribution_types

    with unit_of_work() as session:
        if not missing and has_types(session):
            click.echo("Contribution types exist already; --missing adds the defaults missing.")
            return
        added = seed_contribution_types(session)
    if added:
        click.echo(f"Added {len(added)} contribution types: {', '.join(t.name for t in added)}.")
    else:
        click.echo("Every default contribution type exists already.")


@click.command("expire-awards")
@with_appcontext
def expire_awards_command() -> None:
    """Mark active awards whose term has ended as expired (the scheduler does it daily;
    this runs it now)."""
    from nominee.awards.services import expire_awards

    with unit_of_work() as session:
        count = expire_awards(session)
    click.echo(f"{count} award{'' if count == 1 else 's'} expired.")


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run what is due now (cycle moves, reminders, digest, award expiry), once: a
    second run, here or on another host, finds it done."""
    from nominee.jobs.schedule import due_loop_step

    ran = due_loop_step(current_app._get_current_object())  # type: ignore[attr-defined]
    if not ran:
        click.echo("Nothing was due.")
    for key in ran:
        click.echo(f"Ran {key}")


@click.command("check-links")
@click.option("--url", "urls", multiple=True, help="Check this link now (repeatable).")
@with_appcontext
def check_links_command(urls: tuple[str, ...]) -> None:
    """Check the links of live nominations' evidence not checked in the last 20 hours
    (the scheduler asks for it daily), or the given links; print what was found."""
    from nominee.jobs.handlers import link_settings
    from nominee.linkchecks import services as linkchecks

    sessions = current_app.extensions["nominee.sessionmaker"]
    if urls:
        for url in urls:
            row = linkchecks.check(sessions, url, link_settings())
            state = f"broken since {row.broken_since:%Y-%m-%d}" if row.broken else "not broken"
            answer = row.status_code if row.status_code is not None else row.error
            click.echo(f"{url}: {answer} ({state})")
        return
    report = linkchecks.run_due(sessions, link_settings())
    click.echo(f"Checked {report.checked} links; {report.broken} newly broken.")


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


@click.group("integrity")
def integrity_group() -> None:
    """Integrity of endorsements: scan the endorsement graph."""


@integrity_group.command("scan")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON document.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON document to this file.",
)
@with_appcontext
def integrity_scan_command(
    since: datetime | None, until: datetime | None, as_json: bool, output: Path | None
) -> None:
    """Scan the window (default: the cycle in review, else the last 12 months), store the
    results and print them. With --json, standard output is the JSON document alone."""
    from nominee.cycles.models import add_months
    from nominee.integrity import queries, services

    with unit_of_work() as session:
        window = None
        if since is not None or until is not None:
            last = until.date() if until is not None else clock.today()
            first = since.date() if since is not None else add_months(last, -12)
            if first > last:
                raise click.BadParameter("--since is after --until.")
            window = queries.ScanWindow(first, last)
        report = services.scan(session, window, reason="command")
        document = report.as_dict()
    text = json.dumps(document, separators=(",", ":"))
    if output is not None:
        output.write_text(text)
    if as_json:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return
    scan = report.scan
    click.echo(
        f"Scanned {report.window.since} to {report.window.until}: {scan.endorsements} "
        f"endorsements, {scan.members} members, {scan.flagged} flagged, {scan.seconds}s."
    )


@click.group("feeds")
def feeds_group() -> None:
    """Members' feeds."""


@feeds_group.command("poll")
@click.option("--feed", "feed_id", type=int, default=None, help="Poll this feed only.")
@click.option("--all", "every", is_flag=True, help="Poll every feed, due or not.")
@with_appcontext
def feeds_poll_command(feed_id: int | None, every: bool) -> None:
    """Poll the feeds not polled for FEED_POLL_MINUTES (the scheduler does it hourly),
    through the outbound guard; their new items become drafts."""
    from datetime import timedelta

    from nominee import outbound
    from nominee.imports import polling

    config = current_app.config
    polled = polling.poll_feeds(
        current_app.extensions["nominee.sessionmaker"],
        polling.fetcher(outbound.allow_hosts_from(config)),
        feed_id,
        timedelta(0) if every else polling.poll_every(config),
    )
    for one in polled:
        result = one.result
        state = result.error or ("not changed" if result.status == 304 else "read")
        click.echo(f"Feed {one.feed_id}: {state}; {result.added} new draft(s).")
    if not polled:
        click.echo("No feed was due.")
