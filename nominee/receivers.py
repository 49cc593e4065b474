"""Every receiver of a domain event, connected in one place and run in this order.

Blinker does not promise an order among the receivers of one signal (it keeps them in
a set), so each event that needs several steps gets one receiver here that runs them
in order:

``cycle_moving``
    1. awards: refuse deciding or publishing while a reviewed nomination is undecided.
``cycle_moved``
    1. nominations: leaving *open*, unaccepted peer nominations lapse and submitted ones
       enter review (their evidence is copied for the panel).
    2. awards: on *open*, awards ending in the cycle's renewal window are put up for
       renewal; leaving *open*, renewals gather their evidence again (and lapse without
       any); on *published*, awards are created and nominees told.

Connecting twice (an app per test) connects nothing new: blinker keeps one connection
per receiver.
"""

from __future__ import annotations

from typing import Any

from nominee import events


def on_cycle_moving(cycle: Any, **data: Any) -> None:
    from nominee.awards import services as awards

    awards.refuse_undecided(cycle, **data)


def on_cycle_moved(cycle: Any, **data: Any) -> None:
    from nominee.awards import services as awards
    from nominee.nominations import services as nominations

    nominations.close_nominations(cycle, **data)
    awards.react_to_cycle_status(cycle, **data)


def connect() -> None:
    events.cycle_moving.connect(on_cycle_moving)
    events.cycle_moved.connect(on_cycle_moved)
