"""Every receiver of a domain event, connected in one place and in this order.

Blinker calls a signal's receivers in the order they were connected, so the order here
is the order they run in:

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

from nominee import events


def connect() -> None:
    from nominee.awards import services as awards
    from nominee.nominations import services as nominations

    events.cycle_moving.connect(awards.refuse_undecided)
    events.cycle_moved.connect(nominations.close_nominations)
    events.cycle_moved.connect(awards.react_to_cycle_status)
