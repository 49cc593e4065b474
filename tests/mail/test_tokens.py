"""Tokens in mail links: signed, bound to one purpose, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nominee import clock
from nominee.mail.tokens import Purpose, TokenError, make_token, read_token

SECRET = "s" * 48
MADE = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def made(payload, purpose=Purpose.PASSWORD_RESET) -> str:
    with clock.as_of(MADE):
        return make_token(SECRET, purpose, payload)


def test_round_trip_within_its_age():
    token = made({"account": 7, "fingerprint": "ab12"})
    with clock.as_of(MADE + HOUR):
        assert read_token(SECRET, Purpose.PASSWORD_RESET, token, HOUR) == {
            "account": 7,
            "fingerprint": "ab12",
        }
    assert "=" not in token and "/" not in token and "+" not in token  # fits in a URL path


def test_expired_after_its_age():
    token = made({"account": 7})
    with clock.as_of(MADE + HOUR + timedelta(seconds=1)):
        with pytest.raises(TokenError, match="expired") as info:
            read_token(SECRET, Purpose.PASSWORD_RESET, token, HOUR)
    assert info.value.expired is True


def test_no_age_limit_when_none():
    token = made({"member": 7, "kind": "reminders"}, Purpose.UNSUBSCRIBE)
    with clock.as_of(MADE + timedelta(days=3650)):
        assert read_token(SECRET, Purpose.UNSUBSCRIBE, token, None)["kind"] == "reminders"


@pytest.mark.parametrize(
    "purpose", [Purpose.VERIFY_EMAIL, Purpose.UNSUBSCRIBE], ids=lambda p: p.value
)
def test_refused_for_another_purpose(purpose):
    token = made({"account": 7})
    with clock.as_of(MADE), pytest.raises(TokenError, match="not valid") as info:
        read_token(SECRET, purpose, token, HOUR)
    assert info.value.expired is False


def test_refused_when_tampered_or_signed_with_another_key():
    token = made({"account": 7})
    payload, _, rest = token.partition(".")
    forged = made({"account": 8}).partition(".")[0] + "." + rest
    with clock.as_of(MADE):
        for bad in (forged, token[:-2], "garbage", ""):
            with pytest.raises(TokenError, match="not valid"):
                read_token(SECRET, Purpose.PASSWORD_RESET, bad, HOUR)
        with pytest.raises(TokenError):
            read_token("t" * 48, Purpose.PASSWORD_RESET, token, HOUR)
