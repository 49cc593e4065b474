"""Endorsing and withdrawing are announced (``events.endorsement_made`` / ``_withdrawn``)."""

from __future__ import annotations

from nominee import events
from nominee.endorsements import services


def test_endorsement_made_and_withdrawn_are_sent(db, make):
    author, peer = make.user(), make.user()
    contribution = make.contribution(author)
    sent = []

    def made(endorsement, *, session, actor):
        sent.append(("made", endorsement.contribution_id, actor.id))

    def withdrawn(endorsement, *, session, actor):
        sent.append(("withdrawn", endorsement.contribution_id, actor.id))

    events.endorsement_made.connect(made)
    events.endorsement_withdrawn.connect(withdrawn)
    try:
        services.endorse(db, peer, contribution, "Clear and useful.")
        services.withdraw(db, peer, contribution)
    finally:
        events.endorsement_made.disconnect(made)
        events.endorsement_withdrawn.disconnect(withdrawn)
    assert sent == [("made", contribution.id, peer.id), ("withdrawn", contribution.id, peer.id)]
