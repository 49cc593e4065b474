from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from nominee.contributions.models import Visibility
from nominee.endorsements.rules import can_endorse, comment_error, endorsement_refusal


def test_who_may_endorse(make):
    owner, peer = make.user(), make.user()
    public = make.contribution(owner)
    private = make.contribution(owner, visibility=Visibility.PRIVATE)
    assert can_endorse(peer, public)
    assert endorsement_refusal(owner, public) == "You cannot endorse your own contribution."
    assert endorsement_refusal(peer, private) == "Private contributions cannot be endorsed."
    assert endorsement_refusal(AnonymousUserMixin(), public) == "Log in to endorse contributions."
    peer.is_active_account = False
    assert endorsement_refusal(peer, public) == "Your account is deactivated."


@pytest.mark.parametrize(
    ("comment", "ok"),
    [("", True), ("x" * 280, True), ("  " + "x" * 280 + "  ", True), ("x" * 281, False)],
)
def test_comment_length(comment, ok):
    assert (comment_error(comment) is None) is ok
