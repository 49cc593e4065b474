"""``flask --app nominee tick``: run whatever the scheduler finds due now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Run what is due now (cycle moves, reminders, digest, award expiry), once: a
    second run, here or on another host, finds it done."""
    from nominee.schedule.loop import due_loop_step

    ran = due_loop_step(current_app._get_current_object())  # type: ignore[attr-defined]
    if not ran:
        click.echo("Nothing was due.")
    for key in ran:
        click.echo(f"Ran {key}")
