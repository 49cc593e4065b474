"""The jobs themselves; each runs inside an app context (``nominee.jobs.run`` or the
worker's)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from nominee.mail.settings import MailSettings
from nominee.outbox import sender

# A drain stops claiming after this long, so a job never outlives RQ's timeout; what is
# left is drained by the next job (asked for at once) or the next poll.
DRAIN_BUDGET = timedelta(minutes=2)


def drain_outbox(on_full_batch: Callable[[], None] | None = None) -> sender.Report:
    """Send every due outbox message (``nominee.outbox.sender.drain``)."""
    app = current_app
    report = sender.drain(
        app.extensions["nominee.sessionmaker"],
        MailSettings.from_config(app.config),
        sender.Policy.from_config(app.config),
        budget=DRAIN_BUDGET,
        on_full_batch=on_full_batch,
    )
    if report.more:
        from nominee.jobs import dispatch

        dispatch(())
    return report
