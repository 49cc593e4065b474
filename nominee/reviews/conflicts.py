"""Kept for the seeding code (``nominee/awards/demo.py``) until it moves out of the
product package (issue 12, point 7); the conflict queries are
``nominee.reviews.queries.conflicts``. Delete this module with that move."""

from nominee.reviews.queries.conflicts import find_conflicts

__all__ = ["find_conflicts"]
