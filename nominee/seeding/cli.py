"""``flask --app nominee seed-demo`` and ``seed-scale``: the only door into ``nominee.seeding``.

The seeders take a session or an engine; the Flask side (the app's configuration, the
request-less unit of work) stays here.
"""

from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect

from nominee.db import make_engine
from nominee.seeding.scale import SCALES
from nominee.uow import unit_of_work


def init_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale)


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
    from nominee.accounts.passwords import hash_password
    from nominee.seeding import demo

    password = str(current_app.config["DEMO_PASSWORD"])
    try:
        with unit_of_work() as session:
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
    click.echo(
        f"Demo community ready: {len(result.logins())} accounts, "
        f"{len(result.contributions)} contributions, {result.endorsement_count} endorsements."
    )
    made = (result.published_cycle, result.cycle_in_review, result.open_cycle)
    cycles = [cycle for cycle in made if cycle is not None]
    if len(cycles) == len(made):
        click.echo(
            "Cycles: " + ", ".join(f"{c.name} ({c.status.value.replace('_', ' ')})" for c in cycles)
        )
    if result.reviews:
        click.echo(
            f"Reviews: {result.reviews.submitted} submitted and {result.reviews.drafts} drafts "
            f"for {result.reviews.assignments} assignments."
        )
    click.echo(f"Every account's password is {password!r}. Logins:")
    staff = [user for user in (result.organizer, *result.reviewers) if user is not None]
    for user in staff:
        click.echo(f"  {user.email:<26} {user.role.label:<10} {user.display_name}")
    first, last = result.members[0], result.members[-1]
    click.echo(f"  {first.email} to {last.email}   Members")


@click.command("seed-scale")
@click.option(
    "--scale",
    "scale_name",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    help="large: 20,000 members, 300,000 contributions, 1.5 million endorsements; "
    "medium is a tenth, small a hundredth.",
)
@click.option("--seed", default=1, show_default=True, help="Same seed, same day: same data.")
@click.option(
    "--rings/--no-rings",
    default=True,
    show_default=True,
    help="Plant arranged groups (reciprocal pairs, cliques, cycles, puppet stars, "
    "camouflaged cliques, burst rings) among the organic members, and write which beside "
    "the database (JSON); --no-rings plants nothing.",
)
@with_appcontext
def seed_scale(scale_name: str, seed: int, rings: bool) -> None:
    """Fill an empty database with a synthetic programme at scale, for benchmarks."""
    from nominee.migrate import upgrade
    from nominee.seeding.scale.database import (
        ScaleRefused,
        ground_truth_path,
        seed_database,
        write_ground_truth,
    )

    # An engine of its own, without the app's per-statement time budget: bulk inserts
    # and index builds at large scale run longer than any request may.
    engine = make_engine(current_app.config["DATABASE_URL"])
    if not inspect(engine).has_table("users"):
        upgrade()
    started = time.perf_counter()
    truth: dict = {}
    try:
        counts = seed_database(
            engine, scale_name, seed, current_app.config["DEMO_PASSWORD"], rings, truth
        )
    except ScaleRefused as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    elapsed = time.perf_counter() - started
    for table, count in counts.items():
        click.echo(f"{table:>24} {count:>10,}")
    click.echo(
        f"Seeded the {scale_name} programme (seed {seed}) in {elapsed:.1f} s. "
        f"Logins: organizer@example.org, reviewer1@example.org, member1@example.org "
        f"(the most active member); password: the DEMO_PASSWORD setting."
    )
    path = ground_truth_path(current_app.config["DATABASE_URL"], current_app.instance_path)
    write_ground_truth(path, truth)
    planted = truth["planted"]
    click.echo(
        f"Planted {len(planted)} arranged groups "
        f"({sum(len(group['user_ids']) for group in planted)} members). Ground truth:"
        if planted
        else "Planted nothing (--no-rings). Ground truth:"
    )
    click.echo(str(path))
