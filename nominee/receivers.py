"""Every receiver of a domain event, connected in one place and run in this order.

Blinker does not promise an order among the receivers of one signal (it keeps them in
a set), so each event that needs several steps gets one receiver here that runs them
in order:

``cycle_moving``
    1. awards: refuse publishing while a reviewed nomination is undecided.
``cycle_moved``
    1. nominations: leaving *open*, unaccepted peer nominations lapse and submitted ones
       enter review (their evidence is copied for the panel).
    2. awards: on *open*, awards ending in the cycle's renewal window are put up for
       renewal; leaving *open*, renewals gather their evidence again (and lapse without
       any); on *published*, awards are created and nominees told.
    3. integrity: entering *in review*, a full scan of the cycle's look-back window is
       asked of the job (``integrity.scan``).
    4. impact: the cycle's impact figures follow its status.
    5. webhooks: ``cycle.moved`` (and ``results.published`` on *published*), after the
       awards exist.
``nomination_moved``
    1. webhooks: ``nomination.submitted`` when a nomination becomes submitted.
``endorsement_made``, ``endorsement_withdrawn``
    1. integrity: a rescan is asked of the job, unless one is already waiting.
``notification_created``
    1. outbox: ``notification.created``, so that email can follow the notification.
``award_granted``
    1. credentials: the award takes its place in the revocation status lists.
    2. outbox: ``award.granted``.
    3. webhooks: ``award.granted``, to the endpoints subscribed.
``award_revoked``, ``award_expired``
    1. outbox: ``award.revoked``, ``award.expired``.
    2. webhooks: the same event types, to the endpoints subscribed.

What leaves the process goes through the outbox (``nominee.outbox.services``): written
here, in the transaction of the change, and handed on only after it commits.

Connecting twice (an app per test) connects nothing new: blinker keeps one connection
per receiver.
"""

from __future__ import annotations

from typing import Any

from nominee import events, sharedcache
from nominee.outbox import services as outbox


def on_cycle_moving(cycle: Any, **data: Any) -> None:
    from nominee.awards import services as awards

    awards.refuse_undecided(cycle, **data)


def on_cycle_moved(cycle: Any, **data: Any) -> None:
    from nominee.awards import services as awards
    from nominee.impact import services as impact
    from nominee.integrity import services as integrity
    from nominee.nominations import services as nominations
    from nominee.webhooks import services as webhooks

    nominations.close_nominations(cycle, **data)
    awards.react_to_cycle_status(cycle, **data)
    integrity.on_cycle_moved(cycle, **data)
    impact.react_to_cycle_status(cycle, **data)
    webhooks.on_cycle_moved(cycle, session=data["session"], old=data["old"], new=data["new"])


def on_nomination_moved(
    nomination: Any, *, session: Any, new: Any, action: str, **data: Any
) -> None:
    from nominee.webhooks import services as webhooks

    webhooks.on_nomination_moved(nomination, session=session, new=new, action=action)


def on_endorsement_changed(endorsement: Any, *, session: Any, **data: Any) -> None:
    from nominee.integrity import services as integrity

    integrity.request_rescan(session)


def on_notification_created(notification: Any, *, session: Any, **data: Any) -> None:
    outbox.put(session, "notification.created", {"notification_id": notification.id})


def on_award_granted(award: Any, *, session: Any, **data: Any) -> None:
    from nominee.credentials import services as credentials

    credentials.assign_status_index(award)
    _award_message(session, "award.granted", award)


def on_award_revoked(award: Any, *, session: Any, **data: Any) -> None:
    _award_message(session, "award.revoked", award)


def on_award_expired(award: Any, *, session: Any, **data: Any) -> None:
    _award_message(session, "award.expired", award)


def _award_message(session: Any, topic: str, award: Any) -> None:
    # The public figures count current awardees: wrong once this commits, on every host.
    sharedcache.stale_after_commit(session, sharedcache.PUBLIC_FIGURES)
    payload = {
        "award_id": award.id,
        "verification_id": award.verification_id,
        "member_id": award.member_id,
    }
    outbox.put(session, topic, payload)
    from nominee.webhooks import services as webhooks

    webhooks.on_award(session, topic, award)


def connect() -> None:
    events.cycle_moving.connect(on_cycle_moving)
    events.cycle_moved.connect(on_cycle_moved)
    events.nomination_moved.connect(on_nomination_moved)
    events.notification_created.connect(on_notification_created)
    events.endorsement_made.connect(on_endorsement_changed)
    events.endorsement_withdrawn.connect(on_endorsement_changed)
    events.award_granted.connect(on_award_granted)
    events.award_revoked.connect(on_award_revoked)
    events.award_expired.connect(on_award_expired)
