"""Domain events: what happened in the programme, declared in one place.

The services send them inside the transaction of the change they announce (flushed,
not committed), with the acting user (None for the programme itself: a scheduled move,
a seed) and the session. Receivers are plain functions connected once, at start, by
``nominee.receivers.connect`` in a documented order; a receiver flushes, never
commits, and may refuse a change only through the events that say so ("... moving").
Whatever must leave the process (mail, webhooks) is written to the outbox by a
receiver and handed on after commit.

- ``cycle_moving``: the cycle, before its status changes; ``session``, ``actor``,
  ``old``, ``new`` (``CycleStatus``). A receiver refuses the move by raising
  ``DomainError``.
- ``cycle_moved``: the cycle, after its status changed; ``session``, ``actor``, ``old``,
  ``new``.
- ``nomination_moved``: the nomination, from its one status gate
  (``nominations.services.change_status``), after the history line and the audit event;
  ``session``, ``actor``, ``old`` (``NominationStatus``, None for a new nomination),
  ``new``, ``action`` (the audit action). Sent for, by action:
  ``nomination.created`` (None -> submitted for a self nomination, None -> awaiting
  acceptance for a peer one); ``nomination.renewal_created`` (None -> submitted, as a
  cycle opens; ``actor`` is who opened it); ``nomination.accepted`` (awaiting acceptance
  -> submitted); ``nomination.refused`` (awaiting acceptance -> refused);
  ``nomination.withdrawn`` (awaiting acceptance or submitted -> withdrawn);
  ``nomination.entered_review`` (submitted -> in review, as nominations close);
  ``nomination.lapsed`` (awaiting acceptance -> lapsed as nominations close, or a
  renewal with no contribution from its award term -> lapsed); ``nomination.decided``
  (in review -> awarded or declined); ``nomination.decision_changed`` (awarded <->
  declined, or ``old`` == ``new`` when only the rationale, feedback or override
  changed). Publishing moves no nomination (its decision did): it writes the history
  line members then see and sends ``award_granted``.
- ``review_submitted``: the review, once submitted (then final); ``session``, ``actor``.
- ``award_granted``: the award, as publishing creates it; ``session``, ``actor``.
- ``award_revoked``: the award; ``session``, ``actor``.
- ``award_expired``: the award, when its term has ended; ``session``, ``actor`` (None).
- ``endorsement_made``, ``endorsement_withdrawn``: the endorsement; ``session``,
  ``actor``.
- ``notification_created``: the notification, flushed (so it has its id), by
  ``notifications.services.notify``; ``session``.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

cycle_moving = _events.signal("cycle-moving")
cycle_moved = _events.signal("cycle-moved")
nomination_moved = _events.signal("nomination-moved")
review_submitted = _events.signal("review-submitted")
award_granted = _events.signal("award-granted")
award_revoked = _events.signal("award-revoked")
award_expired = _events.signal("award-expired")
endorsement_made = _events.signal("endorsement-made")
endorsement_withdrawn = _events.signal("endorsement-withdrawn")
notification_created = _events.signal("notification-created")
