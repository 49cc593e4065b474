"""Decisions, awards, their public verification, revocation, expiry and renewal."""
