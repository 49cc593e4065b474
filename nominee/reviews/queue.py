"""Kept for the benchmark pages (``nominee/scale/pages.py``) until they move out of the
product package (issue 12, point 7); the review queue is
``nominee.reviews.queries.queue``. Delete this module with that move."""

from nominee.reviews.queries.queue import SORTS

__all__ = ["SORTS"]
