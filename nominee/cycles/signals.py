"""Cycle status moves, announced so other domains react without the cycles code knowing them.

Receivers get ``(cycle, session=..., actor=..., old=..., new=...)``.

- ``cycle_status_changing`` is sent before the move: a receiver refuses it by raising
  ``nominee.web.DomainError`` (e.g. "3 nominations in review have no decision yet").
- ``cycle_status_changed`` is sent after the move, inside the same transaction: lapse
  unaccepted nominations, create renewal nominations, create awards on publishing,
  notify nominees. Receivers flush, never commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

cycle_status_changing = _signals.signal("cycle-status-changing")
cycle_status_changed = _signals.signal("cycle-status-changed")
