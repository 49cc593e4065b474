"""Python's garbage collector, set for a server's workers (plain Python: no Flask).

A large page builds tens of thousands of short-lived objects (rows, strings, markup).
With Python's default thresholds (a young collection every 700 net allocations) such a
page runs a hundred young collections and a dozen older ones, each walking every tracked
object of its generations, the app's own (its routes, templates, statements and kept
values) among them. So a server, once its app is loaded and before it forks its workers
(gunicorn's ``when_ready``, ``gunicorn.conf.py``):

- collects once, then **freezes** what is left (``gc.freeze``): the app's long-lived
  objects are never walked again, and the workers' collections no longer write to the
  memory pages they share with the master (copy-on-write, as Python's documentation
  advises before a fork);
- collects the young generation every ``YOUNG_THRESHOLD`` net allocations instead of
  700: the assignments page went from 15.7 ms to 12.3 at p50 and 21.1 to 18.0 at p95
  (large SQLite, ``make bench``). Cycles are still collected; a worker holds at most that
  many more objects waiting to be, a few MB.

``make bench`` does the same after creating its app, so it measures pages as the server
runs them. Plain ``make run`` (the development server) keeps Python's defaults.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def settle_for_workers() -> None:
    """Collect, freeze the survivors and raise the young generation's threshold (call it
    once the app is loaded, before the workers fork; they inherit all three)."""
    gc.collect()
    gc.freeze()
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
